"""Site evidence: the host's name, the page title and the breadcrumb place a body only where
the report's own words do not, and never against them."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import REPO, corpus_dirs, expected_dir
from toolkit import parse_text
from toolkit.places.regions import place_body
from toolkit.places.site import breadcrumb, host_labels, pinyin_index, site_clues, stem


def corpus_case(name: str) -> tuple[str, dict[str, object]]:
    path = next(d / f"{name}.txt" for d in corpus_dirs() if (d / f"{name}.txt").is_file())
    expected = json.loads((expected_dir() / f"{name}.json").read_text(encoding="utf-8"))
    return path.read_text(encoding="utf-8"), expected


PLACE_KEYS = ("province", "city", "county", "level", "agency_kind")


def test_pg_009_township_named_only_by_the_site() -> None:
    """pg_009 says only 我乡; its page was www.xiongxian.gov.cn (雄县, 保定市)."""
    text, expected = corpus_case("pg_009")
    meta = expected["meta"]
    assert isinstance(meta, dict)
    assert parse_text(text).meta["county"] is None  # the text alone does not say
    report = parse_text(text, source_url=str(expected["source"]))
    assert report.meta["agency"] is None
    for key in PLACE_KEYS:
        assert report.meta[key] == meta[key], key
    assert report.meta["adcode"] == "130638"
    assert report.meta["region_evidence"] == (
        "the report calls itself 我乡/我镇; site www.xiongxian.gov.cn (雄县)")


def test_pg_013_town_of_a_national_new_area() -> None:
    """pg_013 is 太平镇's report on www.xixianxinqu.gov.cn: 西咸新区 is no division, but lies
    in 陕西省 (sites.toml), and the one 太平镇 of 陕西省 is 泾阳县's (2023 table)."""
    text, expected = corpus_case("pg_013")
    meta = expected["meta"]
    assert isinstance(meta, dict)
    assert parse_text(text).meta["province"] is None
    report = parse_text(text, source_url=str(expected["source"]))
    for key in ("province", "level", "agency_kind"):
        assert report.meta[key] == meta[key], key
    assert (report.meta["city"], report.meta["county"], report.meta["adcode"]) == (
        "咸阳市", "泾阳县", "610423")
    assert report.meta["region_evidence"] == "body name; site www.xixianxinqu.gov.cn (西咸新区)"
    # a page title naming the area does the same, with no URL
    titled = parse_text(text, hints={"html_title": "太平镇人民政府2022年政府信息公开工作年度报告"
                                                   "-西咸新区门户网站"})
    assert titled.meta["province"] == "陕西省"
    assert titled.meta["region_evidence"] == "body name; page title names 西咸新区"


@pytest.mark.parametrize(("url", "hints", "adcode", "evidence"), [
    pytest.param("http://www.changchun.gov.cn/zw/1.html", None, "220104",
                 "body name; site www.changchun.gov.cn (长春)", id="host-names-the-city"),
    pytest.param("http://xxgk.changchun.gov.cn/1.html", None, "220104",
                 "body name; site xxgk.changchun.gov.cn (长春)", id="subdomain-label-ignored"),
    pytest.param(None, {"html_title": "朝阳区人民政府_北京市人民政府网站"}, "110105",
                 "body name; page title names 朝阳区、北京市", id="title-names-the-municipality"),
    pytest.param(None, {"breadcrumb": "首页 > 长春市 > 朝阳区 > 政务公开"}, "220104",
                 "body name; breadcrumb names 长春市、朝阳区", id="breadcrumb-hint"),
])
def test_site_chooses_among_the_places_a_shared_name_may_be(
        url: str | None, hints: dict[str, str] | None, adcode: str, evidence: str) -> None:
    p = place_body("朝阳区人民政府", "本报告由区政府办公室编制。", hints, url)
    assert (p.adcode, p.evidence, p.reason) == (adcode, evidence, None)


def test_breadcrumb_in_the_page_text() -> None:
    text = "当前位置：首页 > 长春市 > 政务公开\n朝阳区人民政府2022年政府信息公开工作年度报告"
    assert breadcrumb(text) == "首页 > 长春市 > 政务公开"
    p = place_body("朝阳区人民政府", text)  # the text names 长春市 itself: the text decides
    assert p.adcode == "220104" and p.evidence == "body name; text names 长春市"
    # 金井镇 is in 平潭县, 晋江市 and 浏阳市: the breadcrumb, part of the text, chooses
    p = place_body("金井镇人民政府", "当前位置：首页 > 平潭县 > 乡镇", None, None)
    assert (p.adcode, p.evidence) == ("350128", "body name; text names 平潭县")


@pytest.mark.parametrize(("agency", "text", "url", "hints"), [
    pytest.param("朝阳区人民政府", "", "http://www.chaoyang.gov.cn/", None,
                 id="host-spells-both-chaoyangs"),
    pytest.param("朝阳区人民政府", "", "http://www.bjchy.gov.cn/", None,
                 id="abbreviation-not-read"),
    pytest.param("朝阳区人民政府", "", "http://www.changchun.gov.cn/",
                 {"html_title": "北京市人民政府"}, id="clues-disagree"),
    pytest.param("朝阳区人民政府", "", "http://10.0.0.1:8080/x", None, id="ip-address"),
])
def test_site_that_does_not_single_out_a_candidate_leaves_it_null(
        agency: str, text: str, url: str, hints: dict[str, str] | None) -> None:
    p = place_body(agency, text, hints, url)
    assert p.adcode is None and p.reason is not None and "ambiguous" in p.reason


def test_site_never_overrides_the_text() -> None:
    # the text names 长春市: the Beijing site does not move the body
    p = place_body("朝阳区人民政府", "在长春市委、市政府的领导下", None, "http://www.beijing.gov.cn/")
    assert p.adcode == "220104" and "site" not in (p.evidence or "")
    # a body whose own name places it is not moved either
    p = place_body("乌海市海勃湾区发展和改革委员会", "", None, "http://www.pingtan.gov.cn/")
    assert (p.adcode, p.evidence) == ("150302", "body name")
    # a township whose text names another place is not put where the site is
    p = place_body("金井镇人民政府", "本镇位于北京市。", None, "http://www.pingtan.gov.cn/")
    assert p.adcode is None and p.reason is not None and "ambiguous: 金井镇" in p.reason
    p = place_body("万潮东镇人民政府", "本镇位于北京市。", None, "http://www.pingtan.gov.cn/")
    assert p.adcode is None and p.reason == "township whose county the report does not name"


def test_site_never_places_a_town_where_the_table_has_none() -> None:
    """No 太平镇 lies in 平潭县 (2023 table): the site does not put one there."""
    p = place_body("太平镇人民政府", "", None, "http://www.pingtan.gov.cn/xxgk/1.html")
    assert p.adcode is None and p.reason is not None and "ambiguous: 太平镇" in p.reason


def test_township_named_without_its_county() -> None:
    p = place_body("金井镇人民政府", "", None, "http://www.pingtan.gov.cn/xxgk/1.html")
    assert (p.province, p.city, p.county, p.adcode, p.level) == (
        "福建省", "福州市", "平潭县", "350128", "township")
    assert p.evidence == "body name; site www.pingtan.gov.cn (平潭)" and p.reason is None
    # named with its city only, the one 太平镇 of 长春市 (in 双阳区) places it; the site is
    # not needed, and cannot move it
    for url in ("http://www.chaoyang.gov.cn/", "http://www.pingtan.gov.cn/"):
        p = place_body("长春市太平镇人民政府", "", None, url)
        assert (p.adcode, p.evidence) == ("220112", "body name; the only 太平镇 in 长春市")
    # a town the table does not hold: the site's county inside the named city completes it
    p = place_body("长春市万潮东镇人民政府", "", None, "http://www.chaoyang.gov.cn/")
    assert (p.adcode, p.evidence) == ("220104", "body name; site www.chaoyang.gov.cn (朝阳)")
    # a county outside the named city is no evidence
    p = place_body("长春市万潮东镇人民政府", "", None, "http://www.pingtan.gov.cn/")
    assert (p.adcode, p.evidence) == ("220100", "body name")


def test_department_without_a_place_is_not_placed_by_the_site() -> None:
    """A county site may host the city's departments: the level of 财政局 is not known."""
    p = place_body("财政局", "", None, "http://www.pingtan.gov.cn/")
    assert p.adcode is None and p.reason == "no division name in the body's name"


def test_host_pinyin_is_exact() -> None:
    assert host_labels("www.xiong-xian.gov.cn") == ["www", "xiong", "xian", "gov", "cn"]
    index = pinyin_index()
    assert ("雄县", "雄县") in index["xiongxian"]
    assert "xiong" not in index  # 雄县 without 县 is one character: too short to count
    assert {name for _, name in index["pingtan"]} == {"平潭县"}
    assert stem("广西壮族自治区") == "广西" and stem("平潭县") == "平潭" and stem("雄县") is None
    assert site_clues("http://www.xiongxian.gov.cn/", None)[0].template == (
        "site www.xiongxian.gov.cn ({})")
    assert site_clues("http://www.example.gov.cn/", {"html_title": "政务公开"}) == []


@pytest.mark.skipif(importlib.util.find_spec("pypinyin") is None,
                    reason="pypinyin (dev extra) builds the table")
def test_pinyin_table_is_current() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(REPO / "scripts" / "make_site_pinyin.py"),
                           "--check"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def test_sites_toml_zones_are_divisions() -> None:
    from toolkit.places.gazetteer import load_gazetteer
    from toolkit.places.site import zones

    divisions = load_gazetteer().divisions
    assert zones() and all(code in divisions for code in zones().values())
    assert not [z for z in zones() if load_gazetteer().lookup(z)]  # no zone is a division
    assert Path(REPO / "toolkit" / "places" / "sites.toml").is_file()
