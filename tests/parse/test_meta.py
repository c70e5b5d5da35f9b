"""Metadata read from the report itself: title, year, publication date, reporting body."""
from __future__ import annotations

import pytest

from toolkit.parse.meta import (
    agency_from_title,
    department_by_short_name,
    find_agency,
    find_published,
    find_title,
    find_year,
    full_department_name,
    qualify_agency,
    township_named_elsewhere,
)

_SELF_NAMED_BUREAU = (
    "一、总体情况\n2019年,我局根据省、牡丹江市政府信息公开工作要求,认真贯彻落实《2019年绥芬河市"
    "政府信息公开工作要点》。二是公开住建局职能职责、行政审批项目的依据。\n"
)


def test_title_skips_page_chrome_and_takes_the_report_line() -> None:
    text = "首页 > 政务公开 > 年报\n【打印】【关闭】\n乌海市统计局2023年政府信息公开工作年度报告\n正文"
    assert find_title(text) == "乌海市统计局2023年政府信息公开工作年度报告"


def test_title_prefers_the_pages_declared_title() -> None:
    hints = {"meta_title": "阆中市人民政府 2020年政府信息公开工作年度报告"}
    assert find_title("无关文字", hints) == "阆中市人民政府2020年政府信息公开工作年度报告"


def test_year_comes_from_the_statistics_period_not_the_publication() -> None:
    text = "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。发布时间:2023-01-20"
    assert find_year(text, None, "2023-01-20") == 2022
    assert find_year("", "某某局2021年政府信息公开工作年度报告", None) == 2021
    assert find_year("", None, "2023-01-20") == 2022


def test_published_is_a_labelled_date_before_section_one() -> None:
    assert find_published("发布时间：2024-03-14\n一、总体情况\n2023年5月6日召开会议") == "2024-03-14"
    assert find_published("一、总体情况\n正文\n某某局\n2021年1月28日") == "2021-01-28"
    assert find_published("一、总体情况\n正文") is None


@pytest.mark.parametrize(("title", "agency"), [
    ("乌海市人民政府2019年政府信息公开工作年度报告", "乌海市人民政府"),
    ("阆中市2020年政府信息公开工作年度报告", "阆中市人民政府"),
    ("2022年度乌兰察布市集宁区统计局政府信息公开工作年度报告", "乌兰察布市集宁区统计局"),
    ("关于乌海市统计局2022年政府信息公开工作年度报告的公告", "乌海市统计局"),
    ("乌海市统计局关于2022年政府信息公开工作年度报告", "乌海市统计局"),
    ("乌海市统计局二〇二二年政府信息公开工作年度报告", "乌海市统计局"),
])
def test_agency_from_title(title: str, agency: str) -> None:
    assert agency_from_title(title) == agency


@pytest.mark.parametrize(("title", "year"), [
    ("关于乌海市统计局2022年政府信息公开工作年度报告的公告", 2022),
    ("乌海市统计局政府信息公开工作年度报告(2021年)", 2021),
    ("二〇二〇年度乌海市统计局政府信息公开工作年度报告", 2020),
])
def test_title_forms_seen_on_real_pages(title: str, year: int) -> None:
    assert find_title(f"首页\n{title}\n正文") == title
    assert find_year("", title, None) == year


def test_district_is_qualified_by_the_city_the_text_prints_with_it() -> None:
    assert qualify_agency("于洪区人民政府", "沈阳市于洪区人民政府办公室") == "沈阳市于洪区人民政府"
    assert qualify_agency("阆中市人民政府", "南充市阆中市") == "阆中市人民政府"


def test_department_named_by_its_short_name_and_the_place_it_names() -> None:
    assert department_by_short_name(_SELF_NAMED_BUREAU) == "绥芬河市住房和城乡建设局"
    assert find_agency(_SELF_NAMED_BUREAU, None) == "绥芬河市住房和城乡建设局"


@pytest.mark.parametrize("text", [
    _SELF_NAMED_BUREAU.replace("我局", "我们"),  # no self-reference as a bureau
    _SELF_NAMED_BUREAU.replace("我局", "我委"),  # calls itself a commission: not 住建局
    _SELF_NAMED_BUREAU + "会同公安局开展整治。",  # two departments: which one is it?
    _SELF_NAMED_BUREAU.replace("牡丹江市", "哈尔滨市"),  # places on two chains
    _SELF_NAMED_BUREAU.replace("绥芬河市", "某某").replace("牡丹江市", "某地"),  # no place
])
def test_department_is_not_guessed_without_all_the_evidence(text: str) -> None:
    assert department_by_short_name(text) is None


@pytest.mark.parametrize("period", [
    "2022年1月1日至2022年12月31日", "2022年1月1日起至12月31日止", "2021-01-01至2021-12-31",
])
def test_a_statistics_period_is_not_the_publication_date(period: str) -> None:
    assert find_published(f"本报告所列数据的统计期限为{period}。\n一、总体情况\n") is None
    assert find_published(f"统计期限为{period}。发布日期:2023-01-18\n一、总体情况\n") == "2023-01-18"


def test_a_preamble_announcing_the_report_names_the_body() -> None:
    text = ("根据《条例》要求,现将乌海市海勃湾区统计局2022年政府信息公开工作年度报告予以公布。\n"
            "一、总体情况\n2022年,我局认真贯彻落实条例。\n")
    assert find_agency(text, None) == "乌海市海勃湾区统计局"
    assert find_agency(text.replace("乌海市海勃湾区统计局", "我办"), None) is None
    # A spam copy that put casino words in place of the body's place names nobody.
    spliced = text.replace("乌海市海勃湾区", "澳门特区赌场,澳门博彩业网址")
    assert find_agency(spliced, None) is None


@pytest.mark.parametrize("head", [
    "乌海市海勃湾区文化和旅游局2019年政府信息公开\n工作年度报告\n发布时间:2020-01-03",
    "乌海市海勃湾区文化和旅游局\n2019年政府信息公开工作年度报告\n发布时间:2020-01-03",
    "乌海市海勃湾区文化和旅游局2019年\n政府信息公开工作年度报告\n",
])
def test_a_title_wrapped_over_two_lines_is_read_whole(head: str) -> None:
    assert find_title(head) == "乌海市海勃湾区文化和旅游局2019年政府信息公开工作年度报告"


def test_a_sentence_after_a_title_line_is_not_glued_to_it() -> None:
    text = "2019年政府信息公开\n根据条例,现将工作报告如下。\n"
    assert find_title(text) is None


@pytest.mark.parametrize(("agency", "text", "qualified"), [
    pytest.param("万潮镇人民政府", "", "凯里市万潮镇人民政府", id="unique-town"),
    pytest.param("城关镇人民政府", "在兴和县委的领导下", "兴和县城关镇人民政府", id="county-named"),
    pytest.param("城关镇人民政府", "咨询电话:0478-8123456", "临河区城关镇人民政府", id="phone"),
    pytest.param("城关镇人民政府", "本镇认真贯彻落实条例", "城关镇人民政府", id="undecided"),
    pytest.param("银川镇人民政府", "积石山县", "积石山县银川镇人民政府", id="as-the-text-writes-it"),
])
def test_a_township_is_qualified_by_its_county(agency: str, text: str, qualified: str) -> None:
    assert qualify_agency(agency, text) == qualified


@pytest.mark.parametrize(("text", "agency"), [
    pytest.param("来源: 万潮镇人民政府 发布时间: 2024-01-16\n一、总体情况\n2023年,我镇认真贯彻条例。",
                 "凯里市万潮镇人民政府", id="source-label"),
    pytest.param("发布机构:大五里镇\n一、总体情况\n本镇公开信息217条。", "迁安市大五里镇人民政府",
                 id="publisher-label"),
    pytest.param("一、总体情况\n我街公开信息12条。\n六、其他\n无。\n海勃湾区新华街道办事处\n2021年1月29日",
                 "乌海市海勃湾区新华街道办事处", id="street-signature"),
])
def test_a_township_that_says_wo_zhen_is_the_one_it_names_elsewhere(text: str, agency: str) -> None:
    assert find_agency(text, None) == agency


@pytest.mark.parametrize("text", [
    "来源: 万潮镇人民政府\n一、总体情况\n我局认真贯彻条例。",  # a bureau's page, hosted by the town
    "来源: 万潮镇人民政府\n一、总体情况\n我乡认真贯彻条例。",  # a 乡 is not the 镇 named
])
def test_a_labelled_township_of_another_kind_is_not_the_body(text: str) -> None:
    assert township_named_elsewhere(text) is None


def test_a_street_is_governed_by_its_office() -> None:
    assert agency_from_title("新华街道2022年政府信息公开工作年度报告") == "新华街道办事处"


@pytest.mark.parametrize(("name", "full"), [
    ("乌海市发改委", "乌海市发展和改革委员会"),
    ("乌海市海勃湾区住建局", "乌海市海勃湾区住房和城乡建设局"),
    ("乌海市统计局", "乌海市统计局"),
    ("住建局", "住建局"),  # no place before it: not whose
])
def test_short_department_names_in_full(name: str, full: str) -> None:
    assert full_department_name(name) == full


def test_the_government_compiling_through_its_office_is_the_body() -> None:
    text = "一、总体情况\n……如有疑问,请联系凯里市人民政府办公室。"
    assert find_agency(text, None) == "凯里市人民政府"
