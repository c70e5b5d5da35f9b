"""Where each table's text is: after its section heading; failing that, from an anchor
(第二十条, 勾稽关系, 行政复议) or from its first row, whichever comes first.

Text extracted from a PDF page, or a page cut at its top, can start mid-table: no section
heading, no 第二十条 item heading above the rows. Its rows are still found by their labels
(a line that opens with a row label and has a number after it), and read as any others.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from toolkit.parse.sections import Heading
from toolkit.parse.tokens import TEXT, VALUE, tokenize
from toolkit.spec.template import Row, Template, label_key

ACTIVE_ANCHOR = re.compile(r"第二十条第?\s*\(一\)|第二十条")
REQUESTS_ANCHOR = re.compile(r"勾稽关系|申请人情况|本年新收")
REVIEW_ANCHOR = re.compile(r"行政复议")
_ROW_LINES = 400
"""Lines looked at for a table's first row when neither heading nor anchor is there."""

Span = tuple[int, int]


def find_spans(text: str, headings: Mapping[str, Heading], template: Template) -> tuple[
        Span | None, Span | None, Span | None]:
    """Offsets of sections 二, 三 and 四's tables (None where a table is not found)."""
    active = region(text, headings, "active", ("requests", "review", "problems", "other"),
                    ACTIVE_ANCHOR, 0, _label_keys(template, "active"))
    requests_from = active[0] if active else 0
    requests = region(text, headings, "requests", ("review", "problems", "other"),
                      REQUESTS_ANCHOR, requests_from, _label_keys(template, "requests"))
    if active and requests and "requests" not in headings and active[1] > requests[0]:
        active = (active[0], requests[0])
    review_from = requests[1] if requests and "review" not in headings else 0
    review = region(text, headings, "review", ("problems", "other"), REVIEW_ANCHOR,
                    review_from) if ("review" in headings or requests) else None
    return active, requests, review


LabelKeys = tuple[frozenset[str], tuple[str, ...]]


def region(text: str, headings: Mapping[str, Heading], key: str, following: tuple[str, ...],
           anchor: re.Pattern[str], after: int, rows: LabelKeys | None = None) -> Span | None:
    """Start and end offsets of a table's section: by heading or, failing that, by anchor
    or by the first line that opens with one of the row labels `rows` (`_label_keys`),
    whichever comes first."""
    if key in headings:
        start = headings[key].end
    else:
        match = anchor.search(text, after)
        found = [match.start()] if match else []
        first_row = first_row_line(text, after, rows) if rows else None
        if first_row is not None:
            found.append(first_row)
        if not found:
            return None
        start = min(found)
    end = len(text)
    for nxt in following:
        if nxt in headings and headings[nxt].start >= start:
            end = headings[nxt].start
            break
    return start, end


def first_row_line(text: str, after: int, keys: LabelKeys) -> int | None:
    """Offset of the first line from `after` that opens with a row label (`keys`, after
    enumerators and group labels, within its first few words) and has a number after it on
    that line or the next."""
    lines = text[after:].split("\n", _ROW_LINES)[:_ROW_LINES]
    offset = after
    for index, line in enumerate(lines):
        if line.strip() and _opens_with_row(line, lines[index + 1:index + 3], keys):
            return offset
        offset += len(line) + 1
    return None


@lru_cache(maxsize=8)
def _label_keys(template: Template, table: str) -> LabelKeys:
    """A table's row label keys: all (for equality) and the long ones (which a line may end
    with after a group label: 三、本年度办理结果(一)予以公开)."""
    rows: Sequence[Row] = template.active_rows if table == "active" else template.request_rows
    keys = frozenset(k for row in rows for k in row.label_keys if not row.needs_enumerator)
    return keys, tuple(k for k in keys if len(k) >= 4)


def _opens_with_row(line: str, following: list[str], keys: LabelKeys) -> bool:
    tokens = tokenize(line)
    for index, token in enumerate(tokens[:3]):
        if token.kind != TEXT:
            return False
        key = label_key(token.text)
        if key in keys[0] or any(key.endswith(k) for k in keys[1]):
            after = tokens[index + 1:]
            if after:
                return after[0].kind == VALUE
            nxt = tokenize(next((ln for ln in following if ln.strip()), ""))
            return bool(nxt) and nxt[0].kind == VALUE
    return False
