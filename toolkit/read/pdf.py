"""PDF text layer to lines: through PDFium (the fast path, `pdfium`), pdfplumber kept as the
reference and as the fallback for a page PDFium cannot read.

Ruled tables become rows of cells, text around them lines by position, and borderless
table rows whose labels wrap are made whole again (`pdf_layout`). A table row that a page
break cut in two (its label wrapped over both pages) is joined again: a ruled one by where
its cells are (each page may have its own column grid), a borderless one's label tail from
the top of the next page. A scanned PDF (no
text layer) or one whose fonts have no Unicode mapping is a clear error that says to OCR
it first; page numbers at the top and bottom of a page are dropped. A PDF beyond the
limits of `spec.limits` (pages, characters on a page, bytes its streams expand to) is
`LimitExceeded`.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from toolkit.read.document import ANY_WS, Document
from toolkit.read.pdf_layout import (
    TOLERANCE,
    Block,
    Char,
    Line,
    carry_label_tails,
    is_numeric,
    pdf_cell,
    rebuild_rows,
    ruled_tables,
    text_lines,
    words_of,
)
from toolkit.spec.errors import LimitExceeded, ReadError
from toolkit.spec.limits import DEFAULT_LIMITS, Limits

Engine = Literal["pdfium", "pdfplumber"]
FALLBACK_HINT = "pdf_pages_by_pdfplumber"
"""Document hint: the pages (1-based, comma-separated) PDFium could not read."""

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－─]+\s*\d{1,4}\s*[-—–－─]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?|\d{1,4})\s*$",
    re.I,
)
_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: one document at a time per process (a Dask worker with
threads, a notebook's thread pool)."""
_CID = re.compile(r"\(cid:\d+\)")
_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 1 << 20
_SHOW_TEXT = (b"Tj", b"TJ")
"""Text-showing operators: each shows at least one character (a font program's bytes hold
them by chance, ~one in 30,000)."""


# ---------------------------------------------------------------- one page to blocks

def _page_blocks(tables: list[Block], lines: list[Line]) -> list[Block]:
    """A page's tables and text lines in reading order, page numbers dropped."""
    blocks = [t for t in tables if t.has_text()]
    blocks += [Block(ln.top, text=ln.text, line=ln) for ln in rebuild_rows(lines)
               if ln.text.strip()]
    blocks.sort(key=lambda b: (b.top, b.text is None))
    while blocks and blocks[0].text is not None and _PAGE_NUMBER.match(blocks[0].text):
        blocks.pop(0)
    while blocks and blocks[-1].text is not None and _PAGE_NUMBER.match(blocks[-1].text):
        blocks.pop()
    return blocks


def _pdfium_page(page: Any, limits: Limits, p: Path, number: int) -> tuple[list[Block], int]:
    from toolkit.read.pdfium import page_chars, page_edges

    textpage = page.get_textpage()
    try:
        chars = page_chars(page, textpage, limits.chars_per_page)
    finally:
        textpage.close()
    _check_chars(p, number, len(chars), limits)
    if not chars:
        return [], 0
    tables, outside = ruled_tables(page_edges(page), chars)
    return _page_blocks([t.block() for t in tables], text_lines(outside)), len(chars)


def _plumber_char(c: dict[str, Any]) -> Char:
    return Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"])


def _plumber_page(page: Any) -> list[Block]:
    """The reference reading: pdfplumber's tables and text lines."""
    from toolkit.read.pdf_layout import edge_cells, wrapped

    blocks: list[Block] = []
    tables = page.find_tables(table_settings=_closing_settings(page))
    boxes = [t.bbox for t in tables]
    for t in tables:
        block = Block(t.bbox[1], rows=t.extract())
        if block.has_text() and t.rows:
            cells = [b for row in t.rows for b in row.cells if b is not None]
            cell_chars = {b: _chars_in(page, b) for b in cells}
            gaps = [min(c.x0 for c in cs) - b[0] for b, cs in cell_chars.items() if cs]
            padding = min(gaps, default=0.0)
            block.wrapped = wrapped(list(t.rows[-1].cells), cell_chars, padding)
            row_boxes = [list(row.cells) for row in t.rows]
            block.top_cells = edge_cells(row_boxes, cell_chars, padding, False)
            block.bottom_cells = edge_cells(row_boxes, cell_chars, padding, True)
        blocks.append(block)

    def outside(obj: dict[str, Any]) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = []
    for ln in text_page.extract_text_lines(strip=True, return_chars=True):
        words = words_of(_plumber_char(c) for c in ln["chars"])
        if ln["text"].strip() and words:
            lines.append(Line(ln["top"], ln["bottom"], words, ln["text"]))
    return _page_blocks(blocks, lines)


def _closing_settings(page: Any) -> dict[str, Any]:
    """pdfplumber's table settings with the lines a table cut by a page end lacks
    (`closing_lines`), as the fast path draws them."""
    from toolkit.read.pdf_layout import Edge, closing_lines

    edges = [Edge(True, e["top"], e["x0"], e["x1"]) if e["orientation"] == "h"
             else Edge(False, e["x0"], e["top"], e["bottom"]) for e in page.edges]
    lines = [{"x0": e.start, "x1": e.end, "top": e.pos, "bottom": e.pos,
              "width": e.end - e.start, "height": 0, "object_type": "line"}
             for e in closing_lines(edges)]
    return {"explicit_horizontal_lines": lines} if lines else {}


def _chars_in(page: Any, box: tuple[float, float, float, float]) -> list[Char]:
    x0, top, x1, bottom = box
    return [_plumber_char(c) for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
            and top <= (c["top"] + c["bottom"]) / 2 <= bottom and c["text"].strip()]


# ---------------------------------------------------------------- pages to one text

def _join_broken_row(before: Block, after: Block) -> bool:
    """A table row broken by a page break, its first row continuing the last row above.

    Word and LibreOffice let a row break across pages: a long label wraps, its first lines
    stay on one page (`2.重复`) and the rest go on (`申请`), in a row of its own with empty
    number cells. The two are one row when the row above ends, in each column where the
    row below has text, with a line of text that fills its cell (so the text went on);
    number cells may be on either side, not both. Then the cells are joined and the
    broken-off row is dropped; otherwise both stay as they are. Cells are matched by
    position where the reader knows it (`_joined_by_position`), else by column number.
    """
    if not before.rows or not after.rows:
        return False
    if before.bottom_cells and after.top_cells:
        return _joined_by_position(before, after)
    if len(before.rows[-1]) != len(after.rows[0]):
        return False
    pairs = [((len(before.rows) - 1, i), i, i < len(before.wrapped) and before.wrapped[i])
             for i in range(len(after.rows[0]))]
    return _join_cells(before, after, pairs)


def _joined_by_position(before: Block, after: Block) -> bool:
    """The broken row's halves matched cell by cell on both edges (left and right): LibreOffice
    draws each page's part of a table on its own column grid (a label spans two columns on
    one page, one on the other), so column numbers differ where positions do not. A cell
    with text below that lines up with no cell above leaves both halves as they are."""
    pairs: list[tuple[tuple[int, int], int, bool]] = []
    for cell in after.top_cells:
        match = [b for b in before.bottom_cells if abs(b.x0 - cell.x0) <= TOLERANCE
                 and abs(b.x1 - cell.x1) <= TOLERANCE]
        below = after.rows[0][cell.slot] if cell.row == 0 else None
        if not match:
            if below and pdf_cell(below):
                return False
            continue
        pairs.append(((match[0].row, match[0].slot), cell.slot, match[0].wrapped))
    return _join_cells(before, after, pairs)


def _join_cells(before: Block, after: Block,
                pairs: list[tuple[tuple[int, int], int, bool]]) -> bool:
    """Join `after`'s first row into `before` through `pairs` ((row, slot) above, slot
    below, whether the text above went on), or change nothing."""
    last_row = len(before.rows) - 1
    first = after.rows[0]
    updates: dict[tuple[int, int], str] = {}
    broken = False
    for (row, slot), below_slot, went_on in pairs:
        below = first[below_slot]
        above = before.rows[row][slot]
        below_text = pdf_cell(below) if below else ""
        above_text = pdf_cell(above) if above else ""
        if not below or not below_text:
            continue
        if not above_text and above is not None and row == last_row:
            updates[row, slot] = below
        elif (above and above_text and not is_numeric(above_text)
              and not is_numeric(below_text) and went_on):
            updates[row, slot] = f"{above}\n{below}"
            broken = True
        else:
            return False
    if not broken:
        return False
    for (row, slot), text in updates.items():
        before.rows[row][slot] = text
    _drop_first_row(after)
    return True


def _drop_first_row(block: Block) -> None:
    """The first row gone (joined above); the edge cells' rows counted again, a cell whose
    text went with it no longer known."""
    del block.rows[0]
    block.top_cells = []
    block.bottom_cells = [c._replace(row=c.row - 1) for c in block.bottom_cells if c.row > 0]


def _add_page(blocks: list[Block], found: list[Block]) -> None:
    if blocks and found and _join_broken_row(blocks[-1], found[0]):
        found = found if found[0].has_text() else found[1:]
    if blocks and found:
        found = found[_carry_label_tails(blocks[-1], found):]
    blocks.extend(found)


def _carry_label_tails(before: Block, found: list[Block]) -> int:
    """How many of a page's first blocks end the label of the borderless row that ended
    the page before (`carry_label_tails`); that row's text is made again with them."""
    row = before.line.row if before.line is not None else None
    leading: list[Line] = []
    after: Line | None = None
    for block in found:
        if block.line is None or block.line.row is not None:
            after = block.line
            break
        leading.append(block.line)
    if row is None or not leading:
        return 0
    taken = carry_label_tails(row, leading, after)
    if taken:
        before.text = row.line.text
    return taken


@contextlib.contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs a warning per glyph for fonts without a FontBBox (Chromium's PDFs):
    thousands of lines in a batch, none of them about the text. Quiet for this read only;
    the process's logging is the application's to configure."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_pdfium(p: Path, data: bytes, limits: Limits) -> tuple[list[Block], int, list[int]]:
    """Blocks, characters and the pages read by pdfplumber instead (PDFium failed on them),
    each page in its place."""
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(data)
        try:
            pages, chars = _pdfium_pages(p, document, limits)
        finally:
            document.close()
    fallback = [i for i, found in enumerate(pages) if found is None]
    if fallback:
        read, more = _plumber_pages(p, data, limits, set(fallback))
        pages = [read.get(i, []) if found is None else found for i, found in enumerate(pages)]
        chars += more
    blocks: list[Block] = []
    for found in pages:
        _add_page(blocks, found or [])
    return blocks, chars, fallback


def _pdfium_pages(p: Path, document: Any, limits: Limits) -> tuple[list[list[Block] | None], int]:
    """Every page's blocks, None for a page PDFium cannot open, and the characters read."""
    import pypdfium2

    _check_pages(p, len(document), limits)
    chars = 0
    pages: list[list[Block] | None] = []
    for i in range(len(document)):
        try:
            page = document[i]
        except pypdfium2.PdfiumError:
            pages.append(None)
            continue
        try:
            found, n = _pdfium_page(page, limits, p, i + 1)
        finally:
            page.close()
        chars += n
        pages.append(found)
    return pages, chars


def _plumber_pages(p: Path, data: bytes, limits: Limits,
                   only: set[int] | None = None) -> tuple[dict[int, list[Block]], int]:
    """The reference reading of every page, or of the pages in `only`, by page index."""
    import pdfplumber

    read: dict[int, list[Block]] = {}
    chars = 0
    with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data)) as pdf:
        _check_pages(p, len(pdf.pages), limits)
        for i, page in enumerate(pdf.pages):
            if only is not None and i not in only:
                continue
            n = len(page.chars)
            _check_chars(p, i + 1, n, limits)
            chars += n
            read[i] = _plumber_page(page) if n else []
            page.close()
    return read, chars


def _read_plumber(p: Path, data: bytes, limits: Limits) -> tuple[list[Block], int]:
    """The whole document through pdfplumber: the reference reading."""
    read, chars = _plumber_pages(p, data, limits)
    blocks: list[Block] = []
    for i in sorted(read):
        _add_page(blocks, read[i])
    return blocks, chars


def read_pdf(p: Path, data: bytes, engine: Engine = "pdfium",
             limits: Limits = DEFAULT_LIMITS) -> Document:
    """The PDF's text, its tables as lines of cells; `engine` "pdfplumber" is the
    reference reading the fast path is tested against."""
    _check_streams(p, data, limits)
    hints: dict[str, str] = {}
    notes: tuple[str, ...] = ()
    try:
        if engine == "pdfplumber":
            blocks, chars = _read_plumber(p, data, limits)
        else:
            blocks, chars, fallback = _read_pdfium(p, data, limits)
            if fallback:
                hints[FALLBACK_HINT] = ",".join(str(i + 1) for i in fallback)
                notes = (fallback_note(fallback),)
    except (ReadError, LimitExceeded):
        raise
    except Exception as exc:
        raise ReadError(p, _pdf_error(exc)) from exc
    if chars == 0:
        raise ReadError(p, "PDF has no text layer (scanned image?); OCR it first")
    text = "\n".join(line for block in blocks for line in block.lines())
    visible = len(ANY_WS.sub("", text))
    cid = sum(len(m) for m in _CID.findall(text))
    if visible and (cid > 0.5 * visible or text.count("\ufffd") > 0.5 * visible):
        raise ReadError(p, "PDF text layer has no Unicode mapping (cid fonts); OCR it first")
    if not text.strip():
        raise ReadError(p, "PDF has no text layer (scanned image?); OCR it first")
    return Document(str(p), text, "pdf", None, hints, notes)


def fallback_note(pages: list[int]) -> str:
    """`page 3 read by pdfplumber (PDFium could not open it)`, from the pages counted from 0."""
    numbers = ", ".join(str(i + 1) for i in pages)
    if len(pages) == 1:
        return f"page {numbers} read by pdfplumber (PDFium could not open it)"
    return f"pages {numbers} read by pdfplumber (PDFium could not open them)"


# ---------------------------------------------------------------- limits and errors

def _check_pages(p: Path, pages: int, limits: Limits) -> None:
    if pages > limits.pages:
        raise LimitExceeded(p, "pages", f"{pages} pages, more than {limits.pages}")


def _check_chars(p: Path, page: int, chars: int, limits: Limits) -> None:
    if chars > limits.chars_per_page:
        raise LimitExceeded(p, "chars_per_page",
                            f"page {page} draws more than {limits.chars_per_page} characters")


def _check_streams(p: Path, data: bytes, limits: Limits) -> None:
    """Every Flate stream inflated (a chunk at a time, nothing kept) before any reader
    sees the file: a few KB of PDF may expand to gigabytes, or draw one glyph a million
    times, and a reader would build all of it in memory before it saw a single page.
    A stream that shows text more often than a page may hold characters is refused here;
    fewer operators drawing long strings are caught by the count of characters per page."""
    budget = limits.expanded_bytes
    total = 0
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        inflate = zlib.decompressobj()
        pending = data[m.end():end if end != -1 else len(data)]
        shows = 0
        while pending and total <= budget:
            try:
                out = inflate.decompress(pending, _CHUNK)
            except zlib.error:
                break
            total += len(out)
            shows += sum(out.count(op) for op in _SHOW_TEXT)
            pending = inflate.unconsumed_tail
            if not out:
                break
        if total > budget:
            raise LimitExceeded(p, "expanded_bytes",
                                f"its streams expand to more than {budget:,} bytes")
        if shows > limits.chars_per_page:
            raise LimitExceeded(p, "chars_per_page", f"a content stream shows text {shows:,} "
                                f"times, more than {limits.chars_per_page:,} characters")


def _pdf_error(exc: Exception) -> str:
    detail = f"{type(exc).__name__}: {exc}"
    chain: BaseException | None = exc
    while chain is not None:
        name = type(chain).__name__.lower()
        if "password" in name or "encrypt" in name:
            return "PDF is encrypted (password required); decrypt it first"
        chain = chain.__cause__ or chain.__context__
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return "PDF is encrypted (password required); decrypt it first"
    return f"corrupt or unreadable PDF ({detail[:200]})"
