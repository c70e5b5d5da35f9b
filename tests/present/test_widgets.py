"""The explorer without a browser: widgets driven through their update methods, on the
bundled corpus (ingested once per session into a temporary store) and on small uneven
stores built from copies of the seeds (tests/conftest.py).

The bundled corpus has one report for 辽宁省 (沈阳市于洪区人民政府 2019: 38 of 43 requests
granted or partly granted), seven for 平潭县 in 福建省 (平潭综合实验区管理委员会 2019–2025: the
region with the most usable body-years, 71 of 148 granted in 2025), two usable for
内蒙古自治区 (a third, a page cut off mid-report, is set aside as unusable), and one report
with a redacted cell (乌海市海勃湾区发展和改革委员会).
"""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pandas as pd
import pytest

from tests.conftest import SEED_001, SEED_003, TO_2020, relabelled
from toolkit import store
from toolkit.analysis.corpus import Corpus, load
from toolkit.dev.synth_store import build_store
from toolkit.present.explore import (
    INCOMPARABLE,
    VIEWS,
    Selection,
    Views,
    open_corpus,
    table_grid,
)
from toolkit.present.panels import checks_html, headline_html
from toolkit.present.widgets import ALL, Explorer
from toolkit.spec.errors import StoreNotFound
from toolkit.spec.vocab import MIN_PEERS_FOR_SPREAD
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

def most_body_years(corpus: Corpus) -> str:
    """The region with the most usable body-years, the most specific of equals, computed
    here from the usable reports (not through the explorer)."""
    reports = corpus.reports
    counts: dict[str, int] = {}
    for adcode in reports["adcode"].dropna():
        code = str(adcode)
        for region in {code[:2] + "0000", code[:4] + "00", code}:
            counts[region] = counts.get(region, 0) + 1
    best = max(counts.values())
    return max((c for c, n in counts.items() if n == best and c in set(corpus.region_table["adcode"])),
               key=lambda c: (not c.endswith("0000"), not c.endswith("00"), [-ord(x) for x in c]))


def test_opens_on_the_region_with_most_usable_body_years(explorer: Explorer,
                                                         corpus: Corpus) -> None:
    assert explorer.selection is not None
    assert explorer.selection.adcode == most_body_years(corpus) == "350128"  # 平潭县, not 福建省
    assert (explorer.province.value, explorer.city.value, explorer.county.value) == (
        "350000", "350100", "350128")
    assert explorer.selection.indicator == "disclosure_rate"
    assert "平潭县" in svg_text(explorer.panels["trend"].value)


def test_first_screen_headline_states_what_the_figure_covers(explorer: Explorer) -> None:
    text = svg_text(explorer.headline.value)
    assert "平潭县" in text and "2025年" in text
    assert "48.0%" in text and "71 / 148件" in text  # the rate with its counts
    assert "县级人民政府 1" in text and "平潭综合实验区管理委员会" in text  # which bodies
    assert "1个机关、1份报告" in text
    assert "+2.1个百分点" in text and "同口径 1个机关:45.9% → 48.0%" in text  # like for like
    assert "0.0%" not in text


@pytest.mark.parametrize(("fixture", "adcode", "why"), [
    pytest.param("disjoint_store", "150300", "乌海市: 2 body-years, as many as 内蒙古自治区",
                 id="city-over-its-province"),
    pytest.param("one_matched_store", "150300", "乌海市: 3 body-years, 海勃湾区 1",
                 id="city-over-its-county"),
])
def test_first_screen_on_small_stores(request: pytest.FixtureRequest, fixture: str,
                                      adcode: str, why: str) -> None:
    corpus = load(request.getfixturevalue(fixture))
    explorer = Explorer(corpus, cache_size=0)
    assert explorer.selection is not None
    assert explorer.selection.adcode == most_body_years(corpus) == adcode, why
    assert explorer.panels["trend"].value.startswith("<svg")


def test_store_with_only_unusable_reports_opens_on_a_message(tmp_path: Path) -> None:
    relabelled(SEED_003, tmp_path / "corpus" / "yuhong_2020_cut.txt", TO_2020, keep_chars=2000)
    relabelled(SEED_001, tmp_path / "corpus" / "langzhong_2020_cut.txt", (), keep_chars=2500)
    store.ingest(tmp_path / "corpus", tmp_path / "store", workers=1, progress=False)
    corpus = load(tmp_path / "store")
    assert corpus.reports.empty and len(corpus.unusable) == 2
    explorer = Explorer(corpus, cache_size=0)
    assert explorer.selection is None
    assert "没有可用的报告" in explorer.headline.value and "2份文件都无法使用" in explorer.headline.value
    assert explorer.files == [] and explorer.downloads.value == ""
    with pytest.raises(ValueError, match="no usable reports"):
        explorer.set_years((2019, 2020))


def test_first_indicator_with_data_when_the_rate_has_none(tmp_path: Path) -> None:
    # 海勃湾区发展和改革委员会 2021 received no requests: no disclosure rate, but counts
    relabelled("004_*", tmp_path / "corpus" / "haibowan_dev_2021.txt", ())
    store.ingest(tmp_path / "corpus", tmp_path / "store", workers=1, progress=False)
    explorer = Explorer(load(tmp_path / "store"), cache_size=0)
    assert explorer.selection is not None and explorer.selection.adcode == "150302"
    indicator = explorer.selection.indicator
    assert indicator != "disclosure_rate"
    assert explorer.views.series(explorer.selection)["value"].notna().any()
    assert "没有数据" not in svg_text(explorer.panels["trend"].value)


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
    assert "本年新收申请数 · 2019年" in explorer.headline.value
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
    explorer.set_region("511381")  # 阆中市: its only peer under 南充市 is itself
    explorer.show_view("peers")
    siblings = svg_text(explorer.panels["peers"].value)
    explorer.set_peer_group("level")
    level = svg_text(explorer.panels["peers"].value)
    assert "同属南充市的县级地区" in siblings and "语料中全部县级地区" in level
    assert "阆中市" in level and "平潭县" in level  # 2020's county governments
    assert "于洪区" not in level  # 2019 only: another year


def test_peers_compare_own_level_bodies_by_default(explorer: Explorer) -> None:
    explorer.set_region("210000")  # 辽宁省: its only usable report is 于洪区's
    explorer.show_view("peers")
    own = svg_text(explorer.panels["peers"].value)
    assert "没有省级人民政府自己的数字" in own and "不作同级比较" in own
    assert explorer.peer_list.value == ""  # the chart says why, once
    explorer.set_peer_tier("all")
    whole = svg_text(explorer.panels["peers"].value)
    assert "辽宁省(县级人民政府 1)" in whole  # each peer says what its figure is made of
    assert "各地区全部机关合计" in whole


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
    assert head.is_small and head.denominator == 18  # 0 of 18 requests: shown, not ranked
    text = svg_text(headline_html(head))
    assert "0.0%" in text and "少于30件,不排名" in text
    assert "color:#888" in headline_html(head)  # grey
    assert "市级人民政府 1" in text and "乌海市人民政府" in text


def test_headline_change_is_incomparable_without_a_body_in_both_years(
        disjoint_store: Path) -> None:
    views = Views(load(disjoint_store))
    head = views.headline(Selection("150300", None, "all", "requests_received"))
    assert head.year == 2020 and head.body_mix == "县级人民政府 1"
    assert head.n_bodies_matched == 0 and head.change_text == INCOMPARABLE
    assert head.change_basis == "两年没有共同的机关"
    assert f"{INCOMPARABLE}" in headline_html(head)


def test_headline_change_is_over_the_matched_bodies(one_matched_store: Path) -> None:
    views = Views(load(one_matched_store))
    head = views.headline(Selection("150300", None, "all", "requests_received"))
    assert head.year == 2020 and head.n_bodies_year == 2
    assert head.body_mix == "市级人民政府 1、县级人民政府 1"
    assert head.n_bodies_matched == 1  # 乌海市人民政府 reported both years
    assert head.change_text == "+0.0%" and head.change_basis == "同口径 1个机关:18 → 18"
    text = svg_text(headline_html(head))
    assert "这个数字来自2020年 2个机关、2份报告" in text and "61" in text


def test_headline_has_no_spread_from_too_few_peers(views: Views) -> None:
    alone = views.headline(Selection("210114", (2019, 2023)))  # 于洪区 among 沈阳市's counties
    assert alone.peers is not None and alone.peers.n_ranked == 1
    assert alone.peers.rank is None and alone.peers.p10 is None and alone.peers.median is None
    assert "P10" not in headline_html(alone)


def test_breakdowns_say_when_years_come_from_different_bodies(explorer: Explorer) -> None:
    explorer.set_region("150000")
    for view in ("outcomes", "refusals", "applicants", "review"):
        explorer.show_view(view)
        text = svg_text(explorer.panels[view].value)
        assert "2个机关(市级人民政府 1、县级政府部门 1)" in text, view
        assert "各年的机关不同:2019年 市级人民政府 1;2021年 县级政府部门 1" in text, view
    explorer.set_region("350128")
    assert "各年的机关不同" not in svg_text(explorer.panels["review"].value)
    explorer.show_view("trend")


def test_coverage_states_bodies_reports_and_years(views: Views) -> None:
    text = views.coverage(Selection("150000", (2019, 2023)))
    assert text == ("内蒙古自治区 · 全部机关 · 2个机关(市级人民政府 1、县级政府部门 1) · 2份报告 · "
                    "2019–2021年")


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


@pytest.mark.parametrize(("tier", "kind"), [
    pytest.param("own", "government", id="own-governments"),
    pytest.param("all", "all", id="all-bodies"),
])
def test_fast_peers_match_the_corpus_peers(views: Views, corpus: Corpus, tier: str,
                                           kind: str) -> None:
    sel = Selection("150300", None, "all", "requests_received", "level", tier)
    mine = views.peer_frame(sel, 2019).set_index("region")
    theirs = corpus.peers("150300", "requests_received", 2019, kind, same_parent=False,
                          tier=tier).set_index("region")
    assert sorted(mine.index) == sorted(theirs.index)
    pd.testing.assert_series_equal(mine["value"].sort_index(), theirs["value"].sort_index())


# ---------------------------------------------------------------------------- peers, like with like

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Views:
    """600 generated reports on real divisions: 12 counties with a rankable own
    government's disclosure rate in one year, at most 3 cities."""
    views = Views(load(build_store(tmp_path_factory.mktemp("synthetic") / "store", 600,
                                   seed=3)))
    views.warm()
    return views


def standing_cases(views: Views, level: str) -> list[Selection]:
    table = views.corpus.region_table
    return [Selection(str(code), None, "all", "disclosure_rate", "level", "own")
            for code in table.loc[table["level"] == level, "adcode"]]


def test_peers_distribution_only_over_enough_rankable_regions(synthetic: Views) -> None:
    spread = [s for s in standing_cases(synthetic, "county")
              if synthetic.peer_standing(s).n_ranked >= MIN_PEERS_FOR_SPREAD
              and synthetic.peer_standing(s).rank is not None]
    assert spread, "the synthetic store has counties with enough rankable peers"
    sel = spread[0]
    standing = synthetic.peer_standing(sel)
    assert standing.has_spread and standing.p10 is not None
    assert standing.p10 <= standing.median <= standing.p90  # type: ignore[operator]
    assert 1 <= standing.rank <= standing.n_ranked  # type: ignore[operator]
    table = synthetic.peers(sel)
    assert set(table["kind"]) == {"government"} and set(table["tier"]) == {"own"}
    chart = svg_text(Explorer(synthetic, adcode=sel.adcode, warm=False, view="peers",
                              peer_group="level", cache_size=0).panels["peers"].value)
    assert "P10–P90" in chart and "县级人民政府" in chart


def test_peers_listed_when_too_few_are_rankable(synthetic: Views) -> None:
    listed = [s for s in standing_cases(synthetic, "city")
              if synthetic.peer_standing(s).year is not None]
    assert listed
    for sel in listed:
        standing = synthetic.peer_standing(sel)
        assert standing.n_ranked < MIN_PEERS_FOR_SPREAD
        assert standing.rank is None and standing.p10 is None and standing.p90 is None
        assert "逐一列出" in standing.note or "没有其他地区" in standing.note
    explorer = Explorer(synthetic, adcode=listed[0].adcode, warm=False, view="peers",
                        peer_group="level", cache_size=0)
    assert "P10" not in svg_text(explorer.panels["peers"].value)
    rows = svg_text(explorer.peer_list.value)
    assert "P10" not in rows and "<th>排名</th>" not in explorer.peer_list.value
    assert "市级人民政府 1" in rows  # each peer with the bodies behind it


# ---------------------------------------------------------------------------- quality tab

def test_quality_tab_lists_unusable_files_with_their_reason(explorer: Explorer) -> None:
    explorer.set_region("150000")
    explorer.show_view("quality")
    text = svg_text(explorer.unusable.value)
    assert "1份文件无法使用" in text and "商都县卯都乡人民政府" in text
    assert "只读出 3.0% 的表格单元格" in text and "pg_046.txt" in text
    assert "无法使用(未计入数字)" in svg_text(explorer.panels["quality"].value)
    assert any("(未计入)" in label for label, _ in explorer.report.options)
    table = explorer.views.table("quality", explorer.selection)  # type: ignore[arg-type]
    assert (~table["is_usable"]).sum() == 1


def test_quality_tab_shows_failed_checks(explorer: Explorer, views: Views) -> None:
    explorer.set_region("350128")
    explorer.show_view("quality")
    failed = views.failed_checks(Selection("350128", (2019, 2025)))
    assert len(failed) and set(failed["agency"]) == {"平潭综合实验区管理委员会"}
    text = svg_text(explorer.checks.value)
    assert "未通过的勾稽校验" in text and "平潭综合实验区管理委员会" in text
    assert all(str(int(y)) in text for y in failed["year"])


def test_text_vs_table_checks_show_their_sentence() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute('CREATE TABLE checks (report_id VARCHAR, "check" VARCHAR, scope VARCHAR, '
                'status VARCHAR, "left" DOUBLE, "right" DOUBLE, keys VARCHAR, '
                'sentence VARCHAR, location BIGINT)')
    con.execute("INSERT INTO checks VALUES ('r1', 'text_vs_table', 'normative_docs', 'fail', "
                "56, 13, 'active.normative_docs.in_force', '现行有效规范性文件13件。', 812), "
                "('r1', 'outcomes', 'total', 'pass', 5, 5, 'x', NULL, NULL)")
    checks = Corpus.failing_checks(cast(Corpus, SimpleNamespace(con=con)), ["r1"])
    assert list(checks.columns[-2:]) == ["sentence", "location"] and len(checks) == 1
    page = checks_html(checks.assign(agency="乌海市人民政府", year=2019))
    assert "正文所述数字 = 表格数字" in page and "现行有效规范性文件13件。" in page
    assert "表格 56" in page and "正文 13" in page


def test_checks_without_sentences_still_show(explorer: Explorer) -> None:
    page = checks_html(pd.DataFrame({"agency": ["<b>x</b>"], "year": [2020], "check": ["balance"],
                                     "scope": ["total"], "left": [3.0], "right": [4.0],
                                     "keys": [""], "report_id": ["r"]}))
    assert "收结平衡" in page and "&lt;b&gt;x&lt;/b&gt;" in page  # report text escaped
