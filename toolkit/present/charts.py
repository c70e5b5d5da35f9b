"""Chart builders: each takes a tidy DataFrame from `toolkit.analysis.corpus` and returns an `alt.Chart`.

They never display anything, so tests call `.to_dict()` and notebooks decide how to show
them. Data is aggregated before it reaches a chart (a few dozen rows at most), so the
embedded datasets stay small. `use_offline_renderer()` switches altair to SVG through
vl-convert: deterministic output, no CDN, Chinese glyphs from a CJK font on the machine.

How charts look is declared once: the altair theme `ogi` (font, title placement, the
default view size), registered and enabled when this module is imported, and the sizes and
colours below. Builders set only what differs per chart (its data, encodings, title and
size); none calls `.configure_*`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import altair as alt
import numpy as np
import pandas as pd

from toolkit.analysis.indicators import BY_NAME
from toolkit.present.formatting import NO_DATA, RANKED_LABEL, SMALL_LABEL, fmt_value
from toolkit.spec.vocab import MIN_PEERS_FOR_SPREAD, SMALL_SAMPLE

FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto",
             "/usr/share/fonts/opentype", "/usr/share/fonts")
WIDTH = 520
HEIGHT = 220
MESSAGE_HEIGHT = 60
PANEL_WIDTH = 150
"""Width of each panel of a chart faceted into columns (review and litigation)."""

LINE = "#3b6ea5"
"""A region's own figure: trend points, the shaded P10–P90 band."""
MATCHED = "#1b7837"
"""A change between two years over the bodies of both (the trend chart's segments)."""
SELECTED = "#d95f02"
"""The selected region among its peers."""
PEER = "#9bb3cf"
"""The other regions of a peer comparison."""
MUTED = "#555"
"""Messages and subtitles."""
OUTCOME_COLORS = ["#1a9850", "#91cf60", "#d73027", "#fc8d59", "#fee08b", "#999999"]
QUALITY_ORDER = ["未通过勾稽校验", "含空白或涂黑单元格", "含无法拆分的数字", "全部校验通过",
                 "无法校验(表格不全)", "无法使用(未计入数字)"]
"""The explorer's quality classes of a report, worst first (and their colours below); the
last is a file the figures leave out (`Corpus.unusable`)."""
QUALITY_COLORS = ["#d73027", "#fc8d59", "#fee08b", "#1a9850", "#bbbbbb", "#636363"]
CORRECTION_RATES = ("review_correction_rate", "litigation_correction_rate",
                    "combined_correction_rate")
SMALL_PEER = f"少于{SMALL_SAMPLE}件"
"""A peer under the guard rail, in the peers chart's legend (faded, not ranked)."""

THEME = "ogi"


@alt.theme.register(THEME, enable=True)
def theme() -> alt.theme.ThemeConfig:
    """The look every chart shares: the CJK font everywhere, titles on the left.

    The view size is altair's default (charts set their own width and height).
    """
    return {"config": {"view": {"continuousWidth": 300, "continuousHeight": 300},
                       "font": FONT, "title": {"font": FONT, "anchor": "start"}}}


def cjk_font_directory() -> str | None:
    """A folder holding a CJK font (Debian's fonts-noto-cjk), if the machine has one."""
    for folder in FONT_DIRS:
        path = Path(folder)
        if path.is_dir() and any(path.rglob("*CJK*")):
            return folder
    return None


def use_offline_renderer() -> None:
    """Render charts as SVG via vl-convert: no network, same bytes every run, CJK glyphs."""
    import vl_convert

    folder = cjk_font_directory()
    if folder:
        vl_convert.register_font_directory(folder)
    alt.theme.enable(THEME)
    alt.renderers.enable("svg")


def _value_format(is_rate: bool) -> str:
    return ".1%" if is_rate else ",.0f"


# ---------------------------------------------------------------------------- titles, stacks

def with_title(chart: alt.TopLevelMixin, title: str, subtitle: str | list[str] | None = None
               ) -> alt.TopLevelMixin:
    """Set a chart's title and a subtitle saying which region, bodies and years it covers
    (a list: one line each).

    The chart is changed in place (a fresh chart from a builder; copying costs more than the
    rest of building it) and returned."""
    cast(Any, chart).title = alt.TitleParams(text=title, subtitle=subtitle or alt.Undefined,
                                             anchor="start", font=FONT, subtitleFont=FONT,
                                             subtitleColor=MUTED)
    return chart


def stack(*parts: alt.TopLevelMixin) -> alt.VConcatChart:
    """Several charts as one, one above the other (one render instead of several)."""
    return alt.VConcatChart(vconcat=cast(Any, list(parts)), spacing=28,
                            resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


# ---------------------------------------------------------------------------- builders

def message_chart(text: str) -> alt.Chart:
    """A chart that says why there is nothing to plot (no data, one report, …)."""
    frame = pd.DataFrame({"message": [text]})
    return alt.Chart(frame).mark_text(size=14, color=MUTED).encode(
        text="message:N").properties(width=WIDTH, height=MESSAGE_HEIGHT)


ALL_BODIES = "各年全部机关合计"
"""The trend chart's points: each year's figure over every body that reported that year."""
MATCHED_SERIES = "同口径变化(相邻两年都有报告的机关)"
"""The trend chart's segments: each change between two years over the bodies of both."""


def _changes_marked(frame: pd.DataFrame) -> pd.Series:
    """'机关 +1 −2' where the bodies behind a year's figure differ from the year before's."""
    if not {"n_bodies_entered", "n_bodies_left"} <= set(frame.columns):
        return pd.Series("", index=frame.index, dtype="object")
    entered = pd.to_numeric(frame["n_bodies_entered"], errors="coerce").fillna(0).astype(int)
    left = pd.to_numeric(frame["n_bodies_left"], errors="coerce").fillna(0).astype(int)
    text = [("机关" + (f" +{e}" if e else "") + (f" −{n}" if n else "")) if e or n else ""
            for e, n in zip(entered, left, strict=True)]
    return pd.Series(text, index=frame.index, dtype="object")


def trend_chart(series: pd.DataFrame, title: str, is_rate: bool = True) -> alt.LayerChart | alt.Chart:
    """An indicator by year, like for like.

    Points: each year's figure over all the bodies that reported it (counts in the tooltip,
    small counts drawn as triangles), marked `机关 +a −b` where the bodies behind it differ
    from the year before. Lines: only between two years with bodies in common, from the
    earlier to the later figure of those bodies (`value_prev_matched` → `value_matched`),
    so no line joins two figures of different bodies; a gap is a change that cannot be
    computed (不可比).
    """
    frame = series.dropna(subset=["value"])
    if frame.empty:
        return message_chart(f"{title}: 所选范围内没有数据 (no data for this selection)")
    years = sorted(int(y) for y in frame["year"])
    frame = frame.assign(
        year=frame["year"].astype(int),
        small=frame["is_small"].map({True: SMALL_LABEL, False: RANKED_LABEL}),
        numerator=frame["numerator"].astype(float),
        denominator=frame["denominator"].astype(float),
        series=ALL_BODIES,
        changed=_changes_marked(frame),
        mix=frame["body_mix"] if "body_mix" in frame.columns else "",
    )[["year", "value", "numerator", "denominator", "n_reports", "n_bodies", "small", "series",
       "changed", "mix"]]
    value_format = _value_format(is_rate)
    year_scale = alt.Scale(domain=[years[0] - 0.4, years[-1] + 0.4], nice=False, zero=False)
    year_axis = alt.Axis(format="d", values=years, grid=False)
    x = alt.X("year:Q", title="年份", scale=year_scale, axis=year_axis)
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400),
                      scale=alt.Scale(domain=[ALL_BODIES, MATCHED_SERIES], range=[LINE, MATCHED]))
    points = alt.Chart(frame).mark_point(size=70, filled=True).encode(
        x=x, y=alt.Y("value:Q", title=title, axis=alt.Axis(format=value_format)),
        color=color,
        shape=alt.Shape("small:N", title="样本",
                        scale=alt.Scale(domain=[RANKED_LABEL, SMALL_LABEL],
                                        range=["circle", "triangle"])),
        tooltip=[alt.Tooltip("year:O", title="年份"),
                 alt.Tooltip("value:Q", title=title, format=value_format),
                 alt.Tooltip("numerator:Q", title="分子", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="分母", format=",.0f"),
                 alt.Tooltip("n_bodies:Q", title="机关数"),
                 alt.Tooltip("n_reports:Q", title="报告数"),
                 alt.Tooltip("mix:N", title="机关构成"),
                 alt.Tooltip("small:N", title="样本")],
    )
    layers: list[alt.Chart] = [points]
    changed = frame[frame["changed"] != ""]
    if len(changed):
        layers.append(alt.Chart(changed).mark_text(dy=-12, fontSize=11, color=MUTED).encode(
            x=x, y=alt.Y("value:Q", title=title), text="changed:N"))
    columns = {"n_bodies_matched", "value_prev_matched", "value_matched"}
    if columns <= set(series.columns):
        pairs = series[pd.to_numeric(series["n_bodies_matched"], errors="coerce").fillna(0) > 0]
        pairs = pairs.dropna(subset=["value_prev_matched", "value_matched"])
        if len(pairs):
            segments = pd.DataFrame({
                "year_from": pairs["year"].astype(int) - 1, "year": pairs["year"].astype(int),
                "value_from": pairs["value_prev_matched"].astype(float),
                "value": pairs["value_matched"].astype(float),
                "n_bodies_matched": pairs["n_bodies_matched"].astype(int),
                "series": MATCHED_SERIES})
            layers.append(alt.Chart(segments).mark_rule(strokeWidth=2).encode(
                x=alt.X("year_from:Q", title="年份", scale=year_scale, axis=year_axis), x2="year:Q",
                y=alt.Y("value_from:Q", title=title, axis=alt.Axis(format=value_format)),
                y2="value:Q", color=color,
                tooltip=[alt.Tooltip("year_from:O", title="从"), alt.Tooltip("year:O", title="到"),
                         alt.Tooltip("value_from:Q", title="上年(同口径)", format=value_format),
                         alt.Tooltip("value:Q", title="本年(同口径)", format=value_format),
                         alt.Tooltip("n_bodies_matched:Q", title="同口径机关数")]))
    return cast(alt.LayerChart, alt.layer(*layers)).properties(
        title=title, width=WIDTH, height=HEIGHT)


def composition_chart(frame: pd.DataFrame, title: str, colors: list[str] | None = None
                      ) -> alt.Chart:
    """Stacked bars by year of a breakdown (outcomes, refusal reasons, applicants)."""
    data = frame.dropna(subset=["count"])
    if data.empty or data["count"].sum() == 0:
        return message_chart(f"{title}: 所选范围内没有数据 (no data for this selection)")
    data = data.assign(year=data["year"].astype(int))[["year", "label", "count", "share",
                                                        "order"]]
    labels = list(dict.fromkeys(data.sort_values("order")["label"]))
    color = alt.Color("label:N", title="类别", sort=labels,
                      scale=alt.Scale(domain=labels, range=colors) if colors else alt.Undefined)
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("count:Q", title="件数", stack="zero"),
        color=color,
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("label:N", title="类别"),
                 alt.Tooltip("count:Q", title="件数", format=",.0f"),
                 alt.Tooltip("share:Q", title="占比", format=".1%")],
    )
    return chart.properties(title=title, width=WIDTH, height=HEIGHT)


def outcome_chart(frame: pd.DataFrame, title: str = "办理结果构成") -> alt.Chart:
    return composition_chart(frame, title, OUTCOME_COLORS)


def peers_chart(frame: pd.DataFrame, title: str, is_rate: bool = True) -> alt.Chart:
    """The selected region among its peers: one bar each; the P10–P90 band shaded only over
    at least `MIN_PEERS_FOR_SPREAD` rankable peers (fewer are just listed)."""
    data = frame.dropna(subset=["value"])
    if data.empty:
        return message_chart(f"{title}: 没有可比较的同级地区 (no peers with data)")
    ranked = data[~data["is_small"].astype(bool)]
    data = data.assign(
        selected=data["is_selected"].map({True: "所选地区", False: "同级地区"}),
        small=data["is_small"].map({True: SMALL_PEER, False: RANKED_LABEL}),
    )[["name", "value", "numerator", "denominator", "n_bodies", "selected", "small"]]
    value_format = _value_format(is_rate)
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("name:N", title=None, sort="-x"),
        x=alt.X("value:Q", title=title, axis=alt.Axis(format=value_format)),
        color=alt.Color("selected:N", title=None,
                        scale=alt.Scale(domain=["所选地区", "同级地区"], range=[SELECTED, PEER])),
        opacity=alt.Opacity("small:N", title="样本",
                            scale=alt.Scale(domain=[RANKED_LABEL, SMALL_PEER], range=[1.0, 0.45])),
        tooltip=[alt.Tooltip("name:N", title="地区"),
                 alt.Tooltip("value:Q", title=title, format=value_format),
                 alt.Tooltip("numerator:Q", title="分子", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="分母", format=",.0f"),
                 alt.Tooltip("n_bodies:Q", title="机关数")],
    )
    height = max(60, 18 * len(data))
    if len(ranked) < MIN_PEERS_FOR_SPREAD:
        return bars.properties(title=f"{title}(可排名地区少于{MIN_PEERS_FOR_SPREAD}个,只列出)",
                               width=WIDTH, height=height)
    low, high = ranked["value"].quantile(0.1), ranked["value"].quantile(0.9)
    band = alt.Chart(pd.DataFrame({"low": [low], "high": [high]})).mark_rect(
        opacity=0.12, color=LINE).encode(x="low:Q", x2="high:Q")
    return (band + bars).properties(title=f"{title}(阴影:P10–P90)", width=WIDTH, height=height)


def review_chart(frame: pd.DataFrame, title: str = "行政复议与行政诉讼结果") -> alt.Chart:
    """Review and litigation outcomes by year, one panel per kind of case."""
    data = frame.dropna(subset=["count"])
    if data.empty or data["count"].sum() == 0:
        return message_chart(f"{title}: 没有复议或诉讼案件 (no review or litigation cases)")
    parts = data["label"].str.split("·", n=1, expand=True)
    data = data.assign(year=data["year"].astype(int), case=parts[0], result=parts[1])[
        ["year", "case", "result", "count", "order"]]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("count:Q", title="件数", stack="zero"),
        color=alt.Color("result:N", title="结果",
                        sort=["结果维持", "结果纠正", "其他结果", "尚未审结"]),
        column=alt.Column("case:N", title=None, sort=["行政复议", "直接起诉", "复议后起诉"]),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("case:N", title="类型"),
                 alt.Tooltip("result:N", title="结果"),
                 alt.Tooltip("count:Q", title="件数", format=",.0f")],
    ).properties(width=PANEL_WIDTH, height=HEIGHT, title=title)


# ---------------------------------------------------------------------------- the explorer's

def peer_distribution_chart(frame: pd.DataFrame, title: str, is_rate: bool = True,
                            bins: int = 20) -> alt.Chart | alt.LayerChart:
    """Many peers as a histogram (binned here, so a few rows reach the chart), the selected
    region marked by a rule; peers under `SMALL_SAMPLE` requests are left out of the distribution."""
    data = frame.dropna(subset=["value"])
    ranked = data[~data["is_small"].astype(bool)]
    selected = data[data["is_selected"].astype(bool)]
    if len(ranked) < MIN_PEERS_FOR_SPREAD:
        return message_chart(f"{title}: 没有可比较的同级地区(分母不少于{SMALL_SAMPLE}件的"
                             f"地区少于{MIN_PEERS_FOR_SPREAD}个)")
    values = ranked["value"].to_numpy(dtype=float)
    edges = np.histogram_bin_edges(values, bins=min(bins, max(1, len(np.unique(values)))))
    counts, edges = np.histogram(values, bins=edges)
    hist = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "n": counts})
    value_format = _value_format(is_rate)
    low, high = np.quantile(values, [0.1, 0.9])
    band = alt.Chart(pd.DataFrame({"low": [low], "high": [high]})).mark_rect(
        opacity=0.12, color=LINE).encode(x="low:Q", x2="high:Q")
    bars = alt.Chart(hist).mark_bar(color=PEER, binSpacing=1).encode(
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
            label=lambda f: f["name"] + " " + f["value"].map(
                lambda v: fmt_value(v, is_rate, missing=NO_DATA)))[
            ["name", "value", "numerator", "denominator", "label"]]
        rule = alt.Chart(mark).mark_rule(color=SELECTED, strokeWidth=2.5).encode(
            x="value:Q",
            tooltip=[alt.Tooltip("name:N", title="所选地区"),
                     alt.Tooltip("value:Q", title=title, format=value_format),
                     alt.Tooltip("numerator:Q", title="分子", format=",.0f"),
                     alt.Tooltip("denominator:Q", title="分母", format=",.0f")])
        text = alt.Chart(mark).mark_text(align="left", dx=4, dy=-6, color=SELECTED,
                                         fontWeight="bold").encode(
            x="value:Q", y=alt.value(0), text="label:N")
        layers += [rule, text]
    return cast(alt.LayerChart, alt.layer(*layers)).properties(
        title=f"{title}(阴影:P10–P90;{len(ranked)}个地区)", width=WIDTH, height=HEIGHT)


def correction_chart(frame: pd.DataFrame, title: str = "纠错率") -> alt.Chart | alt.LayerChart:
    """Review, litigation and combined correction rates by year, counts in the tooltip."""
    data = frame.dropna(subset=["value"])
    if data.empty:
        return message_chart(f"{title}: 没有已审结的复议或诉讼 (no decided cases)")
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
    return (base.mark_line() + base.mark_point(filled=True, size=60)).properties(
        title=title, width=WIDTH, height=160)


def quality_chart(frame: pd.DataFrame, title: str = "数据质量:各年报告数") -> alt.Chart:
    """Reports by year and quality class (failing checks, blank/redacted cells, …)."""
    if frame.empty:
        return message_chart(f"{title}: 所选范围内没有报告 (no reports for this selection)")
    data = (frame.dropna(subset=["year"]).assign(year=lambda f: f["year"].astype(int))
            .groupby(["year", "quality"]).size().rename("n").reset_index())
    data["order"] = data["quality"].map(QUALITY_ORDER.index)
    most = int(data.groupby("year")["n"].sum().max()) if len(data) else 0
    ticks = list(range(most + 1)) if most <= 10 else alt.Undefined  # whole reports only
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("n:Q", title="报告数", stack="zero", axis=alt.Axis(format="d", values=ticks)),
        color=alt.Color("quality:N", title="质量", sort=QUALITY_ORDER,
                        scale=alt.Scale(domain=QUALITY_ORDER, range=QUALITY_COLORS)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("quality:N", title="质量"),
                 alt.Tooltip("n:Q", title="报告数")],
    ).properties(title=title, width=WIDTH, height=180)


__all__ = [
    "FONT", "HEIGHT", "THEME", "WIDTH", "cjk_font_directory", "composition_chart",
    "correction_chart", "message_chart", "outcome_chart", "peer_distribution_chart",
    "peers_chart", "quality_chart", "review_chart", "stack", "theme", "trend_chart",
    "use_offline_renderer", "with_title",
]
