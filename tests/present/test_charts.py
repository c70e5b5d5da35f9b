"""Chart builders through `.to_dict()`: fields, aggregation, Chinese titles; SVG and PNG output.

Frames are tiny and hand-made (what `toolkit.analysis.corpus` returns), so each test names the
behaviour it guards. Rendering tests need vl-convert and a CJK font (fonts-noto-cjk).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit.present import charts
from toolkit.present.charts import (
    correction_chart,
    peer_distribution_chart,
    quality_chart,
    stack,
    with_title,
)
from toolkit.present.render import SvgRenderer, export_chart

CJK = re.compile(r"[\u4e00-\u9fff]")


def series(values: list[float | None], years: list[int] | None = None,
           denominators: list[float] | None = None) -> pd.DataFrame:
    years = years or list(range(2019, 2019 + len(values)))
    denominators = denominators or [100.0] * len(values)
    numerators = [None if v is None else v * d for v, d in zip(values, denominators, strict=True)]
    return pd.DataFrame({
        "region": "210000", "indicator": "disclosure_rate", "year": years,
        "numerator": numerators, "denominator": denominators,
        "value": [np.nan if v is None else v for v in values],
        "n_reports": 3, "n_bodies": 2,
        "is_small": [d < 30 for d in denominators], "yoy_pct": np.nan,
    })


def with_panel(frame: pd.DataFrame, matched: list[int], entered: list[int | None],
               left: list[int | None]) -> pd.DataFrame:
    """A series with its like-for-like columns: the matched bodies' figures shifted a little
    from the all-bodies ones, so a test can tell which a mark is drawn from."""
    previous = frame["value"].shift(1) + 0.01
    return frame.assign(
        n_bodies_matched=matched,
        value_prev_matched=[p if m else np.nan for p, m in zip(previous, matched, strict=True)],
        value_matched=[v - 0.01 if m else np.nan
                       for v, m in zip(frame["value"], matched, strict=True)],
        n_bodies_entered=pd.array(entered, dtype="Int64"),
        n_bodies_left=pd.array(left, dtype="Int64"))


def composition(labels: list[str], counts: dict[int, list[float]]) -> pd.DataFrame:
    rows = []
    for year, values in counts.items():
        total = sum(values)
        for order, (label, count) in enumerate(zip(labels, values, strict=True)):
            rows.append({"year": year, "indicator": f"x{order}", "label": label, "count": count,
                         "share": count / total if total else np.nan, "n_reports": 1,
                         "n_bodies": 1, "order": order})
    return pd.DataFrame(rows)


def peers(n: int, selected: int = 0, small: tuple[int, ...] = ()) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    values = rng.uniform(0.2, 0.9, n)
    return pd.DataFrame({
        "region": [f"{i:06d}" for i in range(n)], "name": [f"地区{i}" for i in range(n)],
        "value": values, "numerator": values * 100, "denominator": 100.0,
        "n_bodies": 1, "is_small": [i in small for i in range(n)],
        "is_selected": [i == selected for i in range(n)],
    })


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def data_rows(spec: dict) -> int:
    """Rows embedded in a spec (inline datasets), wherever they sit."""
    return sum(len(v) for v in spec.get("datasets", {}).values())


def encoded_fields(layer: dict) -> dict[str, str]:
    return {channel: enc.get("field") for channel, enc in layer.get("encoding", {}).items()
            if isinstance(enc, dict)}


# ---------------------------------------------------------------------------- trend

def test_trend_chart_plots_year_and_value_with_counts_in_tooltip() -> None:
    spec = charts.trend_chart(series([0.4, 0.5, 0.6]), "公开率").to_dict()
    points = layers(spec)[0]
    assert points["mark"]["type"] == "point"
    assert encoded_fields(points)["x"] == "year"
    assert encoded_fields(points)["y"] == "value"
    tooltip = {t["field"] for t in points["encoding"]["tooltip"]}
    assert {"numerator", "denominator", "n_bodies", "n_reports"} <= tooltip
    assert spec["title"] == "公开率"
    assert spec["config"]["font"] == charts.FONT
    assert data_rows(spec) == 3
    assert len(layers(spec)) == 1, "without a matched panel no line joins two years"


def test_trend_chart_joins_only_years_with_bodies_in_common() -> None:
    """2019→2020: one body in both (a line, from its own two figures); 2020→2021: none
    (no line: the change is 不可比); 2021 marked with the bodies that came and went."""
    frame = with_panel(series([0.4, 0.5, 0.6]), matched=[0, 1, 0], entered=[None, 1, 2],
                       left=[None, 0, 3])
    spec = charts.trend_chart(frame, "公开率").to_dict()
    kinds = [layer["mark"]["type"] for layer in layers(spec)]
    assert kinds == ["point", "text", "rule"]
    _points, marks, lines = layers(spec)
    drawn = spec["datasets"][lines["data"]["name"]]
    assert [(r["year_from"], r["year"]) for r in drawn] == [(2019, 2020)]
    assert drawn[0]["value_from"] == pytest.approx(0.41)  # the matched body's 2019 figure
    assert drawn[0]["value"] == pytest.approx(0.49)
    labels = {r["year"]: r["changed"] for r in spec["datasets"][marks["data"]["name"]]}
    assert labels == {2020: "机关 +1", 2021: "机关 +2 −3"}
    legend = lines["encoding"]["color"]["scale"]["domain"]
    assert legend == [charts.ALL_BODIES, charts.MATCHED_SERIES]


def test_trend_chart_drops_years_without_a_value_and_marks_small_counts() -> None:
    spec = charts.trend_chart(series([0.4, None, 0.6], denominators=[100, 100, 12]),
                              "公开率").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["year"] for r in rows] == [2019, 2021]
    assert [r["small"] for r in rows] == ["≥30件", "少于30件,不排名"]


@pytest.mark.parametrize("frame", [
    pytest.param(series([None, None]), id="all-null"),
    pytest.param(series([]), id="no-rows"),
])
def test_trend_chart_without_data_says_so(frame: pd.DataFrame) -> None:
    spec = charts.trend_chart(frame, "公开率").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["message"].startswith("公开率: 所选范围内没有数据")
    assert spec["mark"]["type"] == "text"


# ---------------------------------------------------------------------------- compositions

def test_outcome_chart_stacks_counts_by_year_in_template_order() -> None:
    labels = ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    frame = composition(labels, {2020: [5, 1, 2, 3, 0, 1], 2021: [6, 2, 1, 1, 1, 0]})
    spec = charts.outcome_chart(frame).to_dict()
    assert spec["encoding"]["y"]["field"] == "count"
    assert spec["encoding"]["y"]["stack"] == "zero"
    assert spec["encoding"]["color"]["scale"]["domain"] == labels
    assert spec["encoding"]["color"]["scale"]["range"] == charts.OUTCOME_COLORS
    assert spec["title"] == "办理结果构成"
    assert data_rows(spec) == 12
    shares = {(r["year"], r["label"]): r["share"] for r in next(iter(spec["datasets"].values()))}
    assert shares[(2020, "予以公开")] == pytest.approx(5 / 12)


def test_composition_chart_of_zeros_is_a_message() -> None:
    frame = composition(["自然人", "商业企业"], {2021: [0, 0]})
    spec = charts.composition_chart(frame, "申请人构成").to_dict()
    assert "所选范围内没有数据" in next(iter(spec["datasets"].values()))[0]["message"]


def test_review_chart_splits_case_and_result_into_facets() -> None:
    labels = ["行政复议·结果维持", "行政复议·结果纠正", "直接起诉·结果维持", "复议后起诉·尚未审结"]
    spec = charts.review_chart(composition(labels, {2021: [3, 1, 2, 1]})).to_dict()
    assert spec["encoding"]["column"]["field"] == "case"
    assert spec["encoding"]["color"]["field"] == "result"
    rows = next(iter(spec["datasets"].values()))
    assert {(r["case"], r["result"]) for r in rows} >= {("行政复议", "结果纠正"),
                                                        ("复议后起诉", "尚未审结")}
    assert CJK.search(spec["title"])


def test_correction_chart_draws_one_line_per_rate_with_counts() -> None:
    frame = pd.concat([
        series([0.2, 0.3]).assign(indicator="review_correction_rate"),
        series([0.1, None]).assign(indicator="litigation_correction_rate"),
    ], ignore_index=True)
    spec = correction_chart(frame, "纠错率").to_dict()
    line = layers(spec)[0]
    assert encoded_fields(line)["color"] == "label"
    assert {t["field"] for t in line["encoding"]["tooltip"]} >= {"numerator", "denominator"}
    rows = next(iter(spec["datasets"].values()))
    assert sorted(r["label"] for r in rows) == ["行政复议纠错率", "行政复议纠错率", "行政诉讼纠错率"]


def test_quality_chart_counts_reports_by_year_and_class() -> None:
    frame = pd.DataFrame({"year": [2020, 2020, 2021], "quality": [
        "未通过勾稽校验", "全部校验通过", "全部校验通过"]})
    spec = quality_chart(frame).to_dict()
    rows = {(r["year"], r["quality"]): r["n"] for r in next(iter(spec["datasets"].values()))}
    assert rows == {(2020, "未通过勾稽校验"): 1, (2020, "全部校验通过"): 1,
                    (2021, "全部校验通过"): 1}
    assert spec["title"] == "数据质量:各年报告数"


# ---------------------------------------------------------------------------- peers

def test_peers_chart_marks_the_selected_region_and_shades_p10_p90() -> None:
    frame = peers(12, selected=3)
    spec = charts.peers_chart(frame, "公开率").to_dict()
    band, bars = spec["layer"]
    assert encoded_fields(bars)["y"] == "name"
    assert bars["encoding"]["color"]["scale"]["domain"] == ["所选地区", "同级地区"]
    band_rows = spec["datasets"][band["data"]["name"]]
    assert band_rows[0]["low"] == pytest.approx(frame["value"].quantile(0.1))
    assert band_rows[0]["high"] == pytest.approx(frame["value"].quantile(0.9))
    selected = [r for r in spec["datasets"][bars["data"]["name"]] if r["selected"] == "所选地区"]
    assert [r["name"] for r in selected] == ["地区3"]


def test_peers_chart_lists_too_few_rankable_peers_without_a_band() -> None:
    frame = peers(6, selected=0, small=(1, 2))  # four rankable: fewer than five
    spec = charts.peers_chart(frame, "公开率").to_dict()
    assert "layer" not in spec and spec["mark"]["type"] == "bar"
    assert "只列出" in spec["title"] and "P10" not in spec["title"]


def test_peer_distribution_bins_thousands_of_peers_into_a_few_rows() -> None:
    frame = peers(6000, selected=10, small=tuple(range(100, 400)))
    spec = peer_distribution_chart(frame, "公开率").to_dict()  # no MaxRowsError at 6,000
    assert data_rows(spec) <= 25
    _band, bars, rule, _text = spec["layer"]
    hist = spec["datasets"][bars["data"]["name"]]
    assert sum(r["n"] for r in hist) == 6000 - 300  # small peers are left out
    assert spec["datasets"][rule["data"]["name"]][0]["value"] == pytest.approx(
        frame.loc[10, "value"])
    assert "P10–P90" in spec["title"]


def test_peer_distribution_without_ranked_peers_is_a_message() -> None:
    spec = peer_distribution_chart(peers(50, small=tuple(range(50))), "公开率").to_dict()
    assert "没有可比较的同级地区" in next(iter(spec["datasets"].values()))[0]["message"]


# ---------------------------------------------------------------------------- titles, stacking

def test_with_title_adds_a_chinese_subtitle_in_the_cjk_font() -> None:
    chart = with_title(charts.trend_chart(series([0.5]), "公开率"), "辽宁省 · 公开率",
                       "辽宁省 · 全部机关 · 1个机关、1份报告 · 2019年")
    title = chart.to_dict()["title"]
    assert title["text"] == "辽宁省 · 公开率"
    assert title["subtitle"].startswith("辽宁省")
    assert title["font"] == title["subtitleFont"] == charts.FONT


def test_stack_keeps_the_style_and_gives_each_part_its_own_colors() -> None:
    labels = ["行政复议·结果维持", "行政复议·结果纠正"]
    spec = stack(charts.review_chart(composition(labels, {2021: [1, 1]})),
                 correction_chart(series([0.5]).assign(indicator="review_correction_rate"))
                 ).to_dict()
    assert len(spec["vconcat"]) == 2
    assert spec["config"]["font"] == charts.FONT
    assert spec["resolve"]["scale"]["color"] == "independent"


def test_one_theme_styles_every_chart_and_no_builder_configures_its_own() -> None:
    import altair as alt

    built = [charts.message_chart("x"), charts.trend_chart(series([0.5, 0.6]), "公开率"),
             quality_chart(pd.DataFrame({"year": [2019], "quality": ["全部校验通过"]})),
             peer_distribution_chart(pd.DataFrame({
                 "name": ["甲", "乙"], "value": [0.2, 0.4], "numerator": [20, 40],
                 "denominator": [100, 100], "is_small": [False, False],
                 "is_selected": [True, False]}), "公开率")]
    assert alt.theme.active == charts.THEME
    for chart in built:
        assert chart.config is alt.Undefined
        config = chart.to_dict()["config"]
        assert config["font"] == config["title"]["font"] == charts.FONT
        assert config["title"]["anchor"] == "start"


# ---------------------------------------------------------------------------- rendering

needs_cjk_font = pytest.mark.skipif(charts.cjk_font_directory() is None,
                                    reason="no CJK font (apt-get install fonts-noto-cjk)")


@needs_cjk_font
def test_svg_has_hover_tooltips_with_the_counts() -> None:
    svg = SvgRenderer(cache_size=0)(charts.trend_chart(series([0.4], denominators=[50]), "公开率"))
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert any("公开率: 40.0%" in t and "分母: 50" in t for t in titles)
    assert "order:" not in " ".join(titles)


@needs_cjk_font
def test_fast_measuring_font_renders_the_same_svg_as_the_full_font() -> None:
    labels = ["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”"]
    chart = with_title(charts.composition_chart(composition(labels, {2021: [1, 2, 3]}),
                                                "不予公开理由"), "积石山保安族东乡族撒拉族自治县 · 不予公开理由")
    fast = SvgRenderer(cache_size=0, fast=True)(chart)
    full = SvgRenderer(cache_size=0, fast=False)(chart)
    assert fast == full
    assert "OGI Measure" not in fast


@needs_cjk_font
def test_png_export_draws_chinese_glyphs_not_boxes(tmp_path) -> None:
    """Missing glyphs all draw as the same box: two orders of the same three characters
    would then give identical images."""
    one = export_chart(charts.message_chart("公开率"), tmp_path / "a.png").read_bytes()
    other = export_chart(charts.message_chart("率开公"), tmp_path / "b.png").read_bytes()
    assert one[:8] == b"\x89PNG\r\n\x1a\n"
    assert one != other


@needs_cjk_font
def test_svg_export_keeps_chinese_text(tmp_path) -> None:
    path = export_chart(charts.outcome_chart(composition(["予以公开"], {2021: [3]})),
                        tmp_path / "outcomes.svg")
    text = path.read_text(encoding="utf-8")
    assert "办理结果构成" in text
    assert f'font-family="{charts.FONT}"' in text


def test_export_refuses_other_formats(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        export_chart(charts.message_chart("x"), tmp_path / "chart.pdf")

