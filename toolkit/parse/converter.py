"""Tables as PDF-to-markdown converters print them, read back as the token stream of a table.

Converters (MinerU, marker and the like, often after OCR) print each table row as a small
table of its own under a `###` heading that carries the row label, with generic column names
(`| 类别 | 数据1 | … | 数据6 | 总计 |`), the row's label repeated in its first cell, header rows
invented from elsewhere (`| 项目 | 本年新收件数 | 上年结转件数 | … |` above rows that are not
that) and placeholder rows (`### 申请人情况 (自然人)` over `| - | - | … |`). Read as plain
markdown, the header names leak in as labels and numbers (数据1 is "数据" then 1) and a
heading's label becomes the label of whatever follows it.

So, in such a document, a table region reads: per small table, its row label (the first
cell when that is a label, else the heading above) followed by the body row's cells; the
header rows are dropped, except under a 第二十条 group heading, where they are section 二's
real column names. Which row a label names is left to the table parsers, which match labels
in template order: the label decides the row, never the position alone.
"""
from __future__ import annotations

import re
from functools import lru_cache

from toolkit.parse.tokens import BLANK, TEXT, Token, chunk, tokenize
from toolkit.parse.values import is_value_text
from toolkit.spec.template import Template, label_key

_HEADING = re.compile(r"[ \t]*#{2,6}[ \t]*(?P<text>\S.*?)[ \t#]*$")
"""A heading line (matched from the line's start, `$` at the line's end)."""
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_GENERIC = re.compile(r"^(?:类别|项目|指标|名称|内容|序号|(?:数据|列|column|col)\s*\d+)$", re.I)
_GENERIC_HEADER = re.compile(r"(?m)^[ \t]*#{2,6}.*\n(?:[ \t]*\n)*[ \t]*\|[^\n]*\|[ \t]*数据\s*1[ \t]*\|")
_GROUP_MARKER = "第二十条"
MIN_ROW_HEADINGS = 3
"""Headings naming a table row that make a document converter markdown."""


@lru_cache(maxsize=4)
def _row_label_keys(template: Template) -> tuple[frozenset[str], tuple[int, ...]]:
    """The row label keys (longer than two characters) and their lengths."""
    rows = (*template.active_rows, *template.request_rows)
    keys = frozenset(key for row in rows for key in row.label_keys if len(key) > 2)
    return keys, tuple(sorted({len(k) for k in keys}))


def is_converter_markdown(text: str, template: Template) -> bool:
    """Whether the document prints table rows as headings: at least MIN_ROW_HEADINGS
    `###` headings whose text ends with a row label of the template, or a heading over a
    table whose columns are named 数据1, 数据2 …"""
    if "\n###" not in text or "|" not in text:
        return False
    if ("数据1" in text or "数据 1" in text) and _GENERIC_HEADER.search(text):
        return True
    keys, lengths = _row_label_keys(template)
    found = 0
    at = text.find("\n###")
    while at != -1:
        end = text.find("\n", at + 1)
        match = _HEADING.match(text, at + 1, len(text) if end == -1 else end)
        if match:
            key = label_key(match["text"])
            if any(key[-n:] in keys for n in lengths if n <= len(key)):
                found += 1
                if found >= MIN_ROW_HEADINGS:
                    return True
        at = text.find("\n###", at + 1)
    return False


def converter_tokens(segment: str, base: int) -> list[Token]:
    """The token stream of one table region of converter markdown (`base`: its offset)."""
    tokens: list[Token] = []
    lines = segment.split("\n")
    starts = []
    offset = base
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    heading: tuple[str, int] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _HEADING.match(line)
        if match:
            heading = (match["text"], starts[index] + match.start("text"))
            index += 1
            continue
        if line.lstrip().startswith("|"):
            end = index
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            _table(lines[index:end], starts[index:end], heading, tokens)
            heading = None
            index = end
            continue
        if line.strip():
            tokens.extend(tokenize(line, starts[index]))
        index += 1
    return tokens


def _cells(line: str, start: int) -> list[tuple[str, int]]:
    """(stripped text, offset) of each cell of a `| a | b |` line."""
    pieces = line.split("|")
    if not line.strip().startswith("|"):
        pieces = ["", *pieces]
        start -= 1
    if line.strip().endswith("|"):
        pieces = pieces[:-1]
    out = []
    at = start + len(pieces[0]) + 1
    for piece in pieces[1:]:
        text = piece.strip()
        out.append((text, at + (piece.index(text) if text else 0)))
        at += len(piece) + 1
    return out


def _table(lines: list[str], starts: list[int], heading: tuple[str, int] | None,
           out: list[Token]) -> None:
    """One small table: header rows dropped (kept as labels under a group heading), each
    body row as its label and cells."""
    rule = next((i for i, line in enumerate(lines) if _RULE.match(line)), None)
    headers = range(rule) if rule is not None else range(0)
    group = heading is not None and _GROUP_MARKER in heading[0]
    if group and heading is not None:
        out.append(Token(TEXT, heading[0], heading[1]))
        for i in headers:
            out.extend(Token(TEXT, text, at) for text, at in _cells(lines[i], starts[i]) if text)
    for i, line in enumerate(lines):
        if i in headers or i == rule:
            continue
        cells = _cells(line, starts[i])
        if not cells or _is_header_row(cells):
            continue
        (first, first_at), rest = cells[0], cells[1:]
        if _is_label(first):
            out.append(Token(TEXT, first, first_at))
        elif heading is not None and not group:
            out.append(Token(TEXT, heading[0], heading[1]))
        else:
            out.append(Token(TEXT, first or "-", first_at))
        for text, at in rest:
            if text:
                chunk(text, at, out)
            else:
                out.append(Token(BLANK, "", at, soft=True))


def _is_label(cell: str) -> bool:
    return bool(cell) and not _GENERIC.match(cell) and not is_value_text(cell)


def _is_header_row(cells: list[tuple[str, int]]) -> bool:
    """A row printed in the body that names columns (数据1 …), not numbers."""
    rest = [text for text, _ in cells[1:] if text]
    return bool(rest) and all(_GENERIC.match(t) or not is_value_text(t) for t in rest)
