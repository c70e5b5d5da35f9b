"""Text extracted from PDFs: rows one a line, group labels split and glued to their first
sub-row, pages that start mid-table, digits run together. Read by labels, never guessed."""
from __future__ import annotations

import pytest

from toolkit.parse import parse_text

TITLE = "某县人民政府2019年政府信息公开工作年度报告\n"
UNABLE = (
    "8.属于行政查询事项 0 0 0 0 0 0 0\n"
    "（四）无 1.本机关不掌握相关政府信息 14 3 0 0 0 0 17\n"
    "法提供 2.没有现成信息需要另行制作 1 0 0 0 0 0 1\n"
    "3.补正后申请内容仍不明确 0 0 0 0 0 0 0\n"
    "(五)不予处理 1.信访举报投诉类申请 2 0 0 0 0 0 2\n"
)
HEAD = (TITLE + "一、总体情况\n概述。\n三、收到和处理政府信息公开申请情况\n"
        "本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和 申请人情况\n"
        "自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
        "一、本年新收政府信息公开申请数量 17 3 0 0 0 0 20\n"
        "三、本年度办理结果 (一)予以公开 0 0 0 0 0 0 0\n(二)部分公开 0 0 0 0 0 0 0\n"
        "(三)不予公开 1.属于国家秘密 0 0 0 0 0 0 0\n7.属于行政执法案卷 0 0 0 0 0 0 0\n")


@pytest.mark.parametrize("unable", [
    pytest.param(UNABLE, id="glued-to-the-next-label"),
    pytest.param(UNABLE.replace("法提供 2.", "法提供\n2."), id="own-line"),
    pytest.param(UNABLE.replace("17\n法提供 2.", "17 法提供\n2."), id="after-the-numbers"),
    pytest.param(UNABLE.replace("信息 14 3", "信息\n法提供\n14 3").replace("法提供 2.", "2."),
                 id="between-label-and-numbers"),
    pytest.param(UNABLE.replace("14 3 0 0 0 0 17\n法提供 ", "14 3 0\n法提供\n0 0 0 17\n"),
                 id="inside-the-numbers"),
    pytest.param(UNABLE.replace("（四）无 1.", "（四）无\n法提供\n1.").replace("法提供 2.", "2."),
                 id="before-the-label"),
])
def test_a_split_group_label_takes_no_row(unable: str) -> None:
    """"(四)无法提供" split by the PDF's line breaks: "(四)无" glued before its first sub-row,
    "法提供" somewhere near; every row keeps its own numbers."""
    values = parse_text(HEAD + unable).values()
    assert [values[f"requests.{row}.total"] for row in (
        "denied_query", "unable_not_held", "unable_need_create", "unable_unclear",
        "rejected_petition")] == [0, 17, 1, 0, 2]
    assert values["requests.unable_not_held.natural_person"] == 14


OTHER_2021 = (
    "5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0\n"
    "1.申请人无正当理由逾期不\n"
    "补正、行政机关不再处理其政府信息公开申请 | 73 | 0 | 0 | 0 | 0 | 0 | 73\n"
    "（六）其\n"
    "2.申请人逾期未按收费通知\n"
    "他处理\n"
    "要求缴纳费用、行政机关不再处理其政府信息公开申请 | 3 | 0 | 0 | 0 | 0 | 0 | 3\n"
    "3.其他 148 0 0 0 0 0 148\n"
    "（七）总计 224 0 0 0 0 0 224\n"
)


@pytest.mark.parametrize("other", [
    pytest.param(OTHER_2021, id="inside-a-wrapped-label"),
    pytest.param(OTHER_2021.replace("他处理\n要求", "要求").replace("3.其他", "他处理\n3.其他"),
                 id="before-the-last-row"),
    pytest.param(OTHER_2021.replace("（六）其\n2.", "2.").replace("1.申请人无", "（六）其\n1.申请人无"),
                 id="head-before-the-first-row"),
    pytest.param(OTHER_2021.replace(
        "（六）其\n2.申请人逾期未按收费通知\n他处理\n要求缴纳费用、行政机关不再处理其政府信息公开申请 | 3 | 0 | 0 | 0 | 0 | 0 | 3\n",
        "（六）其 2.申请人逾期未按收费通知\n他处理 要求缴纳费用、行政机关\n3 0 0 0 0 0 3\n"
        "不再处理其政府信息公开\n申请\n"), id="glued-before-label-lines"),
    pytest.param(OTHER_2021.replace("（六）其\n2.申请人逾期未按收费通知\n他处理\n", "2.申请人逾期未按收费通知\n")
                 .replace("1.申请人无", " | （ 六 ）其 他 处理 | 1.申请人无"),
                 id="the-heading-spaced-out-beside-the-first-row"),
    pytest.param(OTHER_2021.replace("他处理\n要求缴纳费用、行政机关不再处理其政府信息公开申请",
                                    "要求缴纳费用、行政机关不再处理其政府信息公开申请 他处理"),
                 id="glued-after-a-label-line"),
])
def test_a_split_row_that_heads_a_group_takes_no_row(other: str) -> None:
    """2021 prints 2019's row (六)其他处理 as the heading of its three rows; Chromium's text
    of a borderless table puts its pieces among their wrapped labels."""
    values = parse_text(HEAD.replace("2019", "2021") + other).values()
    assert [values[f"requests.{row}.total"] for row in (
        "rejected_confirm", "other_no_correction", "other_no_fee", "other_misc",
        "total_processed")] == [0, 73, 3, 148, 224]


def test_a_page_that_starts_mid_table_is_read_by_its_labels() -> None:
    """No section heading, no 第二十条 item heading above the first rows, no requests header."""
    values = parse_text(
        TITLE + "行政许可 697 +215 429989\n其他对外管理服务事项 1728 +1022 175629\n"
        "第二十条第(六)项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政处罚 13269 -1442 5021\n"
        "(三)不予公开 1.属于国家秘密 0 0 0 0 0 0 0\n2.其他法律行政法规禁止公开 0 0 0 0 0 0 0\n"
        "3.危及“三安全一稳定” 2 0 0 0 0 0 2\n").values()
    assert (values["active.license.prev_items"], values["active.license.change"],
            values["active.license.decisions"]) == (697, 215, 429989)
    assert values["active.other_services.decisions"] == 175629
    assert values["active.penalty.change"] == -1442
    assert values["requests.denied_three_safety.total"] == 2
    assert values["requests.denied_state_secret.total"] == 0


def test_digits_run_together_that_nothing_decides_stay_ambiguous() -> None:
    """ht_2023's text version: 行政规范性文件 77 | 132 | 470 printed as 77132470."""
    report = parse_text(
        TITLE.replace("2019", "2021") + "二、主动公开政府信息情况\n第二十条第(一)项\n"
        "信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n行政规范性文件 77132470\n")
    for column in ("issued", "repealed", "in_force"):
        assert report.values()[f"active.normative_docs.{column}"] is None
        assert report.flags()[f"active.normative_docs.{column}"] == "ambiguous"
