"""The year-over-year comparison of one body as readers see it: fragments for a page or a tab.

`ComparisonView` turns a `toolkit.analysis.compare.Comparison` into the page's sections,
in the order `toolkit/briefings/compare.ipynb` shows them and the explorer's 对照 tab
stacks them: the header with the reuse shares, the reuse by section, the six sections side
by side (reused sentences highlighted), the three tables with every value and its change,
the identity and prose checks of both years, the carry-over and stock checks between them,
the sources. Every string from a report is escaped (`toolkit.present.fragments`); nothing
shown depends on the clock or the machine, so the same store gives the same bytes.
"""
from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import pandas as pd

from toolkit import __version__
from toolkit.analysis.compare import (
    MIN_SENTENCE_CHARS,
    REUSE_THRESHOLD,
    Comparison,
    SectionPair,
    Side,
)
from toolkit.present.formatting import (
    MARK_FAIL,
    check_label,
    check_scope_label,
    fmt_count,
    fmt_number,
    fmt_rate,
    fmt_text,
)
from toolkit.present.fragments import Cell, Fragment, esc, heading, join, paragraphs, table
from toolkit.present.tables import row_order
from toolkit.spec.vocab import FLAG_LABELS

COMPARISON_CSS = (resources.files("toolkit.present") / "comparison.css").read_text(
    encoding="utf-8")
"""The comparison's classes (side-by-side texts, reused sentences, changed cells)."""
STATUS_TEXT = {"pass": "通过", "fail": f"未通过 {MARK_FAIL}", "not_checkable": "无法校验"}
TABLE_TITLES = {"active": "二、主动公开政府信息情况", "requests": "三、收到和处理政府信息公开申请情况",
                "review": "四、政府信息公开行政复议、行政诉讼情况"}
STOCK_LABELS = {"rules": "规章", "normative_docs": "行政规范性文件"}
READ_LABELS = {"ok": "完整", "partial": "部分"}
"""How a report was read: ok = every section found, partial = part of it."""
REUSED_TAG = "[沿用]"
"""How the text twin marks a reused sentence (the HTML highlights it)."""


def stylesheet() -> str:
    """The comparison's <style> element (the page's first output carries it)."""
    return f"<style>\n{COMPARISON_CSS}</style>"


def _status_cell(status: Any) -> Cell:
    text = STATUS_TEXT.get(str(status), fmt_text(status))
    return (text, "fails" if status == "fail" else "")


def _share(value: float | None) -> str:
    return "—(无可比句子)" if value is None else fmt_rate(value)


class ComparisonView:
    """The fragments of one comparison; `region` is the body's place as a reader reads it
    (福建省 › 福州市 › 平潭县), empty when unknown."""

    def __init__(self, comparison: Comparison, region: str = "") -> None:
        self.comparison = comparison
        self.region = region.replace("/", " › ")
        self.earlier: Side = comparison.earlier
        self.later: Side = comparison.later
        self.y1, self.y2 = self.earlier.year, self.later.year

    # -- header ------------------------------------------------------------------------

    @property
    def agency(self) -> str:
        name = self.later.meta.get("agency") or self.earlier.meta.get("agency")
        return str(name) if name else "(机关名称未识别)"

    @property
    def title(self) -> str:
        return f"{self.agency} {self.y1}年与{self.y2}年政府信息公开工作年度报告对照"

    def header(self) -> Fragment:
        """Who, which years, and the answers in one screen: reuse, changes, checks."""
        shares = self.comparison.shares
        changes = self.comparison.changes
        both = changes["value_from"].notna() & changes["value_to"].notna()
        fails = [int((side.checks["status"] == "fail").sum()) for side in (self.earlier,
                                                                           self.later)]
        cross = self._cross_fails()
        lines = [
            f"地区:{self.region or '—'} · 机关编号 {fmt_text(self.later.meta.get('body_id'))}",
            f"模板:{self.y1}年 {fmt_text(self.earlier.meta.get('template'))} 版,"
            f"{self.y2}年 {fmt_text(self.later.meta.get('template'))} 版",
            f"沿用上年文字:正文(一、五、六部分){_share(shares.get('prose'))},"
            f"全部六部分{_share(shares.get('all'))}(按句比较,见下表)",
            f"表格数值:两年都有的 {int(both.sum())} 个单元格中 "
            f"{int((both & changes['is_changed']).sum())} 个有变化",
            f"勾稽与正文数字校验未通过:{self.y1}年 {fails[0]} 项,{self.y2}年 {fails[1]} 项",
            cross,
        ]
        markup = (f'<div class="ogi-compare"><h2>{esc(self.title)}</h2>'
                  + "".join(f"<p>{esc(line)}</p>" for line in lines) + "</div>")
        return Fragment(stylesheet() + markup, "\n".join([self.title, *lines]))

    def _cross_fails(self) -> str:
        if not self.comparison.is_consecutive:
            return (f"跨年衔接:{self.y1}年与{self.y2}年不相邻,结转衔接和规范性文件存量平衡"
                    "只在相邻两年之间校验")
        carry = self.comparison.carry_forward
        stock = self.comparison.stock_balance
        n_carry = int((carry["status"] == "fail").sum())
        n_stock = int((stock["status"] == "fail").sum())
        return (f"跨年衔接:结转不衔接 {n_carry} 列,规章和规范性文件存量不平衡 {n_stock} 项"
                + (f" {MARK_FAIL}" if n_carry or n_stock else ""))

    # -- reuse -------------------------------------------------------------------------

    def reuse_table(self) -> Fragment:
        """Per section: its length both years, the whole section's similarity, the share
        of the later year's sentences reused."""
        rows: list[list[Cell]] = []
        for pair in self.comparison.sections:
            rows.append([f"{pair.numeral}、{pair.title}", (fmt_count(len(pair.text_from)), "num"),
                         (fmt_count(len(pair.text_to)), "num"),
                         (fmt_rate(pair.similarity), "num"),
                         (_share(pair.reuse_share), "num")])
        shares = self.comparison.shares
        rows.append(["正文合计(一、五、六)", "", "", "", (_share(shares.get("prose")), "num")])
        rows.append(["全部六部分", "", "", "", (_share(shares.get("all")), "num")])
        note = (f"逐句比较:{self.y2}年的一句与{self.y1}年某一句的三字片段相似度(Jaccard,数字视为"
                f"相同)达到 {REUSE_THRESHOLD:.0%} 即算沿用;少于 {MIN_SENTENCE_CHARS} 字的句子不计。"
                "沿用占比按字数计。整段相似度为全部分的相同度量(跨报告抄袭检查所用)。"
                "二、三、四部分主要是表格,表格行按文字比较,数字不同也算沿用。")
        return join(heading("沿用上年文字"),
                    table(["部分", f"{self.y1}年字数", f"{self.y2}年字数", "整段相似度",
                           f"{self.y2}年沿用句子占比"], rows,
                          caption=f"{self.y2}年报告沿用{self.y1}年文字的比例", note=note))

    # -- the sections side by side -----------------------------------------------------

    def sections(self) -> Fragment:
        """Every section in both years, side by side; the later year's reused sentences
        highlighted."""
        parts = [heading("两年报告逐部分对照")]
        parts.append(paragraphs([f"右栏中底色标出的句子沿用了{self.y1}年报告的文字。"], "note"))
        parts.extend(self._section(pair) for pair in self.comparison.sections)
        return join(*parts)

    def _section(self, pair: SectionPair) -> Fragment:
        name = f"{pair.numeral}、{pair.title}"
        share = _share(pair.reuse_share)
        earlier = pair.text_from.strip()
        left = (f'<div class="ogi-text">{esc(earlier)}</div>' if earlier
                else '<div class="ogi-text missing">(未找到这一部分)</div>')
        right_parts = []
        text_lines = []
        for sentence in pair.sentences_to:
            css = "reused" if sentence.reused else ""
            piece = esc(sentence.text)
            right_parts.append((f'<mark class="{css}">{piece}</mark>' if css else
                                f"<span>{piece}</span>") + ("\n" if sentence.ends_line else ""))
            text_lines.append(f"{REUSED_TAG} {sentence.text}" if sentence.reused
                              else sentence.text)
        right = (f'<div class="ogi-text">{"".join(right_parts).rstrip()}</div>' if right_parts
                 else '<div class="ogi-text missing">(未找到这一部分)</div>')
        markup = (f'<div class="ogi-compare"><table class="side-by-side"><caption>{esc(name)}'
                  f"(沿用 {esc(share)})</caption><thead><tr><th>{self.y1}年</th>"
                  f"<th>{self.y2}年</th></tr></thead><tbody><tr><td>{left}</td>"
                  f"<td>{right}</td></tr></tbody></table></div>")
        text = "\n".join([f"### {name}(沿用 {share})", f"[{self.y1}年]", earlier or "(未找到)",
                          f"[{self.y2}年]", *(text_lines or ["(未找到)"])])
        return Fragment(markup, text)

    # -- tables ------------------------------------------------------------------------

    def changes_tables(self) -> Fragment:
        """The three tables as printed (template rows × columns), each cell with both years'
        values and the change; changed cells marked."""
        parts = [heading("表格数值及其变化")]
        changes = self.comparison.changes
        for name in ("active", "requests", "review"):
            mine = changes[changes["table"] == name]
            if mine.empty:
                continue
            parts.append(self._grid(name, mine))
        parts.append(paragraphs([f"每格为“{self.y1}年 → {self.y2}年(变化)”;两年相同只写一个数。"
                                 "方括号为未读出数字的原因(空白、涂黑、缺失等);只有一年有的"
                                 "格子(两版模板不同的栏目)写 —。"], "note"))
        return join(*parts)

    def _grid(self, name: str, cells: pd.DataFrame) -> Fragment:
        rows, row_labels, columns, column_labels = row_order(name)
        by_cell = {(r["row"], r["column"]): r for r in cells.to_dict("records")}
        present_rows = [r for r in rows if any((r, c) in by_cell for c in columns)]
        present_columns = [c for c in columns if any((r, c) in by_cell for r in rows)]
        out: list[list[Cell]] = []
        for row in present_rows:
            line: list[Cell] = [row_labels.get(row, row)]
            for column in present_columns:
                cell = by_cell.get((row, column))
                line.append(_change_cell(cell) if cell else ("", ""))
            out.append(line)
        heads = ["", *(column_labels.get(c, c) for c in present_columns)]
        return table(heads, out, caption=TABLE_TITLES[name])

    # -- checks ------------------------------------------------------------------------

    def checks_tables(self) -> Fragment:
        """Both years' identities (counts, and every failure) and every number their prose
        states checked against their tables, with the sentence."""
        summary: list[list[Cell]] = []
        checks = {side.year: side.checks for side in (self.earlier, self.later)}
        names = sorted(set(checks[self.y1]["check"]) | set(checks[self.y2]["check"]),
                       key=lambda c: (c == "text_vs_table", c))
        for name in names:
            line: list[Cell] = [check_label(name)]
            for year in (self.y1, self.y2):
                mine = checks[year][checks[year]["check"] == name]["status"]
                failed = int((mine == "fail").sum())
                line.append((f"{int((mine == 'pass').sum())} / {int((mine == 'fail').sum())} / "
                             f"{int((mine == 'not_checkable').sum())}",
                             "num fails" if failed else "num"))
            summary.append(line)
        failures: list[list[Cell]] = []
        claims: list[list[Cell]] = []
        for year, frame in checks.items():
            ordered = frame.sort_values(["location", "check", "scope"], na_position="first",
                                        kind="stable")
            for r in ordered.to_dict("records"):
                if r["check"] == "text_vs_table":
                    claims.append([str(year), check_scope_label(r["check"], r["scope"]),
                                   _status_cell(r["status"]),
                                   (fmt_number(r["right"]), "num"),
                                   (fmt_number(r["left"]), "num"), fmt_text(r["sentence"])])
                elif r["status"] == "fail":
                    failures.append([str(year), check_label(r["check"]),
                                     check_scope_label(r["check"], r["scope"]),
                                     (fmt_number(r["left"]), "num"),
                                     (fmt_number(r["right"]), "num")])
        return join(
            heading("两年各自的勾稽校验和正文数字校验"),
            table(["校验", f"{self.y1}年 通过/未通过/无法校验", f"{self.y2}年 通过/未通过/无法校验"],
                  summary, caption="校验结果汇总"),
            table(["年份", "校验", "范围", "左边", "右边"], failures,
                  caption="未通过的勾稽校验"),
            table(["年份", "所述事项", "结果", "正文数字", "表格数字", "原文句子"], claims,
                  caption="正文所述数字与表格核对",
                  note="正文数字为报告文字中写明的件数;表格数字为表格中对应单元格之和;"
                       "无法校验指表格中没有对应的数字。"))

    def cross_year_tables(self) -> Fragment:
        """Identity 5 (carry-over) and identity 6 (stock of rules) between the two years."""
        title = heading("两年之间的衔接")
        if not self.comparison.is_consecutive:
            return join(title, paragraphs([self._cross_fails()], "note"))
        from toolkit.spec.template import load_template

        labels = dict(load_template().request_column_labels)
        carry: list[list[Cell]] = [
            [labels.get(str(r["column"]), str(r["column"])), (fmt_number(r["expected"]), "num"),
             (fmt_number(r["actual"]), "num"), (fmt_number(r["difference"]), "num"),
             _status_cell(r["status"])]
            for r in self.comparison.carry_forward.to_dict("records")]
        stock: list[list[Cell]] = [
            [STOCK_LABELS.get(str(r["row"]), str(r["row"])),
             (fmt_number(r["in_force_before"]), "num"), (fmt_number(r["issued"]), "num"),
             (fmt_number(r["repealed"]), "num"), (fmt_number(r["expected"]), "num"),
             (fmt_number(r["actual"]), "num"), (fmt_number(r["balance"]), "num"),
             _status_cell(r["status"])]
            for r in self.comparison.stock_balance.to_dict("records")]
        return join(
            title,
            table(["申请人", f"{self.y1}年结转下年度继续办理", f"{self.y2}年上年结转", "差",
                   "结果"], carry, caption="结转衔接(上年结转下年 = 本年上年结转)"),
            table(["类别", f"{self.y1}年现行有效", f"{self.y2}年制发", f"{self.y2}年废止", "应为",
                   f"{self.y2}年现行有效", "差", "结果"], stock,
                  caption="规章和规范性文件存量平衡(上年现行有效 + 本年制发 − 本年废止 = 本年现行有效)",
                  note="只有2021版模板有“现行有效件数”;上年为2019版时无法校验。"))

    # -- sources and footer ------------------------------------------------------------

    def sources(self) -> Fragment:
        """The two reports: title, body, status, and where each came from (a link to its
        web page when the store records one, else its file name)."""
        rows = []
        texts = []
        for side in (self.earlier, self.later):
            meta = side.meta
            url = meta.get("source_url")
            path = meta.get("path")
            where = url if isinstance(url, str) and url else f"文件 {_file(path)}"
            link = (f'<a href="{esc(url)}">{esc(url)}</a>' if isinstance(url, str) and url
                    else esc(where))
            title = fmt_text(meta.get("title"), "(无标题)")
            read = READ_LABELS.get(str(meta.get("status")), fmt_text(meta.get("status")))
            rows.append(f"<tr><td>{side.year}</td><td>{esc(title)}</td>"
                        f"<td>{esc(fmt_text(meta.get('agency')))}</td>"
                        f"<td>{esc(read)}</td><td>{link}</td></tr>")
            texts.append(f"{side.year} | {title} | {fmt_text(meta.get('agency'))} | "
                         f"{read} | {where}")
        markup = ('<div class="ogi-briefing"><table><caption>对照所用的两份报告</caption><thead>'
                  "<tr><th>年份</th><th>标题</th><th>机关</th><th>读取</th><th>来源</th></tr>"
                  f"</thead><tbody>{''.join(rows)}</tbody></table></div>")
        return join(heading("报告来源"), Fragment(markup, "\n".join(texts)))

    def footer(self) -> Fragment:
        text = (f"年报工具 ogi-toolkit {__version__} · 同一数据库生成的对照内容相同"
                "(不含生成时间)")
        return Fragment(f'<div class="ogi-briefing"><p class="footer">{esc(text)}</p></div>', text)

    def parts(self) -> list[Fragment]:
        """The page's sections in order (the explorer's tab shows them all)."""
        return [self.header(), self.reuse_table(), self.sections(), self.changes_tables(),
                self.checks_tables(), self.cross_year_tables(), self.sources(), self.footer()]

    def html(self) -> str:
        """The whole comparison as one HTML fragment (its style sheet included)."""
        return "".join(part.html for part in self.parts())


def _change_cell(cell: Mapping[Any, Any]) -> Cell:
    before = _value_text(cell["value_from"], cell["flag_from"])
    after = _value_text(cell["value_to"], cell["flag_to"])
    if before == after:
        return (after, "num")
    change = cell["change"]
    delta = "" if pd.isna(change) else f"({'+' if change > 0 else ''}{fmt_number(change)})"
    return (f"{before} → {after}{delta}", "num changed")


def _value_text(value: Any, flag: Any) -> str:
    if not pd.isna(value):
        return fmt_number(value)
    if isinstance(flag, str) and flag:
        return f"[{FLAG_LABELS.get(flag, flag)}]"
    return "—"


def _file(path: Any) -> str:
    """A file's name only: the folder differs per machine."""
    if not isinstance(path, str) or not path:
        return "—"
    return path.replace("\\", "/").rsplit("/", 1)[-1]


__all__ = ["COMPARISON_CSS", "REUSED_TAG", "ComparisonView", "stylesheet"]
