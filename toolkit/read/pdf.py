"""PDF text layer to lines: ruled tables through pdfplumber, text around them by position.

A scanned PDF (no text layer) or one whose fonts have no Unicode mapping is a clear error
that says to OCR it first; page numbers at the top and bottom of a page are dropped.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
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


def _pdf_page_lines(page: Any) -> list[str]:
    tables = page.find_tables()
    blocks: list[tuple[float, int, list[str], bool]] = []
    boxes = [t.bbox for t in tables]
    for t in tables:
        rows = []
        for row in t.extract():
            # None marks a slot covered by a merged cell: like HTML, the cell shows once.
            cells = [_pdf_cell(c) for c in row if c is not None]
            if cells:
                rows.append(CELL_SEP.join(cells))
        if rows:
            blocks.append((t.bbox[1], 1, rows, True))

    def outside(obj: dict[str, Any]) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    for ln in text_page.extract_text_lines(strip=True, return_chars=False):
        if ln["text"].strip():
            blocks.append((ln["top"], 0, [ln["text"]], False))
    blocks.sort(key=lambda b: (b[0], b[1]))
    while blocks and not blocks[0][3] and _PAGE_NUMBER.match(blocks[0][2][0]):
        blocks.pop(0)
    while blocks and not blocks[-1][3] and _PAGE_NUMBER.match(blocks[-1][2][0]):
        blocks.pop()
    return [line for block in blocks for line in block[2]]


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

    lines: list[str] = []
    chars = 0
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                chars += len(page.chars)
                if page.chars:
                    lines.extend(_pdf_page_lines(page))
                page.close()
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(p, _pdf_error(exc)) from exc
    if chars == 0:
        raise ReadError(p, "PDF has no text layer (scanned image?); OCR it first")
    text = "\n".join(lines)
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

