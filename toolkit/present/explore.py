"""View models for the explorer: the data behind each view, aggregated and ready to plot.

Why a layer between `toolkit.analysis.corpus` and the widgets: the explorer asks the same few
questions on every interaction, so the answers come from indexes built once per store
(row positions of each region's and each peer group's figures in the roll-ups, each
report's region at every level),
an interaction costs a few lookups and one chart render, and every function here is
testable without widgets or a browser. Charts are rendered to SVG by vl-convert (offline,
same bytes every run, CJK font registered), with each mark's description turned into a
hover tooltip.
"""
from __future__ import annotations

import html
import json
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

import altair as alt
import numpy as np
import pandas as pd

from toolkit.analysis.corpus import Corpus, Region
from toolkit.analysis.indicators import BY_NAME, INDICATORS
from toolkit.present import charts
from toolkit.present.formatting import (
    NO_DATA,
    fmt_count,
    fmt_number,
    fmt_rate,
    fmt_value,
    fmt_years,
    is_missing,
)
from toolkit.spec.template import load_template
from toolkit.spec.vocab import ALL_KINDS, FLAG_LABELS, KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

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
CORRECTION_RATES = ("review_correction_rate", "litigation_correction_rate",
                    "combined_correction_rate")
MAX_PEER_BARS = 40
MIN_RANKED = 2  # a rank among fewer peers says nothing
MIN_SPREAD = 5  # nor does a P10–P90 spread of fewer
MEMO_SIZE = 256
T = TypeVar("T")
QUALITY_ROWS = 50
QUALITY_ORDER = ["未通过勾稽校验", "含空白或涂黑单元格", "含无法拆分的数字", "全部校验通过",
                 "无法校验(表格不全)"]
QUALITY_COLORS = ["#d73027", "#fc8d59", "#fee08b", "#1a9850", "#bbbbbb"]


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


# ---------------------------------------------------------------------------- rendering

_FONTS_REGISTERED = False
_MEASURE_TRIED = False
_MEASURE_FAMILY: str | None = None
_TOOLTIP = re.compile(r'<(path|circle|rect|line|text|symbol)\b([^>]*?)\saria-label="([^"]*)"'
                      r'([^>]*?)(/>|>)')
_HIDDEN_FIELDS = re.compile(r"(?:^|; )(?:order|selected|small|low|high): [^;]*")


def register_cjk_font(fast: bool = True) -> str | None:
    """Give vl-convert the machine's CJK font once, so Chinese never renders as boxes.

    With `fast`, also register a small subset of the same font (see `measure_font`) and
    return its family name; None when only the full font is available.
    """
    global _FONTS_REGISTERED, _MEASURE_TRIED, _MEASURE_FAMILY
    import vl_convert

    if not _FONTS_REGISTERED:
        folder = charts.cjk_font_directory()
        if folder:
            vl_convert.register_font_directory(folder)
        _FONTS_REGISTERED = True
    if fast and not _MEASURE_TRIED:
        _MEASURE_TRIED = True
        try:
            subset = measure_font()
        except Exception:  # no fontTools, unreadable font, read-only cache: stay slow
            subset = None
        if subset is not None:
            vl_convert.register_font_directory(str(subset[0].parent))
            _MEASURE_FAMILY = subset[1]
    return _MEASURE_FAMILY if fast else None


def _font_characters() -> str:
    """Every character the explorer's charts can show: division names (titles, peer bars),
    template and indicator labels, the chart modules' own strings, printable ASCII."""
    from toolkit.places.gazetteer import load_gazetteer

    chars = {chr(c) for c in range(32, 127)} | set("·—–…“”‘’、,。:;!?()【】《》%‰≥≤±×")
    for division in load_gazetteer().divisions.values():
        for name in (division.name, division.province, division.city):
            chars |= set(name or "")
    chars |= {c for i in INDICATORS for c in i.label}
    here = Path(__file__).parent
    for source in ("charts.py", "explore.py", "widgets.py", "template.toml", "indicators.py"):
        path = here / source
        if path.exists():
            chars |= set(path.read_text(encoding="utf-8"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def measure_font(cache_dir: Path | None = None) -> tuple[Path, str] | None:
    """A subset of the CJK font holding the characters charts show, built once and cached.

    Why: vl-convert measures every text item by re-opening and parsing the font file, and
    Noto Sans CJK is a 19 MB collection, so text measurement dominated render time (about
    3× slower than with this 300 KB subset). Charts name the subset first and the full font
    after it: widths are the same glyphs' widths, characters outside the subset fall back
    to the full font, and the family is removed from the SVG again (`SvgRenderer`).
    Returns (file, family) or None when there is no CJK font or no fontTools.
    """
    folder = charts.cjk_font_directory()
    if folder is None:
        return None
    sources = sorted(p for p in Path(folder).rglob("*SansCJK*Regular*") if p.is_file())
    if not sources:
        return None
    source = sources[0]
    import hashlib

    from fontTools import subset as ft_subset
    from fontTools import version as ft_version
    from fontTools.ttLib import TTCollection, TTFont

    text = _font_characters()
    stat = source.stat()
    digest = hashlib.sha256(
        f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{ft_version}|{charts.FONT}|{text}".encode()
    ).hexdigest()[:12]
    # letters only: a family token starting with a digit is not a valid CSS name, and the
    # measurer would silently fall back to estimating widths
    family = "OGI Measure " + "".join(chr(ord("a") + int(c, 16)) for c in digest)
    base = cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = base / "ogi-toolkit" / "fonts" / digest / "measure.otf"
    if target.exists():
        return target, family
    if source.suffix.lower() == ".ttc":
        names = [f["name"].getDebugName(1) for f in TTCollection(str(source), lazy=True).fonts]
        if charts.FONT not in names:
            return None
        font = TTFont(str(source), fontNumber=names.index(charts.FONT), lazy=True)
    else:
        font = TTFont(str(source), lazy=True)
    options = ft_subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 5, 6, 16, 17]
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 4:
            record.string = f"{family} Regular"
        elif record.nameID == 6:
            record.string = family.replace(" ", "") + "-Regular"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)
    return target, family


def _with_tooltips(svg: str) -> str:
    """Turn each mark's aria description into an SVG <title>: a hover tooltip, no JavaScript."""
    def title(match: re.Match[str]) -> str:
        tag, before, label, after, end = match.groups()
        if 'role="graphics-symbol"' not in before + after:
            return match.group(0)
        text = _HIDDEN_FIELDS.sub("", html.unescape(label)).strip("; ")
        head = f'<{tag}{before} aria-label="{label}"{after}>'
        tip = f"<title>{html.escape(text, quote=False)}</title>"
        return head + tip + (f"</{tag}>" if end == "/>" else "")
    return _TOOLTIP.sub(title, svg)


class SvgRenderer:
    """Chart → SVG string through vl-convert, with tooltips; recent results kept (LRU)."""

    def __init__(self, cache_size: int = 64, fast: bool = True) -> None:
        self.cache_size = cache_size
        self.fast = fast
        self._cache: OrderedDict[str, str] = OrderedDict()

    def __call__(self, chart: alt.TopLevelMixin) -> str:
        import vl_convert

        family = register_cjk_font(self.fast)
        key = json.dumps(chart.to_dict(validate=False), sort_keys=True, ensure_ascii=False,
                         default=str)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        full = json.dumps(charts.FONT)
        spec = json.loads(key.replace(full, json.dumps(family)) if family else key)
        svg = vl_convert.vegalite_to_svg(spec)
        if family:
            svg = svg.replace(f'font-family="{family}"', f'font-family="{charts.FONT}"')
        svg = _with_tooltips(svg)
        if self.cache_size:
            self._cache[key] = svg
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return svg


def export_chart(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> Path:
    """Write a chart to .svg or .png with the CJK font (what a report or slide needs)."""
    import vl_convert

    register_cjk_font(fast=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = chart.to_dict()
    if path.suffix.lower() == ".svg":
        path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
    elif path.suffix.lower() == ".png":
        path.write_bytes(vl_convert.vegalite_to_png(spec, scale=scale))
    else:
        raise ValueError(f"{path}: export to .svg or .png")
    return path


# ---------------------------------------------------------------------------- extra charts
# Builders the explorer needs beyond toolkit.present.charts (candidates to move there).

def with_title(chart: alt.TopLevelMixin, title: str, subtitle: str | None = None
               ) -> alt.TopLevelMixin:
    """Set a chart's title and a subtitle saying which region, bodies and years it covers.

    The chart is changed in place (a fresh chart from a builder; copying costs more than the
    rest of building it) and returned."""
    cast(Any, chart).title = alt.TitleParams(text=title, subtitle=subtitle or alt.Undefined,
                                  anchor="start", font=charts.FONT, subtitleFont=charts.FONT,
                                  subtitleColor="#555")
    return chart


def stack(*parts: alt.TopLevelMixin) -> alt.VConcatChart:
    """Several styled charts as one (one render instead of several); the first one's style."""
    config = parts[0].to_dict(validate=False).get("config", {})
    bare = []
    for part in parts:
        copy = cast(Any, part).copy(deep=True)
        copy.config = alt.Undefined
        bare.append(copy)
    return alt.VConcatChart(vconcat=bare, spacing=28, config=config,
                            resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


def peer_distribution_chart(frame: pd.DataFrame, title: str, is_rate: bool = True,
                            bins: int = 20) -> alt.Chart:
    """Many peers as a histogram (binned here, so a few rows reach the chart), the selected
    region marked by a rule; peers under `SMALL_SAMPLE` requests are left out of the distribution."""
    data = frame.dropna(subset=["value"])
    ranked = data[~data["is_small"].astype(bool)]
    selected = data[data["is_selected"].astype(bool)]
    if ranked.empty:
        return charts.message_chart(f"{title}: 没有可比较的同级地区 (no peers with {SMALL_SAMPLE}+ requests)")
    values = ranked["value"].to_numpy(dtype=float)
    edges = np.histogram_bin_edges(values, bins=min(bins, max(1, len(np.unique(values)))))
    counts, edges = np.histogram(values, bins=edges)
    hist = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "n": counts})
    value_format = ".1%" if is_rate else ",.0f"
    low, high = np.quantile(values, [0.1, 0.9])
    band = alt.Chart(pd.DataFrame({"low": [low], "high": [high]})).mark_rect(
        opacity=0.12, color="#3b6ea5").encode(x="low:Q", x2="high:Q")
    bars = alt.Chart(hist).mark_bar(color="#9bb3cf", binSpacing=1).encode(
        x=alt.X("start:Q", bin="binned", title=title, axis=alt.Axis(format=value_format)),
        x2="end:Q",
        y=alt.Y("n:Q", title="地区数"),
        tooltip=[alt.Tooltip("start:Q", title="从", format=value_format),
                 alt.Tooltip("end:Q", title="到", format=value_format),
                 alt.Tooltip("n:Q", title="地区数")],
    )
    layers: list[alt.Chart] = [band, bars]
    if not selected.empty:
        mark = selected.iloc[[0]].assign(
            label=lambda f: f["name"] + " " + f["value"].map(lambda v: fmt_value(v, is_rate, missing=NO_DATA)))[
            ["name", "value", "numerator", "denominator", "label"]]
        rule = alt.Chart(mark).mark_rule(color="#d95f02", strokeWidth=2.5).encode(
            x="value:Q",
            tooltip=[alt.Tooltip("name:N", title="所选地区"),
                     alt.Tooltip("value:Q", title=title, format=value_format),
                     alt.Tooltip("numerator:Q", title="分子", format=",.0f"),
                     alt.Tooltip("denominator:Q", title="分母", format=",.0f")])
        text = alt.Chart(mark).mark_text(align="left", dx=4, dy=-6, color="#d95f02",
                                         fontWeight="bold").encode(
            x="value:Q", y=alt.value(0), text="label:N")
        layers += [rule, text]
    chart = alt.layer(*layers).properties(
        title=f"{title}(阴影:P10–P90;{len(ranked)}个地区)", width=charts.WIDTH,
        height=charts.HEIGHT)
    return chart.configure(font=charts.FONT).configure_title(font=charts.FONT, anchor="start")


def correction_chart(frame: pd.DataFrame, title: str = "纠错率") -> alt.Chart:
    """Review, litigation and combined correction rates by year, counts in the tooltip."""
    data = frame.dropna(subset=["value"])
    if data.empty:
        return charts.message_chart(f"{title}: 没有已审结的复议或诉讼 (no decided cases)")
    data = data.assign(year=data["year"].astype(int),
                       label=data["indicator"].map(lambda n: BY_NAME[n].label))[
        ["year", "label", "value", "numerator", "denominator"]]
    labels = [BY_NAME[n].label for n in CORRECTION_RATES]
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("value:Q", title=title, axis=alt.Axis(format=".0%")),
        color=alt.Color("label:N", title="类型", sort=labels),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("label:N", title="类型"),
                 alt.Tooltip("value:Q", title=title, format=".1%"),
                 alt.Tooltip("numerator:Q", title="纠正件数", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="案件总数", format=",.0f")])
    chart = (base.mark_line() + base.mark_point(filled=True, size=60)).properties(
        title=title, width=charts.WIDTH, height=160)
    return chart.configure(font=charts.FONT).configure_title(font=charts.FONT, anchor="start")


def quality_chart(frame: pd.DataFrame, title: str = "数据质量:各年报告数") -> alt.Chart:
    """Reports by year and quality class (failing checks, blank/redacted cells, …)."""
    if frame.empty:
        return charts.message_chart(f"{title}: 所选范围内没有报告 (no reports for this selection)")
    data = (frame.dropna(subset=["year"]).assign(year=lambda f: f["year"].astype(int))
            .groupby(["year", "quality"]).size().rename("n").reset_index())
    data["order"] = data["quality"].map(QUALITY_ORDER.index)
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("n:Q", title="报告数", stack="zero"),
        color=alt.Color("quality:N", title="质量", sort=QUALITY_ORDER,
                        scale=alt.Scale(domain=QUALITY_ORDER, range=QUALITY_COLORS)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("quality:N", title="质量"),
                 alt.Tooltip("n:Q", title="报告数")])
    return chart.properties(title=title, width=charts.WIDTH, height=180).configure(
        font=charts.FONT).configure_title(font=charts.FONT, anchor="start")


# ---------------------------------------------------------------------------- view models

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
        """(label, name) of the indicators of METRICS.md, grouped, Chinese first."""
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
        """The indicator by year, titled with the region and what the figure covers."""
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
            f"<td align='right'>{fmt_count(c.expected, missing='')}</td><td align='right'>{fmt_count(c.actual, missing='')}</td></tr>"
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
        figure = (f"<div>{html.escape(indicator.label)}:<b class='ogi-value'>无数据</b> "
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


__all__ = [
    "PEER_GROUPS", "VIEWS", "Drilldown", "Headline", "Selection",
    "SvgRenderer", "Views", "cells_html", "correction_chart",
    "export_chart", "grid_html", "headline_html", "open_corpus",
    "peer_distribution_chart", "quality_chart", "quality_html",
    "selection_with", "stack", "table_grid", "with_title",
]
