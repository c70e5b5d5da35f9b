"""Match the text before a row's cells to a template row.

Rows come in template order, so a label is looked for among the rows after the last one
found. Exact and prefix/suffix matches on normalised labels come first; redacted labels
(`(略) 罚`) and misspellings fall back to fuzzy matching inside a short window of rows.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from toolkit.spec.template import (
    Row,
    has_redaction,
    label_key,
    leading_enumerator,
    nfkc,
    without_redactions,
)

WINDOW = 6
_UNSET = object()
SHORT = 2


@dataclass(frozen=True)
class LabelMatch:
    row: Row
    index: int
    prefix: str
    """Text glued before the label (a header or group marker), normalised."""


_PARENS = re.compile(r"\([^()]*\)")
_OPEN_PAREN = re.compile(r"\([^()]*$")


def is_prose(text: str) -> bool:
    """Sentences are not labels: they restate numbers that are not table values."""
    bare, previous = nfkc(text), ""
    while bare != previous:
        previous, bare = bare, _PARENS.sub("", bare)
    bare = _OPEN_PAREN.sub("", bare)  # a note cut off by a line wrap: (区分处理的,只
    return len(bare) > 60 or any(mark in bare for mark in "。,;!?")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class RowMatcher:
    """Finds template rows in label text, in order, for one table."""

    def __init__(self, rows: Sequence[Row], groups: Sequence[str] = ()) -> None:
        self.rows = list(rows)
        self.variants = [(i, v) for i, row in enumerate(self.rows) for v in row.label_keys]
        self.variants.sort(key=lambda item: -len(item[1]))
        self.groups = [label_key(g) for g in groups]
        self.heads = [v for row in self.rows for v in row.label_keys
                      if any(r.group == row.key and r is not row for r in self.rows)]
        """Labels of rows a later version prints as the heading of a group of its own rows
        ((六)其他处理 over 2021's three)."""
        self._cache: dict[tuple[str, int | None], object] = {}
        self._continues: dict[tuple[str, str, str], bool] = {}
        self._group_parts: dict[str, bool] = {}

    def _allowed(self, index: int, last: int | None, variant: str) -> bool:
        if last is not None and index <= last:
            return False
        if len(variant) > SHORT and not self.rows[index].needs_enumerator:
            return True
        if last is None:
            return index <= 1
        return index - last <= WINDOW - 1

    def continues(self, row: Row, label: str, text: str) -> bool:
        """Whether `text` carries on the label of `row` printed so far (a label wrapped over
        lines, or its note in brackets), rather than being a label of its own.

        A row's numbers follow its label: text glued onto a matched row that has no numbers
        yet would hand it the numbers of whatever row that text labels (行政许可 with its
        cells lost, then 其他未列明事项 1 2 3). So the joined text must still read as the row's
        label: a start of one of its variants, a variant and a bracketed note, or close to a
        variant (a misread character), never a variant with other words after it.
        """
        found = self._continues.get((row.key, label, text))
        if found is None:
            found = _continues(row, label_key(label + text))
            if len(self._continues) < 100_000:
                self._continues[(row.key, label, text)] = found
        return found

    def is_group(self, key: str) -> bool:
        return any(key == g or key.startswith(g) for g in self.groups)

    def is_group_part(self, key: str) -> bool:
        """A piece of a group label split off by PDF text extraction ((四)无 … 法提供, or
        (六)其 … 他处理 among the labels of the rows it heads): it labels no row and holds no
        numbers, so it neither ends nor starts a row."""
        found = self._group_parts.get(key)
        if found is None:
            found = len(key) >= 2 and any(
                key != g and (g.startswith(key) or g.endswith(key))
                for g in (*self.groups, *self.heads))
            if len(self._group_parts) < 100_000:
                self._group_parts[key] = found
        return found

    def without_group_part(self, text: str) -> str:
        """`他处理 要求缴纳费用、行政机关` → `要求缴纳费用、行政机关`: a piece of a group label
        printed on a line of a sub-row's label (the group's cell beside it), at either end."""
        if " " not in text:
            return text
        whole = label_key(text)
        if (self.is_group(whole) or self.is_group_part(whole)
                or any(whole.startswith(h) for h in self.heads)):
            return text  # the group's own label, spaced out: (五)不 予 处理
        head, _, rest = text.partition(" ")
        if rest.strip() and self.is_group_part(label_key(head)):
            return rest.strip()
        rest, _, tail = text.rpartition(" ")
        if rest.strip() and self.is_group_part(label_key(tail)):
            return rest.strip()
        return text

    def match(self, text: str, last: int | None) -> LabelMatch | None:
        """The row `text` labels, among rows after `last` (None before the first row)."""
        found = self._cache.get((text, last), _UNSET)
        if found is _UNSET:
            found = self._match(text, last)
            if len(self._cache) < 200_000:
                self._cache[(text, last)] = found
        return found  # type: ignore[return-value]

    def _match(self, text: str, last: int | None) -> LabelMatch | None:
        key = label_key(text)
        if not key:
            return None
        if is_prose(text):
            for index, variant in self.variants:
                if key == variant and self._allowed(index, last, variant):
                    return LabelMatch(self.rows[index], index, "")
            return None
        for index, variant in self.variants:
            if not self._allowed(index, last, variant):
                continue
            if key == variant or (key.startswith(variant) and len(variant) > SHORT):
                return LabelMatch(self.rows[index], index, "")
        for index, variant in self.variants:
            if not self._allowed(index, last, variant):
                continue
            if key.endswith(variant):
                return LabelMatch(self.rows[index], index, key[: len(key) - len(variant)])
        if self.is_group(key):
            return None
        return self._fuzzy(key, text, last)

    def _fuzzy(self, key: str, text: str, last: int | None) -> LabelMatch | None:
        start = 0 if last is None else last + 1
        window = range(start, min(start + WINDOW, len(self.rows)))
        if has_redaction(text):
            core = label_key(without_redactions(text))
            if not core:
                return None
            printed = leading_enumerator(text)
            for index in window:
                expected = self.rows[index].enumerator
                if printed and expected and printed != leading_enumerator(expected):
                    continue
                if any(_is_subsequence(core, v) for v in self.rows[index].label_keys):
                    return LabelMatch(self.rows[index], index, "")
            return None
        if len(key) < 4:
            return None
        best: tuple[float, int] | None = None
        for index in window:
            for variant in self.rows[index].label_keys:
                matcher = SequenceMatcher(None, key, variant, autojunk=False)
                if matcher.real_quick_ratio() < 0.75 or matcher.quick_ratio() < 0.75:
                    continue
                ratio = matcher.ratio()
                if ratio >= 0.75 and (best is None or ratio > best[0]):
                    best = (ratio, index)
        if best is None:
            return None
        return LabelMatch(self.rows[best[1]], best[1], "")


def _continues(row: Row, joined: str) -> bool:
    for variant in row.label_keys:
        if variant.startswith(joined):
            return True
        if joined.startswith(variant) and joined[len(variant):].startswith("("):
            return True
    if len(joined) < 4:
        return False
    return any(len(joined) <= len(variant)
               and SequenceMatcher(None, joined, variant, autojunk=False).ratio() >= 0.75
               for variant in row.label_keys)
