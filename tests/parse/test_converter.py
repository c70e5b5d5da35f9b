"""Converter markdown (each table row its own small table under a `###` heading).

The generated layout `converter_md` runs through every property test; here: a hand-made
report in that shape with a real report's numbers (fixtures/converter_md/README.md), and
the pieces of the shape one at a time.
"""
from __future__ import annotations

import json
from pathlib import Path

from toolkit.parse import parse_text
from toolkit.parse.converter import converter_tokens, is_converter_markdown
from toolkit.parse.tokens import TEXT, VALUE
from toolkit.spec.template import load_template

FIXTURES = Path(__file__).parent / "fixtures" / "converter_md"
HEAD = "某县人民政府2020年政府信息公开工作年度报告\n## 一、总体情况\n概述。\n## 三、收到和处理政府信息公开申请情况\n"
GENERIC = "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"
INVENTED = ("| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 | 无法提供 | 总计 |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- |\n")


def _row(heading: str, header: str, first: str, numbers: str) -> str:
    return f"\n### {heading}\n\n{header}| {first} | {' | '.join(numbers.split())} |\n"


def _outcomes(numbers: str = "0 0 0 0 0 0 0") -> str:
    """The outcome rows between 二、上年结转 and (七)总计, all with `numbers`."""
    rows = [r for r in load_template().request_rows_for("2019")][2:-2]
    return "".join(_row(r.labels[0], GENERIC, r.labels[0], numbers) for r in rows)


def test_hand_made_report_reads_exactly() -> None:
    text = (FIXTURES / "000_wuhai_2019_converter.md").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "000_wuhai_2019_converter.json").read_text("utf-8"))
    parsed = parse_text(text, source="converter")
    assert parsed.values() == expected["values"]
    assert parsed.flags() == {}
    assert parsed.meta["template"] == "2019"
    assert {c.status for c in parsed.check_list if c.check != "text_vs_table"} == {"pass"}


def test_column_names_are_never_numbers() -> None:
    """数据1 … 数据6 read as plain markdown give the numbers 1 … 6 (the reported failure:
    total_processed 9 where the report says 718)."""
    text = HEAD + "".join([
        _row("一、本年新收政府信息公开申请数量", GENERIC, "一、本年新收政府信息公开申请数量", "741 8 0 0 0 0 749"),
        _row("二、上年结转政府信息公开申请数量", GENERIC, "二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0"),
        _outcomes(),
        _row("(七)总计", GENERIC, "(七)总计", "710 8 0 0 0 0 718"),
    ])
    values = parse_text(text).values()
    assert values["requests.new_received.total"] == 749
    assert values["requests.carried_over.total"] == 0
    assert values["requests.total_processed.total"] == 718
    tokens = converter_tokens(GENERIC, 0)
    assert [t for t in tokens if t.kind == VALUE] == []


def test_the_row_label_decides_not_the_heading_or_the_invented_header() -> None:
    """A header copied from elsewhere names rows (予以公开…): it is no label; a first cell
    naming another row than the heading above it wins (it sits beside the numbers)."""
    text = HEAD + "".join([
        _row("一、本年新收政府信息公开申请数量", INVENTED, "一、本年新收政府信息公开申请数量", "5 0 0 0 0 0 5"),
        _row("一、本年新收政府信息公开申请数量", INVENTED, "二、上年结转政府信息公开申请数量", "1 0 0 0 0 0 1"),
        _row("(一)予以公开", GENERIC, "(一)予以公开", "6 0 0 0 0 0 6"),
    ])
    values = parse_text(text).values()
    assert values["requests.new_received.total"] == 5
    assert values["requests.carried_over.total"] == 1
    assert values["requests.granted.total"] == 6


def test_heading_labels_a_row_whose_first_cell_is_generic() -> None:
    text = HEAD + _row("二、上年结转政府信息公开申请数量", GENERIC, "类别", "2 0 0 0 0 0 2")
    assert parse_text(text).values()["requests.carried_over.total"] == 2


def test_placeholder_rows_and_unknown_headings_give_no_numbers() -> None:
    text = HEAD + "".join([
        "\n### 申请人情况 (自然人)\n\n| 项目 | 自然人 | 总计 |\n| --- | --- | --- |\n| - | - | - |\n",
        _row("一、本年新收政府信息公开申请数量", GENERIC, "一、本年新收政府信息公开申请数量", "3 0 0 0 0 0 3"),
        _row("其他未列明事项", GENERIC, "其他未列明事项", "9 0 0 0 0 0 9"),
        _row("二、上年结转政府信息公开申请数量", GENERIC, "二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0"),
    ])
    values = parse_text(text).values()
    assert values["requests.new_received.total"] == 3
    assert values["requests.carried_over.total"] == 0
    assert 9 not in values.values()


def test_ocr_slips_in_labels_still_name_their_rows() -> None:
    text = HEAD + _row("一、本年新收政府信息公开甲请数量", GENERIC, "一、本年新收政府信息公开甲请数量",
                       "4 0 0 0 0 0 4")
    assert parse_text(text).values()["requests.new_received.total"] == 4


def test_review_rows_by_their_labels() -> None:
    """Printed out of order, the review rows are read by label, never by position."""
    review = "## 四、政府信息公开行政复议、行政诉讼情况\n" + "".join(
        f"\n### {heading}\n\n| 类别 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n"
        f"| --- | --- | --- | --- | --- | --- |\n| {first} | {numbers} |\n"
        for heading, first, numbers in (
            ("行政诉讼 (复议后起诉)", "复议后起诉", "1 | 0 | 0 | 0 | 1"),
            ("行政复议", "行政复议", "2 | 1 | 0 | 0 | 3"),
            ("行政诉讼 (未经复议直接起诉)", "未经夏议直接起诉", "0 | 0 | 0 | 4 | 4"),
        ))
    text = HEAD + _row("一、本年新收政府信息公开申请数量", GENERIC, "一、本年新收政府信息公开申请数量",
                       "3 0 0 0 0 0 3") * 3 + review
    values = parse_text(text).values()
    assert values["review.review.total"] == 3
    assert values["review.litigation_direct.pending"] == 4
    assert values["review.litigation_after_review.upheld"] == 1


def test_plain_markdown_is_not_converter_markdown() -> None:
    template = load_template()
    plain = "## 二、主动公开政府信息情况\n| 第二十条第(一)项 | | |\n| --- | --- | --- |\n| 规章 | 1 | 2 |\n"
    assert not is_converter_markdown(plain, template)
    assert is_converter_markdown(HEAD + _row("规章", GENERIC, "规章", "1 2 3") * 3, template)
    rows = [("一、本年新收政府信息公开申请数量", "1 0 0 0 0 0 1"), ("二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0"),
            ("(一)予以公开", "1 0 0 0 0 0 1")]
    invented = HEAD + "".join(_row(label, INVENTED, label, numbers) for label, numbers in rows)
    assert is_converter_markdown(invented, template)
    assert not is_converter_markdown(invented.replace("### (一)予以公开", "(一)予以公开"), template)
    assert [t.kind for t in converter_tokens("### 规章\n" + GENERIC + "| 规章 | 1 | 2 |\n", 0)] == [
        TEXT, VALUE, VALUE]
