"""PDF text layer to lines: ruled tables through pdfplumber, text around them by position.

A table row that a page break cut in two (its label wrapped over both pages) is joined
again. A scanned PDF (no text layer) or one whose fonts have no Unicode mapping is a clear error
that says to OCR it first; page numbers at the top and bottom of a page are dropped.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.read.document import ANY_WS, CELL_SEP, Document
from toolkit.spec.errors import ReadError

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－─]+\s*\d{1,4}\s*[-—–－─]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?|\d{1,4})\s*$",
    re.I,
)
_CID = re.compile(r"\(cid:\d+\)")
_LATIN_WRAP = re.compile(r"(?<=[A-Za-z])\s*\n\s*(?=[A-Za-z])")


def _pdf_cell(value: str) -> str:
    value = _LATIN_WRAP.sub(" ", value)
    value = re.sub(r"\s*\n\s*", "", value)
    return ANY_WS.sub(" ", value).strip()


Cells = list[str | None]
"""A table row as pdfplumber extracts it: a cell's text, None for a slot a merged cell covers."""


@dataclass
class _Block:
    """Lines of one page in reading order: a text line, or a ruled table's rows."""

    top: float
    text: str | None = None
    rows: list[Cells] = field(default_factory=list)
    wrapped: list[bool] = field(default_factory=list)
    """Per column of the table's last row: its text runs to the cell's right edge on its
    last line (the text went on below, maybe on the next page)."""

    def lines(self) -> list[str]:
        if self.text is not None:
            return [self.text]
        out = []
        for row in self.rows:
            # None marks a slot covered by a merged cell: like HTML, the cell shows once.
            cells = [_pdf_cell(c) for c in row if c is not None]
            if cells:
                out.append(CELL_SEP.join(cells))
        return out


def _wrapped(page: Any, boxes: list[Any], padding: float) -> list[bool]:
    """For each cell box: whether its last line of text spans the cell's whole width."""
    out = []
    for box in boxes:
        if box is None:
            out.append(False)
            continue
        x0, top, x1, bottom = box
        chars = [c for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                 and top <= (c["top"] + c["bottom"]) / 2 <= bottom and c["text"].strip()]
        if not chars:
            out.append(False)
            continue
        last = max(c["bottom"] for c in chars)
        line = [c for c in chars if abs(c["bottom"] - last) < 2]
        width = max(c["x1"] - c["x0"] for c in line)
        slack = padding + width
        out.append(min(c["x0"] for c in line) - x0 < slack
                   and x1 - max(c["x1"] for c in line) < slack)
    return out


def _padding(page: Any, table: Any) -> float:
    """The table's cell padding: the least gap between a cell's left edge and its text."""
    gaps = []
    for row in table.rows:
        for box in row.cells:
            if box is None:
                continue
            x0, top, x1, bottom = box
            lefts = [c["x0"] for c in page.chars if x0 <= c["x0"] and c["x1"] <= x1
                     and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
            if lefts:
                gaps.append(min(lefts) - x0)
    return min(gaps) if gaps else 0.0


def _pdf_page_blocks(page: Any) -> list[_Block]:
    tables = page.find_tables()
    blocks: list[_Block] = []
    boxes = [t.bbox for t in tables]
    for t in tables:
        block = _Block(t.bbox[1], rows=t.extract())
        if block.lines():
            if t.rows:
                block.wrapped = _wrapped(page, list(t.rows[-1].cells), _padding(page, t))
            blocks.append(block)

    def outside(obj: dict[str, Any]) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    for ln in text_page.extract_text_lines(strip=True, return_chars=False):
        if ln["text"].strip():
            blocks.append(_Block(ln["top"], text=ln["text"]))
    blocks.sort(key=lambda b: (b.top, b.text is None))
    while blocks and blocks[0].text is not None and _PAGE_NUMBER.match(blocks[0].text):
        blocks.pop(0)
    while blocks and blocks[-1].text is not None and _PAGE_NUMBER.match(blocks[-1].text):
        blocks.pop()
    return blocks


_NUMERIC = re.compile(r"^[+\-−]?[\d,，.．]+%?$")


def _join_broken_row(before: _Block, after: _Block) -> bool:
    """A table row broken by a page break, its first row continuing the last row above.

    Word and LibreOffice let a row break across pages: a long label wraps, its first lines
    stay on one page (`2.重复`) and the rest go on (`申请`), in a row of its own with empty
    number cells. The two are one row when the row above ends, in each column where the
    row below has text, with a line of text that fills its cell (so the text went on);
    number cells may be on either side, not both. Then the cells are joined and the
    broken-off row is dropped; otherwise both stay as they are.
    """
    if not before.rows or not after.rows or len(before.rows[-1]) != len(after.rows[0]):
        return False
    last, first = before.rows[-1], after.rows[0]
    joined: Cells = list(last)
    broken = False
    for i, (above, below) in enumerate(zip(last, first, strict=True)):
        below_text = _pdf_cell(below) if below else ""
        above_text = _pdf_cell(above) if above else ""
        if not below_text:
            continue
        if not above_text and above is not None:
            joined[i] = below
        elif (above_text and not _NUMERIC.match(above_text) and not _NUMERIC.match(below_text)
              and i < len(before.wrapped) and before.wrapped[i]):
            joined[i] = f"{above}\n{below}"
            broken = True
        else:
            return False
    if not broken:
        return False
    before.rows[-1] = joined
    del after.rows[0]
    return True


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


def read_pdf(p: Path, data: bytes) -> Document:
    import pdfplumber

    blocks: list[_Block] = []
    chars = 0
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                chars += len(page.chars)
                if page.chars:
                    found = _pdf_page_blocks(page)
                    if blocks and found and _join_broken_row(blocks[-1], found[0]):
                        found = found if found[0].lines() else found[1:]
                    blocks.extend(found)
                page.close()
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(p, _pdf_error(exc)) from exc
    if chars == 0:
        raise ReadError(p, "PDF has no text layer (scanned image?); OCR it first")
    text = "\n".join(line for block in blocks for line in block.lines())
    visible = len(ANY_WS.sub("", text))
    cid = sum(len(m) for m in _CID.findall(text))
    if visible and cid > 0.5 * visible:
        raise ReadError(p, "PDF text layer has no Unicode mapping (cid fonts); OCR it first")
    if not text.strip():
        raise ReadError(p, "PDF has no text layer (scanned image?); OCR it first")
    return Document(str(p), text, "pdf", None)


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

