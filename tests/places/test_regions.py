"""Placing bodies in the hierarchy: names, shared names decided on evidence, and traps."""
from __future__ import annotations

import pytest

from toolkit.places.regions import agency_kind, phone_places, place_body


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        pytest.param("乌海市海勃湾区发展和改革委员会",
                     ("内蒙古自治区", "乌海市", "海勃湾区", "150302", "county", "department"),
                     id="district-department"),
        pytest.param("乌海市人民政府", ("内蒙古自治区", "乌海市", None, "150300", "city", "government"),
                     id="city-government"),
        pytest.param("阆中市人民政府", ("四川省", "南充市", "阆中市", "511381", "county", "government"),
                     id="county-level-city"),
        pytest.param("上海市人民政府", ("上海市", None, None, "310000", "province", "government"),
                     id="municipality"),
        pytest.param("积石山县银川镇人民政府",
                     ("甘肃省", "临夏回族自治州", "积石山保安族东乡族撒拉族自治县", "622927", "township",
                      "government"), id="autonomous-county-short-name-and-town-not-yinchuan-city"),
        pytest.param("平潭综合实验区管理委员会",
                     ("福建省", "福州市", "平潭县", "350128", "county", "government"), id="zone"),
        pytest.param("武汉市汉阳区人民政府办公室",
                     ("湖北省", "武汉市", "汉阳区", "420105", "county", "government"),
                     id="government-office"),
    ],
)
def test_placement(agency: str, expected: tuple[object, ...]) -> None:
    p = place_body(agency)
    assert (p.province, p.city, p.county, p.adcode, p.level, p.agency_kind) == expected
    assert p.evidence and p.reason is None


def test_shared_name_without_evidence_is_null_with_a_reason() -> None:
    p = place_body("朝阳区人民政府", "本报告由区政府办公室编制。")
    assert p.adcode is None and p.province is None
    assert p.reason is not None and "ambiguous" in p.reason and "北京市" in p.reason


def test_shared_name_decided_by_the_city_the_text_names() -> None:
    p = place_body("朝阳区人民政府", "在长春市委、市政府的领导下,朝阳区政务公开工作……")
    assert (p.province, p.city, p.adcode) == ("吉林省", "长春市", "220104")
    assert p.evidence is not None and "长春市" in p.evidence


@pytest.mark.parametrize(("text", "adcode", "code"), [
    ("政府信息公开咨询电话：0431-88771234。", "220104", "0431"),
    ("联系电话:(010)85991234", "110105", "010"),
])
def test_shared_name_decided_by_the_phone_area_code(text: str, adcode: str, code: str) -> None:
    p = place_body("朝阳区人民政府", text)
    assert p.adcode == adcode
    assert p.evidence is not None and f"phone area code {code}" in p.evidence


@pytest.mark.parametrize("text", [
    "咨询电话：0471-6661234(呼和浩特,不是候选之一)",  # a code naming neither candidate
    "热线 12345,手机 13912345678",  # no landline
    "电话 0431-88771234 或 010-85991234",  # both candidates named
])
def test_phone_that_does_not_single_out_a_candidate_leaves_it_null(text: str) -> None:
    p = place_body("朝阳区人民政府", text)
    assert p.adcode is None and p.reason is not None and "ambiguous" in p.reason


def test_named_city_outranks_the_phone() -> None:
    p = place_body("朝阳区人民政府", "长春市朝阳区……电话 010-85991234")
    assert p.adcode == "220104" and p.evidence is not None and "长春市" in p.evidence


def test_phone_places_reads_landlines_only() -> None:
    assert phone_places("电话:0473-3991234;传真:0473-3991235;手机13912345678") == [
        ("0473", "内蒙古乌海市")]


def test_city_prefix_decides_without_text() -> None:
    assert place_body("北京市朝阳区人民政府").adcode == "110105"


def test_town_missing_from_the_table_is_not_guessed() -> None:
    p = place_body("万潮东镇人民政府")
    assert p.level == "township" and p.adcode is None and p.reason


def test_same_body_same_id_across_years() -> None:
    assert place_body("乌海市海勃湾区发展和改革委员会").body_id == place_body(
        "乌海市海勃湾区发展和改革委员会").body_id
    assert place_body("乌海市海勃湾区发展和改革委员会").body_id != place_body(
        "乌海市海勃湾区财政局").body_id


@pytest.mark.parametrize(("body", "kind"), [("人民政府", "government"), ("人民政府办公室", "government"),
                                            ("管理委员会", "government"), ("民政局", "department"),
                                            ("发展和改革委员会", "department")])
def test_agency_kind(body: str, kind: str) -> None:
    assert agency_kind(body) == kind


@pytest.mark.parametrize(("agency", "expected"), [
    pytest.param("万潮镇人民政府", ("贵州省", "黔东南苗族侗族自治州", "凯里市", "522601"), id="town"),
    pytest.param("大五里镇人民政府", ("河北省", "唐山市", "迁安市", "130283"), id="town-2"),
    pytest.param("卯都乡人民政府", ("内蒙古自治区", "乌兰察布市", "商都县", "150923"), id="xiang"),
])
def test_a_town_unique_in_the_country_places_the_body(
        agency: str, expected: tuple[str, ...]) -> None:
    p = place_body(agency)
    assert (p.province, p.city, p.county, p.adcode) == expected
    assert (p.level, p.agency_kind, p.reason) == ("township", "government", None)
    assert p.evidence is not None and "the only" in p.evidence


@pytest.mark.parametrize(("text", "adcode", "evidence"), [
    pytest.param("在兴和县委、县政府的正确领导下,我镇……", "150924", "text names 兴和县", id="county"),
    pytest.param("根据巴彦淖尔市政务公开工作要点,我镇……", "150802", "text names 巴彦淖尔市", id="city"),
    pytest.param("咨询电话:0478-8123456", "150802",
                 "phone area code 0478 (内蒙古巴彦淖尔)", id="phone"),
])
def test_a_shared_town_decided_by_the_text(text: str, adcode: str, evidence: str) -> None:
    """城关镇 is in 88 counties; the county or city the text names, or the phone, decides."""
    p = place_body("城关镇人民政府", text)
    assert (p.adcode, p.level, p.reason) == (adcode, "township", None)
    assert p.evidence == f"body name; {evidence}"


def test_a_shared_town_decided_by_the_site() -> None:
    p = place_body("金井镇人民政府", "", {"html_title": "平潭县人民政府门户网站"})
    assert (p.county, p.adcode) == ("平潭县", "350128")
    assert p.evidence == "body name; page title names 平潭县"


@pytest.mark.parametrize("text", [
    pytest.param("本镇认真贯彻落实《条例》。", id="nothing"),
    pytest.param("学习凯里市的经验。", id="a-county-holding-none"),
    pytest.param("电话 0471-6661234", id="phone-city-holds-two"),  # 和林格尔县 and 清水河县
    pytest.param("在兴和县、武清区的领导下", id="two-counties-equally"),
])
def test_a_shared_town_without_deciding_evidence_is_null(text: str) -> None:
    p = place_body("城关镇人民政府", text)
    assert (p.province, p.county, p.adcode, p.level) == (None, None, None, "township")
    assert p.reason is not None and p.reason.startswith("ambiguous: 城关镇 may be any of")


def test_a_shared_town_all_in_one_province_gives_the_province_only() -> None:
    p = place_body("城关镇人民政府", "内蒙古自治区政务公开要点")
    assert (p.province, p.city, p.county, p.adcode, p.level) == (
        "内蒙古自治区", None, None, "150000", "township")
    assert p.reason is not None and "4 townships" in p.reason


@pytest.mark.parametrize(("agency", "text", "evidence"), [
    ("新华街道办事处", "海勃湾区", "body name; text names 海勃湾区"),
    ("乌海市海勃湾区新华街道办事处", "", "body name"),
])
def test_a_street_office(agency: str, text: str, evidence: str) -> None:
    p = place_body(agency, text)
    assert (p.city, p.county, p.adcode, p.level, p.agency_kind) == (
        "乌海市", "海勃湾区", "150302", "township", "government")
    assert p.evidence == evidence


def test_a_town_decides_a_shared_district() -> None:
    """建外街道 is in Beijing's 朝阳区, not in Changchun's."""
    p = place_body("朝阳区建外街道办事处")
    assert (p.province, p.adcode) == ("北京市", "110105")
    assert p.evidence == "body name; 建外街道办事处 lies in 北京市朝阳区"


def test_a_town_named_with_its_city() -> None:
    p = place_body("长春市太平镇人民政府")
    assert (p.county, p.adcode, p.evidence) == ("双阳区", "220112",
                                                "body name; the only 太平镇 in 长春市")
    # a named place the town is not in is no evidence; the body's own city is kept
    p = place_body("长春市城关镇人民政府")
    assert (p.city, p.county, p.adcode) == ("长春市", None, "220100")


def test_a_unique_town_the_text_places_elsewhere_is_not_placed() -> None:
    """The one 万潮镇 is in 凯里市; a text naming only 广昌县 contradicts it."""
    p = place_body("万潮镇人民政府", "在广昌县委、县政府的领导下")
    assert (p.adcode, p.level) == (None, "township")
    assert p.reason is not None and "万潮镇" in p.reason
    p = place_body("万潮镇人民政府", "在凯里市委、市政府的领导下")
    assert p.adcode == "522601"


def test_a_shared_county_name_holding_one_of_the_towns_decides() -> None:
    """永定区 is in 张家界市 and in 龙岩市; only 张家界's holds a 崇文街道 (of 4)."""
    p = place_body("崇文街道办事处", "在永定区委、永定区政府的领导下")
    assert (p.city, p.county, p.adcode) == ("张家界市", "永定区", "430802")
    assert p.evidence == "body name; text names 永定区"


def test_an_unnamed_district_office_is_its_government_in_the_city_named() -> None:
    """pg_049's shape: 我办, the 区政府办公室, and only 武汉市 named: a district of 武汉市."""
    text = "现将我办2022年度政府信息公开情况报告如下:\n2022年,区政府办公室认真贯彻《武汉市政府信息公开暂行规定》。"
    p = place_body(None, text)
    assert (p.province, p.city, p.county, p.adcode, p.level, p.agency_kind) == (
        "湖北省", "武汉市", None, "420100", "county", "government")
    assert p.reason == "the 区 is not named in the report" and p.body_id is None


@pytest.mark.parametrize("text", [
    pytest.param("现将我办报告如下:区政府办公室认真贯彻。我局负责。", id="a-bureau-says-wo-ju"),
    pytest.param("现将我办报告如下:认真贯彻《武汉市规定》。", id="no-district-office"),
])
def test_an_office_that_is_not_a_district_governments_is_not_placed(text: str) -> None:
    p = place_body(None, text)
    assert (p.adcode, p.level) == (None, None)


def test_an_unnamed_district_office_naming_two_cities_gives_level_only() -> None:
    p = place_body(None, "现将我办报告如下:区政府办公室学习武汉市、长春市的经验。")
    assert (p.adcode, p.city, p.level, p.agency_kind) == (None, None, "county", "government")
