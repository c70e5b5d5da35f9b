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
from toolkit.analysis.indicators import BY_NAME, INDICATORS, body_mix
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
from toolkit.present.formatting import NO_DATA, fmt_change, fmt_number, fmt_value, is_missing
from toolkit.present.tables import row_order as _row_order
from toolkit.spec.fields import COMPOSITION, PEERS, QUALITY, SCREENED, SERIES
from toolkit.spec.vocab import (
    ALL_KINDS,
    FLAG_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    MIN_PEERS_FOR_SPREAD,
    REGION_LEVELS,
    SMALL_SAMPLE,
    BodyKind,
)

PEER_GROUPS = {"siblings": "同一上级的同级地区", "level": "全国同级地区"}
PEER_TIERS = {"own": "各地区本级同类机关", "all": "各地区全部机关合计"}
"""What the peers tab compares: each region's own-level bodies of one kind (like with like,
the default: a county government with other county governments), or each region's whole
figure, whatever bodies make it up (each peer's `body_mix` shown beside it)."""
VIEWS = {"trend": "趋势", "peers": "同级比较", "outcomes": "办理结果", "refusals": "不予公开理由",
         "applicants": "申请人构成", "review": "复议诉讼", "quality": "数据质量"}
# The fields of a selection each view depends on: a view is re-rendered only when they change.
VIEW_FIELDS = {
    "trend": ("adcode", "years", "kind", "indicator"),
    "peers": ("adcode", "years", "kind", "indicator", "peer_group", "peer_tier"),
    "outcomes": ("adcode", "years", "kind"),
    "refusals": ("adcode", "years", "kind"),
    "applicants": ("adcode", "years", "kind"),
    "review": ("adcode", "years", "kind"),
    "quality": ("adcode", "years", "kind"),
}
GROUP_LABELS = {"requests": "依申请公开", "refusal_mix": "不予公开理由构成",
                "applicant_mix": "申请人构成", "review": "复议诉讼", "active": "主动公开"}
MAX_PEER_BARS = 40
MIN_SPREAD = MIN_PEERS_FOR_SPREAD  # a rank or a P10–P90 spread of fewer says nothing (vocab)
MAX_YEARS_LISTED = 4
"""A breakdown's subtitle lists each year's bodies when they differ over at most this many
years (more say only that they differ)."""
MAX_NAMED_BODIES = 3
"""The headline names the bodies behind a figure when there are at most this many."""
MEMO_SIZE = 256
INCOMPARABLE = "不可比"
"""A change between two years that no body reported both years: not computed."""
UNUSABLE_QUALITY = QUALITY_ORDER[-1]
"""The quality class of a file the figures leave out (`Corpus.unusable`)."""
TREND_COLUMNS = ["region", "name", "indicator", "kind", "tier", "year", "value", "numerator",
                 "denominator", "is_small", "n_reports", "n_bodies", "body_mix",
                 "n_reports_failing_checks", "n_bodies_matched", "value_prev_matched",
                 "value_matched", "yoy_pct", "change_pp", "n_bodies_entered", "n_bodies_left"]
PEER_COLUMNS = ["region", "name", "is_selected", "indicator", "kind", "tier", "year", "value",
                "numerator", "denominator", "is_small", "n_reports", "n_bodies", "body_mix",
                "n_reports_failing_checks"]
COMPOSITION_COLUMNS = ["year", "indicator", "label", "count", "share", "n_reports", "n_bodies"]
REVIEW_COLUMNS = ["year", "indicator", "label", "count", "share", "value", "numerator",
                  "denominator", "n_reports", "n_bodies"]
QUALITY_COLUMNS = ["agency", "year", "is_usable", "unusable_reason", "share_read", "quality",
                   "status", "checks_failed", "share_blank", "share_redacted", "share_ambiguous",
                   "share_missing", "source_url", "report_id"]
"""The columns of each view's table (`Views.table`), in order."""
COLUMN_LABELS: dict[str, str] = {
    **{f.name: f.label for t in (QUALITY, SCREENED, COMPOSITION, PEERS, SERIES)
       for f in t.fields},
    "quality": "质量分类", "checks_failed": "未通过校验数", "agency": "机关", "year": "年度",
}
"""Each table column's Chinese name (docs/DATA_DICTIONARY.md), for CSV headers."""
T = TypeVar("T")


@dataclass(frozen=True)
class Selection:
    """What the user picked: region (adcode), years (inclusive), body kind, indicator, peers
    (which regions, and which of their bodies: `PEER_TIERS`)."""

    adcode: str
    years: tuple[int, int] | None = None
    kind: str = ALL_KINDS
    indicator: str = "disclosure_rate"
    peer_group: str = "siblings"
    peer_tier: str = "own"

    def key(self, view: str) -> tuple[object, ...]:
        """The part of the selection `view` depends on (its cache key)."""
        return tuple(getattr(self, f) for f in VIEW_FIELDS[view])


@dataclass(frozen=True)
class PeerStanding:
    """Where the region's figure stands among its peers', like with like.

    `label` says whose figures are compared (县级人民政府: each region's own county
    government); a rank and the P10–median–P90 spread are given only over at least
    `MIN_PEERS_FOR_SPREAD` rankable regions (a rate over at least `SMALL_SAMPLE`
    requests), else `note` says why there is none and the peers tab lists them."""

    label: str
    tier: str
    scope: str
    year: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    is_small: bool
    body_mix: str
    n_peers: int
    n_ranked: int
    rank: int | None
    p10: float | None
    median: float | None
    p90: float | None
    note: str

    @property
    def has_spread(self) -> bool:
        return self.p10 is not None


@dataclass(frozen=True)
class Headline:
    """The selected region's figure for the latest selected year with data, and what it
    covers: the bodies behind it that year (count, levels and kinds, names when few), its
    counts, the change from the year before over the bodies that reported both years
    (`n_bodies_matched`; 不可比 when none did), the small-count guard rail, and where it
    stands among its peers (like with like)."""

    region: Region
    selection: Selection
    year: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    is_rate: bool
    is_small: bool
    n_bodies_year: int
    n_reports_year: int
    n_failing_year: int
    body_mix: str
    bodies: tuple[str, ...]
    n_bodies_matched: int
    change: float | None
    value_prev_matched: float | None
    value_matched: float | None
    had_before: bool
    n_bodies: int
    n_reports: int
    n_failing: int
    n_unusable: int
    years_covered: tuple[int, ...]
    peers: PeerStanding | None

    @property
    def text(self) -> str:
        """The figure as a user reads it: 88.4% or 1,234 (无数据 without one)."""
        return fmt_value(self.value, self.is_rate, missing=NO_DATA)

    @property
    def change_text(self) -> str:
        """The change from the year before over the matched bodies: '+2.1个百分点' for a
        rate, '+12.3%' for a count; 不可比 when no body reported both years."""
        if not self.n_bodies_matched or self.change is None:
            return INCOMPARABLE
        return fmt_change(self.change, "pp" if self.is_rate else "%")

    @property
    def change_basis(self) -> str:
        """What the change is over: '同口径 1个机关:45.9% → 48.0%', or why it is not computed."""
        if not self.n_bodies_matched or self.change is None:
            if not self.had_before:
                return "上年没有数字"
            if self.n_bodies_matched:
                return "上年数值为0,不计算变化"
            return "两年没有共同的机关"
        before = fmt_value(self.value_prev_matched, self.is_rate)
        now = fmt_value(self.value_matched, self.is_rate)
        return f"同口径 {self.n_bodies_matched}个机关:{before} → {now}"


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

    # -- the 两年对照 tab: one body's two years (toolkit.analysis.compare) ----------------

    def compare_bodies(self, sel: Selection) -> list[tuple[str, str, list[int]]]:
        """The bodies of the selected region and kind with usable reports for at least two
        years: (label, body_id, years), the most years first."""
        reports = self.corpus.reports_in(sel.adcode, sel.kind).dropna(subset=["body_id"])
        out = []
        for body, group in reports.groupby("body_id", sort=True):
            years = sorted(int(y) for y in group["year"].dropna().unique())
            if len(years) < 2:
                continue
            agency = group.sort_values("year")["agency"].dropna()
            name = str(agency.iloc[-1]) if len(agency) else "(机关名称未识别)"
            out.append((f"{name}({years[0]}–{years[-1]},{len(years)}年)", str(body), years))
        return sorted(out, key=lambda b: (-len(b[2]), b[0]))

    def series(self, sel: Selection, indicator: str | None = None) -> pd.DataFrame:
        """`Corpus.series` for the selection (or another indicator of it)."""
        name = indicator or sel.indicator
        return self._cached(("series", sel.adcode, name, sel.kind, sel.years),
                            lambda: self.corpus.series(sel.adcode, name, sel.kind, sel.years))

    # -- built once per store ----------------------------------------------------------

    def warm(self) -> None:
        """Build every roll-up and index now, so no interaction pays for it later: those of
        all bodies, and those of each region's own-level governments and departments (what
        the peers are compared on by default)."""
        self.corpus.warm(kinds=tuple(KIND_LABELS))
        for level in REGION_LEVELS:
            for kind in (BodyKind.GOVERNMENT, BodyKind.DEPARTMENT):
                self.corpus.rollup(level, str(kind), tier="own")
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
        """The region the explorer opens on: the one with the most usable body-years
        (`Corpus.reports`: usable reports, one per body and year), and among regions with
        as many the most specific (a county before its city, a city before its province).

        Why: a first screen should show a figure with the most behind it, and a province
        whose usable reports all come from one county is that county's figure under a
        bigger name. Opening on the county says whose figure it is (平潭县, not 福建省, when
        平潭综合实验区管理委员会 is the only body of 福建省 with usable reports) and compares it
        with other counties. None when no report of the store is usable."""
        table = self.corpus.region_table
        if table.empty:
            return None
        depth = table["level"].map({"province": 0, "city": 1, "county": 2}).fillna(0)
        best = table.assign(_depth=depth).sort_values(
            ["n_reports", "_depth", "adcode"], ascending=[False, False, True])
        if int(best["n_reports"].iloc[0]) == 0:
            return None
        return str(best["adcode"].iloc[0])

    def default_indicator(self, adcode: str, preferred: str = "disclosure_rate") -> str:
        """`preferred` when the region has a figure for it in some year, else the first
        indicator of the list that has one (so the first screen shows a trend, not a
        message); `preferred` when it has none at all."""
        for name in [preferred, *(n for _, n in self.indicator_options() if n != preferred)]:
            series = self.corpus.series(adcode, name)
            if series["value"].notna().any():
                return name
        return preferred

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

    def unusable(self, sel: Selection) -> pd.DataFrame:
        """The region's files left out of every figure (`Corpus.unusable_in`), with why."""
        return self._cached(("unusable", sel.adcode, sel.kind, sel.years),
                            lambda: self.corpus.unusable_in(sel.adcode, sel.kind, sel.years))

    def coverage(self, sel: Selection) -> str:
        """Which region, bodies (their number, levels and kinds) and years a view's figures
        cover: the subtitle of every chart."""
        region = self.region(sel.adcode)
        frame = self.reports(sel)
        years = sorted(int(y) for y in frame["year"].dropna().unique())
        span = (f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年") if years \
            else "无年份"
        return (f"{region.path} · {KIND_LABELS[sel.kind]} · {_bodies_text(frame)} · "
                f"{len(frame)}份报告 · {span}")

    # -- peers, like with like -----------------------------------------------------------

    @staticmethod
    def peer_kind(sel: Selection) -> str:
        """The body kind peers are compared on: the one selected; with all bodies and each
        region's own-level bodies, governments (a county government with county
        governments, as the briefings do)."""
        if sel.peer_tier == "own" and sel.kind == ALL_KINDS:
            return str(BodyKind.GOVERNMENT)
        return sel.kind

    def peer_label(self, sel: Selection) -> str:
        """Whose figures the peers tab compares: 县级人民政府 (each region's own), or
        各地区全部机关 (whatever bodies make each region's figure)."""
        if sel.peer_tier == "own":
            level = self.region(sel.adcode).level
            return f"{LEVEL_LABELS.get(level, level)}{KIND_LABELS[self.peer_kind(sel)]}"
        return f"各地区{KIND_LABELS[sel.kind]}合计"

    def peer_series(self, sel: Selection) -> pd.DataFrame:
        """The region's own figure as its peers are compared (`peer_tier`, `peer_kind`)."""
        kind = self.peer_kind(sel)
        return self._cached(
            ("peer_series", sel.adcode, sel.indicator, kind, sel.years, sel.peer_tier),
            lambda: self.corpus.series(sel.adcode, sel.indicator, kind, sel.years,
                                       tier=sel.peer_tier))

    def peer_year(self, sel: Selection) -> int | None:
        """The latest selected year with a figure for the region as its peers are compared;
        None when it has none (a province whose reports all come from a county has no
        provincial government's figure)."""
        known = self.peer_series(sel).dropna(subset=["value"])
        return int(known["year"].iloc[-1]) if len(known) else None

    def peer_frame(self, sel: Selection, year: int) -> pd.DataFrame:
        """The region's peers for one year (`Corpus.peers` with the peer kind and tier), the
        same level under the same parent or all of it, ties in value by adcode."""
        kind = self.peer_kind(sel)
        return self._cached(
            ("peers", sel.adcode, sel.indicator, kind, sel.peer_group, sel.peer_tier, year),
            lambda: self.corpus.peers(sel.adcode, sel.indicator, year, kind,
                                      same_parent=sel.peer_group == "siblings",
                                      tier=sel.peer_tier).sort_values(
                ["value", "region"], na_position="last").reset_index(drop=True))

    def peer_standing(self, sel: Selection) -> PeerStanding:
        """The region's own figure among its peers' for `peer_year`: a rank and a P10–P90
        spread only over `MIN_PEERS_FOR_SPREAD` rankable regions, else a note."""
        return self._cached(("standing", *sel.key("peers")), lambda: self._peer_standing(sel))

    def peer_scope(self, sel: Selection) -> str:
        """Which regions are the peers: 同属福州市的县级地区, or 语料中全部县级地区."""
        region = self.region(sel.adcode)
        level = LEVEL_LABELS.get(region.level, region.level)
        if sel.peer_group == "siblings" and region.parent is not None:
            parent = self.corpus.region_names.get(region.parent, region.parent)
            return f"同属{parent}的{level}地区"
        return f"语料中全部{level}地区"

    def _peer_standing(self, sel: Selection) -> PeerStanding:
        label, scope = self.peer_label(sel), self.peer_scope(sel)
        year = self.peer_year(sel)
        empty: dict[str, Any] = {"value": None, "numerator": None, "denominator": None,
                                 "is_small": False, "body_mix": "", "n_peers": 0,
                                 "n_ranked": 0, "rank": None, "p10": None, "median": None,
                                 "p90": None}
        if year is None:
            note = (f"本地区在所选年份没有{label}自己的数字,不作同级比较(上面的数字来自其他机关;"
                    "可改选“各地区全部机关合计”)") if sel.peer_tier == "own" else \
                "本地区在所选年份没有这项数字,不作同级比较"
            return PeerStanding(label, sel.peer_tier, scope, None, note=note, **empty)
        frame = self.peer_frame(sel, year).dropna(subset=["value"])
        ranked = frame[~frame["is_small"].astype(bool)]
        mine_rows = frame[frame["is_selected"].astype(bool)]
        row = mine_rows.iloc[0] if len(mine_rows) else None
        small = bool(row["is_small"]) if row is not None else False
        rank = p10 = median = p90 = None
        if len(ranked) >= MIN_SPREAD:
            p10, median, p90 = (float(ranked["value"].quantile(q)) for q in (0.1, 0.5, 0.9))
            if row is not None and not small:
                rank = int((ranked["value"] > row["value"]).sum()) + 1
            note = "" if rank is not None else \
                f"本地区少于{SMALL_SAMPLE}件,不排名" if small else ""
        else:
            others = len(frame) - len(mine_rows)
            note = (f"可排名(不少于{SMALL_SAMPLE}件)的地区{len(ranked)}个,少于"
                    f"{MIN_SPREAD}个:不排名、不给分布,逐一列出") if others else \
                f"没有其他地区的{label}数字可比"
        return PeerStanding(
            label, sel.peer_tier, scope, year,
            value=None if row is None else _float_or_none(row["value"]),
            numerator=None if row is None else _float_or_none(row["numerator"]),
            denominator=None if row is None else _float_or_none(row["denominator"]),
            is_small=small, body_mix="" if row is None else str(row["body_mix"]),
            n_peers=len(frame), n_ranked=len(ranked), rank=rank, p10=p10, median=median,
            p90=p90, note=note)

    # -- the headline ----------------------------------------------------------------------

    def headline(self, sel: Selection) -> Headline:
        """The latest figure in the selected years and what it covers (see `Headline`)."""
        region = self.region(sel.adcode)
        indicator = BY_NAME[sel.indicator]
        series = self.series(sel)
        reports = self.reports(sel)
        known = series.dropna(subset=["value"])
        years = tuple(sorted(int(y) for y in reports["year"].dropna().unique()))
        base: dict[str, Any] = {
            "region": region, "selection": sel, "is_rate": indicator.is_rate,
            "n_bodies": int(reports["body_id"].nunique()), "n_reports": len(reports),
            "n_failing": int((reports["checks_failed"] > 0).sum()),
            "n_unusable": len(self.unusable(sel)), "years_covered": years}
        if known.empty:
            return Headline(year=None, value=None, numerator=None, denominator=None,
                            is_small=False, n_bodies_year=0, n_reports_year=0,
                            n_failing_year=0, body_mix="", bodies=(), n_bodies_matched=0,
                            change=None, value_prev_matched=None, value_matched=None,
                            had_before=False, peers=None, **base)
        last = known.iloc[-1]
        year = int(last["year"])
        that_year = reports[reports["year"] == year]
        names = sorted({str(a) for a in that_year["agency"] if isinstance(a, str) and a})
        matched = int(last["n_bodies_matched"])
        change = last["change_pp"] if indicator.is_rate else last["yoy_pct"]
        return Headline(
            year=year, value=float(last["value"]), numerator=_float_or_none(last["numerator"]),
            denominator=_float_or_none(last["denominator"]), is_small=bool(last["is_small"]),
            n_bodies_year=int(last["n_bodies"]), n_reports_year=int(last["n_reports"]),
            n_failing_year=int(last["n_reports_failing_checks"]),
            body_mix=str(last["body_mix"]),
            bodies=tuple(names) if len(names) <= MAX_NAMED_BODIES else (),
            n_bodies_matched=matched, change=_float_or_none(change),
            value_prev_matched=_float_or_none(last["value_prev_matched"]),
            value_matched=_float_or_none(last["value_matched"]),
            had_before=not is_missing(last["n_bodies_entered"]),
            peers=self.peer_standing(sel), **base)

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

    def peers(self, sel: Selection) -> pd.DataFrame:
        """The peers shown (and downloaded) for a selection: `peer_frame` for `peer_year`
        (empty when the region has no figure to compare)."""
        year = self.peer_year(sel)
        if year is None:
            return self.corpus.peers(sel.adcode, sel.indicator, 0).iloc[0:0]
        return self.peer_frame(sel, year)

    def peers_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """The region's own figure among its peers' (like with like, `peer_label`): bars
        when they fit (with the P10–P90 band only over `MIN_PEERS_FOR_SPREAD` rankable
        regions), a distribution when there are more (thousands of counties never reach the
        chart row by row), and a message when the region has no figure to compare."""
        indicator = BY_NAME[sel.indicator]
        standing = self.peer_standing(sel)
        label = self.peer_label(sel)
        year = standing.year
        title = (f"{self._name(sel)} · {indicator.label} · {year or ''}年 · {label} · "
                 f"{standing.scope}")
        basis = (f"比较各地区{label}自己的报告,不含下级地区" + ("" if sel.kind != ALL_KINDS
                 else "和部门") + "(同级同类机关相比)") if sel.peer_tier == "own" else \
            "比较各地区全部机关的合计:各地区的机关构成不同,见每个地区的机关构成"
        if year is None:
            return with_title(charts.message_chart(standing.note),
                              f"{self._name(sel)} · {indicator.label} · {label}",
                              self.coverage(sel))
        frame = self.peer_frame(sel, year)
        if sel.peer_tier != "own":
            frame = frame.assign(name=frame["name"].astype(str) + "(" +
                                 frame["body_mix"].astype(str) + ")")
        known = frame.dropna(subset=["value"])
        if standing.has_spread and len(known) > MAX_PEER_BARS:
            chart = peer_distribution_chart(frame, indicator.label, indicator.is_rate)
            note = (f"阴影:{standing.n_ranked}个可排名地区的P10–P90;"
                    f"分布不含少于{SMALL_SAMPLE}件的地区")
        else:
            shown = known if len(known) <= MAX_PEER_BARS else pd.concat(
                [known[known["is_selected"].astype(bool)],
                 known[~known["is_selected"].astype(bool)].tail(MAX_PEER_BARS - 1)])
            chart = charts.peers_chart(shown, indicator.label, indicator.is_rate)
            note = (f"阴影:{standing.n_ranked}个可排名地区的P10–P90" if standing.has_spread
                    else f"可排名地区少于{MIN_SPREAD}个:不给分布,逐一列出")
            note += f";少于{SMALL_SAMPLE}件的地区(淡色)只列数不排名"
            if len(shown) < len(known):
                note += f";只画出数值最高的{len(shown) - 1}个地区和本地区"
        return with_title(chart, title, [basis, note])

    def composition(self, sel: Selection, group: str) -> pd.DataFrame:
        """`Corpus.composition` with labels shortened (不予公开理由:属于国家秘密 → 属于国家秘密):
        the chart's title already names the breakdown, and legends cut long labels."""
        def compute() -> pd.DataFrame:
            frame = self.corpus.composition(sel.adcode, group, sel.kind, sel.years)
            return frame.assign(label=frame["label"].astype(str).str.split(":", n=1).str[-1])
        return self._cached(("composition", sel.adcode, group, sel.kind, sel.years), compute)

    def bodies_by_year(self, sel: Selection) -> str:
        """'' when every selected year's figures come from the same bodies; else which
        bodies each year's come from (2019年 市级人民政府 1;2021年 县级政府部门 1), or, over
        more years, that they differ: the breakdowns' bars of two years may then be of
        different bodies."""
        frame = self.reports(sel).dropna(subset=["year"])
        if frame.empty:
            return ""
        bodies = frame.assign(_body=frame["body_id"].fillna(frame["report_id"]))
        sets = bodies.groupby("year")["_body"].agg(frozenset)
        if sets.nunique() <= 1:
            return ""
        if len(sets) > MAX_YEARS_LISTED:
            return "各年的机关不同:两年的柱子可能来自不同机关(同口径变化见“趋势”)"
        mixes = body_mix(frame, by=["year"])
        assert isinstance(mixes, pd.Series)
        listed = ";".join(f"{y}年 {m}" for y, m in mixes.items())
        return f"各年的机关不同:{listed}"

    def _breakdown_subtitle(self, sel: Selection) -> list[str]:
        note = self.bodies_by_year(sel)
        return [self.coverage(sel), note] if note else [self.coverage(sel)]

    def outcomes_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Granted / partial / refused / cannot provide / not processed / other, by year."""
        chart = charts.outcome_chart(self.composition(sel, "outcomes"), "办理结果构成")
        return with_title(chart, f"{self._name(sel)} · 办理结果构成",
                          self._breakdown_subtitle(sel))

    def refusals_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """The eight refusal reasons (不予公开理由), by year."""
        chart = charts.composition_chart(self.composition(sel, "refusal_mix"), "不予公开理由")
        return with_title(chart, f"{self._name(sel)} · 不予公开理由",
                          self._breakdown_subtitle(sel))

    def applicants_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Who asked (新收申请 by applicant type), by year."""
        chart = charts.composition_chart(self.composition(sel, "applicant_mix"),
                                         "申请人构成(新收申请)")
        return with_title(chart, f"{self._name(sel)} · 申请人构成(新收申请)",
                          self._breakdown_subtitle(sel))

    def correction_rates(self, sel: Selection) -> pd.DataFrame:
        """Review, litigation and combined correction rates by year, with their counts."""
        parts = [self.series(sel, name) for name in CORRECTION_RATES]
        return pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True)

    def review_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Review and litigation outcomes above their correction rates: one chart, one render."""
        counts = charts.review_chart(self.composition(sel, "review_counts"))
        rates = correction_chart(self.correction_rates(sel), "纠错率(纠正件数/案件总数)")
        return with_title(stack(counts, rates), f"{self._name(sel)} · 行政复议与行政诉讼",
                          self._breakdown_subtitle(sel))

    def quality_reports(self, sel: Selection) -> pd.DataFrame:
        """Reports failing an identity check or with blank, redacted or ambiguous cells."""
        frame = self.reports(sel)
        problems = frame[frame["is_problem"]]
        return problems.sort_values(["checks_failed", "share_redacted", "share_blank", "year"],
                                    ascending=[False, False, False, True]).reset_index(drop=True)

    def quality_frame(self, sel: Selection) -> pd.DataFrame:
        """Every file of the selection, the usable reports with their quality class and the
        files left out (`unusable`) as `UNUSABLE_QUALITY`, with why: the quality chart's
        data."""
        def compute() -> pd.DataFrame:
            usable = self.reports(sel).assign(is_usable=True, unusable_reason=None)
            unusable = self.unusable(sel).assign(quality=UNUSABLE_QUALITY, checks_failed=0,
                                                 is_problem=True)
            frame = pd.concat([usable, unusable], ignore_index=True)
            return frame.sort_values(["year", "agency", "path"], na_position="last",
                                     kind="stable").reset_index(drop=True)
        return self._cached(("quality", sel.adcode, sel.kind, sel.years), compute)

    def quality_chart(self, sel: Selection) -> alt.TopLevelMixin:
        """Files per year by quality class (the unusable ones too), for the data-quality tab."""
        chart = quality_chart(self.quality_frame(sel))
        left_out = len(self.unusable(sel))
        note = f"另有{left_out}份文件无法使用(深灰),未计入任何数字" if left_out else \
            "没有无法使用的文件"
        return with_title(chart, f"{self._name(sel)} · 数据质量:各年报告数",
                          [self.coverage(sel), note])

    def failed_checks(self, sel: Selection) -> pd.DataFrame:
        """The failed checks of the selection's usable reports, with each report's body and
        year; for a claim of the prose, its sentence and place."""
        return self._cached(("failed_checks", sel.adcode, sel.kind, sel.years),
                            lambda: self._failed_checks(sel))

    def _failed_checks(self, sel: Selection) -> pd.DataFrame:
        reports = self.reports(sel)
        head = ["agency", "year"]
        checks = self.checks_of([str(i) for i in reports["report_id"]])
        out = checks.merge(reports[["report_id", *head]], on="report_id", how="left")
        return out[[*head, *checks.columns]].sort_values(
            ["year", "agency", "check", "scope"], na_position="last",
            kind="stable").reset_index(drop=True)

    def checks_of(self, report_ids: list[str]) -> pd.DataFrame:
        """The failed checks of some reports (`Corpus.failing_checks`)."""
        return self.corpus.failing_checks(report_ids)

    # -- the table behind each chart (what the CSV download holds) ------------------------

    def table(self, view: str, sel: Selection) -> pd.DataFrame:
        """The data behind a view's chart, one row per figure drawn, in the columns of
        docs/DATA_DICTIONARY.md: what the explorer's CSV download holds (`table_labels`
        gives each column its Chinese name)."""
        if view not in VIEWS:
            raise KeyError(f"unknown view {view!r}; choose from {list(VIEWS)}")
        if view == "trend":
            series = self.series(sel)
            return series.assign(name=self._name(sel))[TREND_COLUMNS].reset_index(drop=True)
        if view == "peers":
            return self.peers(sel)[PEER_COLUMNS].reset_index(drop=True)
        if view == "quality":
            frame = self.quality_frame(sel)
            why = pd.Series([unusable_reason(r) if not r["is_usable"] else None
                             for r in frame.to_dict("records")], index=frame.index,
                            dtype="object")
            return frame.assign(unusable_reason=why).reindex(
                columns=QUALITY_COLUMNS).reset_index(drop=True)
        if view == "review":
            counts = self.composition(sel, "review_counts")
            rates = self.correction_rates(sel).assign(
                label=lambda f: f["indicator"].map(lambda n: BY_NAME[n].label))
            frame = pd.concat([counts, rates], ignore_index=True)
            return frame.reindex(columns=REVIEW_COLUMNS).reset_index(drop=True)
        group = {"outcomes": "outcomes", "refusals": "refusal_mix",
                 "applicants": "applicant_mix"}[view]
        return self.composition(sel, group)[COMPOSITION_COLUMNS].reset_index(drop=True)

    def drilldown(self, report_id: str, table: str = "requests") -> Drilldown:
        """One report's table laid out as printed, and each cell's source text and flag."""
        reports = self.corpus.all_reports
        match = reports[reports["report_id"] == report_id]
        if match.empty:
            raise KeyError(f"no report {report_id!r} in this store")
        cells = self.corpus.report_table(report_id, table)
        checks = self.checks_of([report_id])
        return Drilldown(match.iloc[0], table, table_grid(cells, table), cells, checks)

    # -- helpers -----------------------------------------------------------------------

    def _name(self, sel: Selection) -> str:
        return str(self.corpus.region_names.get(str(sel.adcode), sel.adcode))


def table_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A view's table with Chinese column names (`COLUMN_LABELS`), as the CSV holds it."""
    return frame.rename(columns={c: COLUMN_LABELS.get(c, c) for c in frame.columns})


def _float_or_none(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def _bodies_text(reports: pd.DataFrame) -> str:
    """'1个机关(县级人民政府 1)': the distinct bodies of some reports, by level and kind
    (each body counted once, at its latest report)."""
    if reports.empty:
        return "0个机关"
    latest = reports.sort_values("year", na_position="first").assign(
        _body=reports["body_id"].fillna(reports["report_id"])).drop_duplicates(
        "_body", keep="last")
    return f"{len(latest)}个机关({body_mix(latest)})"


def unusable_reason(row: Any) -> str:
    """Why a file is left out, for a reader: 只读出 11.1% 的表格单元格, 无法读取, …"""
    from toolkit.present.formatting import unusable_reason_text

    return unusable_reason_text(row.get("unusable_reason"), row.get("share_read"))


def selection_with(sel: Selection, **changes: object) -> Selection:
    """A copy of `sel` with some fields changed (widgets call this on every interaction)."""
    return replace(sel, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- tables

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
    "INCOMPARABLE", "PEER_GROUPS", "PEER_TIERS", "VIEWS", "Drilldown", "Headline",
    "PeerStanding", "Selection", "Views", "open_corpus", "selection_with", "table_grid",
    "table_labels", "unusable_reason",
]
