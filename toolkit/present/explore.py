"""View models for the explorer: the data behind each view, aggregated and ready to plot.

Why a layer between `toolkit.analysis.corpus` and the widgets: the explorer asks the same few
questions on every interaction, so the answers come from indexes built once per store
(row positions of each region's and each peer group's figures in the roll-ups, each
report's region at every level),
an interaction costs a few lookups and one chart render, and every function here is
testable without widgets or a browser. The charts come from `toolkit.present.charts`, are
rendered to SVG by `toolkit.present.render` and shown next to the HTML of
`toolkit.present.panels`.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from toolkit.analysis.corpus import Corpus, Region
from toolkit.analysis.indicators import BY_NAME, INDICATORS
from toolkit.present import charts
from toolkit.present.charts import (
    CORRECTION_RATES,
    QUALITY_ORDER,
    correction_chart,
    peer_distribution_chart,
    quality_chart,
    stack,
    with_title,
)
from toolkit.present.formatting import NO_DATA, fmt_number, fmt_value, is_missing
from toolkit.spec.template import load_template
from toolkit.spec.vocab import (
    ALL_KINDS,
    FLAG_LABELS,
    KIND_LABELS,
    MIN_PEERS_FOR_SPREAD,
    SMALL_SAMPLE,
)

PEER_GROUPS = {"siblings": "同一上级的同级地区", "level": "全国同级地区"}
VIEWS = {"trend": "趋势", "peers": "同级比较", "outcomes": "办理结果", "refusals": "不予公开理由",
         "applicants": "申请人构成", "review": "复议诉讼", "quality": "数据质量"}
# The fields of a selection each view depends on: a view is re-rendered only when they change.
VIEW_FIELDS = {
    "trend": ("adcode", "years", "kind", "indicator"),
    "peers": ("adcode", "years", "kind", "indicator", "peer_group"),
    "outcomes": ("adcode", "years", "kind"),
    "refusals": ("adcode", "years", "kind"),
    "applicants": ("adcode", "years", "kind"),
    "review": ("adcode", "years", "kind"),
    "quality": ("adcode", "years", "kind"),
}
GROUP_LABELS = {"requests": "依申请公开", "refusal_mix": "不予公开理由构成",
                "applicant_mix": "申请人构成", "review": "复议诉讼", "active": "主动公开"}
MAX_PEER_BARS = 40
MIN_RANKED = 2  # a rank among fewer peers says nothing
MIN_SPREAD = MIN_PEERS_FOR_SPREAD  # nor does a P10–P90 spread of fewer (declared in vocab)
MEMO_SIZE = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Selection:
    """What the user picked: region (adcode), years (inclusive), body kind, indicator, peers."""

    adcode: str
    years: tuple[int, int] | None = None
    kind: str = ALL_KINDS
    indicator: str = "disclosure_rate"
    peer_group: str = "siblings"

    def key(self, view: str) -> tuple[object, ...]:
        """The part of the selection `view` depends on (its cache key)."""
        return tuple(getattr(self, f) for f in VIEW_FIELDS[view])


@dataclass(frozen=True)
class Headline:
    """The selected region's figure for the latest year with data, with its guard rails."""

    region: Region
    selection: Selection
    year: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    is_rate: bool
    is_small: bool
    n_bodies: int
    n_reports: int
    n_failing: int
    years_covered: tuple[int, ...]
    rank: int | None
    n_ranked: int
    p10: float | None
    p90: float | None

    @property
    def text(self) -> str:
        """The figure as a user reads it: 88.4% (38/43件) or 1,234."""
        return fmt_value(self.value, self.is_rate, missing=NO_DATA)


def open_corpus(store: str | Path | None = None) -> Corpus:
    """Open the store for the notebooks; `StoreNotFound` says how to build a missing one."""
    return Corpus(store)


@dataclass(frozen=True)
class Drilldown:
    """One report's table as found (grid) next to the source text of each cell."""

    report: pd.Series
    table: str
    grid: pd.DataFrame
    cells: pd.DataFrame
    checks: pd.DataFrame


class Views:
    """The data and chart of every explorer view for a `Selection`, from one `Corpus`."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._memo: OrderedDict[tuple[object, ...], object] = OrderedDict()

    def _cached(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """Answers of the last few queries: one interaction asks some of them several times."""
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]  # type: ignore[return-value]
        value = compute()
        self._memo[key] = value
        if len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        return value

    def forget(self) -> None:
        """Drop the remembered query answers (benchmarks time cold interactions)."""
        self._memo.clear()

    def region(self, adcode: str) -> Region:
        return self.corpus.region(adcode)

    def series(self, sel: Selection, indicator: str | None = None) -> pd.DataFrame:
        """`Corpus.series` for the selection (or another indicator of it)."""
        name = indicator or sel.indicator
        return self._cached(("series", sel.adcode, name, sel.kind, sel.years),
                            lambda: self.corpus.series(sel.adcode, name, sel.kind, sel.years))

    # -- built once per store ----------------------------------------------------------

    def warm(self) -> None:
        """Build every roll-up and index now, so no interaction pays for it later."""
        self.corpus.warm(kinds=tuple(KIND_LABELS))
        _ = self._report_frame
        _ = self.corpus.all_reports  # the drill-down's report row

    @cached_property
    def _report_frame(self) -> pd.DataFrame:
        """Usable reports with their quality figures and quality class."""
        frame = self.corpus.reports.merge(self.corpus.quality, on="report_id", how="left")
        failed = frame["checks_failed"].fillna(frame["n_checks_failed"]).fillna(0)
        flagged = frame[["share_blank", "share_redacted"]].fillna(0).sum(axis=1) > 0
        ambiguous = frame["share_ambiguous"].fillna(0) > 0
        checked = frame["checks_checkable"].fillna(0) > 0
        frame["checks_failed"] = failed.astype(int)
        frame["quality"] = np.select(
            [failed > 0, flagged, ambiguous, checked], QUALITY_ORDER[:4], QUALITY_ORDER[4])
        frame["is_problem"] = (failed > 0) | flagged | ambiguous
        return frame

    # -- choices for the widgets -------------------------------------------------------

    def default_region(self) -> str | None:
        """The province with the most reports: a start that shows something."""
        provinces = self.corpus.children(None)
        if provinces.empty:
            return None
        best = provinces.sort_values(["n_reports", "adcode"], ascending=[False, True])
        return str(best["adcode"].iloc[0])

    def region_options(self, parent: str | None) -> list[tuple[str, str]]:
        """(name, adcode) of the regions directly under `parent` (provinces when None)."""
        children = self.corpus.children(parent).sort_values("adcode")
        return [(str(n), str(a)) for n, a in zip(children["name"], children["adcode"],
                                                   strict=True)]

    def region_path(self, adcode: str) -> list[str]:
        """Adcodes from the province down to `adcode` (what the cascading dropdowns hold)."""
        chain = [str(adcode)]
        parent = self.region(adcode).parent
        while parent is not None and len(chain) < 4:
            chain.insert(0, parent)
            parent = self.region(parent).parent
        return chain

    def year_range(self) -> tuple[int, int] | None:
        """First and last report year in the store (the years slider's bounds)."""
        years = self.corpus.reports["year"].dropna()
        return (int(years.min()), int(years.max())) if len(years) else None

    @staticmethod
    def indicator_options() -> list[tuple[str, str]]:
        """(label, name) of the indicators (docs/DATA_DICTIONARY.md), grouped, Chinese first."""
        return [(f"{GROUP_LABELS[i.group]} · {i.label} ({i.name})", i.name)
                for group in GROUP_LABELS for i in INDICATORS if i.group == group]

    # -- per selection -----------------------------------------------------------------

    def reports(self, sel: Selection) -> pd.DataFrame:
        """The reports a selection's figures are made of, with quality figures."""
        return self._cached(("reports", sel.adcode, sel.kind, sel.years),
                            lambda: self._reports(sel))

    def _reports(self, sel: Selection) -> pd.DataFrame:
        region = self.region(sel.adcode)
        rows = self.corpus.members(region.level).get(str(sel.adcode))
        if rows is None:
            return self._report_frame.iloc[0:0]
        frame = self._report_frame.iloc[rows]
        if sel.kind != ALL_KINDS:
            frame = frame[frame["agency_kind"] == sel.kind]
        if sel.years is not None:
            frame = frame[(frame["year"] >= sel.years[0]) & (frame["year"] <= sel.years[1])]
        return frame

    def coverage(self, sel: Selection) -> str:
        """Which region, bodies, reports and years a figure covers (the guard rail)."""
        region = self.region(sel.adcode)
        frame = self.reports(sel)
        years = sorted(int(y) for y in frame["year"].dropna().unique())
        span = (f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年") if years \
            else "无年份"
        return (f"{region.path} · {KIND_LABELS[sel.kind]} · {frame['body_id'].nunique()}个机关、"
                f"{len(frame)}份报告 · {span}")

    def peer_frame(self, sel: Selection, year: int) -> pd.DataFrame:
        """The region's peers at its level for one year (same parent, or all of the level)."""
        return self._cached(("peers", sel.adcode, sel.indicator, sel.kind, sel.peer_group, year),
                            lambda: self._peer_frame(sel, year))

    def _peer_frame(self, sel: Selection, year: int) -> pd.DataFrame:
        return self.corpus.peers(sel.adcode, sel.indicator, year, sel.kind,
                                 same_parent=sel.peer_group == "siblings")

    def headline(self, sel: Selection) -> Headline:
        """The latest figure in the selected years, its counts, coverage and peer rank."""
        region = self.region(sel.adcode)
        indicator = BY_NAME[sel.indicator]
        series = self.series(sel)
        reports = self.reports(sel)
        known = series.dropna(subset=["value"])
        years = tuple(sorted(int(y) for y in reports["year"].dropna().unique()))
        base: dict[str, Any] = {
            "region": region, "selection": sel, "is_rate": indicator.is_rate,
            "n_bodies": int(reports["body_id"].nunique()), "n_reports": len(reports),
            "n_failing": int((reports["checks_failed"] > 0).sum()), "years_covered": years}
        if known.empty:
            return Headline(year=None, value=None, numerator=None, denominator=None,
                            is_small=False, rank=None, n_ranked=0, p10=None, p90=None, **base)
        last = known.iloc[-1]
        year = int(last["year"])
        peers = self.peer_frame(sel, year).dropna(subset=["value"])
        ranked = peers[~peers["is_small"].astype(bool)]
        small = bool(last["is_small"])
        rank = None if small or len(ranked) < MIN_RANKED else \
            int((ranked["value"] > last["value"]).sum()) + 1
        p10, p90 = (float(ranked["value"].quantile(0.1)), float(ranked["value"].quantile(0.9))) \
            if len(ranked) >= MIN_SPREAD else (None, None)
        return Headline(
            year=year, value=float(last["value"]), numerator=_float_or_none(last["numerator"]),
            denominator=_float_or_none(last["denominator"]), is_small=small, rank=rank,
            n_ranked=len(ranked), p10=p10, p90=p90, **base)

    def chart(self, view: str, sel: Selection) -> alt.TopLevelMixin:
        """The chart of one view for a selection (a message chart when there is no data)."""
        builders = {"trend": self.trend_chart, "peers": self.peers_chart,
                    "outcomes": self.outcomes_chart, "refusals": self.refusals_chart,
                    "applicants": self.applicants_chart, "review": self.review_chart,
                    "quality": self.quality_chart}
        if view not in builders:
            raise KeyError(f"unknown view {view!r}; choose from {list(VIEWS)}")
        return builders[view](sel)

    def trend_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """The indicator by year, titled with the region and what the figure covers: each
        year's figure as a point, lines only between years with bodies in common (the change
        over those bodies), bodies entering and leaving marked (`charts.trend_chart`)."""
        indicator = BY_NAME[sel.indicator]
        series = self.series(sel)
        chart = charts.trend_chart(series, indicator.label, indicator.is_rate)
        return with_title(chart, f"{self._name(sel)} · {indicator.label}", self.coverage(sel))

    def peers_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """The region among its peers in its latest year: bars when they fit, else a
        distribution (so thousands of counties never reach the chart row by row)."""
        indicator = BY_NAME[sel.indicator]
        year = self._peer_year(sel)
        title = f"{self._name(sel)} · {indicator.label} · {year or ''}年 · {PEER_GROUPS[sel.peer_group]}"
        if year is None:
            return with_title(charts.message_chart(
                f"{indicator.label}: 所选范围内没有数据 (no data for this selection)"), title)
        frame = self.peer_frame(sel, year)
        if len(frame) > MAX_PEER_BARS:
            chart = peer_distribution_chart(frame, indicator.label, indicator.is_rate)
        else:
            chart = charts.peers_chart(frame, indicator.label, indicator.is_rate)
        note = f"少于{SMALL_SAMPLE}件的地区只列数不排名" if len(frame) <= MAX_PEER_BARS else \
            f"分布不含少于{SMALL_SAMPLE}件的地区"
        return with_title(chart, title, f"{self.coverage(sel)} · {note}")

    def composition(self, sel: Selection, group: str) -> pd.DataFrame:
        """`Corpus.composition` with labels shortened (不予公开理由:属于国家秘密 → 属于国家秘密):
        the chart's title already names the breakdown, and legends cut long labels."""
        def compute() -> pd.DataFrame:
            frame = self.corpus.composition(sel.adcode, group, sel.kind, sel.years)
            return frame.assign(label=frame["label"].astype(str).str.split(":", n=1).str[-1])
        return self._cached(("composition", sel.adcode, group, sel.kind, sel.years), compute)

    def outcomes_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Granted / partial / refused / cannot provide / not processed / other, by year."""
        chart = charts.outcome_chart(self.composition(sel, "outcomes"), "办理结果构成")
        return with_title(chart, f"{self._name(sel)} · 办理结果构成", self.coverage(sel))

    def refusals_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """The eight refusal reasons (不予公开理由), by year."""
        chart = charts.composition_chart(self.composition(sel, "refusal_mix"), "不予公开理由")
        return with_title(chart, f"{self._name(sel)} · 不予公开理由", self.coverage(sel))

    def applicants_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Who asked (新收申请 by applicant type), by year."""
        chart = charts.composition_chart(self.composition(sel, "applicant_mix"),
                                         "申请人构成(新收申请)")
        return with_title(chart, f"{self._name(sel)} · 申请人构成(新收申请)", self.coverage(sel))

    def correction_rates(self, sel: Selection) -> pd.DataFrame:
        """Review, litigation and combined correction rates by year, with their counts."""
        parts = [self.series(sel, name) for name in CORRECTION_RATES]
        return pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True)

    def review_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Review and litigation outcomes above their correction rates: one chart, one render."""
        counts = charts.review_chart(self.composition(sel, "review_counts"))
        rates = correction_chart(self.correction_rates(sel), "纠错率(纠正件数/案件总数)")
        return with_title(stack(counts, rates), f"{self._name(sel)} · 行政复议与行政诉讼",
                          self.coverage(sel))

    def quality_reports(self, sel: Selection) -> pd.DataFrame:
        """Reports failing an identity check or with blank, redacted or ambiguous cells."""
        frame = self.reports(sel)
        problems = frame[frame["is_problem"]]
        return problems.sort_values(["checks_failed", "share_redacted", "share_blank", "year"],
                                    ascending=[False, False, False, True]).reset_index(drop=True)

    def quality_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Reports per year by quality class, for the data-quality tab."""
        chart = quality_chart(self.reports(sel))
        return with_title(chart, f"{self._name(sel)} · 数据质量:各年报告数", self.coverage(sel))

    def drilldown(self, report_id: str, table: str = "requests") -> Drilldown:
        """One report's table laid out as printed, and each cell's source text and flag."""
        reports = self.corpus.all_reports
        match = reports[reports["report_id"] == report_id]
        if match.empty:
            raise KeyError(f"no report {report_id!r} in this store")
        cells = self.corpus.report_table(report_id, table)
        checks = self.corpus.failing_checks([report_id])
        return Drilldown(match.iloc[0], table, table_grid(cells, table), cells, checks)

    # -- helpers -----------------------------------------------------------------------

    def _name(self, sel: Selection) -> str:
        return str(self.corpus.region_names.get(str(sel.adcode), sel.adcode))

    def _peer_year(self, sel: Selection) -> int | None:
        """The latest selected year with a value for the region, else the latest with any."""
        series = self.series(sel)
        known = series.dropna(subset=["value"])
        if len(known):
            return int(known["year"].iloc[-1])
        return int(series["year"].iloc[-1]) if len(series) else None


def _float_or_none(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def selection_with(sel: Selection, **changes: object) -> Selection:
    """A copy of `sel` with some fields changed (widgets call this on every interaction)."""
    return replace(sel, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- tables

def _row_order(table: str) -> tuple[list[str], dict[str, str], list[str], dict[str, str]]:
    """Rows and columns of a template table in printed order, with their Chinese labels."""
    template = load_template()
    if table == "requests":
        rows = [r.key for r in template.request_rows]
        row_labels = {r.key: r.labels[0] for r in template.request_rows}
        columns = [*template.request_columns[:-1], template.subtotal_column,
                   template.request_columns[-1]]
        return rows, row_labels, columns, dict(template.request_column_labels)
    if table == "review":
        return (list(template.review_rows), dict(template.review_row_labels),
                list(template.review_columns), dict(template.review_column_labels))
    rows = [r.key for r in template.active_rows]
    row_labels = {r.key: r.labels[0] for r in template.active_rows}
    columns = list(template.active_columns)
    return rows, row_labels, columns, {k: c.labels[0] for k, c in template.active_columns.items()}


def table_grid(cells: pd.DataFrame, table: str = "requests") -> pd.DataFrame:
    """Cells of one report's table as a grid (template rows × columns); a flagged cell shows
    its flag in brackets, so blanks and redactions stand out next to the numbers."""
    rows, row_labels, columns, column_labels = _row_order(table)
    if cells.empty:
        return pd.DataFrame(columns=["行"])
    shown = cells.assign(text=[
        (f"[{FLAG_LABELS.get(str(f), str(f))}]" if isinstance(f, str) else "")
        if pd.isna(v) else fmt_number(v)
        for v, f in zip(cells["value"], cells["flag"], strict=True)])
    grid = shown.pivot_table(index="row", columns="column", values="text", aggfunc="first")
    grid = grid.reindex(index=[r for r in rows if r in grid.index] +
                        [r for r in grid.index if r not in rows],
                        columns=[c for c in columns if c in grid.columns] +
                        [c for c in grid.columns if c not in columns])
    grid.index = [row_labels.get(r, r) for r in grid.index]
    grid.columns = [column_labels.get(c, c) for c in grid.columns]
    return grid.fillna("").rename_axis("行").reset_index()


__all__ = [
    "PEER_GROUPS", "VIEWS", "Drilldown", "Headline", "Selection", "Views", "open_corpus",
    "selection_with", "table_grid",
]
