"""Chart builders: each takes a tidy DataFrame from `toolkit.analysis.corpus` and returns an `alt.Chart`.

They never display anything, so tests call `.to_dict()` and notebooks decide how to show
them. Data is aggregated before it reaches a chart (a few dozen rows at most), so the
embedded datasets stay small. `use_offline_renderer()` switches altair to SVG through
vl-convert: deterministic output, no CDN, Chinese glyphs from a CJK font on the machine.
"""
from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from toolkit.present.formatting import RANKED_LABEL, SMALL_LABEL
from toolkit.spec.vocab import SMALL_SAMPLE

FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto",
             "/usr/share/fonts/opentype", "/usr/share/fonts")
WIDTH = 520
HEIGHT = 220
SMALL_PEER = f"少于{SMALL_SAMPLE}件"
"""A peer under the guard rail, in the peers chart's legend (faded, not ranked)."""
OUTCOME_COLORS = ["#1a9850", "#91cf60", "#d73027", "#fc8d59", "#fee08b", "#999999"]


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
    alt.renderers.enable("svg")


def _style(chart: alt.Chart | alt.LayerChart) -> alt.Chart:
    return chart.configure(font=FONT).configure_title(font=FONT, anchor="start")


def message_chart(text: str) -> alt.Chart:
    """A chart that says why there is nothing to plot (no data, one report, …)."""
    frame = pd.DataFrame({"message": [text]})
    return _style(alt.Chart(frame).mark_text(size=14, color="#555").encode(
        text="message:N").properties(width=WIDTH, height=60))


def trend_chart(series: pd.DataFrame, title: str, is_rate: bool = True) -> alt.Chart:
    """An indicator by year with its counts in the tooltip; small counts drawn hollow."""
    frame = series.dropna(subset=["value"])
    if frame.empty:
        return message_chart(f"{title}: 所选范围内没有数据 (no data for this selection)")
    frame = frame.assign(
        year=frame["year"].astype(int),
        small=frame["is_small"].map({True: SMALL_LABEL, False: RANKED_LABEL}),
        numerator=frame["numerator"].astype(float),
        denominator=frame["denominator"].astype(float),
    )[["year", "value", "numerator", "denominator", "n_reports", "n_bodies", "small"]]
    value_format = ".1%" if is_rate else ",.0f"
    base = alt.Chart(frame).encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("value:Q", title=title, axis=alt.Axis(format=value_format)),
        tooltip=[alt.Tooltip("year:O", title="年份"),
                 alt.Tooltip("value:Q", title=title, format=value_format),
                 alt.Tooltip("numerator:Q", title="分子", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="分母", format=",.0f"),
                 alt.Tooltip("n_bodies:Q", title="机关数"),
                 alt.Tooltip("n_reports:Q", title="报告数"),
                 alt.Tooltip("small:N", title="样本")],
    )
    line = base.mark_line(color="#3b6ea5")
    points = base.mark_point(size=70, filled=True, color="#3b6ea5").encode(
        shape=alt.Shape("small:N", title="样本",
                        scale=alt.Scale(domain=[RANKED_LABEL, SMALL_LABEL],
                                        range=["circle", "triangle"])))
    return _style((line + points).properties(title=title, width=WIDTH, height=HEIGHT))


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
    return _style(chart.properties(title=title, width=WIDTH, height=HEIGHT))


def outcome_chart(frame: pd.DataFrame, title: str = "办理结果构成") -> alt.Chart:
    return composition_chart(frame, title, OUTCOME_COLORS)


def peers_chart(frame: pd.DataFrame, title: str, is_rate: bool = True) -> alt.Chart:
    """The selected region among its peers: one bar each, the P10–P90 band shaded."""
    data = frame.dropna(subset=["value"])
    if data.empty:
        return message_chart(f"{title}: 没有可比较的同级地区 (no peers with data)")
    data = data.assign(
        selected=data["is_selected"].map({True: "所选地区", False: "同级地区"}),
        small=data["is_small"].map({True: SMALL_PEER, False: RANKED_LABEL}),
    )[["name", "value", "numerator", "denominator", "n_bodies", "selected", "small"]]
    value_format = ".1%" if is_rate else ",.0f"
    low, high = data["value"].quantile(0.1), data["value"].quantile(0.9)
    band = alt.Chart(pd.DataFrame({"low": [low], "high": [high]})).mark_rect(
        opacity=0.12, color="#3b6ea5").encode(x="low:Q", x2="high:Q")
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("name:N", title=None, sort="-x"),
        x=alt.X("value:Q", title=title, axis=alt.Axis(format=value_format)),
        color=alt.Color("selected:N", title=None,
                        scale=alt.Scale(domain=["所选地区", "同级地区"], range=["#d95f02", "#9bb3cf"])),
        opacity=alt.Opacity("small:N", title="样本",
                            scale=alt.Scale(domain=[RANKED_LABEL, SMALL_PEER], range=[1.0, 0.45])),
        tooltip=[alt.Tooltip("name:N", title="地区"),
                 alt.Tooltip("value:Q", title=title, format=value_format),
                 alt.Tooltip("numerator:Q", title="分子", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="分母", format=",.0f"),
                 alt.Tooltip("n_bodies:Q", title="机关数")],
    )
    height = max(60, 18 * len(data))
    return _style((band + bars).properties(title=f"{title}(阴影:P10–P90)", width=WIDTH,
                                           height=height))


def review_chart(frame: pd.DataFrame, title: str = "行政复议与行政诉讼结果") -> alt.Chart:
    """Review and litigation outcomes by year, one panel per kind of case."""
    data = frame.dropna(subset=["count"])
    if data.empty or data["count"].sum() == 0:
        return message_chart(f"{title}: 没有复议或诉讼案件 (no review or litigation cases)")
    parts = data["label"].str.split("·", n=1, expand=True)
    data = data.assign(year=data["year"].astype(int), case=parts[0], result=parts[1])[
        ["year", "case", "result", "count", "order"]]
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title="年份"),
        y=alt.Y("count:Q", title="件数", stack="zero"),
        color=alt.Color("result:N", title="结果",
                        sort=["结果维持", "结果纠正", "其他结果", "尚未审结"]),
        column=alt.Column("case:N", title=None, sort=["行政复议", "直接起诉", "复议后起诉"]),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("case:N", title="类型"),
                 alt.Tooltip("result:N", title="结果"),
                 alt.Tooltip("count:Q", title="件数", format=",.0f")],
    ).properties(width=150, height=HEIGHT, title=title)
    return _style(chart)
