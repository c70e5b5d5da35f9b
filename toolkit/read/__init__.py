"""Read a report file (text, HTML or a page saved as .mht, PDF, DOCX, DOC) into text.

`read_document` is the front door: it decides the kind by content first (magic bytes, an
HTML preamble) and by the suffix second, then hands the bytes to the format's reader
(`decode`, `html`, `pdf`, `word`). Every failure is a `ReadError` naming the file.
"""
from __future__ import annotations

from pathlib import Path

from toolkit.read.decode import decode_bytes, decode_html
from toolkit.read.document import CELL_SEP, Document
from toolkit.read.html import html_document, html_tables, html_to_text, read_mhtml
from toolkit.read.pdf import read_pdf
from toolkit.read.sniff import (
    HTML_START_B,
    HTML_START_S,
    HTML_SUFFIXES,
    MHTML_SUFFIXES,
    is_mhtml,
    read_bytes,
    sniff_magic,
    zip_members,
)
from toolkit.read.word import read_doc, read_docx
from toolkit.spec.errors import ReadError, UnsupportedFormat

__all__ = [
    "CELL_SEP",
    "Document",
    "decode_bytes",
    "decode_html",
    "html_tables",
    "html_to_text",
    "read_document",
]




def read_document(path: str | Path, max_bytes: int = 20_000_000,
                  data: bytes | None = None) -> Document:
    """Read any supported file into a Document; every failure is a ReadError naming the file.

    The kind is decided by content first (magic bytes, an HTML preamble) and by the suffix
    second, because crawled files are often misnamed (an HTML error page saved as .pdf).
    `data`: the file's bytes, when the caller has read them already (ingest hashes the
    bytes it parses, so a file that changes meanwhile cannot mix two contents).
    """
    p = Path(path)
    if data is None:
        data = read_bytes(p, max_bytes)
    elif len(data) > max_bytes:
        raise ReadError(p, f"file too large ({len(data)} bytes; the limit is {max_bytes})")
    if not data:
        raise ReadError(p, "empty file")
    suffix = p.suffix.lower()
    magic = sniff_magic(data)

    if magic == "pdf":
        return read_pdf(p, data)
    if magic == "zip":
        members = zip_members(data)
        if suffix == ".docx" or "word/document.xml" in members:
            return read_docx(p, data)
        if suffix == ".ofd" or "OFD.xml" in members:
            raise UnsupportedFormat(p, "OFD document (GB/T 33190 fixed layout); convert it to PDF")
        raise UnsupportedFormat(
            p,
            f"zip archive ({suffix or 'no suffix'}) is not a .docx; "
            "unpack it or convert it to .docx/.pdf",
        )
    if magic == "ole":
        if suffix in {".xls", ".ppt", ".msg"}:
            raise UnsupportedFormat(p, f"legacy Office file ({suffix}) is not a report format")
        return read_doc(p)
    if magic == "rtf":
        raise UnsupportedFormat(p, "RTF document; convert it to .docx")
    if magic is not None:
        raise ReadError(p, f"binary file, not text ({magic})")

    if suffix in MHTML_SUFFIXES or is_mhtml(data):
        return read_mhtml(p, data)
    try:
        return _read_textual(p, data, force_html=suffix in HTML_SUFFIXES)
    except ReadError as exc:
        if suffix == ".pdf":
            raise ReadError(p, f"not a PDF (no %PDF- header) and not text: {exc.reason}") from exc
        if suffix == ".docx":
            raise ReadError(p, f"not a .docx (no zip header) and not text: {exc.reason}") from exc
        raise



def _read_textual(p: Path, data: bytes, force_html: bool) -> Document:
    if force_html or HTML_START_B.match(data[:4096]):
        return html_document(p, data)
    try:
        text, enc = decode_bytes(data)
    except ValueError as exc:
        raise ReadError(p, str(exc)) from exc
    if HTML_START_S.match(text[:4096]):
        return html_document(p, data)
    if not text.strip():
        raise ReadError(p, "empty file")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(str(p), text, "text", enc)

