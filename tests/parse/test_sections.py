"""Section headings 一 … 六 and the text between them."""
from __future__ import annotations

from toolkit.parse.sections import find_headings, split_sections

REPORT = (
    "某县人民政府2020年政府信息公开工作年度报告\n"
    "一、总体情况\n本年度工作概述。\n"
    "二、主动公开政府信息情况\n表一\n"
    "三、收到和处理政府信息公开申请情况\n二、上年结转政府信息公开申请数量\n三、本年度办理结果\n"
    "四、政府信息公开行政复议、行政诉讼情况\n表三\n"
    "五、存在的主要问题及改进情况\n问题。\n"
    "六、其他需要报告的事项\n无。\n"
)
KEYS = ["overview", "active", "requests", "review", "problems", "other"]


def test_numbered_headings_in_order_and_table_rows_are_not_headings() -> None:
    headings = find_headings(REPORT)
    assert [h.key for h in headings] == KEYS
    sections = split_sections(REPORT, headings)
    assert sections["requests"] == "二、上年结转政府信息公开申请数量\n三、本年度办理结果"
    assert sections["other"] == "无。"


def test_titles_alone_on_their_line_when_word_numbered_them() -> None:
    bare = (REPORT.replace("\n一、总体情况", "\n总体情况")
            .replace("\n二、主动公开", "\n主动公开")
            .replace("\n三、收到和处理", "\n收到和处理")
            .replace("\n四、政府信息公开行政复议、", "\n政府信息公开行政复议,")
            .replace("\n五、存在", "\n存在")
            .replace("\n六、其他", "\n其他"))
    headings = find_headings(bare)
    assert [h.key for h in headings] == KEYS
    assert split_sections(bare, headings)["review"] == "表三"


def test_a_title_inside_a_sentence_is_not_a_heading() -> None:
    text = "一、总体情况\n本年度主动公开政府信息情况良好。\n"
    assert [h.key for h in find_headings(text)] == ["overview"]


def test_a_report_printed_twice_gives_the_first_copys_headings() -> None:
    headings = find_headings(REPORT + REPORT)
    assert [h.key for h in headings] == KEYS
    assert headings[-1].start < len(REPORT)


def test_titles_after_a_numbering_the_numeral_pattern_does_not_take() -> None:
    text = REPORT.replace("一、总体情况", "第一部分 总体情况").replace(
        "二、主动公开", "第二部分主动公开").replace("三、收到和处理", "三 收到和处理")
    headings = find_headings(text)
    assert [h.key for h in headings] == KEYS
    assert headings[0].text == "第一部分 总体情况"
    assert split_sections(text, headings)["overview"] == "本年度工作概述。"
