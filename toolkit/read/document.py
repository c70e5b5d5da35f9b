"""What every reader returns: one file as text, tables as lines of cells.

Every format comes out the same way: prose as lines, and each table row as ONE line of
cells joined by " | ". A merged (rowspan/colspan, vMerge) cell appears once, in its first
row, the way text copied from a browser or Word looks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CELL_SEP = " | "

_CJK = (
    "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
)
NEWLINE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\f\v]*[\r\n][ \t\r\n\f\v]*(?=[{_CJK}])")
ANY_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Document:
    """One input file as text, with what was learnt about it on the way."""

    path: str
    text: str
    kind: str
    encoding: str | None
    hints: dict[str, str] = field(default_factory=dict, hash=False)
    notes: tuple[str, ...] = ()
    """What the reader had to do that a user of the numbers should know (a page read by the
    fallback reader); they lead the report's `detail`."""




def clean_cell_piece(piece: str) -> str:
    """One piece of a cell (a paragraph, a line): a line break between CJK characters joins
    them, other whitespace runs become one space."""
    if "\n" in piece or "\r" in piece:
        piece = NEWLINE_BETWEEN_CJK.sub("", piece)
    return ANY_WS.sub(" ", piece).strip()


LAYOUT_PROSE = 40
"""Characters of prose beside a nested table that make a cell a page, not a data cell."""


def is_layout_row(cells: list[tuple[str, list[Any]]]) -> bool:
    """Some cell, read as (its own text, the tables nested in it), is a page: prose around
    several tables, or around one table with more than a few words. Old CMS pages set the
    whole article in a table cell, Word files in a frame table."""
    return any(nested and (len(nested) > 1 or len(text) >= LAYOUT_PROSE) for text, nested in cells)
