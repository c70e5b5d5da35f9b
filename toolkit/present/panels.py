"""The explorer's HTML panels: the headline, a report's table and its cells, problem reports.

Each function takes what a `Views` method returns and gives an HTML string for an
`ipywidgets.HTML`; every string from the data is escaped.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any, cast

import pandas as pd

from toolkit.analysis.indicators import BY_NAME
from toolkit.present.explore import INCOMPARABLE, Headline, PeerStanding
from toolkit.present.formatting import (
    MARK_FAIL,
    NO_DATA,
    SMALL_LABEL,
    check_label,
    check_scope_label,
    fmt_count,
    fmt_rate,
    fmt_value,
    fmt_years,
    is_missing,
)
from toolkit.spec.vocab import FLAG_LABELS, KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

QUALITY_ROWS = 50
"""Problem reports listed in the quality tab (the rest are counted)."""
MAX_LISTED_PEERS = 40
"""Peers listed under the peers chart (the region itself always)."""


def grid_html(grid: pd.DataFrame) -> str:
    """The grid as an HTML table; flagged cells highlighted."""
    if grid.empty:
        return "<p>这份报告没有读出这张表 (no cells read for this table)</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in grid.columns)
    body = []
    for _, row in grid.iterrows():
        tds = []
        for i, value in enumerate(row):
            text = html.escape(str(value))
            style = ' style="background:#fde0dd;color:#a50f15"' if text.startswith("[") else ""
            align = "left" if i == 0 else "right"
            tds.append(f'<td{style} align="{align}">{text}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<table class="ogi-grid" style="border-collapse:collapse;font-size:12px">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def cells_html(cells: pd.DataFrame, checks: pd.DataFrame) -> str:
    """Each cell's source text (label and raw text as found, offset in the document)."""
    parts = []
    if len(checks):
        parts.append(checks_html(checks, with_report=False))
    if len(cells):
        ordered = cells.assign(_flagged=cells["flag"].notna()).sort_values(
            ["_flagged", "location"], ascending=[False, True])
        rows = "".join(
            "<tr{}><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>".format(
                ' style="background:#fde0dd"' if isinstance(c.flag, str) else "",
                html.escape(str(c.label)), html.escape(str(c.column)),
                html.escape(str(c.raw)) if isinstance(c.raw, str) else "",
                html.escape(FLAG_LABELS.get(str(c.flag), "")) if isinstance(c.flag, str) else "",
                "" if is_missing(c.location) else int(cast(Any, c.location)))
            for c in ordered.itertuples())
        parts.append("<b>单元格原文 (source text of each cell)</b><table style='font-size:12px'>"
                     "<tr><th>行标签(原文)</th><th>列</th><th>原文</th><th>标记</th><th>位置</th></tr>"
                     f"{rows}</table>")
    return "".join(parts) or "<p>没有单元格 (no cells)</p>"


def quality_html(frame: pd.DataFrame, limit: int = QUALITY_ROWS) -> str:
    """The problem reports as a table: checks failed and the share of each flag."""
    if frame.empty:
        return ("<p>所选范围内没有未通过勾稽校验或含空白、涂黑、歧义单元格的报告。"
                "(No report in this selection fails a check or has blank/redacted cells.)</p>")
    shown = frame.head(limit)
    rows = "".join(
        f"<tr><td>{html.escape(str(r.agency) if isinstance(r.agency, str) else '(机关名称未识别)')}</td>"
        f"<td>{'' if is_missing(r.year) else int(cast(Any, r.year))}</td>"
        f"<td align='right'>{int(cast(Any, r.checks_failed))}</td>"
        f"<td align='right'>{fmt_rate(r.share_blank, missing='')}</td><td align='right'>{fmt_rate(r.share_redacted, missing='')}</td>"
        f"<td align='right'>{fmt_rate(r.share_ambiguous, missing='')}</td><td align='right'>{fmt_rate(r.share_missing, missing='')}</td>"
        f"<td><code>{html.escape(str(r.report_id)[:12])}</code></td></tr>"
        for r in shown.itertuples())
    more = f"<p>共{len(frame)}份,显示前{limit}份。</p>" if len(frame) > limit else \
        f"<p>共{len(frame)}份。</p>"
    return ("<b>未通过勾稽校验或含空白、涂黑、歧义单元格的可用报告</b>"
            "<table class='ogi-quality' style='font-size:12px'><tr><th>机关</th><th>年份</th>"
            "<th>未通过校验</th><th>空白</th><th>涂黑</th><th>歧义</th><th>缺失</th><th>报告</th></tr>"
            f"{rows}</table>{more}")


def checks_html(frame: pd.DataFrame, limit: int = QUALITY_ROWS, with_report: bool = True
                ) -> str:
    """The failed identities of the selection's reports: body and year (unless
    `with_report` is off: one report's drill-down), identity, where, both sides; for a claim
    of the prose checked against the tables (`text_vs_table`), the sentence that states it,
    when the store has it."""
    if frame.empty:
        return "<p class='ogi-checks'>所选范围内的可用报告都通过了勾稽校验(或无法校验)。</p>"
    has_sentence = "sentence" in frame.columns
    rows = []
    for r in frame.head(limit).to_dict("records"):
        check = str(r["check"])
        prose = check == "text_vs_table"
        left, right = ("表格", "正文") if prose else ("左边", "右边")
        sentence = r.get("sentence") if has_sentence else None
        quote = (f"<br><span style='color:#555'>原文:“{html.escape(sentence)}”</span>"
                 if isinstance(sentence, str) and sentence.strip() else "")
        report = (f"<td>{html.escape(_agency(r['agency']))}</td><td>{_year(r['year'])}</td>"
                  if with_report else "")
        rows.append(
            f"<tr>{report}<td>{html.escape(check_label(check))}{quote}</td>"
            f"<td>{html.escape(check_scope_label(check, r['scope']))}</td>"
            f"<td align='right'>{left} {fmt_count(r['left'], missing='—')}</td>"
            f"<td align='right'>{right} {fmt_count(r['right'], missing='—')}</td></tr>")
    more = f"<p>共{len(frame)}项,显示前{limit}项。</p>" if len(frame) > limit else ""
    return ("<div class='ogi-checks'><b>未通过的勾稽校验 (failed checks)</b>"
            "<table style='font-size:12px'><tr>"
            + ("<th>机关</th><th>年份</th>" if with_report else "")
            + f"<th>校验</th><th>范围</th><th>一边</th><th>另一边</th></tr>{''.join(rows)}"
            f"</table>{more}</div>")


def unusable_html(frame: pd.DataFrame) -> str:
    """The files of the selection left out of every figure, each with why (and its file
    name or URL): what a reader is told is missing."""
    from toolkit.present.explore import unusable_reason

    if frame.empty:
        return ""
    rows = []
    for r in frame.to_dict("records"):
        url = r.get("source_url")
        where = url if isinstance(url, str) and url else Path(str(r.get("path") or "")).name
        rows.append(f"<tr><td>{html.escape(_agency(r['agency']))}</td><td>{_year(r['year'])}</td>"
                    f"<td>{html.escape(unusable_reason(r))}</td>"
                    f"<td><code>{html.escape(where)}</code></td></tr>")
    return (f"<div class='ogi-unusable'><b>{len(frame)}份文件无法使用,未计入任何数字</b>"
            "<table style='font-size:12px'><tr><th>机关</th><th>年份</th><th>原因</th>"
            f"<th>文件</th></tr>{''.join(rows)}</table></div>")


def peers_html(frame: pd.DataFrame, standing: PeerStanding, is_rate: bool) -> str:
    """The peers of the peers tab as a list: each region's figure with its counts and the
    bodies behind it, small ones grey and unranked; a rank column only when there are
    enough rankable regions for a distribution (`PeerStanding.has_spread`)."""
    if standing.year is None:
        return ""  # the chart says why there is no comparison
    data = frame.dropna(subset=["value"])
    ranked = data[~data["is_small"].astype(bool)].sort_values(
        ["value", "region"], ascending=[False, True])
    ranks = {str(c): i + 1 for i, c in enumerate(ranked["region"])} if standing.has_spread \
        else {}
    order = data.sort_values(["value", "region"], ascending=[False, True])
    if len(order) > MAX_LISTED_PEERS:
        order = pd.concat([order[order["is_selected"].astype(bool)],
                           order[~order["is_selected"].astype(bool)].head(MAX_LISTED_PEERS)])
    rows = []
    for r in order.to_dict("records"):
        small = bool(r["is_small"])
        style = " style='background:#fff3e0'" if r["is_selected"] else ""
        grey = f" style='color:{GREY}'" if small else ""
        rank = str(ranks.get(str(r["region"]), "")) if standing.has_spread else ""
        rows.append(
            f"<tr{style}><td>{html.escape(str(r['name']))}{'(本地区)' if r['is_selected'] else ''}</td>"
            f"<td align='right'{grey}>{fmt_value(r['value'], is_rate)}</td>"
            f"<td align='right'>{fmt_count(r['numerator'], missing='')}"
            f"{' / ' + fmt_count(r['denominator'], missing='') if is_rate else ''}</td>"
            f"<td>{html.escape(str(r['body_mix']))}</td>"
            f"<td{grey}>{SMALL_LABEL if small else ''}</td>"
            + (f"<td align='right'>{rank}</td>" if standing.has_spread else "") + "</tr>")
    head = ("<tr><th>地区</th><th>数值</th><th>件数</th><th>机关构成</th><th>样本</th>"
            + ("<th>排名</th>" if standing.has_spread else "") + "</tr>")
    if standing.has_spread:
        spread = "–".join(fmt_value(v, is_rate) for v in (standing.p10, standing.median,
                                                          standing.p90))
        summary = (f"{standing.n_ranked}个可排名地区(不少于{SMALL_SAMPLE}件)的"
                   f"P10–中位数–P90:{spread}")
    else:
        summary = standing.note
    more = (f"<p>共{len(data)}个地区有数字,列出数值最高的{MAX_LISTED_PEERS}个和本地区。</p>"
            if len(data) > MAX_LISTED_PEERS else "")
    return (f"<div class='ogi-peer-list'><p>{html.escape(summary)}</p>"
            f"<table style='font-size:12px'>{head}{''.join(rows)}</table>{more}</div>")


def _agency(agency: Any) -> str:
    return agency if isinstance(agency, str) and agency else "(机关名称未识别)"


def _year(year: Any) -> str:
    return "" if is_missing(year) else str(int(cast(Any, year)))


GREY = "#888"
"""A figure under the small-count guard rail, and what a line only explains."""


def _years_text(sel_years: tuple[int, int] | None) -> str:
    if not sel_years:
        return "全部年份"
    return f"{sel_years[0]}–{sel_years[1]}年" if sel_years[0] != sel_years[1] \
        else f"{sel_years[0]}年"


def _figure(value: float | None, numerator: float | None, denominator: float | None,
            is_rate: bool, is_small: bool, css: str = "ogi-value", size: int = 18) -> str:
    """A figure with its counts ('48.0%(71 / 148件)'); grey and marked when small."""
    counts = (f"({fmt_count(numerator, missing='')} / {fmt_count(denominator, missing='')}件)"
              if is_rate else "")
    color = f"color:{GREY};" if is_small else ""
    mark = f" <span class='ogi-small' style='color:{GREY}'>{SMALL_LABEL}</span>" if is_small \
        else ""
    return (f"<b class='{css}' style='{color}font-size:{size}px'>"
            f"{fmt_value(value, is_rate, missing=NO_DATA)}</b>{counts}{mark}")


def headline_html(head: Headline) -> str:
    """The headline as HTML: the region, its latest figure with the counts beside it, the
    like-for-like change, the bodies behind the figure that year (number, levels and kinds,
    names when few), where it stands among its peers (like with like), what the selection
    covers and what was left out."""
    sel = head.selection
    indicator = BY_NAME[sel.indicator]
    top = (f"<div style='font-size:16px'><b class='ogi-region'>{html.escape(head.region.name)}</b> "
           f"<span style='color:#666'>{html.escape(head.region.path)} · "
           f"{LEVEL_LABELS.get(head.region.level, head.region.level)} · {KIND_LABELS[sel.kind]} · "
           f"{_years_text(sel.years)}</span></div>")
    lines = [top]
    if head.value is None or head.year is None:
        lines.append(
            f"<div class='ogi-figure'>{html.escape(indicator.label)}:<b class='ogi-value'>"
            f"{NO_DATA}</b> — 所选地区、机关类型和年份没有这项数据(可改选机关类型、年份或指标)</div>")
    else:
        lines.append(
            f"<div class='ogi-figure'>{html.escape(indicator.label)} · {head.year}年:"
            f"{_figure(head.value, head.numerator, head.denominator, head.is_rate, head.is_small)}"
            "</div>")
        change = head.change_text
        shown = (f"<b>{change}</b>" if change != INCOMPARABLE
                 else f"<b style='color:{GREY}'>{INCOMPARABLE}</b>")
        lines.append(f"<div class='ogi-change'>比上年({head.year - 1}年):{shown}"
                     f"({html.escape(head.change_basis)})</div>")
        names = f"({'、'.join(html.escape(n) for n in head.bodies)})" if head.bodies else ""
        failing = (f";<span style='color:#a50f15'>{MARK_FAIL} 其中{head.n_failing_year}份"
                   "报告未通过勾稽校验</span>" if head.n_failing_year else "")
        lines.append(f"<div class='ogi-covers'>这个数字来自{head.year}年 {head.n_bodies_year}个机关、"
                     f"{head.n_reports_year}份报告:<b>{html.escape(head.body_mix)}</b>{names}"
                     f"{failing}</div>")
        if head.peers is not None:
            lines.append(_standing_html(head))
    foot = [f"所选年份共{head.n_bodies}个机关、{head.n_reports}份可用报告"
            f"(年份:{fmt_years(head.years_covered)})"]
    if head.n_failing:
        foot.append(f"其中{head.n_failing}份报告未通过勾稽校验")
    if head.n_unusable:
        foot.append(f"另有{head.n_unusable}份文件无法使用,未计入任何数字(见“数据质量”)")
    lines.append(f"<div class='ogi-foot' style='color:#666;font-size:12px'>{';'.join(foot)}</div>")
    return f"<div class='ogi-headline-box'>{''.join(lines)}</div>"


def _standing_html(head: Headline) -> str:
    """The peers line of the headline: the figure compared (when it is not the headline's
    own), its rank and the P10–median–P90 spread, or why there is none."""
    standing = head.peers
    assert standing is not None
    is_rate = head.is_rate
    parts = [f"同级比较(各地区{html.escape(standing.label)}自己的报告" if standing.tier == "own"
             else f"同级比较({html.escape(standing.label)}"]
    parts[0] += f",{html.escape(standing.scope)}"
    if standing.year is not None:
        parts[0] += f",{standing.year}年"
    parts[0] += "):"
    if standing.year is None:
        return (f"<div class='ogi-peers' style='color:#666'>{parts[0]}"
                f"{html.escape(standing.note)}</div>")
    same = standing.year == head.year and standing.value == head.value
    if not same:
        parts.append(f"本地区 {_figure(standing.value, standing.numerator, standing.denominator, is_rate, standing.is_small, 'ogi-peer-value', 14)}"
                     f"({html.escape(standing.body_mix)}) · ")
    if standing.rank is not None:
        parts.append(f"由高到低第{standing.rank}/{standing.n_ranked}")
    if standing.has_spread:
        spread = "–".join(fmt_value(v, is_rate, missing=NO_DATA)
                          for v in (standing.p10, standing.median, standing.p90))
        parts.append(f"{' · ' if standing.rank is not None else ''}"
                     f"{standing.n_ranked}个可排名地区的P10–中位数–P90:{spread}")
    if standing.note:
        parts.append(f"{' · ' if standing.rank is not None or standing.has_spread else ''}"
                     f"<span style='color:#666'>{html.escape(standing.note)}</span>")
    return f"<div class='ogi-peers'>{''.join(parts)}</div>"


__all__ = ["cells_html", "checks_html", "grid_html", "headline_html",
           "peers_html", "quality_html", "unusable_html"]
