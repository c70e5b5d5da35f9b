"""What a region's briefing shows, computed here so `notebooks/briefing.ipynb` stays thin.

The notebook opens a `Briefing` for one region (an ASCII adcode) and a span of years, and
displays what its methods return: `Fragment`s (escaped HTML with a plain-text twin, so an
nbval diff reads like the briefing) and altair charts. Everything shown is rounded and
formatted here, ordered deterministically, and free of paths and clock time, so a golden
notebook renders the same bytes on every machine.

Guard rails (spec/METRICS.md): a rate over fewer than `SMALL_SAMPLE` (30) requests is shown
with its count and never ranked; every region figure says how many bodies, of which levels
and kinds, and which years it covers; a change between years is over the bodies that
reported both years (同口径), or 不可比 when none did; spreads are P10–P90 and only over
`MIN_PEERS_FOR_SPREAD` rankable peers; peers are compared like with like (a region's own
government with other regions' own governments); a figure that includes a report failing
an identity check is marked ⚠; reports that could not be used are named at the top, not
shown as rows of dashes. Every string that comes from a report is escaped (`fragments.esc`).

Why this module is longer than the others: most of it is one class, `Briefing`, whose
methods are the briefing's sections in the order the notebook shows them (header, coverage,
key figures, trends and like-for-like changes, outcomes and refusals, review and
litigation, peers, data quality, sources, section 五, footer, the JSON record). Splitting it would scatter one page over several files. What
the sections are built from lives elsewhere: HTML pieces in `toolkit.briefings.fragments`,
numbers in `toolkit.present.formatting`, charts in `toolkit.present.charts`, the page
around the notebook in `toolkit.briefings.pages` and `templates/`.
"""
from __future__ import annotations

import itertools
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from toolkit import __version__
from toolkit.analysis.corpus import Corpus, Region, load
from toolkit.analysis.indicators import (
    BY_NAME,
    body_mix,
    publication_deadline,
    publication_timeliness,
    region_code,
)
from toolkit.briefings.fragments import (
    EMPTY,
    Cell,
    Fragment,
    esc,
    heading,
    join,
    paragraphs,
    stylesheet,
    table,
)
from toolkit.briefings.jobs import check_adcode, write_json
from toolkit.present.formatting import (
    MARK_FAIL,
    SMALL_LABEL,
    check_label,
    check_scope_label,
    fmt_change,
    fmt_count,
    fmt_rate,
    fmt_text,
    fmt_value,
    fmt_years,
    is_missing,
    rounded,
    unusable_reason_text,
)
from toolkit.spec.vocab import (
    ALL_KINDS,
    KIND_LABELS,
    KINDS,
    LEVEL_LABELS,
    MIN_PEERS_FOR_SPREAD,
    SMALL_SAMPLE,
    USABLE_MIN_SHARE_READ,
    BodyKind,
)
from toolkit.store.views import resolve_store

SCHEMA_VERSION = 2
"""2: `status`, `unusable_reports`, `data_vintage`, `toolkit_version`, and per figure its
`body_mix` and the like-for-like change (`n_bodies_matched`, `value_prev_matched`,
`value_matched`; `yoy_pct` and `change_pp` now over the matched bodies only)."""

KEY_FIGURES: tuple[str, ...] = (
    "requests_received", "requests_on_hand", "disclosure_rate", "full_grant_rate",
    "refusal_rate", "cannot_provide_rate", "not_processed_rate", "carry_forward_rate",
    "review_correction_rate", "litigation_correction_rate", "combined_correction_rate",
    "dispute_rate",
)
"""The indicators of the key-figures table, the JSON beside each briefing and the index."""
PEER_FIGURES: tuple[str, ...] = ("disclosure_rate", "refusal_rate", "cannot_provide_rate",
                                 "not_processed_rate", "review_correction_rate")
CORRECTION_FIGURES: tuple[str, ...] = ("review_correction_rate", "review_correction_rate_decided",
                                       "litigation_correction_rate", "combined_correction_rate",
                                       "dispute_rate")
KEY_FIGURE_COLUMNS: tuple[str, ...] = (
    "indicator", "label", "year", "value", "numerator", "denominator", "n_reports", "n_bodies",
    "body_mix", "n_reports_failing_checks", "is_rate", "is_small", "n_bodies_matched",
    "value_prev_matched", "value_matched", "yoy_pct", "change_pp")
"""The columns of `Briefing.key_figures()`."""
INCOMPARABLE = "不可比"
"""A change that cannot be computed: no body reported both years."""
SECTION_TITLES = {"outcomes": "办理结果", "refusal_mix": "不予公开理由",
                  "review_counts": "行政复议与行政诉讼"}
STATUS_LABELS = {"ok": "完整", "partial": "部分"}
"""How a report was read, for readers: ok = every section found, partial = part of it."""
EXCERPT_CHARS = 240
MAX_EXCERPTS = 12
MAX_ROWS = 40
CARRIED_FORWARD = "requests.carried_forward.total"
CARRIED_OVER = "requests.carried_over.total"


# ---------------------------------------------------------------- cells

def _year_cell(name: str, row: dict[str, Any] | None) -> Cell:
    """One indicator in one year of a by-year table: the figure, its counts for a rate,
    grey when small, ⚠ when a report behind it fails a check; — when there is none."""
    if row is None:
        return ("—", "num small")
    text = fmt_value(row["value"], BY_NAME[name].is_rate)
    if BY_NAME[name].is_rate:
        text += f" ({fmt_count(row['numerator'])}/{fmt_count(row['denominator'])})"
    css = "num" + (" small" if bool(row["is_small"]) else "")
    if row["n_reports_failing_checks"]:
        text += f" {MARK_FAIL}"
        css += " fails"
    return (text, css)


# ---------------------------------------------------------------- parameters and the store

def parse_years(years: str | int | None) -> tuple[int, int] | None:
    """'' → all years; '2021' → (2021, 2021); '2019-2021' → (2019, 2021)."""
    if years is None or str(years).strip() == "":
        return None
    text = str(years).strip()
    match = re.fullmatch(r"(\d{4})(?:\s*[-–:]\s*(\d{4}))?", text)
    if not match:
        raise ValueError(f"years must look like 2021 or 2019-2021, not {text!r}")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if end < start:
        raise ValueError(f"years {text!r}: the span ends before it starts")
    return (start, end)


_CORPORA: dict[tuple[str, tuple[int, int, int]], Corpus] = {}


def _signature(store: Path) -> tuple[int, int, int]:
    """Changes when the store is rewritten, so a kernel reused across briefings reloads it."""
    count = size = latest = 0
    for name in ("reports", "facts", "checks", "sections"):
        folder = store / name
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            stat = entry.stat()
            count += 1
            size += stat.st_size
            latest = max(latest, stat.st_mtime_ns)
    return (count, size, latest)


def load_corpus(store: str | Path) -> Corpus:
    """The store's `Corpus`, loaded once per process (a reused kernel renders many briefings)."""
    path = Path(store).resolve()
    key = (str(path), _signature(path))
    if key not in _CORPORA:
        for old in [k for k in _CORPORA if k[0] == key[0]]:
            del _CORPORA[old]
        _CORPORA[key] = load(path)
    return _CORPORA[key]


def setup() -> None:
    """Charts as SVG through vl-convert in the toolkit's theme: offline, the same bytes every
    run (see NOTES.md)."""
    from toolkit.present.charts import use_offline_renderer

    use_offline_renderer()


def open_briefing(region: str, years: str = "", store: str = "", kind: str = ALL_KINDS
                  ) -> Briefing:
    """The entry point of the notebook: its parameters in, a `Briefing` out."""
    return Briefing(load_corpus(resolve_store(store or None)), region, parse_years(years), kind)


# ---------------------------------------------------------------- the briefing

class Briefing:
    """One region, one span of years, one kind of body: every section of the briefing.

    The figures are over the region's usable reports (`Corpus.reports`); the files that
    could not be used are named at the top (`unusable`). A region with none usable shows
    its header, coverage, sources and footer, and every other section is empty.
    """

    def __init__(self, corpus: Corpus, adcode: str, years: tuple[int, int] | None = None,
                 kind: str = ALL_KINDS) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.corpus = corpus
        self.adcode = check_adcode(adcode)
        self.region: Region = corpus.region(self.adcode)
        self.kind = kind
        corpus_years = pd.concat([corpus.reports["year"], corpus.unusable["year"]]).dropna()
        corpus_years = corpus_years.astype(int)
        self.span: tuple[int, int] = years or (int(corpus_years.min()), int(corpus_years.max()))
        self.years_requested = years
        self.reports = corpus.reports_in(self.adcode, kind, self.span).sort_values(
            ["year", "agency", "path"], na_position="last", kind="stable").reset_index(drop=True)
        self.unusable = corpus.unusable_in(self.adcode, kind, self.span)
        self._key_figures: pd.DataFrame | None = None
        self._mine: pd.DataFrame | None = None
        self._compositions: dict[str, pd.DataFrame] = {}

    # -- coverage ------------------------------------------------------------------------

    @property
    def has_figures(self) -> bool:
        """False when no usable report of the region falls in the span: nothing to show but
        the header, the coverage and the sources."""
        return not self.reports.empty

    @property
    def status(self) -> str:
        """`ok`, or `no_usable_data` when the region has reports but none usable."""
        return "ok" if self.has_figures else "no_usable_data"

    @property
    def span_years(self) -> list[int]:
        return list(range(self.span[0], self.span[1] + 1))

    @property
    def years_covered(self) -> list[int]:
        """The years with usable reports."""
        return sorted(int(y) for y in self.reports["year"].dropna().unique())

    @property
    def years_missing(self) -> list[int]:
        return [y for y in self.span_years if y not in self.years_covered]

    @property
    def latest_year(self) -> int | None:
        """The headline year: the latest with usable figures (not the latest with a file)."""
        return self.years_covered[-1] if self.years_covered else None

    def bodies(self) -> pd.DataFrame:
        """One row per body: its latest name, kind and level, the span years it reported
        usable figures for, those it has only unusable files for, and those it missed."""
        rows = []
        usable = self.reports.assign(_usable=True)
        unusable = self.unusable.assign(_usable=False)
        frame = pd.concat([usable, unusable], ignore_index=True)
        frame = frame.assign(body=frame["body_id"].fillna(frame["report_id"]))
        for body, group in frame.groupby("body", sort=False):
            latest = group.sort_values("year").iloc[-1]
            years = sorted(int(y) for y in group.loc[group["_usable"], "year"].dropna())
            unread = sorted(int(y) for y in group.loc[~group["_usable"], "year"].dropna())
            rows.append({"body_id": body, "agency": _agency(latest["agency"]),
                         "agency_kind": fmt_text(latest["agency_kind"]),
                         "level": fmt_text(latest["level"]), "years": years,
                         "unusable_years": unread,
                         "missing": [y for y in self.span_years if y not in years]})
        out = pd.DataFrame(rows, columns=["body_id", "agency", "agency_kind", "level", "years",
                                          "unusable_years", "missing"])
        order = out["agency_kind"].map({BodyKind.GOVERNMENT: 0, BodyKind.DEPARTMENT: 1}).fillna(2)
        return out.assign(_o=order).sort_values(["_o", "agency", "body_id"]).drop(
            columns="_o").reset_index(drop=True)

    def duplicates_dropped(self) -> int:
        """Copies of a body-year report that the figures count once (two pages, two encodings)."""
        screened = self.corpus.screened
        usable = screened[screened["is_usable"]]
        codes = region_code(usable, self.region.level)
        mine = usable[(codes == self.adcode) & usable["year"].between(*self.span)]
        if self.kind != ALL_KINDS:
            mine = mine[mine["agency_kind"] == self.kind]
        return int(len(mine) - len(self.reports))

    def _mix(self, year: int | None) -> str:
        """The levels and kinds of the bodies behind the region's figures in `year`."""
        if year is None:
            return "—"
        mine = self.reports[self.reports["year"] == year]
        return str(body_mix(mine)) if len(mine) else "—"

    def header(self) -> Fragment:
        """Where the region sits, what its figures are made of, and what could not be used."""
        region = self.region
        chain = region.path.replace("/", " › ")
        bodies = self.bodies()
        governments = int((bodies["agency_kind"] == BodyKind.GOVERNMENT).sum())
        departments = int((bodies["agency_kind"] == BodyKind.DEPARTMENT).sum())
        children = self.corpus.children(self.adcode)
        gaps = bodies[bodies["missing"].map(len) > 0]
        duplicates = self.duplicates_dropped()
        span = f"{self.span[0]}–{self.span[1]}" if self.span[0] != self.span[1] else str(self.span[0])
        latest = self.latest_year
        facts = [
            ("地区", f"{region.name}(行政区划代码 {region.adcode})"),
            ("行政层级", f"{LEVEL_LABELS.get(region.level, region.level)} · {chain}"),
            ("上级", self._name(region.parent) if region.parent else "—"),
            ("下级地区(有报告)", f"{len(children)} 个" if len(children) else "无"),
            ("机关范围", f"{KIND_LABELS[self.kind]}(位于本地区的{KIND_LABELS[self.kind]},"
                      "含下级地区的机关)" if self.kind == ALL_KINDS else KIND_LABELS[self.kind]),
            ("年份范围", span + ("" if self.years_requested else "(语料全部年份)")),
            ("覆盖机关", f"{len(bodies)} 个(人民政府 {governments},部门 {departments},"
                      f"其他 {len(bodies) - governments - departments})"),
            ("可用报告", f"{len(self.reports)} 份" + (
                f"(另有 {duplicates} 份重复发布的报告只计一次)" if duplicates else "")),
            ("无法使用的报告", f"{len(self.unusable)} 份(未计入数字,见下)" if len(self.unusable)
             else "无"),
            ("有可用数字的年份", fmt_years(self.years_covered)),
            ("没有可用数字的年份", fmt_years(self.years_missing)),
        ]
        if self.has_figures:
            facts += [
                ("最新可用年份", f"{latest} 年"),
                ("最新年份的数字来自", self._mix(latest)),
                ("年份不全的机关", f"{len(gaps)} 个" if len(gaps) else "无"),
                ("未通过勾稽校验的报告",
                 f"{int((self.reports['n_checks_failed'].fillna(0) > 0).sum())} 份"),
            ]
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
        title = f"{region.name} 政府信息公开工作年度报告简报"
        notice = self._unusable_notice()
        markup = (f"{stylesheet()}<div class=\"ogi-briefing\"><h2>{esc(title)}</h2>"
                  f"<table><tbody>{rows}</tbody></table>{notice.html}</div>")
        text = "\n".join([title, *(f"{k}: {v}" for k, v in facts),
                          *([notice.text] if notice.text else [])])
        return Fragment(markup, text)

    def _unusable_notice(self) -> Fragment:
        """'2 份报告无法读取' with each report's body, year, title and why."""
        lines = []
        if not self.has_figures:
            lines.append(f"本地区在{self._span_text()}没有可用的数字:下列报告都无法读取或读出的内容"
                         "太少,本简报因此只列出覆盖情况和来源。")
        if len(self.unusable):
            lines.append(f"{len(self.unusable)} 份报告无法读取,未计入任何数字:")
            for report in records(self.unusable):
                lines.append(f"· {_agency(report['agency'])} · {fmt_year(report['year'])} · "
                             f"{_title(report)} — {_why(report)}")
        if not lines:
            return Fragment("", "")
        body = "".join(f"<p>{esc(line)}</p>" for line in lines)
        return Fragment(f'<div class="unusable">{body}</div>', "\n".join(lines))

    def _span_text(self) -> str:
        return f"{self.span[0]}–{self.span[1]}年" if self.span[0] != self.span[1] \
            else f"{self.span[0]}年"

    def coverage(self) -> Fragment:
        """Which body reported which year of the span (✓), unreadably (✗) or not at all (缺)."""
        bodies = self.bodies()
        shown = bodies.head(MAX_ROWS)
        rows: list[list[Cell]] = []
        for body in records(shown):
            kind = str(body["agency_kind"])
            level = str(body["level"])
            cells: list[Cell] = [str(body["agency"]),
                                 LEVEL_LABELS.get(level, "") + KIND_LABELS.get(kind, kind)]
            for y in self.span_years:
                if y in body["years"]:
                    cells.append("✓")
                elif y in body["unusable_years"]:
                    cells.append(("✗", "fails"))
                else:
                    cells.append(("缺", "small"))
            rows.append(cells)
        note = ("✓ 有可用报告;✗ 有报告但无法读取(未计入数字);缺 = 该年没有这个机关的报告"
                "(未发布或未收集)。")
        if len(bodies) > len(shown):
            note += f" 只列出前 {len(shown)} 个机关,共 {len(bodies)} 个。"
        return table(["机关", "层级与类型", *map(str, self.span_years)], rows,
                     caption="机关与年份覆盖", note=note)

    def _name(self, adcode: str | None) -> str:
        if adcode is None:
            return "—"
        name = self.corpus.region_names.get(adcode)
        if name is not None:
            return f"{name}({adcode})"
        from toolkit.places.gazetteer import load_gazetteer

        division = load_gazetteer().divisions.get(adcode)
        return f"{division.name if division else adcode}({adcode})"

    # -- key figures ---------------------------------------------------------------------

    @property
    def _rollup(self) -> pd.DataFrame:
        """The level's roll-up (region, indicator) → year rows; cached by the corpus."""
        return self.corpus.rollup(self.region.level, self.kind)

    def _region_rows(self) -> pd.DataFrame:
        """All indicators of this region in the span: one lookup instead of one per indicator."""
        if self._mine is None:
            table_ = self._rollup
            if self.adcode in table_.index.get_level_values(0):
                mine = table_.xs(self.adcode, level="region", drop_level=False).reset_index()
                mine = mine[mine["year"].between(*self.span)]
            else:
                mine = table_.iloc[:0].reset_index()
            self._mine = mine.sort_values(["indicator", "year"]).reset_index(drop=True)
        return self._mine

    def series(self, indicator: str) -> pd.DataFrame:
        """Like `Corpus.series` for this region, span and kind (same columns and values)."""
        if indicator not in BY_NAME:
            raise KeyError(f"unknown indicator {indicator!r}; choose from {sorted(BY_NAME)}")
        mine = self._region_rows()
        return mine[mine["indicator"] == indicator].reset_index(drop=True)

    def key_figures(self) -> pd.DataFrame:
        """Every key indicator by year: counts, what the figure is made of, and the change
        from the year before over the bodies that reported both years."""
        if self._key_figures is None:
            mine = self._region_rows()
            frame = mine[mine["indicator"].isin(KEY_FIGURES)]
            order = {n: i for i, n in enumerate(KEY_FIGURES)}
            frame = frame.assign(label=frame["indicator"].map(lambda n: BY_NAME[n].label),
                                 _o=frame["indicator"].map(order)).sort_values(["_o", "year"])
            self._key_figures = frame[list(KEY_FIGURE_COLUMNS)].reset_index(drop=True)
        return self._key_figures.copy()

    def _figure_lookup(self) -> dict[tuple[str, int], dict[str, Any]]:
        return {(str(r["indicator"]), int(r["year"])): r for r in records(self.key_figures())}

    def key_figures_table(self) -> Fragment:
        """The headline year's key figures, with the change from the year before computed
        over the same bodies (同口径) and saying how many; 不可比 when there are none."""
        if not self.has_figures:
            return EMPTY
        figures = self._figure_lookup()
        year = self.latest_year
        assert year is not None
        had_before = any(y == year - 1 for _, y in figures)
        rows: list[list[Cell]] = []
        for name in KEY_FIGURES:
            row = figures.get((name, year))
            if row is None:
                rows.append([BY_NAME[name].label, ("—", "num small"), "—",
                             *((["—", "—"]) if had_before else []), "该年无数据"])
                continue
            rate = bool(row["is_rate"])
            counts = (f"{fmt_count(row['numerator'])} / {fmt_count(row['denominator'])}" if rate
                      else fmt_count(row["numerator"]))
            css = "num" + (" small" if bool(row["is_small"]) else "") + (
                " fails" if row["n_reports_failing_checks"] else "")
            value = fmt_value(row["value"], rate) + (
                f" {MARK_FAIL}" if row["n_reports_failing_checks"] else "")
            cells: list[Cell] = [BY_NAME[name].label, (value, css), (counts, "num")]
            if had_before:
                change, basis = change_cells(row, (name, year - 1) in figures)
                cells += [(change, "num" + (" small" if change == INCOMPARABLE else "")), basis]
            rows.append([*cells, _marks(row)])
        lines = [f"{year}年的数字来自 {len(self.reports[self.reports['year'] == year])} 份报告:"
                 f"{self._mix(year)}。"]
        if not had_before:
            lines.append(f"与上年比:{INCOMPARABLE}({year - 1}年没有可用报告,不计算变化)。")
        note = (f"比率 = 分子/分母,先合计各机关的件数再相除。与上年比只按两年都有可用报告的机关计算"
                f"(同口径),并写出这些机关的个数;没有这样的机关时写“{INCOMPARABLE}”,不给数字。"
                f"件数的变化为%,比率的变化为百分点。{MARK_FAIL} = 含未通过勾稽校验的报告;"
                f"“{SMALL_LABEL}” = 分母少于{SMALL_SAMPLE}件。")
        columns = ["指标", f"{year}年", "分子 / 分母(件数)",
                   *([f"与{year - 1}年比(同口径)", "同口径范围"] if had_before else []), "标注"]
        body = table(columns, rows, caption=f"关键指标({year}年)", note=note)
        return join(heading("关键指标"), paragraphs(lines, "note"), body)

    def trend_table(self) -> Fragment:
        """Every key indicator in every year with usable figures (each year over all the
        bodies that reported it), with the bodies entering and leaving."""
        if not self.has_figures:
            return EMPTY
        figures = self._figure_lookup()
        years = self.years_covered
        rows: list[list[Cell]] = []
        for name in KEY_FIGURES:
            rows.append([BY_NAME[name].label,
                         *(_year_cell(name, figures.get((name, year))) for year in years)])
        rows.append(["机关构成", *(self._mix(year) for year in years)])
        rows.append(["机关进出(与上年比)", *self._turnover(years)])
        note = ("各年数字为该年全部有可用报告的机关的合计,括号内为分子/分母件数。机关组成逐年不同时,"
                "相邻两年的合计不能直接相比:看下面的同口径变化。")
        return join(heading("历年数字"),
                    table(["指标", *map(str, years)], rows, caption="历年关键指标(各年全部机关合计)",
                          note=note))

    def _turnover(self, years: list[int]) -> list[str]:
        """Per year: bodies new since the year before and bodies gone, or — without one."""
        by_year: dict[int, set[str]] = {}
        for body, year in zip(self.reports["body_id"], self.reports["year"], strict=True):
            if isinstance(body, str) and not is_missing(year):
                by_year.setdefault(int(year), set()).add(body)
        out = []
        for year in years:
            if year - 1 not in by_year:
                out.append("—")
                continue
            joined = len(by_year[year] - by_year[year - 1])
            left = len(by_year[year - 1] - by_year[year])
            out.append(f"新增 {joined}、退出 {left}" if joined or left else "无变化")
        return out

    def changes_table(self) -> Fragment:
        """Each change between two adjacent years over the bodies that reported both."""
        if not self.has_figures:
            return EMPTY
        figures = self._figure_lookup()
        steps = [y for y in self.years_covered if y - 1 in self.years_covered]
        if not steps:
            return paragraphs([f"同口径变化:没有相邻两年都有可用报告的年份({fmt_years(self.years_covered)}),"
                               "不计算变化。"], "note")
        rows: list[list[Cell]] = []
        for name in KEY_FIGURES:
            cells: list[Cell] = [BY_NAME[name].label]
            for year in steps:
                row = figures.get((name, year))
                if row is None:
                    cells.append(("—", "num small"))
                    continue
                text, _ = change_cells(row, figures.get((name, year - 1)) is not None)
                matched = int(row["n_bodies_matched"])
                shown = matched and text != "—"
                cells.append((text + (f"({matched})" if shown else ""),
                              "num" + ("" if shown else " small")))
            rows.append(cells)
        note = (f"括号内为两年都有可用报告的机关数,变化只按这些机关计算;“{INCOMPARABLE}” = "
                "两年没有共同的机关,不计算变化。件数为%,比率为百分点。")
        return table(["指标", *(f"{y - 1}→{y}" for y in steps)], rows,
                     caption="同口径逐年变化", note=note)

    def trend_chart(self, indicator: str) -> alt.TopLevelMixin | None:
        from toolkit.present.charts import trend_chart, with_title

        if not self.has_figures:
            return None
        spec = BY_NAME[indicator]
        return with_title(trend_chart(self.series(indicator), spec.label, is_rate=spec.is_rate),
                          spec.label, "点:各年全部机关合计;线:相邻两年都有报告的机关的变化"
                          "(同口径);“机关 +a −b”:与上年比新增、退出的机关")

    def trend_charts(self, indicators: tuple[str, ...]) -> alt.TopLevelMixin | None:
        """Several trend charts as one image, one above the other."""
        from toolkit.present.charts import stack

        if not self.has_figures:
            return None
        return stack(*(c for c in (self.trend_chart(name) for name in indicators)
                       if c is not None))

    # -- breakdowns ----------------------------------------------------------------------

    def composition(self, group: str) -> pd.DataFrame:
        if group not in self._compositions:
            self._compositions[group] = self.corpus.composition(self.adcode, group, self.kind,
                                                                self.span)
        return self._compositions[group].copy()

    def _failing_years(self) -> dict[int, int]:
        frame = self.reports.assign(fails=self.reports["n_checks_failed"].fillna(0) > 0)
        sums = frame.groupby("year")["fails"].sum()
        return {int(str(y)): int(n) for y, n in sums.items()}

    def composition_table(self, group: str, caption: str) -> Fragment:
        """Counts of a breakdown by year with each part's share (⚠ where a report fails a check)."""
        if not self.has_figures:
            return EMPTY
        frame = self.composition(group)
        title = heading(SECTION_TITLES[group]) if group in SECTION_TITLES else EMPTY
        if frame.empty:
            return join(title, paragraphs([f"{caption}:所选范围内没有数据。"], "note"))
        years = sorted(int(y) for y in frame["year"].unique())
        failing = self._failing_years()
        labels = list(dict.fromkeys(frame.sort_values("order")["label"]))
        cells_by = {(str(r["label"]), int(r["year"])): r for r in records(frame)}
        rows: list[list[Cell]] = []
        for label in labels:
            cells: list[Cell] = [label.split(":", 1)[-1]]
            for year in years:
                hit = cells_by.get((label, year))
                if hit is None or is_missing(hit["count"]):
                    cells.append(("—", "num small"))
                    continue
                cells.append((f"{fmt_count(hit['count'])} ({fmt_rate(hit['share'])})", "num"))
            rows.append(cells)
        totals: list[Cell] = ["合计"]
        by_year = frame.groupby("year").agg(count=("count", lambda c: c.sum(min_count=1)),
                                            bodies=("n_bodies", "max"))
        for year in years:
            text = fmt_count(by_year.loc[year, "count"])
            text += f" · {fmt_count(by_year.loc[year, 'bodies'])}个机关"
            if failing.get(year):
                text += f" {MARK_FAIL}"
            totals.append((text, "num" + (" fails" if failing.get(year) else "")))
        rows.append(totals)
        note = ("括号内为占当年合计的比例;合计行给出覆盖的机关数(各年机关可能不同)。"
                f"{MARK_FAIL} = 该年含未通过勾稽校验的报告。")
        return join(title, table(["类别", *map(str, years)], rows, caption=caption, note=note))

    def composition_chart(self, group: str, title: str) -> alt.Chart | None:
        from toolkit.present.charts import composition_chart, outcome_chart, review_chart

        if not self.has_figures:
            return None
        frame = self.composition(group)
        if group == "outcomes":
            return outcome_chart(frame, title)
        if group == "review_counts":
            return review_chart(frame, title)
        return composition_chart(frame, title)

    def correction_table(self) -> Fragment:
        """Review and litigation correction rates by year, with their counts."""
        if not self.has_figures:
            return EMPTY
        rows: list[list[Cell]] = []
        years = self.years_covered
        mine = {(str(r["indicator"]), int(r["year"])): r for r in records(self._region_rows())}
        for name in CORRECTION_FIGURES:
            rows.append([BY_NAME[name].label,
                         *(_year_cell(name, mine.get((name, year))) for year in years)])
        note = ("纠错率 = 结果纠正件数 / 案件总数;“已审结”口径的分母扣除尚未审结的案件。"
                f"复议诉讼发生率 = 复议与诉讼案件数 / 本年新收申请数。案件少于{SMALL_SAMPLE}件的比率仅供参考。")
        return table(["指标", *map(str, years)], rows, caption="行政复议与行政诉讼纠错率", note=note)

    # -- peers ---------------------------------------------------------------------------

    @property
    def peer_kind(self) -> str:
        """Peers compare like with like: the kind asked for, governments when it is all."""
        return BodyKind.GOVERNMENT if self.kind == ALL_KINDS else self.kind

    @property
    def peer_group(self) -> str:
        """What the peer comparison compares, e.g. 市级人民政府 (each region's own)."""
        return f"{LEVEL_LABELS[self.region.level]}{KIND_LABELS[self.peer_kind]}"

    @property
    def peer_year(self) -> int | None:
        """The latest year in the span in which the region's own-level bodies of the peer
        kind have a usable report (its own figure to compare)."""
        own = self.corpus.reports_in(self.adcode, self.peer_kind, self.span, tier="own")
        years = own["year"].dropna()
        return int(years.max()) if len(years) else None

    def peers(self, indicator: str, year: int, same_parent: bool = True,
              tier: str = "own", kind: str | None = None) -> pd.DataFrame:
        """`Corpus.peers` for this region (own-level bodies of `peer_kind` by default), ties
        in value ordered by adcode."""
        frame = self.corpus.peers(self.adcode, indicator, year, kind or self.peer_kind,
                                  same_parent, tier=tier)
        return frame.sort_values(["value", "region"], na_position="last").reset_index(drop=True)

    def peer_scope(self, indicator: str, year: int) -> tuple[pd.DataFrame, str]:
        """Same-level regions under the same parent when there are enough, else all of them."""
        siblings = self.peers(indicator, year, same_parent=True)
        rankable = siblings[~siblings["is_small"].astype(bool) & siblings["value"].notna()]
        if self.region.parent is not None and len(rankable) >= MIN_PEERS_FOR_SPREAD:
            return siblings, f"同属{self._name(self.region.parent)}的地区"
        frame = self.peers(indicator, year, same_parent=False)
        return frame, "语料中全部同级地区"

    def peers_table(self) -> Fragment:
        """The region's own-level figure among its peers' (like with like): a rank and the
        P10–P90 spread over enough rankable regions, else the peers listed one by one."""
        if not self.has_figures:
            return EMPTY
        title = heading("与同级地区比较")
        year = self.peer_year
        if year is None:
            return join(title, paragraphs([
                f"不作同级比较:本地区没有{self.peer_group}自己的可用报告。上面的数字来自"
                f"{self._mix(self.latest_year)},不能与其他地区的{self.peer_group}相比。"], "note"))
        scopes: dict[str, pd.DataFrame] = {}
        for name in PEER_FIGURES:
            frame, scope = self.peer_scope(name, year)
            scopes[name] = frame
        widest = max(len(f[~f["is_small"].astype(bool) & f["value"].notna()]) for f in scopes.values())
        _, scope = self.peer_scope(PEER_FIGURES[0], year)
        intro = paragraphs([f"{year}年;比较各地区{self.peer_group}自己的报告({scope}),"
                            "不含下级地区和部门:同级同类机关相比。"], "note")
        if widest < MIN_PEERS_FOR_SPREAD:
            return join(title, intro, self._peer_list(scopes, year))
        rows: list[list[Cell]] = []
        for name in PEER_FIGURES:
            frame = scopes[name]
            ranked = frame[~frame["is_small"].astype(bool) & frame["value"].notna()]
            mine = frame[frame["is_selected"]]
            if mine.empty or is_missing(mine["value"].iloc[0]):
                value, rank = "—", "无数据"
            else:
                row = mine.iloc[0]
                value = (f"{fmt_rate(row['value'])} "
                         f"({fmt_count(row['numerator'])}/{fmt_count(row['denominator'])})")
                if bool(row["is_small"]):
                    rank = SMALL_LABEL
                else:
                    order = ranked.sort_values(["value", "region"], ascending=[False, True])
                    position = list(order["region"]).index(self.adcode) + 1
                    rank = f"第 {position} / {len(order)}"
            if len(ranked) >= MIN_PEERS_FOR_SPREAD:
                low, mid, high = (ranked["value"].quantile(q) for q in (0.1, 0.5, 0.9))
                spread = [(fmt_rate(low), "num"), (fmt_rate(mid), "num"), (fmt_rate(high), "num")]
            else:
                spread = [("—", "num small")] * 3
            rows.append([BY_NAME[name].label, (value, "num"), rank, (str(len(ranked)), "num"),
                         *spread])
        note = (f"排名按数值从高到低,只在分母不少于{SMALL_SAMPLE}件的地区之间排名;分布用P10–P90,"
                f"不用最小–最大值,且只在可排名地区不少于{MIN_PEERS_FOR_SPREAD}个时给出。")
        return join(title, intro, table(
            ["指标", "本地区", "排名", "可排名地区数", "P10", "中位数", "P90"], rows,
            caption=f"与同级地区比较({year}年)", note=note))

    def _peer_list(self, scopes: dict[str, pd.DataFrame], year: int) -> Fragment:
        """Too few rankable peers for a distribution: each peer region with its figures."""
        regions: dict[str, str] = {}
        cells: dict[tuple[str, str], Cell] = {}
        for name, frame in scopes.items():
            for row in records(frame):
                code = str(row["region"])
                regions[code] = str(row["name"]) + ("(本地区)" if row["is_selected"] else "")
                if is_missing(row["value"]):
                    cells[(code, name)] = ("—", "num small")
                    continue
                text = (f"{fmt_rate(row['value'])} "
                        f"({fmt_count(row['numerator'])}/{fmt_count(row['denominator'])})")
                cells[(code, name)] = (text, "num" + (" small" if row["is_small"] else ""))
        order = sorted(regions, key=lambda c: (c != self.adcode, c))
        rows: list[list[Cell]] = [[regions[c], *(cells.get((c, n), ("—", "num small"))
                                                for n in PEER_FIGURES)] for c in order]
        others = len(order) - (self.adcode in regions)
        note = (f"可排名(分母不少于{SMALL_SAMPLE}件)的地区少于{MIN_PEERS_FOR_SPREAD}个,不排名、"
                "不给分布,逐一列出" + ("。" if others else ";语料中没有其他同级地区的可比数字。"))
        return table(["地区", *(BY_NAME[n].label for n in PEER_FIGURES)], rows,
                     caption=f"同级地区({year}年)", note=note)

    def peers_chart(self, indicator: str = "disclosure_rate") -> alt.Chart | None:
        from toolkit.present.charts import peers_chart

        year = self.peer_year
        if not self.has_figures or year is None:
            return None
        spec = BY_NAME[indicator]
        frame, scope = self.peer_scope(indicator, year)
        if frame["value"].notna().sum() < 2:  # the region alone: the table says so
            return None
        frame = frame.sort_values(["value", "region"], na_position="last").tail(MAX_ROWS)
        return peers_chart(frame, f"{spec.label} · {year}年 · {self.peer_group} · {scope}",
                           is_rate=spec.is_rate)

    # -- data quality --------------------------------------------------------------------

    def quality_table(self) -> Fragment:
        """Per usable report: cells read, blank / redacted / missing cells, identity checks."""
        if not self.has_figures:
            return EMPTY
        rows: list[list[Cell]] = []
        for report in records(self.reports):
            failed = int(_or_zero(report["checks_failed"]))
            checkable = int(_or_zero(report["checks_checkable"]))
            rows.append([
                _agency(report["agency"]), str(report["year"]),
                STATUS_LABELS.get(str(report["status"]), str(report["status"])),
                (fmt_rate(report["share_read"]), "num"),
                (fmt_rate(report["share_blank"]), "num"),
                (fmt_rate(report["share_redacted"]), "num"),
                (fmt_rate(report["share_missing"]), "num"),
                (f"{checkable - failed} / {checkable}", "num"),
                (f"{failed} {MARK_FAIL}" if failed else "0", "num fails" if failed else "num"),
            ])
        note = ("读出 = 读出的单元格占该报告模板单元格的比例(不足"
                f"{USABLE_MIN_SHARE_READ:.0%}的报告不计入数字);空白、涂抹(隐去)、缺失为三张表中单元格"
                "的比例;校验为勾稽关系(通过 / 可校验)。")
        return join(heading("数据质量"),
                    table(["机关", "年份", "读取", "读出", "空白", "涂抹", "缺失", "校验通过", "未通过"],
                          rows, caption="数据质量:每份可用报告", note=note))

    def failed_checks_table(self) -> Fragment:
        """Each failed check: which report, which check, the two sides; for a number the
        prose states that the table does not hold, the sentence that states it."""
        if not self.has_figures:
            return EMPTY
        ids = list(self.reports["report_id"])
        checks = self.corpus.failing_checks(ids)
        names = {r["report_id"]: r for r in records(self.reports)}
        rows: list[list[Cell]] = []
        for check in records(checks):
            report = names[check["report_id"]]
            prose = check["check"] == "text_vs_table"
            left, right = ("表格 ", "正文 ") if prose else ("", "")
            sentence = check.get("sentence") if prose else None
            rows.append([_agency(report["agency"]), str(report["year"]),
                         check_label(check["check"]),
                         check_scope_label(check["check"], check["scope"]),
                         (left + fmt_count(check["left"]), "num"),
                         (right + fmt_count(check["right"]), "num"),
                         truncate(sentence, 80) if isinstance(sentence, str) else "—"])
        rows.sort(key=lambda r: tuple(str(c) for c in r))
        return table(["机关", "年份", "校验", "范围", "左边", "右边", "原文"], rows,
                     caption="未通过的校验",
                     note="勾稽校验的左边、右边见“校验”一栏的等式;正文所述数字校验比较报告正文"
                          f"写出的数字(原文)和表格中的数字。这些报告的数字计入了上面标有{MARK_FAIL}的数字。")

    def breaks(self) -> pd.DataFrame:
        """Cross-year breaks: carry-over chain failures, template changes, bodies joining or leaving."""
        rows: list[dict[str, str]] = []
        frame = self.reports.dropna(subset=["body_id"])
        wide = self.corpus.wide
        forward = wide[CARRIED_FORWARD].to_dict() if CARRIED_FORWARD in wide.columns else {}
        over = wide[CARRIED_OVER].to_dict() if CARRIED_OVER in wide.columns else {}
        previous: dict[str, Any] | None = None
        for report in records(frame.sort_values(["body_id", "year"])):
            if (previous is not None and previous["body_id"] == report["body_id"]
                    and int(report["year"]) == int(previous["year"]) + 1):
                years = f"{previous['year']}→{report['year']}"
                # identity 5 (crosscheck.carry_forward_chain), for the total column
                expected = forward.get(previous["report_id"], np.nan)
                actual = over.get(report["report_id"], np.nan)
                if not (is_missing(expected) or is_missing(actual)) and abs(expected - actual) > 1e-6:
                    rows.append({"kind": "结转不衔接", "agency": _agency(report["agency"]),
                                 "years": years,
                                 "detail": f"上年结转下年 {fmt_count(expected)} 件,"
                                           f"本年上年结转 {fmt_count(actual)} 件"})
                if report["template"] != previous["template"]:
                    rows.append({"kind": "模板变化", "agency": _agency(report["agency"]),
                                 "years": years,
                                 "detail": f"{fmt_text(previous['template'])} 版 → "
                                           f"{fmt_text(report['template'])} 版"
                                           "(2021版把“其他处理”拆为三行)"})
            previous = report
        by_year: dict[int, set[str]] = {}
        for report in records(frame):
            by_year.setdefault(int(report["year"]), set()).add(str(report["body_id"]))
        for before, after in itertools.pairwise(sorted(by_year)):
            joined, left = by_year[after] - by_year[before], by_year[before] - by_year[after]
            if joined or left:
                rows.append({"kind": "机关范围变化", "agency": "—",
                             "years": f"{before}→{after}",
                             "detail": f"新增 {len(joined)} 个、减少 {len(left)} 个机关"
                                       "(全部机关合计跨年不可直接比较;变化按同口径计算)"})
        out = pd.DataFrame(rows, columns=["kind", "agency", "years", "detail"])
        return out.sort_values(["years", "kind", "agency"], kind="stable").reset_index(drop=True)

    def breaks_table(self) -> Fragment:
        if not self.has_figures:
            return EMPTY
        frame = self.breaks()
        rows: list[list[Cell]] = [[str(r["kind"]), str(r["agency"]), str(r["years"]),
                                   str(r["detail"])] for r in records(frame)]
        return table(["类型", "机关", "年份", "说明"], rows, caption="跨年断点",
                     note="同一机关相邻两年的结转数应当衔接;模板或机关范围变化时跨年比较要谨慎。")

    # -- sources -------------------------------------------------------------------------

    def sources(self) -> pd.DataFrame:
        """Every report of the region in the span, usable or not: its body, year, title,
        publication date against the legal deadline, and where it came from (its URL when
        the store records one, else the file's name)."""
        usable = self.reports.assign(used="计入")
        unusable = self.unusable.assign(used=[f"未计入:{_why(r)}" for r in records(self.unusable)])
        frame = pd.concat([usable, unusable], ignore_index=True)
        if frame.empty:
            return pd.DataFrame(columns=["agency", "year", "title", "published", "timeliness",
                                         "source", "used"])
        everything = self.corpus.all_reports.drop_duplicates("report_id").set_index("report_id")
        deadlines = publication_deadline(frame)
        days = publication_timeliness(frame)
        rows = []
        for i, report in enumerate(records(frame)):
            stored = everything.loc[report["report_id"]] if report["report_id"] in everything.index \
                else pd.Series(dtype="object")
            rows.append({
                "agency": _agency(report["agency"]), "year": fmt_year(report["year"]),
                "title": _title({**report, "source_title": stored.get("source_title")}),
                "published": fmt_text(report["published"]),
                "timeliness": _timeliness(days.iloc[i], deadlines.iloc[i]),
                "source": _source(stored.get("source_url"), report["path"]),
                "used": report["used"],
            })
        out = pd.DataFrame(rows)
        return out.sort_values(["year", "agency", "source"], kind="stable").reset_index(drop=True)

    def sources_table(self) -> Fragment:
        """The reports behind the briefing, readable or not, with their origin."""
        frame = self.sources()
        rows: list[list[Cell]] = [[str(r["agency"]), str(r["year"]), str(r["title"]),
                                   str(r["published"]), str(r["timeliness"]), str(r["source"]),
                                   (str(r["used"]), "" if r["used"] == "计入" else "small")]
                                  for r in records(frame)]
        note = ("法定公开期限(《政府信息公开条例》第四十九条):县级以上人民政府部门为次年1月31日,"
                "县级以上地方人民政府为次年3月31日;乡、镇人民政府和街道办事处条例未列明,本简报按"
                "人民政府的3月31日计。来源为报告网页的地址;没有记录地址的只给出文件名。")
        return join(heading("报告来源"),
                    table(["机关", "年份", "标题", "发布日期", "时效", "来源", "是否计入"], rows,
                          caption="本简报使用和未能使用的报告", note=note))

    # -- section 五 ----------------------------------------------------------------------

    def excerpts(self) -> Fragment:
        """Section 五 (problems and improvements) of the region's reports, latest first."""
        if not self.has_figures:
            return EMPTY
        frame = self.reports.assign(
            _k=self.reports["agency_kind"].map({BodyKind.GOVERNMENT: 0}).fillna(1),
        ).sort_values(["year", "_k", "agency"], ascending=[False, True, True], kind="stable")
        blocks: list[str] = []
        lines: list[str] = []
        shown = 0
        texts = self.problems_texts()
        for report in records(frame):
            text = texts.get(str(report["report_id"]), "")
            if not text.strip():
                continue
            if shown >= MAX_EXCERPTS:
                shown += 1
                continue
            shown += 1
            excerpt = truncate(text)
            title = f"{_agency(report['agency'])} · {report['year']}年"
            marked = f" {MARK_FAIL} 该报告未通过勾稽校验" if _or_zero(report["checks_failed"]) else ""
            blocks.append(f"<p><b>{esc(title)}</b>{esc(marked)}</p>"
                          f"<blockquote>{esc(excerpt)}</blockquote>")
            lines.append(f"{title}{marked}\n  {excerpt}")
        with_text = shown
        title_ = heading("存在的主要问题及改进情况(报告第五部分摘录)")
        if not blocks:
            return join(title_, paragraphs(
                ["这些报告没有可摘录的第五部分(存在的主要问题及改进情况)。"], "note"))
        tail = (f"共 {with_text} 份报告有第五部分,显示 {min(with_text, MAX_EXCERPTS)} 份;"
                f"每段最多 {EXCERPT_CHARS} 字。")
        markup = ('<div class="ogi-briefing">' + "".join(blocks)
                  + f'<p class="note">{esc(tail)}</p></div>')
        return join(title_, Fragment(markup, "\n".join([*lines, tail])))

    def problems_texts(self) -> dict[str, str]:
        """Section 五 of every report of the region, in one query (report_id → text)."""
        ids = [str(i) for i in self.reports["report_id"]]
        if not ids:
            return {}
        rows = self.corpus.con.execute(
            "SELECT report_id, text FROM sections WHERE section = 'problems' "
            "AND report_id IN (SELECT unnest(?))", [ids]).fetchall()
        return {str(k): str(v or "") for k, v in rows}

    # -- footer --------------------------------------------------------------------------

    def footer(self, generated: str = "") -> Fragment:
        """Generation date, data vintage and toolkit version. `generated` (ISO date) defaults
        to today; the goldens' sanitizer masks both dates (tests/golden/sanitize.cfg)."""
        day = generated or date.today().isoformat()
        vintage, basis = self.corpus.vintage()
        text = (f"生成日期 {day} · 数据截至 {vintage or '—'}(最近一次{basis}) · "
                f"年报工具 ogi-toolkit {__version__}")
        return Fragment(f'<div class="ogi-briefing"><p class="footer">{esc(text)}</p></div>', text)

    # -- machine-readable key figures ----------------------------------------------------

    def record(self) -> dict[str, Any]:
        """The key figures as plain JSON types (read back by the index and the tests)."""
        figures = self.key_figures()
        bodies = self.bodies()
        vintage, basis = self.corpus.vintage()
        return {
            "schema": SCHEMA_VERSION,
            "status": self.status,
            "region": {"adcode": self.region.adcode, "name": self.region.name,
                       "level": self.region.level, "parent": self.region.parent,
                       "path": self.region.path},
            "kind": self.kind,
            "span": list(self.span),
            "years_covered": self.years_covered,
            "years_missing": self.years_missing,
            "latest_year": self.latest_year,
            "latest_body_mix": self._mix(self.latest_year) if self.latest_year else None,
            "n_bodies": len(bodies),
            "n_reports": len(self.reports),
            "n_reports_failing_checks": int((self.reports["n_checks_failed"].fillna(0) > 0).sum()),
            "unusable_reports": [
                {"agency": _agency(r["agency"]), "year": None if is_missing(r["year"])
                 else int(r["year"]), "title": _title(r), "reason": r["unusable_reason"],
                 "share_read": rounded(r["share_read"], 4)}
                for r in records(self.unusable)],
            "data_vintage": {"date": vintage, "basis": basis},
            "toolkit_version": __version__,
            "figures": [
                {"indicator": r["indicator"], "label": r["label"], "year": int(r["year"]),
                 "value": rounded(r["value"]), "numerator": rounded(r["numerator"]),
                 "denominator": rounded(r["denominator"]), "n_reports": int(r["n_reports"]),
                 "n_bodies": int(r["n_bodies"]), "body_mix": r["body_mix"],
                 "n_reports_failing_checks": int(r["n_reports_failing_checks"]),
                 "is_rate": bool(r["is_rate"]), "is_small": bool(r["is_small"]),
                 "n_bodies_matched": int(r["n_bodies_matched"]),
                 "value_prev_matched": rounded(r["value_prev_matched"]),
                 "value_matched": rounded(r["value_matched"]),
                 "yoy_pct": rounded(r["yoy_pct"], 4), "change_pp": rounded(r["change_pp"], 4)}
                for r in records(figures)
            ],
        }

    def save_key_figures(self, path: str | Path) -> None:
        """Write `record()` as JSON when `path` is set (the batch sets it; goldens do not).

        Silent either way, so a notebook saved by the batch and a golden show the same.
        """
        if str(path):
            write_json(self.record(), Path(path))


def change_cells(row: dict[str, Any], had_before: bool) -> tuple[str, str]:
    """A figure's change from the year before over the matched bodies, and what it is over:
    ('+233.3%', '1 个机关:21 → 70'), or ('不可比', why) when no body reported both years."""
    rate = bool(row["is_rate"])
    matched = int(row["n_bodies_matched"])
    if not matched:
        why = "两年没有共同的机关" if had_before else "上年没有数字"
        return INCOMPARABLE, why
    change = fmt_change(row["change_pp"], "pp") if rate else fmt_change(row["yoy_pct"])
    if is_missing(row["change_pp"] if rate else row["yoy_pct"]):
        change = "—"
    before = fmt_value(row["value_prev_matched"], rate)
    now = fmt_value(row["value_matched"], rate)
    return change, f"{matched} 个机关:{before} → {now}"


def truncate(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Whitespace folded, cut at the last sentence end before `limit` (else at `limit`) + …."""
    folded = re.sub(r"\s+", " ", text).strip()
    if len(folded) <= limit:
        return folded
    cut = folded[:limit]
    end = max(cut.rfind(p) for p in "。;;!?")
    if end >= limit // 2:
        return cut[:end + 1] + " …"
    return cut + "…"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (typed access without pandas' namedtuples)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _marks(row: dict[str, Any]) -> str:
    marks = []
    if row["n_reports_failing_checks"]:
        marks.append(f"{MARK_FAIL} {int(row['n_reports_failing_checks'])}份报告未通过校验")
    if bool(row["is_small"]) and bool(row["is_rate"]):
        marks.append(SMALL_LABEL)
    return ";".join(marks)


def _or_zero(value: Any) -> float:
    """A count for arithmetic: 0 where it is missing."""
    return 0.0 if is_missing(value) else float(value)


def _file(path: Any) -> str:
    """A report's file name only: outputs never carry the folder (it differs per machine)."""
    if not isinstance(path, str) or not path:
        return "—"
    return Path(path).name


def fmt_year(year: Any) -> str:
    return "—" if is_missing(year) else f"{int(year)}"


def _agency(agency: Any) -> str:
    return agency if isinstance(agency, str) and agency else "(机关名称未识别)"


def _title(report: dict[str, Any]) -> str:
    """The report's title as printed, else the title of its web page, else a placeholder."""
    for key in ("title", "source_title"):
        value = report.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "(无标题)"


def _why(report: dict[str, Any]) -> str:
    """Why a report is not used, for a reader."""
    return unusable_reason_text(report.get("unusable_reason"), report.get("share_read"))


def _timeliness(days: Any, deadline: Any) -> str:
    """'提前 22 天' / '逾期 5 天' / '按期' against the deadline; — without a date."""
    if is_missing(days) or deadline is None or pd.isna(deadline):
        return "—"
    due = pd.Timestamp(deadline).strftime("%m月%d日").lstrip("0")
    n = int(days)
    if n < 0:
        return f"提前 {-n} 天(期限{due})"
    if n > 0:
        return f"逾期 {n} 天(期限{due})"
    return f"当日(期限{due})"


def _source(url: Any, path: Any) -> str:
    """Where a report came from: its URL when the store has one, else its file name."""
    if isinstance(url, str) and url.strip():
        return url.strip()
    return f"文件 {_file(path)}"


__all__ = [
    "KEY_FIGURES", "Briefing", "load_corpus", "open_briefing", "parse_years", "setup",
    "truncate",
]
