"""A PDF page's geometry to lines, with no PDF library: characters and ruling lines in,
text lines and table rows out.

Both PDF readers (`pdfium`, the fast path, and pdfplumber, the reference in `pdf`) hand
their pages over as `Char`s (and the fast path its ruling lines as `Edge`s), so what a
page becomes is decided here once. Coordinates are PDF points from the page's top-left,
as pdfplumber has them: `top` grows downwards.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from toolkit.read.document import CELL_SEP

TOLERANCE = 3.0
"""Points within which two positions are one (pdfplumber's x/y, snap and join tolerances)."""
_LABEL_GAP = 6.0
"""Two label words closer than this are one cell (a Latin label's words)."""
_COLUMN_GAP = 1.0
"""Line heights between a row's label and its first number, at least: a table column's
padding and alignment, wider than the space before a number in prose."""
_CELL_PITCH = 1.75
"""A cell's next line starts within this many line heights (its font size) below the top
of the one before: 1.1–1.5 in Word, LibreOffice and Chromium; the next row starts further
down, by the cells' padding (2.3 and more)."""

_NUMERIC = re.compile(r"^[+\-−]?[\d,，.．]+%?$")
_LATIN_WRAP = re.compile(r"(?<=[A-Za-z])\s*\n\s*(?=[A-Za-z])")
_WRAP = re.compile(r"\s*\n\s*")


class Char(NamedTuple):
    """One glyph: its text and its box."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


class Edge(NamedTuple):
    """A ruling line: `pos` is a horizontal edge's y or a vertical edge's x."""

    horizontal: bool
    pos: float
    start: float
    end: float


class Word(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Line:
    """A text line: its words left to right, and its text as the reader gives it."""

    top: float
    bottom: float
    words: list[Word]
    text: str
    row: _Row | None = None
    """The borderless table row this line is, when it is one (`rebuild_rows`)."""


Cells = list[str | None]
"""A table row: a cell's text, None for a slot a merged cell covers (it shows once)."""
Box = tuple[float, float, float, float]


class EdgeCell(NamedTuple):
    """A cell on a table's top or bottom edge, by position: a row broken across a page end
    is matched to its other half by where its cells are, not by their column numbers (the
    column grid may differ from page to page, a label spanning two columns on one)."""

    x0: float
    x1: float
    row: int
    """The row its text is in (a cell merged down from above holds its text up there)."""
    slot: int
    wrapped: bool
    """Its last line of text runs to the cell's right edge (the text went on below)."""


@dataclass
class Block:
    """Lines of one page in reading order: a text line, or a ruled table's rows."""

    top: float
    text: str | None = None
    rows: list[Cells] = field(default_factory=list)
    wrapped: list[bool] = field(default_factory=list)
    """Per column of the table's last row: its text runs to the cell's right edge on its
    last line (the text went on below, maybe on the next page)."""
    line: Line | None = None
    """A text block's line, with its words' positions (a borderless row's label may go on
    at the top of the next page)."""
    top_cells: list[EdgeCell] = field(default_factory=list)
    """The cells along the table's top edge, left to right (empty when not known)."""
    bottom_cells: list[EdgeCell] = field(default_factory=list)
    """The cells along the table's bottom edge, left to right, those merged down from
    rows above included (empty when not known)."""

    def has_text(self) -> bool:
        """Whether `lines()` has any (a row of empty cells is a line of separators)."""
        return self.text is not None or any(c is not None for r in self.rows for c in r)

    def lines(self) -> list[str]:
        if self.text is not None:
            return [self.text]
        out = []
        for row in self.rows:
            cells = [pdf_cell(c) for c in row if c is not None]
            if cells:
                out.append(CELL_SEP.join(cells))
        return out


def pdf_cell(value: str) -> str:
    """A cell's lines as one: Latin words wrapped keep a space, CJK wraps join."""
    if "\n" in value:
        value = _LATIN_WRAP.sub(" ", value)
        value = _WRAP.sub("", value)
    return " ".join(value.split())


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text))


# ---------------------------------------------------------------- text lines

def _clusters(chars: Sequence[Char]) -> list[list[Char]]:
    """Chars in lines: sorted by top, a new line where a top is more than TOLERANCE below
    the one before (pdfplumber's clustering, so both readers cut lines alike)."""
    lines: list[list[Char]] = []
    last = None
    for c in sorted(chars, key=lambda c: c.top):
        if last is None or c.top > last + TOLERANCE:
            lines.append([])
        lines[-1].append(c)
        last = c.top
    return lines


def words_of(chars: Iterable[Char]) -> list[Word]:
    """One line's chars as words, left to right: a space or a gap wider than TOLERANCE
    ends a word."""
    words: list[Word] = []
    run: list[Char] = []

    def close() -> None:
        if run:
            words.append(Word("".join(c.text for c in run), run[0].x0, run[-1].x1,
                              min(c.top for c in run), max(c.bottom for c in run)))
            run.clear()

    for c in sorted(chars, key=lambda c: c.x0):
        if not c.text.strip():
            close()
            continue
        if run and c.x0 > run[-1].x1 + TOLERANCE:
            close()
        run.append(c)
    close()
    return words


def text_lines(chars: Sequence[Char]) -> list[Line]:
    """The page's text lines, top to bottom, their words joined by one space."""
    out = []
    for cluster in _clusters(chars):
        words = words_of(cluster)
        if words:
            out.append(Line(min(w.top for w in words), max(w.bottom for w in words), words,
                            " ".join(w.text for w in words)))
    return out


def cell_text(chars: Sequence[Char]) -> str:
    """A table cell's text: its lines joined by newlines, as pdfplumber extracts it (the
    words of `text_lines`, built without them: a page has hundreds of cells)."""
    out = []
    for cluster in _clusters(chars):
        cluster.sort(key=lambda c: c.x0)
        parts: list[str] = []
        end = None
        for c in cluster:
            if c.text.isspace():
                end = None
                if parts and parts[-1] != " ":
                    parts.append(" ")
                continue
            if end is not None and c.x0 > end + TOLERANCE:
                parts.append(" ")
            parts.append(c.text)
            end = c.x1
        text = "".join(parts).strip()
        if text:
            out.append(text)
    return "\n".join(out)


# ---------------------------------------------------------------- ruled tables

def _snapped(edges: Iterable[Edge]) -> list[Edge]:
    """Edges at positions within TOLERANCE moved to their mean, and pieces of one line that
    touch (within TOLERANCE) joined; what is shorter than TOLERANCE after that is dropped."""
    out: list[Edge] = []
    edges = list(edges)
    for horizontal in (True, False):
        group = sorted((e for e in edges if e.horizontal == horizontal), key=lambda e: e.pos)
        clusters: list[list[Edge]] = []
        for e in group:
            if clusters and e.pos <= clusters[-1][-1].pos + TOLERANCE:
                clusters[-1].append(e)
            else:
                clusters.append([e])
        for cluster in clusters:
            pos = sum(e.pos for e in cluster) / len(cluster)
            joined: list[list[float]] = []
            for e in sorted(cluster, key=lambda e: e.start):
                if joined and e.start <= joined[-1][1] + TOLERANCE:
                    joined[-1][1] = max(joined[-1][1], e.end)
                else:
                    joined.append([e.start, e.end])
            out.extend(Edge(horizontal, pos, a, b) for a, b in joined if b - a >= TOLERANCE)
    return out


def _crosses(h: Edge, v: Edge) -> bool:
    return (v.start - TOLERANCE <= h.pos <= v.end + TOLERANCE
            and h.start - TOLERANCE <= v.pos <= h.end + TOLERANCE)


def _components(edges: list[Edge]) -> list[list[Edge]]:
    """Edges that cross, directly or through others: one table each."""
    parent = list(range(len(edges)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, e in enumerate(edges) if e.horizontal]
    vs = [i for i, e in enumerate(edges) if not e.horizontal]
    for i in hs:
        for j in vs:
            if _crosses(edges[i], edges[j]):
                parent[root(i)] = root(j)
    groups: dict[int, list[Edge]] = {}
    for i, e in enumerate(edges):
        groups.setdefault(root(i), []).append(e)
    return list(groups.values())


def _covered(edges: dict[float, list[Edge]], pos: float, a: float, b: float) -> bool:
    return any(e.start <= a + TOLERANCE and e.end >= b - TOLERANCE for e in edges[pos])


@dataclass
class Table:
    """A ruled table: its box, its rows (cells by column), and each cell's chars."""

    bbox: Box
    rows: list[Cells]
    row_boxes: list[list[Box | None]]
    cell_chars: dict[Box, list[Char]]

    @property
    def last_boxes(self) -> list[Box | None]:
        return self.row_boxes[-1] if self.row_boxes else []

    def block(self) -> Block:
        block = Block(self.bbox[1], rows=[list(r) for r in self.rows])
        if block.has_text():
            padding = self._padding()
            block.wrapped = wrapped(self.last_boxes, self.cell_chars, padding)
            block.top_cells = edge_cells(self.row_boxes, self.cell_chars, padding, False)
            block.bottom_cells = edge_cells(self.row_boxes, self.cell_chars, padding, True)
        return block

    def _padding(self) -> float:
        """The least gap between a cell's left edge and its text."""
        gaps = [min(c.x0 for c in chars) - box[0] for box, chars in self.cell_chars.items()
                if chars]
        return min(gaps) if gaps else 0.0


def closing_edges(group: list[Edge]) -> list[Edge]:
    """The line a table cut by a page end lacks: where its cells draw only their bottom
    borders (Word's `border-top: none`), the part of the table that goes on at the top of
    the next page has no line above it. Two or more verticals running above the topmost
    horizontal line are closed where they end. The bottom is left open: a row cut there is
    joined with its other part on the next page (`pdf._join_broken_row`)."""
    hs = [e.pos for e in group if e.horizontal]
    vs = [e for e in group if not e.horizontal]
    out = []
    above = [v for v in vs if v.start < min(hs) - TOLERANCE]
    if len(above) >= 2:
        out.append(Edge(True, min(v.start for v in above), min(v.pos for v in above),
                        max(v.pos for v in above)))
    return out


def closing_lines(edges: Iterable[Edge]) -> list[Edge]:
    """`closing_edges` of every table a page's ruling lines draw (for the reference reader,
    which finds its tables itself)."""
    return [edge for group in _table_groups(_snapped(edges)) for edge in closing_edges(group)]


def _table_groups(snapped: list[Edge]) -> Iterator[list[Edge]]:
    """The crossing edges that can draw a table: two lines or more each way."""
    for group in _components(snapped):
        if sum(e.horizontal for e in group) >= 2 and sum(not e.horizontal for e in group) >= 2:
            yield group


def _grid_cells(group: list[Edge]) -> list[Box]:
    """The cells of one table's ruling: slots of its grid joined where no line parts them,
    kept where the joined slots fill a rectangle walled on every side."""
    xs = sorted({e.pos for e in group if not e.horizontal})
    ys = sorted({e.pos for e in group if e.horizontal})
    hs: dict[float, list[Edge]] = {y: [] for y in ys}
    vs: dict[float, list[Edge]] = {x: [] for x in xs}
    for e in group:
        (hs if e.horizontal else vs)[e.pos].append(e)
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(rows):
        for j in range(cols):
            if j + 1 < cols and not _covered(vs, xs[j + 1], ys[i], ys[i + 1]):
                parent[root(i * cols + j)] = root(i * cols + j + 1)
            if i + 1 < rows and not _covered(hs, ys[i + 1], xs[j], xs[j + 1]):
                parent[root(i * cols + j)] = root((i + 1) * cols + j)
    regions: dict[int, list[tuple[int, int]]] = {}
    for i in range(rows):
        for j in range(cols):
            regions.setdefault(root(i * cols + j), []).append((i, j))
    cells = []
    for slots in regions.values():
        i0, i1 = min(s[0] for s in slots), max(s[0] for s in slots) + 1
        j0, j1 = min(s[1] for s in slots), max(s[1] for s in slots) + 1
        if len(slots) != (i1 - i0) * (j1 - j0):
            continue
        x0, x1, top, bottom = xs[j0], xs[j1], ys[i0], ys[i1]
        if (_covered(hs, top, x0, x1) and _covered(hs, bottom, x0, x1)
                and _covered(vs, x0, top, bottom) and _covered(vs, x1, top, bottom)):
            cells.append((x0, top, x1, bottom))
    return cells


def ruled_tables(edges: Iterable[Edge], chars: Sequence[Char]) -> tuple[list[Table], list[Char]]:
    """The page's ruled tables, and the chars outside every table."""
    tables: list[Table] = []
    snapped = _snapped(edges)
    claimed: set[int] = set()
    for group in _table_groups(snapped):
        cells = _grid_cells(group + closing_edges(group))
        if not cells:
            continue
        table = _table(cells, chars, claimed)
        tables.append(table)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    boxes = [t.bbox for t in tables]
    outside = [c for c in chars if not _inside_any(c, boxes)]
    return tables, outside


def _inside_any(c: Char, boxes: Sequence[Box]) -> bool:
    cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _table(cells: list[Box], chars: Sequence[Char], claimed: set[int]) -> Table:
    """Rows of cells by their tops, columns by the cells' left edges (pdfplumber's
    `Table.extract`), each char put in the cell its centre falls in."""
    cell_chars: dict[Box, list[Char]] = {box: [] for box in cells}
    xs = sorted({b[0] for b in cells} | {b[2] for b in cells})
    ys = sorted({b[1] for b in cells} | {b[3] for b in cells})
    slot: dict[tuple[int, int], Box] = {}
    for box in cells:
        for i in range(ys.index(box[1]), ys.index(box[3])):
            for j in range(xs.index(box[0]), xs.index(box[2])):
                slot[i, j] = box
    for n, c in enumerate(chars):
        if n in claimed or not c.text.strip():
            continue
        cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
        i, j = bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1
        found = slot.get((i, j))
        if found is not None and found[0] <= cx < found[2] and found[1] <= cy < found[3]:
            cell_chars[found].append(c)
            claimed.add(n)
    lefts = sorted({b[0] for b in cells})
    by_top: dict[float, dict[float, Box]] = {}
    for box in cells:
        by_top.setdefault(box[1], {})[box[0]] = box
    rows: list[Cells] = []
    row_boxes: list[list[Box | None]] = []
    for top in sorted(by_top):
        row_boxes.append([by_top[top].get(x) for x in lefts])
        rows.append([None if b is None else cell_text(cell_chars[b]) for b in row_boxes[-1]])
    bbox = (min(b[0] for b in cells), min(b[1] for b in cells),
            max(b[2] for b in cells), max(b[3] for b in cells))
    return Table(bbox, rows, row_boxes, cell_chars)


def edge_cells(row_boxes: Sequence[Sequence[Box | None]], cell_chars: dict[Box, list[Char]],
               padding: float, bottom: bool) -> list[EdgeCell]:
    """The cells along a table's top (or `bottom`) edge, left to right, each with the row
    and slot that hold its text (where it starts: a merged cell shows once)."""
    where: dict[Box, tuple[int, int]] = {}
    for i, row in enumerate(row_boxes):
        for j, box in enumerate(row):
            if box is not None and box not in where:
                where[box] = (i, j)
    if not where:
        return []
    side = 3 if bottom else 1
    edge = (max if bottom else min)(b[side] for b in where)
    boxes = sorted((b for b in where if abs(b[side] - edge) <= TOLERANCE), key=lambda b: b[0])
    flags = wrapped(boxes, cell_chars, padding)
    return [EdgeCell(b[0], b[2], *where[b], w) for b, w in zip(boxes, flags, strict=True)]


def wrapped(boxes: Sequence[Box | None], cell_chars: dict[Box, list[Char]],
            padding: float) -> list[bool]:
    """For each cell box: whether its last line of text spans the cell's whole width."""
    out = []
    for box in boxes:
        chars = [c for c in cell_chars.get(box, []) if c.text.strip()] if box else []
        if box is None or not chars:
            out.append(False)
            continue
        x0, _, x1, _ = box
        last = max(c.bottom for c in chars)
        line = [c for c in chars if abs(c.bottom - last) < 2]
        slack = padding + max(c.x1 - c.x0 for c in line)
        out.append(min(c.x0 for c in line) - x0 < slack
                   and x1 - max(c.x1 for c in line) < slack)
    return out


# ---------------------------------------------------------------- borderless rows

@dataclass
class _Row:
    """A borderless table row: a line whose label cells are followed by numbers only."""

    line: Line
    labels: list[list[Word]]
    numbers: list[Word]
    extended: bool = False

    def label_of(self, word: Word) -> int | None:
        """The label cell `word` continues: left edges or centres line up."""
        for k, cell in enumerate(self.labels):
            x0, x1 = cell[0].x0, cell[0].x1
            if (abs(word.x0 - x0) <= TOLERANCE
                    or abs((word.x0 + word.x1) / 2 - (x0 + x1) / 2) <= TOLERANCE):
                return k
        return None

    def text(self) -> str:
        labels = [pdf_cell("\n".join(w.text for w in cell)) for cell in self.labels]
        return CELL_SEP.join(labels + [w.text for w in self.numbers])


def _as_row(line: Line) -> _Row | None:
    """A line of label words, then a column gap, then numbers only: a table row. The gap
    tells it from prose ending in a number (`受理申请共计 12` / `件。`)."""
    words = line.words
    first = next((i for i, w in enumerate(words) if is_numeric(w.text)), None)
    if not first or not all(is_numeric(w.text) for w in words[first:]):
        return None
    if words[first].x0 - words[first - 1].x1 < _COLUMN_GAP * (line.bottom - line.top):
        return None
    labels: list[list[Word]] = [[words[0]]]
    for w in words[1:first]:
        if w.x0 - labels[-1][-1].x1 <= _LABEL_GAP:
            labels[-1][-1] = Word(f"{labels[-1][-1].text} {w.text}", labels[-1][-1].x0, w.x1,
                                  labels[-1][-1].top, w.bottom)
        else:
            labels.append([w])
    return _Row(line, labels, list(words[first:]))


def rebuild_rows(lines: list[Line]) -> list[Line]:
    """Borderless table rows made whole again: a label wrapped in a narrow column comes as
    lines of its own below its row's numbers (`4.保护 0 0 …` / `第三` / `方合`); each such
    piece joins the label cell whose vertical span it shares, lined up with it (left edges
    or centres) and one line pitch below the cell's last piece. A piece lined up with no
    label of its row continues a merged cell above (a row label spanning rows). A row that
    took pieces becomes a line of cells; every other line is left as it was."""
    out: list[Line] = []
    rows: list[_Row] = []
    for line in lines:
        row = _as_row(line)
        if row is not None:
            line.row = row
            rows.append(row)
            out.append(line)
            continue
        if rows and _attach(line, rows):
            continue
        out.append(line)
    for row in rows:
        if row.extended:
            row.line.text = row.text()
    return out


def _attach(line: Line, rows: list[_Row]) -> bool:
    """Put every word of `line` into a label cell of a row above, or none of them."""
    if any(is_numeric(w.text) for w in line.words):
        return False
    edge = min(n.x0 for n in rows[-1].numbers)
    if any(w.x1 > edge for w in line.words):
        return False
    places: list[tuple[list[Word], Word]] = []
    for word in line.words:
        for row in reversed(rows[-8:]):
            k = row.label_of(word)
            if k is not None:
                cell = row.labels[k]
                last = cell[-1]
                if last.bottom <= word.top <= last.top + _CELL_PITCH * (last.bottom - last.top):
                    places.append((cell, word))
                    break
                return False
        else:
            return False
    for cell, word in places:
        cell.append(word)
    for row in rows[-8:]:
        if any(any(cell is c for c, _ in places) for cell in row.labels):
            row.extended = True
    return True


def carry_label_tails(row: _Row, lines: Sequence[Line], after: Line | None) -> int:
    """How many of a page's first `lines` are the tail of the label of `row`, the last row
    of the page before (its label wrapped over the page end), now put into its cells.

    With no pitch across the page end to go by, a tail is taken only where it cannot be
    anything else: lines with no number, one under the other at a line's pitch, each word
    lined up with a label cell of the row and no wider than that cell's lines (`_tail_cell`), and
    the line `after` them (if any) further down than a line's pitch, so the tail ends a
    cell (a label printed above its own row's numbers, centred in the row, stays there).
    A heading or a new table's first line is wider, or lines up with no label."""
    edge = min(n.x0 for n in row.numbers)
    places: list[tuple[list[Word], Word]] = []
    taken = 0
    last: Line | None = None
    for line in lines:
        if last is not None and not _next_in_cell(last, line):
            break
        found = [_tail_cell(row, w, edge) for w in line.words]
        if not line.words or any(cell is None for cell in found):
            break
        places += [(cell, w) for cell, w in zip(found, line.words, strict=True) if cell]
        taken += 1
        last = line
    following = lines[taken] if taken < len(lines) else after
    if last is None or (following is not None and _next_in_cell(last, following)):
        return 0
    for cell, word in places:
        cell.append(word)
    row.extended = True
    row.line.text = row.text()
    return taken


def _next_in_cell(line: Line, below: Line) -> bool:
    """`below` is the next line of the same cell: within a line's pitch (`_CELL_PITCH`)."""
    return below.top <= line.top + _CELL_PITCH * (line.bottom - line.top)


def _tail_cell(row: _Row, word: Word, edge: float) -> list[Word] | None:
    """The label cell of `row` that `word` may end, or None: lined up with it, short of the
    next cell, and no wider than its widest line by more than half a character (a comma's
    slack at the line's end)."""
    if is_numeric(word.text) or word.x1 > edge:
        return None
    k = row.label_of(word)
    if k is None:
        return None
    cell = row.labels[k]
    if k + 1 < len(row.labels) and word.x1 > row.labels[k + 1][0].x0:
        return None
    slack = (word.bottom - word.top) / 2
    if word.x1 - word.x0 > max(w.x1 - w.x0 for w in cell) + slack:
        return None
    return cell
