"""A PDF page through PDFium (pypdfium2): every character with its box, and the ruling
lines (thin path objects) that tables are drawn with.

This is the fast path: PDFium's C code does the text extraction pdfplumber does in Python
(its whole read is 4–8× slower, BENCHMARKS.md); what the page becomes is `pdf_layout`'s.
Only bare numbers cross into Python: a few raw calls per character (code point, box,
origin, size, matrix), none through pypdfium2's object wrappers.
"""
from __future__ import annotations

import ctypes
from typing import Any

from toolkit.read.pdf_layout import TOLERANCE, Char, Edge

_THIN = 3.0
"""A path object no thicker than this (points) is a ruling line; thicker, a box whose
stroked outline may be four."""

_UNMAPPED = frozenset((0, 0xFFFE, 0xFFFF))
_SPACES = frozenset((0x20, 0x0D, 0x0A))
"""What PDFium makes up between text runs: a space where it sees a gap, line ends."""
_ASCENT = 0.88
"""Share of the font size above the baseline (CJK fonts' ascent; one value for every glyph
so that only the baseline and size place a glyph in a line)."""


def page_chars(page: Any, textpage: Any, limit: int) -> list[Char]:
    """Every character of the page that PDFium did not make up itself (its spaces and line
    ends between text runs): left and right from its loose box (the advance, as pdfplumber
    has it), top and bottom from its baseline and font size as drawn (its nominal size
    scaled by its matrix; the height pdfplumber gives a glyph), so that one line's glyphs share
    a top whatever their shape (PDFium gives some glyphs, 一 工 in Chromium's fonts, their
    ink box). At most `limit` + 1 are read."""
    import pypdfium2.raw as raw

    height = page.get_height()
    n = min(raw.FPDFText_CountChars(textpage), limit + 1)
    rect = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_unicode, generated = raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated
    loose_box, origin = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin
    font_size, char_matrix = raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix
    matrix = raw.FS_MATRIX()
    out = []
    for i in range(n):
        code = get_unicode(textpage, i)
        if code in _UNMAPPED or (code in _SPACES and generated(textpage, i) == 1):
            continue
        loose_box(textpage, i, rect)
        origin(textpage, i, ox, oy)
        char_matrix(textpage, i, matrix)
        size = font_size(textpage, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        baseline = height - oy.value
        out.append(Char(_char(code), rect.left, rect.right, baseline - _ASCENT * size,
                        baseline + (1 - _ASCENT) * size))
    return out


def _char(code: int) -> str:
    try:
        return chr(code)
    except ValueError:
        return "\ufffd"


def page_edges(page: Any) -> list[Edge]:
    """The page's ruling lines: thin path objects (LibreOffice's stroked lines, Chromium's
    filled 1-pt rectangles), and the four sides of a stroked box (a table cell drawn
    `re S`). Top-level objects through the raw API: a page may hold thousands."""
    import pypdfium2.raw as raw

    height = page.get_height()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    left, bottom_, right, top_ = (ctypes.c_float() for _ in range(4))
    get_object, get_type, bounds = raw.FPDFPage_GetObject, raw.FPDFPageObj_GetType, raw.FPDFPageObj_GetBounds
    path = raw.FPDF_PAGEOBJ_PATH
    out: list[Edge] = []
    for i in range(raw.FPDFPage_CountObjects(page)):
        obj = get_object(page, i)
        if get_type(obj) != path or not bounds(obj, left, bottom_, right, top_):
            continue
        x0, x1 = left.value, right.value
        top, bottom = height - top_.value, height - bottom_.value
        w, h = x1 - x0, bottom - top
        if h <= _THIN and w > TOLERANCE:
            out.append(Edge(True, (top + bottom) / 2, x0, x1))
        elif w <= _THIN and h > TOLERANCE:
            out.append(Edge(False, (x0 + x1) / 2, top, bottom))
        elif w > _THIN and h > _THIN:
            raw.FPDFPath_GetDrawMode(obj, fill, stroke)
            if stroke.value and raw.FPDFPath_CountSegments(obj) <= 6:
                out += [Edge(True, top, x0, x1), Edge(True, bottom, x0, x1),
                        Edge(False, x0, top, bottom), Edge(False, x1, top, bottom)]
    return out
