"""HTML to text: prose as lines, each table row as one line of cells; pages saved as .mht.

lxml's libxml2 parser builds the tree; regular tables are read in one libxslt pass, others
cell by cell. Deeply nested markup (thousands of unclosed <font>) is flattened rather than
lost, and the page's <title> and <meta> tags become hints for the metadata readers.

One module past 500 lines on purpose: the prose walk, the fast and slow table readers and the
span grid all work on the same private lxml helpers (_table_items, _row_cells, _cell_text);
split, those would become a public API of their own.
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import lxml.etree as etree

from toolkit.read.bounds import check_nodes
from toolkit.read.decode import charset_codec, decode_html
from toolkit.read.document import (
    ANY_WS,
    CELL_SEP,
    NEWLINE_BETWEEN_CJK,
    Document,
    clean_cell_piece,
    is_layout_row,
)
from toolkit.spec.errors import ReadError


def read_mhtml(p: Path, data: bytes) -> Document:
    message = email.message_from_bytes(data, policy=email.policy.default)
    page = next((part for part in message.walk() if part.get_content_type() == "text/html"), None)
    if page is None:
        raise ReadError(p, "MHTML archive holds no HTML page")
    html = page.get_payload(decode=True)
    if not isinstance(html, bytes) or not html.strip():
        raise ReadError(p, "MHTML archive's HTML page is empty")
    charset = charset_codec(page.get_content_charset() or "")
    if charset:  # the part's own charset beats the page's <meta>
        with contextlib.suppress(UnicodeDecodeError):
            return _decoded_html_document(p, html.decode(charset), charset)
    return html_document(p, html)



def html_document(p: Path, data: bytes) -> Document:
    try:
        html, enc = decode_html(data)
    except ValueError as exc:
        raise ReadError(p, str(exc)) from exc
    return _decoded_html_document(p, html, enc)


def _decoded_html_document(p: Path, html: str, enc: str) -> Document:
    if not html.strip():
        raise ReadError(p, "empty file")
    check_nodes(p, html)
    root = _parse_html(html)
    if root is None:
        raise ReadError(p, "no text content in HTML page")
    hints = _html_hints(root)
    text = "\n".join(_render_html(root))
    if not text.strip():
        raise ReadError(p, "no text content in HTML page")
    return Document(str(p), text, "html", enc, hints)



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

_ASCII_WS = re.compile(r"[ \t\r\n\f\v]+")
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
        line = NEWLINE_BETWEEN_CJK.sub("", line)
    return _ASCII_WS.sub(" ", line).strip(" ")




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
        clean_cell_piece(piece)
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
        clean_cell_piece(piece)
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
        text = NEWLINE_BETWEEN_CJK.sub("", text)
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
    if is_layout_row(read):
        return [line for cell in cells for line in _render_html(cell)]
    lines = [CELL_SEP.join(text for text, _ in read)]
    for _, nested in read:
        for inner in nested:
            lines.extend(_table_lines(inner))
    return lines




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
            title = ANY_WS.sub(" ", "".join(el.itertext())).strip()
            if title and "html_title" not in hints:
                hints["html_title"] = title
            continue
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        key = _META_HINTS.get(name)
        content = ANY_WS.sub(" ", el.get("content") or "").strip()
        if key and content and key not in hints:
            hints[key] = content
    return hints

