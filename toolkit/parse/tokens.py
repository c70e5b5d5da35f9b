"""Turn a table's text, in any layout, into a stream of text, value and blank tokens.

Layouts differ in how cells are separated (one per line, blank lines between, pipes,
spaces, nothing at all), but every one of them reads as the same stream: a row label
(text) followed by its cells (values or blanks). The table parsers work on this stream.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from toolkit.parse.values import COUNT_UNITS, MONEY_UNITS

TEXT = "text"
VALUE = "value"
BLANK = "blank"
BARE = "|"
"""The text of a blank from a line holding a bare `|`: a row's opener in layouts that open
each row so (pg_049), or an empty cell; other blanks have no text."""

_PIECES = re.compile(
    r"(?P<enum_paren>\([一二三四五六七八九十]{1,3}\))"
    r"|(?P<paren>\((?!略\))[^()]{0,80}\))"
    r"|(?P<enum_cjk>(?<![\u4e00-\u9fff])[一二三四五六七八九十]{1,2}、)"
    r"|(?P<marker>\(略\)|\*+|(?<![\w])[/—–]+(?![\w])|(?<![\w\-])-{1,3}(?![\w\-]))"
    r"|(?P<enum_num>(?<![\d.])\d{1,2}[.、](?=\s?[^\d\s.]))"
    rf"|(?P<num>(?:增加|减少|增|减)?[+\-]?\d[\d,]*(?:\.\d+)?(?:{MONEY_UNITS})?)"
    r"|(?P<space>\s+)"
    r"|(?P<other>[^\s\d(*/—–\-一二三四五六七八九十]+|.)"
)
_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A whole cell may carry a count's unit (12件); inside running text the unit stays text, so
# prose restating counts (予以公开2件,部分公开2件) keeps its shape.
_LONE_VALUE = re.compile(
    rf"^(?:增加|减少|增|减)?[+\-]?\d[\d,]*(?:\.\d+)?(?:{MONEY_UNITS})?(?:\s*(?:{COUNT_UNITS}))?$")
_NEEDS_SCAN = re.compile(r"[\d(*/—–\-]|[一二三四五六七八九十]、|^无$|^略$")
_WHOLE_MARKER = re.compile(r"^(?:\(略\)|略|\*+|[/—–\-]+|无|─+)$")
_ENUM_AFTER = re.compile(r"[.、]\s?[^\d\s.]")


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    soft: bool = False
    alone: bool = False
    """A value that was the whole of its line or pipe cell (its digits never run on)."""
    from_end: int = -1
    """In a row of a markdown table as wide as its rule line (every cell in its place): the
    token's cell counted from the row's last cell (0 for the last); -1 elsewhere."""


def tokenize(text: str, base: int = 0) -> list[Token]:
    """Tokens of `text`; `base` is its offset in the document, for provenance.

    Empty lines separate cells; a line of only whitespace is a blank cell; pipes separate
    cells: a space between two pipes or a bare `|` line is a blank cell, but `||` (nothing
    at all between pipes) is padding that scrapers add to short rows and yields nothing;
    a line ending in `| ` ends in an empty cell, one starting with ` |` starts with one (the
    readers join a row's cells with " | ", so an empty first or last cell leaves the
    separator's space), while a line ending in `|` or indented before its first `|` does not;
    inside a line, whitespace separates numbers but not words.
    """
    tokens: list[Token] = []
    offset = base
    end = base + len(text)
    grid_columns = 0
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        if not line:
            grid_columns = 0
            continue
        stripped = line.strip()
        if not stripped:
            tokens.append(Token(BLANK, "", line_start))
            grid_columns = 0
            continue
        if "|" in line:
            if _MARKDOWN_RULE.match(line):
                grid_columns = stripped.strip("|").count("|") + 1
                continue
            if stripped == "|":
                # "|" alone opens a row (or is an empty cell); " |" is an empty cell
                tokens.append(Token(BLANK, BARE if line[0] == "|" else "", line_start,
                                    soft=True))
                continue
            pieces = line.split("|")
            if grid_columns > 0 and stripped[0] == "|":
                if stripped[-1] == "|" and len(pieces) - 2 == grid_columns:
                    _placed_row(pieces[:-1], grid_columns, line_start, tokens)
                    continue
                if offset >= end and len(pieces) - 1 <= grid_columns:  # a row cut by the page end
                    _placed_row(pieces, grid_columns, line_start, tokens)
                    continue
            at = line_start
            last = len(pieces) - 1
            for index, piece in enumerate(pieces):
                cell = piece.strip()
                if cell:
                    chunk(cell, at + piece.index(cell), tokens)
                elif (piece and 0 < index < last) or piece == " ":
                    tokens.append(Token(BLANK, "", at, soft=True))
                at += len(piece) + 1
        else:
            grid_columns = 0
            chunk(stripped, line_start + line.index(stripped), tokens)
    return tokens


def _placed_row(pieces: list[str], columns: int, line_start: int, out: list[Token]) -> None:
    """A markdown row of a table `columns` wide (its rule's), whole or cut by the page's
    end (`pieces`: the line split at its pipes, without what follows a closing one): every
    cell, an empty one too, is a token that knows its place counted from the row's end
    (merged cells leave empty slots, so only the template's alignment tells which slots
    hold a row's numbers)."""
    at = line_start + len(pieces[0]) + 1
    cells = pieces[1:]
    for index, piece in enumerate(cells):
        from_end = columns - 1 - index
        cell = piece.strip()
        if cell:
            chunk(cell, at + piece.index(cell), out, from_end)
        else:
            out.append(Token(BLANK, "", at, soft=True, from_end=from_end))
        at += len(piece) + 1


def chunk(cell: str, start: int, out: list[Token], from_end: int = -1) -> None:
    """Tokens of one stripped cell or line of text (possibly several cells run together);
    `from_end`: the cell's place in a placed markdown row (see Token)."""
    if (cell.isdigit() and cell.isascii()) or _LONE_VALUE.match(cell):
        out.append(Token(VALUE, cell, start, False, True, from_end))
    elif len(cell) > 1 and not _NEEDS_SCAN.search(cell):
        out.append(Token(TEXT, cell, start, False, False, from_end))
    elif _WHOLE_MARKER.match(cell):
        out.append(Token(VALUE, cell, start, False, True, from_end))
    else:
        out.extend([Token(kind, text, start + at, False, alone, from_end)
                    for kind, text, at, alone in _scan(cell)])


@lru_cache(maxsize=8192)
def _scan(piece: str) -> tuple[tuple[str, str, int, bool], ...]:
    """(kind, text, offset in piece, alone) of a stripped piece that mixes text and values.

    Cached: the pieces that need a scan are mostly the template's own row labels
    ("(二)部分公开", "1.属于国家秘密"), the same in every report.
    """
    text_parts: list[str] = []
    text_start = -1
    local: list[Token] = []

    def flush() -> None:
        nonlocal text_parts, text_start
        joined = "".join(text_parts).strip()
        if joined:
            local.append(Token(TEXT, joined, text_start))
        text_parts = []
        text_start = -1

    def add_text(fragment: str, at: int) -> None:
        nonlocal text_start
        if text_start < 0:
            text_start = at
        text_parts.append(fragment)

    matches = list(_PIECES.finditer(piece))
    carry = ""
    for index, match in enumerate(matches):
        kind = match.lastgroup
        fragment = carry + match.group()
        at = match.start() - len(carry)
        carry = ""
        if kind == "space":
            if text_parts:
                text_parts.append(fragment)
            continue
        if kind in ("enum_paren", "enum_cjk", "enum_num"):
            flush()
            add_text(fragment, at)
            continue
        if kind == "num":
            number = fragment
            after = piece[match.end(): match.end() + 3]
            if _ENUM_AFTER.match(after) and number[-1].isdigit():
                digits_only = number.lstrip("+-增加减少")
                if len(digits_only) == 1:
                    flush()
                    add_text(number, at)
                    continue
                carry = number[-1]
                number = number[:-1]
            flush()
            local.append(Token(VALUE, number, at))
            continue
        if kind == "marker":
            previous = local[-1] if local and not text_parts else None
            nxt = matches[index + 1].lastgroup if index + 1 < len(matches) else None
            if previous is not None and previous.kind == VALUE and nxt in (None, "space"):
                local.append(Token(VALUE, fragment, at))
                continue
        add_text(fragment, at)
    flush()
    return tuple((t.kind, t.text, t.start, t.alone) for t in local)


def is_eof_cut(text: str) -> bool:
    """A page cut mid-line (no final newline): its last token may be a fragment."""
    return bool(text) and not text.endswith("\n")
