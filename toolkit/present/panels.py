"""The explorer's HTML panels: the headline, a report's table and its cells, problem reports.

Each function takes what a `Views` method returns and gives an HTML string for an
`ipywidgets.HTML`; every string from the data is escaped.
"""
from __future__ import annotations

import html
from typing import Any, cast

import pandas as pd

from toolkit.analysis.indicators import BY_NAME
from toolkit.present.explore import PEER_GROUPS, Headline
from toolkit.present.formatting import (
    NO_DATA,
    fmt_count,
    fmt_rate,
    fmt_value,
    fmt_years,
    is_missing,
)
from toolkit.spec.vocab import FLAG_LABELS, KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

QUALITY_ROWS = 50
"""Problem reports listed in the quality tab (the rest are counted)."""


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
        rows = "".join(
            f"<tr><td>{html.escape(str(c.check))}</td><td>{html.escape(str(c.scope))}</td>"
            f"<td align='right'>{fmt_count(c.left, missing='')}</td>"
            f"<td align='right'>{fmt_count(c.right, missing='')}</td></tr>"
            for c in checks.itertuples())
        parts.append("<b>未通过的勾稽关系 (failing checks)</b><table style='font-size:12px'>"
                     "<tr><th>校验</th><th>范围</th><th>左边</th><th>右边</th></tr>"
                     f"{rows}</table>")
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
    return ("<table class='ogi-quality' style='font-size:12px'><tr><th>机关</th><th>年份</th>"
            "<th>未通过校验</th><th>空白</th><th>涂黑</th><th>歧义</th><th>缺失</th><th>报告</th></tr>"
            f"{rows}</table>{more}")


def headline_html(head: Headline) -> str:
    """The headline as HTML: region, figure with its counts, coverage, rank and P10–P90."""
    sel = head.selection
    indicator = BY_NAME[sel.indicator]
    years = (f"{sel.years[0]}–{sel.years[1]}年" if sel.years and sel.years[0] != sel.years[1]
             else f"{sel.years[0]}年" if sel.years else "全部年份")
    top = (f"<div style='font-size:16px'><b class='ogi-region'>{html.escape(head.region.name)}</b> "
           f"<span style='color:#666'>{html.escape(head.region.path)} · "
           f"{LEVEL_LABELS.get(head.region.level, head.region.level)} · {KIND_LABELS[sel.kind]} · "
           f"{years}</span></div>")
    if head.value is None:
        figure = (f"<div>{html.escape(indicator.label)}:<b class='ogi-value'>{NO_DATA}</b> "
                  "— 所选地区、机关类型和年份没有这项数据 (no data for this selection: "
                  "try another body kind, years or indicator)</div>")
    else:
        counts = (f"({fmt_count(head.numerator, missing='')} / {fmt_count(head.denominator, missing='')}件)"
                  if indicator.is_rate else "")
        guard = (f" · <span style='color:#b35806'>少于{SMALL_SAMPLE}件,只列数不排名</span>"
                 if head.is_small else "")
        rank = (f" · {PEER_GROUPS[sel.peer_group]}中由高到低第{head.rank}/{head.n_ranked}"
                if head.rank is not None else "")
        spread = (f" · 同级P10–P90:{fmt_value(head.p10, indicator.is_rate, missing=NO_DATA)}–"
                  f"{fmt_value(head.p90, indicator.is_rate, missing=NO_DATA)}"
                  if head.p10 is not None and head.p90 is not None else "")
        figure = (f"<div>{html.escape(indicator.label)}({head.year}年):"
                  f"<b class='ogi-value' style='font-size:18px'>{head.text}</b>{counts}"
                  f"{guard}{rank}{spread}</div>")
    covered = fmt_years(head.years_covered)
    failing = (f";<span style='color:#a50f15'>其中{head.n_failing}份报告未通过勾稽校验</span>"
               if head.n_failing else "")
    foot = (f"<div style='color:#666;font-size:12px'>覆盖{head.n_bodies}个机关、{head.n_reports}份报告"
            f"(年份:{covered}){failing}</div>")
    return f"<div class='ogi-headline-box'>{top}{figure}{foot}</div>"


__all__ = ["cells_html", "grid_html", "headline_html", "quality_html"]
