"""The explorer without a browser: widgets driven through their update methods, on the
bundled corpus (ingested once per session into a temporary store).

The bundled corpus has one report for 辽宁省 (沈阳市于洪区人民政府 2019: 38 of 43 requests
granted or partly granted), seven for 福建省 (平潭综合实验区管理委员会 2019–2025: the province with
the most usable reports), two usable for 内蒙古自治区 (a third, a page cut off mid-report, is set
aside as unusable), and one report with a redacted cell (乌海市海勃湾区发展和改革委员会).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from toolkit import store
from toolkit.analysis.corpus import Corpus, load
from toolkit.present.explore import (
    VIEWS,
    Selection,
    Views,
    open_corpus,
    table_grid,
)
from toolkit.present.widgets import ALL, Explorer
from toolkit.spec.errors import StoreNotFound
from toolkit.store.views import resolve_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("store")
    store.ingest(REPO / "data" / "corpus", out, workers=1, progress=False)
    return load(out)


@pytest.fixture(scope="module")
def views(corpus: Corpus) -> Views:
    views = Views(corpus)
    views.warm()
    return views


@pytest.fixture
def explorer(views: Views) -> Explorer:
    return Explorer(views, warm=False, cache_size=0)


def svg_text(svg: str) -> str:
    """The text a reader sees in an SVG (labels, titles, tooltips), tags removed."""
    return re.sub(r"<[^>]+>", " ", svg)


def expected_rate(corpus: Corpus, adcode: str, year: int) -> str:
    """The disclosure rate computed here from the report values, not through the explorer."""
    reports = corpus.reports[corpus.reports["adcode"].fillna("").str.startswith(adcode[:2])
                             & (corpus.reports["year"] == year)]
    wide = corpus.wide.loc[reports["report_id"]]
    granted = (wide["requests.granted.total"] + wide["requests.partial.total"]).sum()
    return f"{granted / wide['requests.total_processed.total'].sum():.1%}"


# ---------------------------------------------------------------------------- start

def test_opens_on_the_province_with_most_reports(explorer: Explorer) -> None:
    assert explorer.selection is not None
    assert explorer.selection.adcode == "350000"
    assert explorer.province.value == "350000"
    assert "福建省" in explorer.headline.value
    assert "福建省" in svg_text(explorer.panels["trend"].value)


def test_region_dropdowns_hold_adcodes_and_show_names(explorer: Explorer) -> None:
    options = dict(explorer.province.options)
    assert options["辽宁省"] == "210000"
    assert all(re.fullmatch(r"\d{6}", code) for code in options.values())


# ---------------------------------------------------------------------------- interactions

def test_region_change_updates_headline_and_chart_to_the_new_numbers(
        explorer: Explorer, corpus: Corpus) -> None:
    timing = explorer.set_region("210000")
    rate = expected_rate(corpus, "210000", 2019)
    assert rate == "88.4%"
    assert "辽宁省" in explorer.headline.value
    assert rate in explorer.headline.value and "38 / 43" in explorer.headline.value
    text = svg_text(explorer.panels["trend"].value)
    assert "辽宁省 · 公开率" in text and rate in text
    assert timing.event == "region" and timing.total_ms >= timing.render_ms > 0


def test_cascade_city_then_back_to_the_whole_province(explorer: Explorer) -> None:
    explorer.province.value = "150000"
    cities = dict(explorer.city.options)
    assert cities["乌海市"] == "150300"
    explorer.city.value = "150300"
    assert explorer.selection is not None and explorer.selection.adcode == "150300"
    assert dict(explorer.county.options)["海勃湾区"] == "150302"
    explorer.county.value = "150302"
    assert explorer.selection.adcode == "150302"
    explorer.city.value = ALL
    assert explorer.selection.adcode == "150000"
    assert explorer.county.disabled


def test_province_change_resets_the_lower_dropdowns(explorer: Explorer) -> None:
    explorer.set_region("150302")
    explorer.province.value = "210000"
    assert explorer.selection is not None and explorer.selection.adcode == "210000"
    assert explorer.city.value == ALL and explorer.county.value == ALL


def test_indicator_change_shows_a_count_as_a_number(explorer: Explorer) -> None:
    explorer.set_region("210000")
    explorer.set_indicator("requests_received")
    assert "本年新收申请数(2019年)" in explorer.headline.value
    assert ">43<" in explorer.headline.value
    assert "本年新收申请数" in svg_text(explorer.panels["trend"].value)


def test_years_and_kind_changes_update_the_selection(explorer: Explorer) -> None:
    explorer.set_region("150000")
    explorer.set_years((2021, 2022))
    assert "2021–2022年" in explorer.headline.value
    explorer.set_kind("government")
    assert explorer.selection == Selection("150000", (2021, 2022), "government",
                                           "disclosure_rate", "siblings")
    assert "人民政府" in explorer.headline.value


def test_peer_group_change_redraws_the_peer_view(explorer: Explorer) -> None:
    explorer.set_region("511300")  # 南充市: its only peer under 四川省 is itself
    explorer.show_view("peers")
    siblings = svg_text(explorer.panels["peers"].value)
    explorer.set_peer_group("level")
    level = svg_text(explorer.panels["peers"].value)
    assert "同一上级的同级地区" in siblings and "全国同级地区" in level
    assert "南充市" in level


def test_only_the_visible_view_is_rendered_until_its_tab_opens(explorer: Explorer) -> None:
    explorer.show_view("outcomes")
    explorer.show_view("trend")
    before = explorer.panels["outcomes"].value
    explorer.set_region("210000")
    assert explorer.panels["outcomes"].value == before  # stale, not rendered yet
    timing = explorer.show_view("outcomes")
    assert timing.render_ms > 0 and "辽宁省" in svg_text(explorer.panels["outcomes"].value)
    again = explorer.show_view("trend")
    assert again.render_ms == 0  # nothing changed for the trend view


def test_every_update_is_timed(explorer: Explorer) -> None:
    start = len(explorer.timings)
    explorer.set_region("210000")
    explorer.set_years((2019, 2020))
    explorer.set_kind("all")
    explorer.set_indicator("refusal_rate")
    explorer.set_peer_group("level")
    events = [t.event for t in explorer.timings[start:]]
    assert events == ["region", "years", "kind", "indicator", "peer_group"]
    assert all(t.total_ms >= t.query_ms for t in explorer.timings[start:])


# ---------------------------------------------------------------------------- edge cases

@pytest.mark.parametrize(("adcode", "years", "kind", "case"), [
    pytest.param("210000", (2019, 2023), "all", "one report", id="one-report"),
    pytest.param("150000", (2021, 2021), "all", "one year", id="one-year"),
    pytest.param("210000", (2022, 2023), "all", "no data", id="no-data-years"),
    pytest.param("210000", (2019, 2023), "department", "no data", id="no-data-kind"),
    pytest.param("150302", (2019, 2023), "all", "no values", id="table-of-zeros"),
])
def test_every_view_renders_for_thin_selections(explorer: Explorer, adcode: str,
                                                years: tuple[int, int], kind: str,
                                                case: str) -> None:
    explorer.set_region(adcode)
    explorer.set_years(years)
    explorer.set_kind(kind)
    for view in VIEWS:
        explorer.show_view(view)
        svg = explorer.panels[view].value
        assert svg.startswith("<svg"), (case, view)
    if case == "no data":
        assert "无数据" in explorer.headline.value
        assert "没有数据" in svg_text(explorer.panels["trend"].value)


def test_unknown_region_is_refused_with_a_hint(explorer: Explorer) -> None:
    with pytest.raises(KeyError, match="region_tree"):
        explorer.set_region("999999")


# ---------------------------------------------------------------------------- data quality

def test_quality_view_lists_flagged_reports_and_drills_down(explorer: Explorer) -> None:
    explorer.set_region("150000")
    explorer.show_view("quality")
    assert "乌海市海勃湾区发展和改革委员会" in explorer.quality_table.value
    options = dict(explorer.report.options)
    report_id = options["乌海市海勃湾区发展和改革委员会 2021年"]
    explorer.table.value = "active"
    explorer.report.value = report_id
    assert "[涂黑]" in explorer.grid.value
    assert "单元格原文" in explorer.cells.value
    assert 'style="background:#fde0dd"' in explorer.cells.value  # the flagged cell first
    explorer.report.value = ALL
    assert explorer.grid.value == ""


def test_quality_view_says_when_nothing_is_flagged(explorer: Explorer) -> None:
    explorer.set_region("210000")
    explorer.show_view("quality")
    assert "没有未通过勾稽校验" in explorer.quality_table.value
    assert [v for _, v in explorer.report.options] == [ALL]


def test_table_grid_lays_cells_out_in_template_order(corpus: Corpus, views: Views) -> None:
    report_id = views.quality_reports(Selection("150000")).loc[0, "report_id"]
    cells = corpus.report_table(report_id, "requests")
    grid = table_grid(cells, "requests")
    assert list(grid["行"][:2]) == ["本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量"]
    assert list(grid.columns[-1:]) == ["总计"]


# ---------------------------------------------------------------------------- view models

def test_headline_applies_the_small_count_guard_rail(views: Views) -> None:
    head = views.headline(Selection("150000", (2019, 2023)))
    assert head.is_small and head.rank is None  # 18 requests: shown, not ranked
    assert head.denominator == 18
    alone = views.headline(Selection("210000", (2019, 2023)))
    assert not alone.is_small and alone.rank is None  # its only ranked peer is itself
    assert alone.n_ranked == 1 and alone.p10 is None


def test_coverage_states_bodies_reports_and_years(views: Views) -> None:
    text = views.coverage(Selection("150000", (2019, 2023)))
    assert text == "内蒙古自治区 · 全部机关 · 2个机关、2份报告 · 2019–2021年"


def test_store_path_resolves_from_notebooks_or_repo_root(corpus: Corpus) -> None:
    assert resolve_store(corpus.store_dir) == corpus.store_dir.resolve()
    with pytest.raises(StoreNotFound, match="make run"):
        open_corpus("no/such/store")


def test_export_writes_png_with_the_current_selection(explorer: Explorer, tmp_path: Path) -> None:
    explorer.set_region("210000")
    png = explorer.export("trend", tmp_path / "trend.png")
    svg = explorer.export("trend", tmp_path / "trend.svg")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "辽宁省 · 公开率" in svg.read_text(encoding="utf-8")


@pytest.mark.parametrize(("adcode", "indicator", "kind", "years"), [
    pytest.param("150000", "disclosure_rate", "all", None, id="province"),
    pytest.param("150300", "requests_received", "government", (2019, 2020), id="city-years"),
    pytest.param("150302", "refusal_mix_query", "department", None, id="county"),
    pytest.param("210000", "dispute_rate", "department", None, id="no-rows"),
])
def test_fast_series_is_the_corpus_series(views: Views, corpus: Corpus, adcode: str,
                                          indicator: str, kind: str,
                                          years: tuple[int, int] | None) -> None:
    fast = views.series(Selection(adcode, years, kind, indicator))
    pd.testing.assert_frame_equal(fast, corpus.series(adcode, indicator, kind, years))


def test_fast_peers_match_the_corpus_peers(views: Views, corpus: Corpus) -> None:
    sel = Selection("150300", None, "all", "requests_received", "level")
    mine = views.peer_frame(sel, 2019).set_index("region")
    theirs = corpus.peers("150300", "requests_received", 2019, same_parent=False
                          ).set_index("region")
    assert sorted(mine.index) == sorted(theirs.index)
    pd.testing.assert_series_equal(mine["value"].sort_index(), theirs["value"].sort_index())
