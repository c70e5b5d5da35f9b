"""A page's geometry to lines: tables drawn as ruling lines come back cell for cell, and
borderless rows whose labels wrap in a narrow column come back whole, whatever the sizes
(property tests over pages laid out here the way Word and LibreOffice lay them out)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.read.pdf_layout import (
    Char,
    Edge,
    Line,
    carry_label_tails,
    closing_lines,
    pdf_cell,
    rebuild_rows,
    ruled_tables,
    text_lines,
)

GLYPH = 10.0
CJK = "申请公开政府信息行政机关不予处理国家秘密"


def _run(text: str, x: float, top: float, size: float = GLYPH) -> list[Char]:
    return [Char(c, x + i * size, x + (i + 1) * size, top, top + size)
            for i, c in enumerate(text)]


def _wrapped(text: str, x: float, top: float, per_line: int, pitch: float) -> list[Char]:
    chars = []
    for n, start in enumerate(range(0, len(text), per_line)):
        chars += _run(text[start:start + per_line], x, top + n * pitch)
    return chars


labels = st.text(alphabet=CJK, min_size=1, max_size=14)


@given(st.lists(st.lists(labels, min_size=1, max_size=4), min_size=1, max_size=6).filter(
    lambda rows: len({len(r) for r in rows}) == 1), st.integers(2, 6))
def test_a_ruled_grid_comes_back_cell_for_cell(rows: list[list[str]], per_line: int) -> None:
    width, pitch = per_line * GLYPH + 8, GLYPH * 1.4
    heights = [max(-(-len(t) // per_line) for t in row) * pitch + 8 for row in rows]
    xs = [50 + j * width for j in range(len(rows[0]) + 1)]
    ys = [100.0]
    for h in heights:
        ys.append(ys[-1] + h)
    edges = [Edge(True, y, xs[0], xs[-1]) for y in ys]
    edges += [Edge(False, x, ys[0], ys[-1]) for x in xs]
    chars = [c for i, row in enumerate(rows) for j, text in enumerate(row)
             for c in _wrapped(text, xs[j] + 4, ys[i] + 4, per_line, pitch)]
    chars += _run("表后的文字", 50, ys[-1] + 20)
    tables, outside = ruled_tables(edges, chars)
    assert len(tables) == 1
    got = [[pdf_cell(c or "") for c in row] for row in tables[0].rows]
    assert got == rows
    assert [ln.text for ln in text_lines(outside)] == ["表后的文字"]


def test_a_merged_cell_shows_once_in_its_first_row() -> None:
    ys = [0.0, 20.0, 40.0]
    edges = [Edge(True, y, 0, 180) for y in ys] + [Edge(False, x, 0, 40) for x in (0, 180)]
    edges += [Edge(False, 60, 0, 40), Edge(False, 120, 0, 20), Edge(False, 120, 20, 40)]
    edges = [e for e in edges if not (e.horizontal and e.pos == 20)]
    edges += [Edge(True, 20, 60, 180)]  # the first column's two rows are one cell
    chars = _run("合并", 4, 4) + _run("甲", 64, 4) + _run("1", 124, 4) + _run("乙", 64, 24)
    chars += _run("2", 124, 24)
    (table,), _ = ruled_tables(edges, chars)
    assert table.rows == [["合并", "甲", "1"], [None, "乙", "2"]]
    assert table.block().lines() == ["合并 | 甲 | 1", "乙 | 2"]


def test_a_table_going_on_at_a_page_top_without_a_line_there_keeps_its_first_row() -> None:
    """Cells that draw only their bottom borders (Word's `border-top: none`) leave the part of
    a table that goes on at the top of the next page without a line above it: its verticals
    run past the top line. Closed where they end, that row is read; before, its text was in
    no cell and lost."""
    edges = [Edge(True, y, 0, 120) for y in (20.0, 40.0)]
    edges += [Edge(False, x, 0, 40) for x in (0, 60, 120)]
    chars = _run("甲", 4, 4) + _run("1", 64, 4) + _run("乙", 4, 24) + _run("2", 64, 24)
    (table,), outside = ruled_tables(edges, chars)
    assert table.rows == [["甲", "1"], ["乙", "2"]] and outside == []
    assert closing_lines(edges) == [Edge(True, 0.0, 0, 120)]


def test_a_closed_table_gets_no_closing_line() -> None:
    edges = [Edge(True, y, 0, 120) for y in (0.0, 20.0, 40.0)]
    edges += [Edge(False, x, 0, 40) for x in (0, 60, 120)]
    assert closing_lines(edges) == []
    assert closing_lines([e for e in edges if e.pos != 40.0 or not e.horizontal]) == []


def _line(words: list[tuple[str, float]], top: float) -> Line:
    chars = [c for text, x in words for c in _run(text, x, top)]
    (line,) = text_lines(chars)
    return line


@given(st.lists(st.tuples(labels, st.lists(st.integers(0, 999), min_size=1, max_size=7)),
                min_size=1, max_size=8), st.integers(2, 5), st.sampled_from([1.2, 1.4, 1.5]))
def test_borderless_rows_get_their_wrapped_labels_back(
        rows: list[tuple[str, list[int]]], per_line: int, leading: float) -> None:
    """Labels top-aligned in a narrow column, the row's numbers on its first line, the next
    row a cell padding further down; a paragraph after the table stays a paragraph."""
    pitch, padding = GLYPH * leading, GLYPH
    lines, top = [], 100.0
    for label, numbers in rows:
        pieces = [label[i:i + per_line] for i in range(0, len(label), per_line)]
        first = [(pieces[0], 40.0)] + [(str(n), 200 + 40 * k) for k, n in enumerate(numbers)]
        lines.append(_line(first, top))
        lines += [_line([(piece, 40.0)], top + n * pitch) for n, piece in enumerate(pieces[1:], 1)]
        top += len(pieces) * pitch + padding
    lines.append(_line([("表后", 40.0)], top + pitch))
    got = [ln.text for ln in rebuild_rows(lines)]
    want = []
    for label, numbers in rows:
        cells = [label, *map(str, numbers)]
        want.append(" | ".join(cells) if len(label) > per_line else " ".join(cells))
    assert got == [*want, "表后"]


def test_a_piece_under_a_row_without_that_label_continues_the_merged_cell_above() -> None:
    """三、本年度办理结果 spans rows (一) and (二) (LibreOffice's borderless PDF): its lines
    run on at their own pitch past row (二)'s first line; lined up with no label of row
    (二), they go to the cell above."""
    p = GLYPH * 1.4
    second = 100 + 2 * p + 7
    lines = [
        _line([("三、", 10.0), ("（一）予以公", 60.0), ("27", 200.0), ("30", 240.0)], 100),
        _line([("本年", 10.0), ("开", 60.0)], 100 + p),
        _line([("度办", 10.0)], 100 + 2 * p),
        _line([("（二）部分公", 60.0), ("5", 200.0), ("5", 240.0)], second),
        _line([("理结", 10.0)], 100 + 3 * p),
        _line([("开", 60.0)], second + p),
    ]
    got = [ln.text for ln in rebuild_rows(lines)]
    assert got == ["三、本年度办理结 | （一）予以公开 | 27 | 30", "（二）部分公开 | 5 | 5"]


def test_prose_after_a_row_is_not_a_label() -> None:
    pitch = GLYPH * 1.4
    lines = [_line([("规章", 40.0), ("0", 200.0), ("3", 240.0)], 100),
             _line([("五、问题", 40.0)], 100 + 2.5 * pitch),
             _line([("行政处罚", 40.0), ("12", 200.0)], 200),
             _line([("共计", 40.0), ("12", 200.0), ("件", 240.0)], 200 + pitch)]
    assert [ln.text for ln in rebuild_rows(lines)] == [ln.text for ln in lines]


def test_prose_ending_in_a_number_keeps_its_next_line() -> None:
    """A paragraph line that ends in a number after a space is not a row: the number is
    not a column away from the words before it."""
    pitch = GLYPH * 1.4
    lines = [_line([("本年度共受理申请", 40.0), ("12", 124.0)], 100),
             _line([("件。", 40.0)], 100 + pitch)]
    assert [ln.text for ln in rebuild_rows(lines)] == ["本年度共受理申请 12", "件。"]


def _page_lines(*runs: tuple[str, float, float]) -> list[Line]:
    """Text lines of runs (text, x, top): words apart where runs are."""
    return text_lines([c for text, x, top in runs for c in _run(text, x, top)])


@pytest.mark.parametrize(("label_lines", "next_page", "taken", "text"), [
    # A narrow label's tail at the top of the next page, then the next row further down.
    (["4.保护第", "三方合法"], [("权益", 40, 0), ("5.属 0", 40, 30)], 1,
     "4.保护第三方合法权益 | 0"),
    # A one-line label wrapped at the page end: its tail goes on over several lines.
    (["（二"], [("）部", 40, 0), ("分公", 40, 14), ("开", 40, 28)], 3, "（二）部分公开 | 0"),
    # A heading that lines up with the label is wider than the label's lines: not a tail.
    (["行政事业性收费"], [("第二十条第（九）项", 40, 0)], 0, "行政事业性收费 0"),
    # A label printed above its own row's numbers (centred in the row): not a tail.
    (["（五）不予"], [("（六）其他", 40, 0), ("处理 0", 40, 14)], 0, "（五）不予 0"),
])
def test_a_borderless_label_wrapped_over_the_page_end_gets_its_tail_back(
        label_lines: list[str], next_page: list[tuple[str, float, float]], taken: int,
        text: str) -> None:
    first, *rest = label_lines
    runs = [(first, 40, 700), ("0", 200, 700)]
    runs += [(piece, 40, 714 + 14 * i) for i, piece in enumerate(rest)]
    before = rebuild_rows(_page_lines(*runs))
    row = next(ln.row for ln in before if ln.row is not None)
    lines = _page_lines(*next_page)
    assert row is not None
    leading = []
    for ln in lines:
        if _is_row(ln):
            break
        leading.append(ln)
    after = lines[len(leading)] if len(leading) < len(lines) else None
    assert carry_label_tails(row, leading, after) == taken
    assert row.line.text == text


def _is_row(line: Line) -> bool:
    return rebuild_rows([line])[0].row is not None
