"""Turn a report file (text, HTML or a page saved as .mht, PDF, DOCX, DOC) into plain text.

Every format comes out the same way: prose as lines, and each table row as ONE line of
cells joined by " | ". A merged (rowspan/colspan, vMerge) cell appears once, in its first
row, the way text copied from a browser or Word looks.
"""

from __future__ import annotations

import codecs
import contextlib
import email
import email.policy
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.etree as etree

from toolkit.errors import ReadError, UnsupportedFormat

__all__ = [
    "Document",
    "decode_bytes",
    "html_tables",
    "html_to_text",
    "read_document",
]

CELL_SEP = " | "

HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
MHTML_SUFFIXES = frozenset({".mht", ".mhtml"})


@dataclass(frozen=True)
class Document:
    """One input file as text, with what was learnt about it on the way."""

    path: str
    text: str
    kind: str
    encoding: str | None
    hints: dict[str, str] = field(default_factory=dict, hash=False)


# --------------------------------------------------------------------------- entry point


def read_document(path: str | Path, max_bytes: int = 20_000_000) -> Document:
    """Read any supported file into a Document; every failure is a ReadError naming the file.

    The kind is decided by content first (magic bytes, an HTML preamble) and by the suffix
    second, because crawled files are often misnamed (an HTML error page saved as .pdf).
    """
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    if not data:
        raise ReadError(p, "empty file")
    suffix = p.suffix.lower()
    magic = _sniff_magic(data)

    if magic == "pdf":
        return _read_pdf(p, data)
    if magic == "zip":
        members = _zip_members(data)
        if suffix == ".docx" or "word/document.xml" in members:
            return _read_docx(p, data)
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
        return _read_doc(p)
    if magic == "rtf":
        raise UnsupportedFormat(p, "RTF document; convert it to .docx")
    if magic is not None:
        raise ReadError(p, f"binary file, not text ({magic})")

    if suffix in MHTML_SUFFIXES or _is_mhtml(data):
        return _read_mhtml(p, data)
    try:
        return _read_textual(p, data, force_html=suffix in HTML_SUFFIXES)
    except ReadError as exc:
        if suffix == ".pdf":
            raise ReadError(p, f"not a PDF (no %PDF- header) and not text: {exc.reason}") from exc
        if suffix == ".docx":
            raise ReadError(p, f"not a .docx (no zip header) and not text: {exc.reason}") from exc
        raise


_MIME_HEADER = re.compile(
    rb"\A(?:MIME-Version|Content-Type|From|Subject|Date|Content-Location|X-[\w-]+)\s*:", re.I)


def _is_mhtml(data: bytes) -> bool:
    """A web page saved as one file (.mht): MIME headers, then the page and its parts."""
    return bool(_MIME_HEADER.match(data)) and b"multipart/related" in data[:4096].lower()


def _read_mhtml(p: Path, data: bytes) -> Document:
    message = email.message_from_bytes(data, policy=email.policy.default)
    page = next((part for part in message.walk() if part.get_content_type() == "text/html"), None)
    if page is None:
        raise ReadError(p, "MHTML archive holds no HTML page")
    html = page.get_payload(decode=True)
    if not isinstance(html, bytes) or not html.strip():
        raise ReadError(p, "MHTML archive's HTML page is empty")
    charset = _charset(page.get_content_charset() or "")
    if charset:  # the part's own charset beats the page's <meta>
        with contextlib.suppress(UnicodeDecodeError):
            return _decoded_html_document(p, html.decode(charset), charset)
    return _html_document(p, html)


def _read_bytes(p: Path, max_bytes: int) -> bytes:
    try:
        with open(p, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise ReadError(p, _too_large(size, max_bytes))
            # Ask for the size fstat gives, plus a byte to see growth (or the limit when
            # fstat knows no size): asking for max_bytes allocates that much every time.
            data = f.read(size + 1 if size else max_bytes + 1)
            if size and len(data) > size:
                data += f.read(max_bytes + 1 - len(data))
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise ReadError(p, _too_large(len(data), max_bytes, at_least=True))
    return data


def _fmt_size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} KB"
    return f"{n} bytes"


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return f"file too large ({more}{_fmt_size(size)} > {_fmt_size(limit)} limit)"


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
)


def _sniff_magic(data: bytes) -> str | None:
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for sig, name in _MAGIC:
        if data.startswith(sig):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP image"
    return None


def _zip_members(data: bytes) -> frozenset[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return frozenset(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return frozenset()


# --------------------------------------------------------------------------- text & decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_TEXT_BYTES = bytes([7, 8, 9, 10, 11, 12, 13, 27, *range(32, 256)])
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes to (text, codec name); raise ValueError if they are not text.

    Order: BOM, UTF-16 by its NUL pattern, strict UTF-8, strict GB18030 (a superset of
    GBK/GB2312, which is what Chinese government sites use), then charset-normalizer.
    Strict codecs come first because they are fast and, on real text, almost never wrong;
    the statistical guess is only a last resort.
    """
    if not data:
        return "", "utf-8"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(enc), enc)
            except UnicodeDecodeError:
                break

    utf16 = _utf16_by_nuls(data)
    if utf16 is not None:
        try:
            return _checked(data[: len(data) // 2 * 2].decode(utf16), utf16)
        except (UnicodeDecodeError, ValueError):
            pass

    for enc in ("utf-8", "gb18030"):
        text = _strict_decode(data, enc)
        if text is not None:
            return _checked(text, enc)

    sample = data[:65536]
    if len(sample.translate(None, _TEXT_BYTES)) > 0.01 * len(sample):
        raise ValueError("binary file, not text")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        raise ValueError("binary file, not text (no text encoding fits)")
    return _checked(str(best), best.encoding)


def _strict_decode(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        # A crawl cut off inside the last character is still in that encoding.
        if exc.reason.startswith(("unexpected end", "incomplete")) and exc.start >= len(data) - 4:
            try:
                return data[: exc.start].decode(enc)
            except UnicodeDecodeError:
                return None
        return None


def _checked(text: str, enc: str) -> tuple[str, str]:
    if text:
        bad = len(_BAD_CHARS.findall(text))
        if bad > 0.01 * len(text):
            raise ValueError("binary file, not text")
    return text, enc


def _utf16_by_nuls(data: bytes) -> str | None:
    """UTF-16 without BOM: ASCII characters put a NUL in every other byte."""
    if b"\x00" not in data[:65536]:
        return None
    sample = data[:65536]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    chars = len(sample) // 2 or 1
    if odd >= 0.75 * (odd + even) and odd >= 0.02 * chars and odd >= 2:
        return "utf-16-le"
    if even >= 0.75 * (odd + even) and even >= 0.02 * chars and even >= 2:
        return "utf-16-be"
    return None


_HTML_START_B = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html[\s>])",
    re.I | re.S,
)
_HTML_START_S = re.compile(
    r"\A\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html[\s>])",
    re.I | re.S,
)


def _read_textual(p: Path, data: bytes, force_html: bool) -> Document:
    if force_html or _HTML_START_B.match(data[:4096]):
        return _html_document(p, data)
    try:
        text, enc = decode_bytes(data)
    except ValueError as exc:
        raise ReadError(p, str(exc)) from exc
    if _HTML_START_S.match(text[:4096]):
        return _html_document(p, data)
    if not text.strip():
        raise ReadError(p, "empty file")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(str(p), text, "text", enc)


_META_CHARSET = re.compile(rb"<meta[^>]{0,500}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_UNRELIABLE_CHARSETS = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252", "utf-16", "utf-32"})


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:262144])
    return _charset(m.group(1).decode("ascii")) if m else None


def _charset(name: str) -> str | None:
    """Python's codec for a declared charset; the GB family reads as GB18030, its superset."""
    name = name.lower()
    if name in {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML bytes: BOM, then the page's own charset, then decode_bytes.

    Valid UTF-8 beats a declared legacy charset: crawlers often re-encode pages to UTF-8
    without touching the <meta>.
    """
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_bytes(data)
    declared = _declared_charset(data)
    if declared and declared not in _UNRELIABLE_CHARSETS:
        if declared != "utf-8" and not data.isascii():
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(data)


def _html_document(p: Path, data: bytes) -> Document:
    try:
        html, enc = _decode_html(data)
    except ValueError as exc:
        raise ReadError(p, str(exc)) from exc
    return _decoded_html_document(p, html, enc)


def _decoded_html_document(p: Path, html: str, enc: str) -> Document:
    if not html.strip():
        raise ReadError(p, "empty file")
    root = _parse_html(html)
    if root is None:
        raise ReadError(p, "no text content in HTML page")
    hints = _html_hints(root)
    text = "\n".join(_render_html(root))
    if not text.strip():
        raise ReadError(p, "no text content in HTML page")
    return Document(str(p), text, "html", enc, hints)


# --------------------------------------------------------------------------- HTML

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "option",
        "optgroup",
        "frameset",
        "frame",
    }
)
_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "head",
        "title",
        "template",
        "select",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "audio",
        "video",
        "math",
    }
)
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
_BRK = "\x00"
_MARK = "\ue000"
_STRIP = " \t\n\r\f\v\xa0\u3000" + _MARK

_CJK = (
    "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
)
_NEWLINE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\f\v]*[\r\n][ \t\r\n\f\v]*(?=[{_CJK}])")
_ASCII_WS = re.compile(r"[ \t\r\n\f\v]+")
_ANY_WS = re.compile(r"\s+")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_XML_DECL = re.compile(r"\A\ufeff?\s*<\?xml[^>]*>", re.I)
_MSO_IF = re.compile(r"<!\[(?:end)?if[^\]]*\]>", re.I)
_INLINE_TAG = re.compile(
    r"</?(?:font|span|a|b|i|u|s|em|strong|small|big|sub|sup|strike|ins|del|o:p|nobr)\b[^>]*>",
    re.I,
)
_CONTAINER_TAG = re.compile(
    r"</?(?:div|section|article|aside|header|footer|nav|main|center|blockquote|form|dl|dd"
    r"|dt|ul|ol|li)\b[^>]*>",
    re.I,
)


def html_to_text(html: str) -> str:
    """Render HTML as parser-ready text: prose lines plus one " | "-joined line per table row."""
    root = _parse_html(html)
    if root is None:
        return ""
    return "\n".join(_render_html(root))


def html_tables(html: str) -> list[list[list[str]]]:
    """Every <table> (nested ones too, in document order) as a rectangular grid of cell text.

    Unlike html_to_text, rowspan/colspan are resolved: a spanned cell's text is repeated in
    each slot it covers, so cell (r, c) is what a reader sees at that position.
    """
    root = _parse_html(html)
    if root is None:
        return []
    return [_table_grid(t) for t in root.iter("table")]


def _parse_html(html: str) -> Any:
    """Parse leniently; None when there is no document at all."""
    html = _XML_DECL.sub("", html, count=1)
    if "<![" in html:
        html = _MSO_IF.sub("", html)
    if "\x00" in html:
        html = html.replace("\x00", "")
    if any(c in html for c in _INVISIBLE_CHARS):  # str.find is ~20x a regex class scan
        html = _INVISIBLE.sub("", html)
    root, too_deep = _parse_once(html)
    # libxml2 silently drops everything below depth 2048 (thousands of unclosed <font>
    # on old pages); flattening the markup that does not affect line breaks keeps the text.
    for flatten, replacement in ((_INLINE_TAG, ""), (_CONTAINER_TAG, "<br>")):
        if not too_deep:
            break
        html = flatten.sub(replacement, html)
        root, too_deep = _parse_once(html)
    return root


def _parse_once(html: str) -> tuple[Any, bool]:
    # lxml.html's own parser wraps every node in a Python class; the plain libxml2 HTML
    # parser builds the same tree and is several times faster to walk.
    parser = etree.HTMLParser(
        encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, False
    return root, any("Excessive depth" in e.message for e in parser.error_log)


def _tag(el: Any) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _walk(root: Any, buf: list[str], on_table: Callable[[Any], None]) -> None:
    """Append root's text to buf, with _BRK at block boundaries; tables go to on_table.

    lxml's iterwalk keeps the loop in C and needs no recursion, so pages nested thousands
    of levels deep (unclosed <font>) are fine.
    """
    walker = etree.iterwalk(root, events=("start", "end"))
    pre = 0
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if not isinstance(tag, str) or tag in _DROP_TAGS:
                walker.skip_subtree()
            elif tag == "table":
                buf.append(_BRK)
                on_table(el)
                walker.skip_subtree()
            else:
                if tag in _BLOCK_TAGS or tag == "br":
                    buf.append(_BRK)
                if tag == "pre":
                    pre += 1
                if el.text:
                    buf.append(el.text.replace("\n", _BRK) if pre else el.text)
            continue
        if tag in _BLOCK_TAGS:
            buf.append(_BRK)
        if tag == "pre":
            pre -= 1
        if el.tail and el is not root:
            buf.append(el.tail.replace("\n", _BRK) if pre else el.tail)


def _clean_prose(line: str) -> str:
    if "\n" in line or "\r" in line:
        line = _NEWLINE_BETWEEN_CJK.sub("", line)
    return _ASCII_WS.sub(" ", line).strip(" ")


def _clean_cell_piece(piece: str) -> str:
    if "\n" in piece or "\r" in piece:
        piece = _NEWLINE_BETWEEN_CJK.sub("", piece)
    return _ANY_WS.sub(" ", piece).strip()


def _flush_prose(buf: list[str], lines: list[str]) -> None:
    if not buf:
        return
    for raw in "".join(buf).split(_BRK):
        if raw and not raw.isspace():
            lines.append(_clean_prose(raw))
    buf.clear()


def _render_html(root: Any) -> list[str]:
    lines: list[str] = []
    buf: list[str] = []

    def on_table(table: Any) -> None:
        _flush_prose(buf, lines)
        lines.extend(_table_lines(table))

    _walk(root, buf, on_table)
    _flush_prose(buf, lines)
    return lines


def _table_items(table: Any) -> Iterator[tuple[str, Any]]:
    """The rows of this table (not of nested ones) as ("row", cells), and stray content.

    Cells sitting directly in <table>/<tbody> without a <tr> (libxml2 keeps them there)
    form one implicit row.
    """
    if table.text and table.text.strip(_STRIP):
        yield "text", table.text
    loose: list[Any] = []
    for child in table:
        tag = _tag(child)
        if tag in {"td", "th"}:
            loose.append(child)
            continue
        if loose:
            yield "row", loose
            loose = []
        if tag == "tr":
            yield "row", _row_cells(child)
        elif tag in _ROW_GROUPS:
            yield from _table_items(child)
        elif tag is not None and tag not in _DROP_TAGS and tag not in {"colgroup", "col"}:
            if tag != "table" and any(True for _ in child.iter("tr")):
                yield from _table_items(child)
            else:
                yield "other", child
        if child.tail and child.tail.strip(_STRIP):
            yield "text", child.tail
    if loose:
        yield "row", loose


def _row_cells(tr: Any) -> list[Any]:
    cells: list[Any] = []
    stack = list(reversed(tr))
    while stack:
        el = stack.pop()
        tag = _tag(el)
        if tag in {"td", "th"}:
            cells.append(el)
        elif tag is not None and tag not in {"table", "tr"} and tag not in _DROP_TAGS:
            stack.extend(reversed(el))
    return cells


def _cell_text(cell: Any, nested: list[Any] | None = None) -> str:
    """Cell pieces (<p>, <br>, <div> parts) joined WITHOUT separator: Word splits words
    like 结/果/纠/正 across paragraphs, and they must read back as one word."""
    buf: list[str] = []

    def on_table(t: Any) -> None:
        if nested is not None:
            nested.append(t)

    _walk(cell, buf, on_table)
    return "".join(
        _clean_cell_piece(piece)
        for piece in "".join(buf).split(_BRK)
        if piece and not piece.isspace()
    )


def _is_simple(table: Any) -> bool:
    """No nested table, script or <pre>: its cells can be read with lxml's C-level itertext."""
    return next(table.iterdescendants("table", "pre", *_DROP_TAGS), None) is None




def _mark_blocks(table: Any) -> None:
    """Put a boundary mark (a private-use character: lxml refuses NUL) around every block
    element's text, where _walk would break a cell into pieces."""
    for el in table.iterdescendants(*_BLOCK_TAGS, "br"):
        el.text = _MARK + (el.text or "")
        el.tail = _MARK + (el.tail or "")


def _simple_cell_text(cell: Any) -> str:
    return "".join(
        _clean_cell_piece(piece)
        for piece in "".join(cell.itertext()).split(_MARK)
        if piece and not piece.isspace()
    )


_ROW_MARK = "\ue001"
_CELL_MARK = "\ue002"
# A table that is rows of cells and nothing else: no text or element outside a cell, no
# caption, no wrapper between <tr> and its cells. Its text can be read in one C-level pass.
# (Text of only NBSP or ideographic spaces between cells counts as text here: such a
# table takes the cell-by-cell path, which gives the same lines.)
# Rows sit in the table or one row group down (anything deeper is caught as irregular
# above them), so the row clauses need not descend into the cells.
_IRREGULAR = etree.XPath(" or ".join((
    "./text()[normalize-space()]",
    "./*[not(self::tr or self::tbody or self::thead or self::tfoot or self::colgroup"
    " or self::col)]",
    "./*[self::tbody or self::thead or self::tfoot]/*[not(self::tr)]",
    "./*[self::tbody or self::thead or self::tfoot]/text()[normalize-space()]",
    "(./tr | ./*/tr)/*[not(self::td or self::th)]",
    "(./tr | ./*/tr)/text()[normalize-space()]",
)))
# Rows, cells and block boundaries as marks around the table's text (libxslt, in C).
_MARKED_TEXT = etree.XSLT(etree.XML(f"""\
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:template match="tr"><xsl:text>{_ROW_MARK}</xsl:text><xsl:apply-templates/></xsl:template>
  <xsl:template match="td|th"><xsl:text>{_CELL_MARK}</xsl:text><xsl:apply-templates/></xsl:template>
  <xsl:template match="br"><xsl:text>{_MARK}{_MARK}</xsl:text></xsl:template>
  <xsl:template match="{'|'.join(sorted(_BLOCK_TAGS - {'tr', 'td', 'th'}))}">
    <xsl:text>{_MARK}</xsl:text><xsl:apply-templates/><xsl:text>{_MARK}</xsl:text>
  </xsl:template>
</xsl:stylesheet>"""))


def _regular_table_lines(table: Any) -> list[str]:
    """`_marked_table_lines` for a table of rows of cells only: same lines, one pass in C.

    A cell's pieces (its <p>, <br> parts) are stripped and joined without separator, as
    `_simple_cell_text` does: whitespace around a block mark goes with the mark.
    """
    text = str(_MARKED_TEXT(etree.ElementTree(table)))
    if "\n" in text or "\r" in text:
        text = _NEWLINE_BETWEEN_CJK.sub("", text)
    # Whitespace runs → one space; then a space beside a block mark goes with the mark.
    text = " ".join(text.split())
    text = text.replace(_MARK + " ", _MARK).replace(" " + _MARK, _MARK).replace(_MARK, "")
    lines = []
    for row in text.split(_ROW_MARK)[1:]:
        cells = row.split(_CELL_MARK)[1:]
        if cells:
            lines.append(CELL_SEP.join([cell.strip() for cell in cells]))
    return lines


def _marked_table_lines(table: Any) -> list[str]:
    """A table with no nested table: cells read with lxml's itertext, stray text as prose."""
    lines: list[str] = []
    buf: list[str] = []
    _mark_blocks(table)
    for kind, item in _table_items(table):
        if kind == "row" and item:
            lines.append(CELL_SEP.join(_simple_cell_text(c) for c in item))
        elif kind == "text":
            buf.append(item.replace(_MARK, _BRK))
            _flush_prose(buf, lines)
        elif kind == "other":
            buf.append(_BRK + "".join(item.itertext()).replace(_MARK, _BRK) + _BRK)
            _flush_prose(buf, lines)
    return lines


def _table_lines(table: Any) -> list[str]:
    """One line per row, cells joined by CELL_SEP; text around rows as prose lines."""
    if _is_simple(table):
        return _marked_table_lines(table) if _IRREGULAR(table) else _regular_table_lines(table)
    lines: list[str] = []
    buf: list[str] = []

    def on_table(inner: Any) -> None:
        _flush_prose(buf, lines)
        lines.extend(_table_lines(inner))

    for kind, item in _table_items(table):
        if kind == "text":
            buf.append(item)
            _flush_prose(buf, lines)
        elif kind == "other":
            buf.append(_BRK)
            _walk(item, buf, on_table)
            buf.append(_BRK)
            _flush_prose(buf, lines)
        elif item:
            lines.extend(_row_lines(item))
    return lines


def _row_lines(cells: list[Any]) -> list[str]:
    """A row's cells on one line, tables nested in them after it; but a layout row (old
    CMS pages set the whole article in a table cell: prose around several tables) reads
    cell by cell as pages of their own, prose and tables in their order."""
    read: list[tuple[str, list[Any]]] = []
    for cell in cells:
        nested: list[Any] = []
        read.append((_cell_text(cell, nested), nested))
    if _is_layout_row(read):
        return [line for cell in cells for line in _render_html(cell)]
    lines = [CELL_SEP.join(text for text, _ in read)]
    for _, nested in read:
        for inner in nested:
            lines.extend(_table_lines(inner))
    return lines


_LAYOUT_PROSE = 40
"""Characters of prose beside a nested table that make a cell a page, not a data cell."""


def _is_layout_row(cells: list[tuple[str, list[Any]]]) -> bool:
    """Some cell, read as (its own text, the tables nested in it), is a page: prose around
    several tables, or around one table with more than a few words."""
    return any(nested and (len(nested) > 1 or len(text) >= _LAYOUT_PROSE) for text, nested in cells)


def _span(el: Any, attr: str) -> int:
    m = re.match(r"\s*(\d+)", el.get(attr) or "")
    return int(m.group(1)) if m else 1


def _table_grid(table: Any) -> list[list[str]]:
    rows = [item for kind, item in _table_items(table) if kind == "row" and item]
    grid: list[list[str | None]] = [[] for _ in rows]
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            row = grid[r]
            while c < len(row) and row[c] is not None:
                c += 1
            text = _cell_text(cell)
            rowspan = _span(cell, "rowspan")
            rowspan = len(rows) - r if rowspan == 0 else min(rowspan, len(rows) - r)
            colspan = min(max(_span(cell, "colspan"), 1), 1000)
            for dr in range(rowspan):
                target = grid[r + dr]
                if len(target) < c + colspan:
                    target.extend([None] * (c + colspan - len(target)))
                for dc in range(colspan):
                    if target[c + dc] is None:
                        target[c + dc] = text
            c += colspan
    width = max((len(row) for row in grid), default=0)
    return [[v or "" for v in row] + [""] * (width - len(row)) for row in grid]


_META_HINTS: dict[str, str] = {
    "pubdate": "meta_published",
    "publishdate": "meta_published",
    "publish_date": "meta_published",
    "publishtime": "meta_published",
    "firstpublishedtime": "meta_published",
    "article:published_time": "meta_published",
    "dc.date": "meta_published",
    "dcterms.issued": "meta_published",
    "articletitle": "meta_title",
    "og:title": "meta_title",
    "dc.title": "meta_title",
    "contentsource": "meta_source",
    "source": "meta_source",
    "sitename": "meta_site",
    "og:site_name": "meta_site",
    "columnname": "meta_column",
    "author": "meta_author",
    "url": "meta_url",
    "og:url": "meta_url",
    "keywords": "meta_keywords",
    "description": "meta_description",
}


def _html_hints(root: Any) -> dict[str, str]:
    """The page's <title> and publication/title <meta> tags: in <head>, where pages put them
    (a walk of the whole tree costs as much as reading the tables)."""
    hints: dict[str, str] = {}
    head = root.find("head")
    scope = head if head is not None and len(head) else root
    for el in scope.iter("title", "meta"):
        if el.tag == "title":
            title = _ANY_WS.sub(" ", "".join(el.itertext())).strip()
            if title and "html_title" not in hints:
                hints["html_title"] = title
            continue
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        key = _META_HINTS.get(name)
        content = _ANY_WS.sub(" ", el.get("content") or "").strip()
        if key and content and key not in hints:
            hints[key] = content
    return hints


# --------------------------------------------------------------------------- PDF

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
    return _ANY_WS.sub(" ", value).strip()


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


def _read_pdf(p: Path, data: bytes) -> Document:
    import pdfplumber

    # pdfminer logs a warning per glyph for fonts without a FontBBox (Chromium's PDFs):
    # thousands of lines on stderr in a batch, none of them about the text.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    lines: list[str] = []
    chars = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
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
    visible = len(_ANY_WS.sub("", text))
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


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_W_SKIP = frozenset(
    {_W + "del", _W + "delText", _W + "instrText", _W + "pPr", _W + "rPr", _MC_FALLBACK}
)


def _docx_par_text(p: Any) -> str:
    """Visible text of a w:p, including smart tags, fields and tracked insertions (which
    python-docx's Paragraph.text drops), excluding deletions and field codes."""
    out: list[str] = []
    stack = list(reversed(p))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in _W_SKIP:
            continue
        if tag == _W + "t":
            out.append(el.text or "")
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        else:
            stack.extend(reversed(el))
    return "".join(out)


def _docx_is_continuation(tc: Any) -> bool:
    tc_pr = tc.find(_W + "tcPr")
    if tc_pr is None:
        return False
    for name in ("vMerge", "hMerge"):
        merge = tc_pr.find(_W + name)
        if merge is not None and merge.get(_W + "val") != "restart":
            return True
    return False


def _docx_children(el: Any, wanted: str) -> Iterator[Any]:
    """Children with tag `wanted`, looking through content controls and custom XML."""
    for child in el:
        if child.tag == wanted:
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _docx_children(child, wanted)


def _docx_table_lines(tbl: Any) -> list[str]:
    lines: list[str] = []
    for tr in _docx_children(tbl, _W_TR):
        cells = [tc for tc in _docx_children(tr, _W_TC) if not _docx_is_continuation(tc)]
        read: list[tuple[str, list[Any]]] = []
        for tc in cells:
            pieces: list[str] = []
            nested: list[Any] = []
            for block in _docx_blocks(tc):
                if block.tag == _W_TBL:
                    nested.append(block)
                else:
                    pieces.append(_clean_cell_piece(_docx_par_text(block)))
            read.append(("".join(pieces), nested))
        if _is_layout_row(read):
            lines.extend(line for tc in cells for line in _docx_body_lines(tc))
            continue
        if read:
            lines.append(CELL_SEP.join(text for text, _ in read))
        for _, nested in read:
            for inner in nested:
                lines.extend(_docx_table_lines(inner))
    return lines


def _docx_body_lines(container: Any) -> list[str]:
    """The document body, or a layout cell: paragraphs as lines, tables as rows."""
    lines: list[str] = []
    for block in _docx_blocks(container):
        if block.tag == _W_TBL:
            lines.extend(_docx_table_lines(block))
        else:
            lines.append(_docx_par_text(block).replace("\r", "\n"))
    return lines


def _docx_blocks(el: Any) -> Iterator[Any]:
    for child in el:
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _docx_blocks(child)


def _read_docx(p: Path, data: bytes, kind: str = "docx") -> Document:
    import docx

    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:
        raise ReadError(p, f"corrupt or unreadable .docx ({type(exc).__name__}: {exc})") from exc
    text = "\n".join(_docx_body_lines(body))
    if not text.strip():
        raise ReadError(p, "empty document")
    return Document(str(p), text, kind, None)


# --------------------------------------------------------------------------- DOC

_ANTIWORD_ROW = re.compile(r"^\|(.*)\|\s*$")


def _read_doc(p: Path) -> Document:
    """Legacy Word: antiword if present, else LibreOffice to .docx; nothing is installed here."""
    antiword = shutil.which("antiword")
    if antiword:
        try:
            proc = subprocess.run(
                [antiword, "-w", "0", "-m", "UTF-8.txt", str(p)],
                capture_output=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReadError(p, f"antiword failed: {exc}") from exc
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()[:200]
            raise ReadError(p, f"antiword failed: {err or f'exit {proc.returncode}'}")
        out = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        lines = []
        for line in out.split("\n"):
            m = _ANTIWORD_ROW.match(line)
            if m:
                line = CELL_SEP.join(_clean_cell_piece(c) for c in m.group(1).split("|"))
            lines.append(line)
        text = "\n".join(lines).rstrip()
        if not text.strip():
            raise ReadError(p, "empty document")
        return Document(str(p), text, "doc", None)

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        with tempfile.TemporaryDirectory(prefix="toolkit-doc-") as tmp:
            cmd = [
                office,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "docx",
                "--outdir",
                tmp,
                str(p),
            ]
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ReadError(p, f"LibreOffice conversion failed: {exc}") from exc
            out_path = Path(tmp) / (p.stem + ".docx")
            if not out_path.exists():
                err = proc.stderr.decode("utf-8", "replace").strip()[:200]
                raise ReadError(p, f"LibreOffice conversion failed: {err or 'no output'}")
            return _read_docx(p, out_path.read_bytes(), kind="doc")

    raise UnsupportedFormat(
        p, "legacy .doc needs LibreOffice or antiword installed; convert it to .docx"
    )
