"""Every layout becomes the same token stream: label, then its cells."""
from __future__ import annotations

import pytest

from toolkit.parse.tokens import BLANK, TEXT, VALUE, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


ROW = [(TEXT, "规章"), (VALUE, "1"), (VALUE, "1"), (VALUE, "90")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("规章\n1\n1\n90\n", id="lines"),
        pytest.param("规章\n\n1\n\n1\n\n90\n\n", id="paragraphs"),
        pytest.param("规章 | 1 | 1 | 90\n", id="pipes"),
        pytest.param("| 规章 | 1 | 1 | 90 |\n", id="markdown"),
        pytest.param("|\n规章 |\n1 |\n1 |\n90 |\n", id="pipe-cells"),
        pytest.param("规章 1 1 90", id="spaces"),
    ],
)
def test_layouts_give_the_same_stream(text: str) -> None:
    assert [k for k in kinds(text) if k[0] != BLANK] == ROW


def test_whitespace_only_line_is_a_blank_cell() -> None:
    assert kinds("行政事业性收费\n\n\n \n\n") == [(TEXT, "行政事业性收费"), (BLANK, "")]


def test_empty_pipe_cell_is_a_soft_blank() -> None:
    tokens = tokenize("规章 | 0 |  | 0\n")
    assert [t.kind for t in tokens] == [TEXT, VALUE, BLANK, VALUE]
    assert tokens[2].soft


def test_run_together_label_and_digits() -> None:
    assert kinds("规章000行政规范性文件040") == [
        (TEXT, "规章"), (VALUE, "000"), (TEXT, "行政规范性文件"), (VALUE, "040")]


def test_enumerator_of_next_label_is_peeled_off_the_digits() -> None:
    assert kinds("1.本机关不掌握相关政府信息 3700000372.没有现成信息需要另行制作 0000000") == [
        (TEXT, "1.本机关不掌握相关政府信息"), (VALUE, "370000037"),
        (TEXT, "2.没有现成信息需要另行制作"), (VALUE, "0000000")]


def test_redaction_inside_a_label_stays_text() -> None:
    assert kinds("(略) 罚") == [(TEXT, "(略) 罚")]


def test_redaction_alone_is_a_value() -> None:
    assert kinds("*\n(略)\n") == [(VALUE, "*"), (VALUE, "(略)")]


def test_digits_in_a_header_note_stay_text() -> None:
    assert kinds("本年收费金额(单位:万元,保留4位小数)") == [
        (TEXT, "本年收费金额(单位:万元,保留4位小数)")]


def test_offsets_point_into_the_text() -> None:
    text = "规章\n\n56\n"
    value = tokenize(text, base=100)[1]
    assert text[value.start - 100: value.start - 100 + 2] == "56"


def test_a_count_with_its_unit_fills_a_cell_but_prose_keeps_its_words() -> None:
    cells = tokenize("一、本年新收政府信息公开申请数量 | 12件 | 3 件 | 0\n15件\n")
    assert [(t.kind, t.text) for t in cells[1:]] == [
        (VALUE, "12件"), (VALUE, "3 件"), (VALUE, "0"), (VALUE, "15件")]
    prose = tokenize("其中,予以公开2件,部分公开2件。")
    assert [t.text for t in prose if t.kind == VALUE] == ["2", "2"]
    assert any(t.kind == TEXT and t.text.startswith("件") for t in prose)
