"""Table phenomena from the spec, each on a small text shaped like the real reports."""
from __future__ import annotations

from pathlib import Path

from toolkit.parse import parse_text
from toolkit.parse.report import Report

REQUEST_HEADER = (
    "三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\n"
    "申请人情况\n自然人\n法人或其他组织\n总计\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n"
)


def report(body: str) -> Report:
    return parse_text("某县人民政府2020年政府信息公开工作年度报告\n一、总体情况\n概述。\n" + body)


def test_columns_follow_the_header_not_the_row() -> None:
    """Seed 003: the (一) headers printed on the (五) group too."""
    r = report("二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\n本年新制作数量\n本年新公开数量\n"
               "对外公开总数量\n规章\n0\n0\n0\n第二十条第(五)项\n信息内容\n本年新制作数量\n本年新公开数量\n"
               "对外公开数量\n行政许可\n429\n429\n430\n")
    values = r.values()
    assert values["active.license.new_made"] == 429
    assert values["active.license.total_published"] == 430
    assert "active.license.prev_items" not in values


def test_headers_cut_short_fall_back_to_template_order() -> None:
    r = report("二、主动公开政府信息情况\n第二十条第(一)项 | ||||\n信息内容 | 本年新 | 本年新 | 对外公开总数量 | |\n"
               "规章 | 3 | 2 | 9 | |\n")
    assert r.values()["active.rules.new_made"] == 3
    assert r.values()["active.rules.new_published"] == 2
    assert r.values()["active.rules.total_published"] == 9


def test_template_2021_from_headers_even_when_text_cites_2019() -> None:
    r = report("根据国办公开办函〔2019〕60号编制。\n二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\n本年制发件数\n"
               "本年废止件数\n现行有效件数\n规章\n1\n0\n5\n")
    assert r.meta["template"] == "2021"
    assert r.values()["active.rules.in_force"] == 5


def test_blank_cell_is_blank_not_zero() -> None:
    r = report("二、主动公开政府信息情况\n第二十条第(八)项\n\n信息内容\n\n本年收费金额(单位:万元)\n\n"
               "行政事业性收费\n\n\n \n\n三、收到和处理政府信息公开申请情况\n")
    assert r.values()["active.fees.fee_amount"] is None
    assert r.flags()["active.fees.fee_amount"] == "blank"


def test_labels_without_numbers_are_missing_not_zero() -> None:
    r = report(REQUEST_HEADER + "一、本年新收政府信息公开申请数量\n二、上年结转政府信息公开申请数量\n"
               "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n五、存在的主要问题及改进情况\n无。\n")
    assert r.values()["requests.new_received.total"] is None
    assert r.flags()["requests.new_received.total"] == "missing"


def test_one_number_for_seven_columns_is_ambiguous() -> None:
    r = report(REQUEST_HEADER.replace("\n", " | ") + "\n一、本年新收政府信息公开申请数量 | 0 | ||||||||\n"
               "二、上年结转政府信息公开申请数量 | 0 | ||||||||\n四、政府信息公开行政复议、行政诉讼情况\n")
    assert r.flags()["requests.new_received.natural_person"] == "ambiguous"
    assert r.values()["requests.new_received.natural_person"] is None


def test_subtotal_column_by_header() -> None:
    header = REQUEST_HEADER.replace("其他\n", "其他\n小计\n")
    r = report(header + "一、本年新收政府信息公开申请数量\n5\n1\n0\n0\n2\n0\n3\n8\n")
    values = r.values()
    assert values["requests.new_received.legal_subtotal"] == 3
    assert values["requests.new_received.total"] == 8


def test_run_together_digits_cut_by_the_row_total() -> None:
    r = report(REQUEST_HEADER + "一、本年新收政府信息公开申请数量 713000074二、上年结转政府信息公开申请数量 1000001"
               "三、本年度办理结果 ")
    values = r.values()
    assert [values[f"requests.new_received.{c}"] for c in
            ("natural_person", "commercial", "research", "social_org", "legal_service",
             "other_org", "total")] == [71, 3, 0, 0, 0, 0, 74]
    assert values["requests.carried_over.total"] == 1


def test_run_together_digits_with_several_cuts_are_ambiguous() -> None:
    r = report("二、主动公开政府信息情况第二十条第(一)项 信息内容 本年制发件数 本年废止件数 现行有效件数 "
               "规章000行政规范性文件8855698第二十条第(五)项 三、收到和处理政府信息公开申请情况")
    assert r.values()["active.rules.issued"] == 0
    assert r.flags()["active.normative_docs.issued"] == "ambiguous"
    assert r.values()["active.normative_docs.in_force"] is None


def test_ambiguous_cells_keep_their_rows_text() -> None:
    """So the store can cut the row again when another year decides (toolkit.store.repair)."""
    text = ("二、主动公开政府信息情况第二十条第(一)项 信息内容 本年制发件数 本年废止件数 现行有效件数 "
            "规章000行政规范性文件88 55698第二十条第(五)项 三、收到和处理政府信息公开申请情况")
    r = report(text)
    facts = r.facts.set_index("key")
    for column in ("issued", "repealed", "in_force"):
        cell = facts.loc[f"active.normative_docs.{column}"]
        assert (cell["flag"], cell["raw"]) == ("ambiguous", "88 55698")
    located = facts.loc["active.normative_docs.issued", "location"]
    assert located >= 0
    whole = "某县人民政府2020年政府信息公开工作年度报告\n一、总体情况\n概述。\n" + text
    assert whole[located:located + 2] == "88"


def test_what_every_cut_agrees_on_is_kept() -> None:
    r = report("二、主动公开政府信息情况\n第二十条第(六)项\n信息内容\n上一年项目数量\n本年增/减\n处理决定数量\n"
               "行政处罚2648-18538\n行政强制000\n第二十条第(八)项\n")
    assert r.values()["active.penalty.prev_items"] == 2648
    assert r.flags()["active.penalty.change"] == "ambiguous"
    assert r.values()["active.enforcement.decisions"] == 0


def test_redacted_label_still_finds_its_row() -> None:
    r = report("二、主动公开政务信息情况\n第二十条第(六)项\n信息内容\n上一年项目数量\n本年增/减\n处理决定数量\n"
               "(略) 罚\n1\n2\n3\n行政强制\n0\n0\n0\n")
    assert r.values()["active.penalty.decisions"] == 3


def test_labels_wrapped_around_their_cells_as_pdf_text_gives_them() -> None:
    """A borderless PDF table: long labels wrap, the cells sit between or after the parts."""
    r = report(REQUEST_HEADER
               + "一、本年新收政府信息公开申请数量 56 30 0 0 0 0 86\n"
               + "三、本年度 (一)予以公开 19 11 0 0 0 0 30\n办理结果\n"
               + "(二)部分公开(区分处理的,只\n6 5 0 0 0 0 11\n计这一情形,不计其他情形)\n"
               + "1.属于国家秘密 0 0 0 0 0 0 0\n"
               + "2.其他法律行政法规\n0 0 0 0 0 0 0\n禁止公开\n"
               + "3.危及\n“三安全一稳定” 0 1 0 0 0 0 1\n")
    values = r.values()
    assert values["requests.partial.total"] == 11
    assert values["requests.partial.natural_person"] == 6
    assert values["requests.denied_law_prohibited.total"] == 0
    assert values["requests.denied_three_safety.commercial"] == 1
    assert values["requests.denied_three_safety.total"] == 1

    r = report(REQUEST_HEADER
               + "3.补正后申请内容仍不明确 2 2 0 0 0 0 4\n"
               + "1.信访举报投诉类申\n1 1 0 0 0 0 2\n请\n"
               + "2.重复申请 1 1 0 0 0 0 2\n"
               + "4.无正当理由大量反\n0 0 0 0 0 0 0\n复申请\n"
               + "申请人情况\n自然人 法人或其他组织 总计\n"  # the header, repeated on a new page
               + "5.要求行政机关确认\n或重新出具已获取信 0 1 0 0 0 0 1\n息\n"
               + "(六)其他处理 3 2 0 0 0 0 5\n")
    values = r.values()
    assert values["requests.rejected_petition.total"] == 2
    assert values["requests.rejected_confirm.commercial"] == 1  # its label's parts joined
    assert values["requests.other.total"] == 5


def test_prose_restating_numbers_is_not_read() -> None:
    r = report("三、收到和处理政府信息公开申请情况\n共收到8份申请,其中,予以公开2件,部分公开2件。\n"
               + REQUEST_HEADER.split("\n", 1)[1] + "一、本年新收政府信息公开申请数量\n8\n0\n0\n0\n0\n0\n8\n")
    values = r.values()
    assert values["requests.new_received.total"] == 8
    assert values["requests.granted.total"] is None


def test_cut_off_page_gives_what_it_shows(seed_000: Path) -> None:
    text = seed_000.read_text(encoding="utf-8")
    cut = text[: text.index("(二)部分公开") + len("(二)部分公开(区分处理的,只计这一情形,不计其他情形)\n\n0\n\n0\n\n0\n")]
    r = parse_text(cut)
    assert r.status == "partial"
    values, flags = r.values(), r.flags()
    assert values["requests.granted.total"] == 0
    assert [values[f"requests.partial.{c}"] for c in ("natural_person", "commercial", "research")] == [0, 0, 0]
    assert values["requests.partial.total"] is None and flags["requests.partial.total"] == "missing"


def test_digit_cut_mid_label_is_not_a_value(seed_000: Path) -> None:
    text = seed_000.read_text(encoding="utf-8")
    at = text.index("2.其他法律行政法规禁止公开")
    r = parse_text(text[: at + 1])
    assert r.values()["requests.denied_state_secret.total"] == 0


def test_report_printed_twice_is_read_once(seed_000: Path) -> None:
    text = seed_000.read_text(encoding="utf-8")
    r = parse_text(text + "\n" + text.replace("429989", "1"))
    assert r.values()["active.license.decisions"] == 429989
    assert r.status == "ok"


def test_identities_are_checked(seed_000: Path) -> None:
    checks = parse_text(seed_000.read_text(encoding="utf-8")).checks
    row_totals = checks[checks.check == "row_total"]
    assert set(row_totals.status) >= {"pass"}
    balance = checks[checks.check == "balance"]
    assert set(balance.status) == {"not_checkable"}


def test_counts_printed_with_their_unit() -> None:
    r = report(REQUEST_HEADER + "一、本年新收政府信息公开申请数量 | 12件 | 3件 | 0 | 0 | 0 | 0 | 15件\n")
    assert r.values()["requests.new_received.natural_person"] == 12
    assert r.values()["requests.new_received.total"] == 15


def test_a_change_printed_with_the_minus_sign_keeps_its_sign() -> None:
    r = report("二、主动公开政府信息情况\n第二十条第(五)项\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量\n"
               "行政许可 | 30 | \u22125 | 14\n")
    assert r.values()["active.license.change"] == -5


def test_a_lone_cell_is_never_cut_to_fill_a_row() -> None:
    """Six numbers for seven columns, the last glued to a word: cutting the lone 11 into
    1 and 1 would satisfy the row total (1+1+0+0+0+0 = 2), and be wrong."""
    r = report(REQUEST_HEADER.replace("\n", " | ") + "\n一、本年新收政府信息公开申请数量 | 11 | 0 | 0 | 0 | 0 | 2注\n"
               "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0\n")
    assert r.values()["requests.new_received.natural_person"] is None
    assert r.flags()["requests.new_received.natural_person"] == "ambiguous"


def test_an_html_page_cut_inside_a_tag_shows_what_it_has() -> None:
    """A crawler's preview cut in `</td>` leaves `2</` as text: the 2 may be cut short."""
    r = report(REQUEST_HEADER.replace("\n", " | ") + "\n一、本年新收政府信息公开申请数量 | 117 | 0 | 0 | 0 | 0 "
               "| 11 | 128 | 二、上年结转政府信息公开申请数量 | 11 | 0 | 0 | 0 | 0 | 2</")
    values, flags = r.values(), r.flags()
    assert values["requests.new_received.total"] == 128
    assert [values[f"requests.carried_over.{c}"] for c in ("natural_person", "other_org", "total")
            ] == [11, None, None]
    assert flags["requests.carried_over.other_org"] == "missing"
