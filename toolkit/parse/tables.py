"""Read sections 二 (active) and 三 (requests) from their token streams; what every table
shares: a row's cells resolved to columns (`resolve_cells`) and turned into facts.

Section 四 is read in `toolkit.parse.review`."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from toolkit.parse.labels import LabelMatch, RowMatcher
from toolkit.parse.report import Fact
from toolkit.parse.tokens import BLANK, TEXT, VALUE, Token
from toolkit.parse.values import MAX_DIGITS_PER_CELL, parse_cell, search_cuts
from toolkit.spec.template import Row, Template, label_key
from toolkit.spec.vocab import Flag

Accept = Callable[[tuple[str, ...]], bool]


@dataclass
class RowHit:
    """A template row found in the text, with the cells that follow its label."""

    row: Row
    label: str
    start: int
    header: str = ""
    cells: list[Token] = field(default_factory=list)
    at_end: bool = False


@dataclass
class TableResult:
    facts: list[Fact]
    version_votes: dict[str, int]
    """Template version → how many of the table's rows or columns only it has."""
    rows_found: list[str]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Cells of one row


def resolve_cells(
    cells: Sequence[Token], width: int, at_end: bool, accept: Accept | None = None,
    right_aligned: bool = False, notes: list[str] | None = None,
) -> list[tuple[Token | None, str | None]]:
    """Assign a row's tokens to `width` columns: (token, None) or (None, flag), or
    (the row's run, AMBIGUOUS) for a cell the valid cuts read differently.

    Extra trailing blanks are padding; fewer tokens than columns means digits run
    together (cut them, keep only what every valid cut agrees on) or a page cut short
    (what it shows, the rest missing: digits run together at the cut may be cut short, so
    they are ambiguous); anything else is ambiguous, never a guess. Cells that stood alone
    on their line or between pipes are never cut, unless the row's digits all stand in
    one such cell (or the cell's digits cannot be one number). `right_aligned`: the table prints a row's numbers in its last columns,
    so in a markdown row whose every cell has its place, they are the last `width` cells
    (the empty slots before them are the label's merged cells). A row whose cuts are too
    many to search is ambiguous, and `notes` gets the reason.
    """
    tokens = list(cells)
    if not tokens:
        return [(None, Flag.MISSING)] * width
    if right_aligned and tokens[0].from_end >= 0:
        placed = _right_edge(tokens, width, at_end)
        if placed is _NOT_PLACED:
            pass
        elif placed is None:
            return [(None, Flag.AMBIGUOUS)] * width
        elif not placed:
            return [(None, Flag.MISSING)] * width
        else:
            tokens = placed
    if len(tokens) > width:
        while len(tokens) > width and tokens[-1].kind == BLANK:
            tokens.pop()
        if len(tokens) > width:
            filled = [t for t in tokens if t.kind != BLANK]
            if len(filled) == width:
                tokens = filled
            elif at_end:
                tokens = tokens[:width]
            else:
                return [(None, Flag.AMBIGUOUS)] * width
    if len(tokens) == width:
        return [(t, None) for t in tokens]
    if all(t.kind == BLANK for t in tokens) and not at_end:
        return [(None, Flag.MISSING)] * width
    has_blank = any(t.kind == BLANK for t in tokens)
    # A cell that stood alone is one number, unless it is the row's only one or its digits
    # cannot be one number (a leading zero, too many digits).
    fixed = frozenset(i for i, t in enumerate(tokens) if t.alone and not _runs_together(t.text)
                      ) if len(tokens) > 1 else frozenset()
    texts = [t.text for t in tokens]

    def cuts_of(search: bool) -> list[tuple[str, ...]] | None:
        if not search:
            return []
        found = search_cuts(texts, width, accept, fixed)
        if not found.complete:
            if notes is not None:
                notes.append(f"{found.reason} at {tokens[0].start}; the row is ambiguous")
            return None
        return found.readings

    if at_end:
        must_cut = not has_blank and any(_runs_together(t.text) for t in tokens)
        candidates = cuts_of(must_cut)
        if candidates is None:
            return [(None, Flag.AMBIGUOUS)] * width
        if not candidates:
            if any(t.kind == VALUE and not t.alone for t in tokens):
                return [(None, Flag.AMBIGUOUS)] * width
            return [(t, None) for t in tokens] + [(None, Flag.MISSING)] * (width - len(tokens))
    else:
        cuttable = not has_blank and (len(tokens) == 1 or not all(t.alone for t in tokens))
        candidates = cuts_of(cuttable)
    if not candidates:
        return [(None, Flag.AMBIGUOUS)] * width
    out: list[tuple[Token | None, str | None]] = []
    positions = _cut_positions(tokens, candidates[0])
    # A cell that several cuts read differently keeps its row's text (the tokens joined by a
    # space, at the row's first token), so the store can cut the row again when another
    # report's value decides between the cuts (toolkit.store.repair).
    run = Token(VALUE, " ".join("".join(t.text.split()) for t in tokens), tokens[0].start)
    for column in range(width):
        seen = {c[column] for c in candidates}
        if len(seen) == 1:
            source, _ = positions[column]
            out.append((Token(VALUE, candidates[0][column], source), None))
        else:
            out.append((run, Flag.AMBIGUOUS))
    return out


_NOT_PLACED: list[Token] = []


def _right_edge(tokens: Sequence[Token], width: int, at_end: bool) -> list[Token] | None:
    """The tokens of a placed markdown row's last `width` cells (fewer when the page cuts
    the row: its first ones); None when something other than an empty slot sits before
    them (the row does not read as the template prints it); `_NOT_PLACED` when the tokens
    are not one such row's cells (the next line's empty slots before its label may follow
    them)."""
    values: list[Token] = []
    previous = tokens[0].from_end + 1
    for index, token in enumerate(tokens):
        place = token.from_end
        if place < 0 or place >= previous:  # unplaced, or the next line
            if any(t.kind != BLANK for t in tokens[index:]):
                return _NOT_PLACED
            break
        previous = place
        if place < width:
            values.append(token)
        elif token.kind != BLANK:
            return None
    if previous == tokens[0].from_end + 1:
        return _NOT_PLACED
    if len(values) == width:
        return values
    if at_end and (not values or values[0].from_end == width - 1):
        return values
    return None


def _runs_together(text: str) -> bool:
    """Digits that cannot be one number (a leading zero, or too long for any count)."""
    digits = text.lstrip("+-")
    return digits.isdigit() and len(digits) > 1 and (
        digits[0] == "0" or len(digits) > MAX_DIGITS_PER_CELL)


def _cut_positions(tokens: Sequence[Token], cut: tuple[str, ...]) -> list[tuple[int, str]]:
    """Document offsets of the cells of one cut (for provenance)."""
    out: list[tuple[int, str]] = []
    token_index, used = 0, 0
    for cell in cut:
        token = tokens[token_index]
        out.append((token.start + used, cell))
        used += len(cell)
        if used >= len(token.text):
            token_index, used = min(token_index + 1, len(tokens) - 1), 0
    return out


def _ints(cells: tuple[str, ...]) -> list[int] | None:
    numbers: list[int] = []
    for cell in cells:
        value, flag = parse_cell(cell)
        if flag is not None or not isinstance(value, int):
            return None
        numbers.append(value)
    return numbers


class SumRule:
    """Cells at `parts` add up to the cell at `total` (and no cell is negative).

    A rule, not a lambda, so the search for a row's cuts can ask it of the first cells
    already cut (`viable`) and drop every cut that starts wrong (`values.search_cuts`).
    """

    def __init__(self, parts: Sequence[int], total: int) -> None:
        self.parts = tuple(parts)
        self.total = total
        self.last = max((*self.parts, total))

    def __call__(self, cells: tuple[str, ...]) -> bool:
        numbers = _ints(cells)
        if numbers is None or any(n < 0 for n in numbers):
            return False
        return sum(numbers[i] for i in self.parts) == numbers[self.total]

    def viable(self, first: tuple[str, ...]) -> bool:
        """False when no row whose first cells are `first` can pass."""
        numbers = _ints(first)
        if numbers is None or any(n < 0 for n in numbers):
            return False
        if len(first) > self.last:
            return sum(numbers[i] for i in self.parts) == numbers[self.total]
        if self.total < len(first):
            return sum(numbers[i] for i in self.parts if i < len(first)) <= numbers[self.total]
        return True


class AllRules:
    """Every one of `rules` holds (a row with a subtotal; the review table's rows)."""

    def __init__(self, rules: Sequence[Accept]) -> None:
        self.rules = tuple(rules)

    def __call__(self, cells: tuple[str, ...]) -> bool:
        return all(rule(cells) for rule in self.rules)

    def viable(self, first: tuple[str, ...]) -> bool:
        return all(getattr(rule, "viable", _any)(first) for rule in self.rules)


def _any(first: tuple[str, ...]) -> bool:
    return True


def sum_rule(parts: Sequence[int], total: int) -> SumRule:
    """Cells at `parts` add up to the cell at `total` (and no cell is negative)."""
    return SumRule(parts, total)


def facts_for(
    table: str, row: str, label: str, columns: Sequence[str],
    resolved: Sequence[tuple[Token | None, str | None]], units: dict[str, str | None],
) -> list[Fact]:
    facts = []
    for column, (token, flag) in zip(columns, resolved, strict=True):
        if token is None:
            facts.append(Fact(table, row, column, None, flag, label, "", -1))
        elif flag is not None:  # cut several ways: the row's run of cells, no value
            facts.append(Fact(table, row, column, None, flag, label, token.text, token.start))
        elif token.kind == BLANK:
            facts.append(Fact(table, row, column, None, Flag.BLANK, label, "", token.start))
        else:
            value, value_flag = parse_cell(token.text, units.get(column))
            facts.append(Fact(table, row, column, value, value_flag, label, token.text, token.start))
    return facts


# ---------------------------------------------------------------------------------------
# Section 二: active disclosure


def _find_columns(header: str, template: Template) -> list[str]:
    """Column keys named in a group's header text, in printed order."""
    return list(_find_columns_cached(header, template))


@lru_cache(maxsize=8192)
def _find_columns_cached(header: str, template: Template) -> tuple[str, ...]:
    spans: list[tuple[int, int, str]] = []
    variants = sorted(
        ((label_key(v), key) for key, col in template.active_columns.items() for v in col.labels),
        key=lambda item: -len(item[0]),
    )
    taken = [False] * len(header)
    for variant, key in variants:
        start = header.find(variant)
        while start != -1:
            end = start + len(variant)
            if not any(taken[start:end]):
                spans.append((start, end, key))
                for i in range(start, end):
                    taken[i] = True
            start = header.find(variant, end)
    spans.sort()
    columns: list[str] = []
    for _, _, key in spans:
        if key not in columns:
            columns.append(key)
    return tuple(columns)


def active_version_votes(header_text: str, template: Template) -> dict[str, int]:
    """Per version, the columns named in the header that only that version has."""
    votes: dict[str, int] = {}
    for key in _find_columns(header_text, template):
        version = template.active_columns[key].template
        if version is not None:
            votes[version] = votes.get(version, 0) + 1
    return votes


def leading_versions(votes: Mapping[str, int], template: Template) -> tuple[str, ...]:
    """The versions with the most votes, in start order (every version when none has any)."""
    counts = {v: votes.get(v, 0) for v in template.versions_in_order()}
    most = max(counts.values())
    return tuple(v for v, count in counts.items() if count == most)


def _vote(votes: Mapping[str, int], template: Template) -> str | None:
    """The version with more votes than any other, if one has."""
    leaders = leading_versions(votes, template)
    return leaders[0] if len(leaders) == 1 else None


@lru_cache(maxsize=8)
def _matchers(template: Template) -> tuple[RowMatcher, RowMatcher]:
    """Row matchers built once per template (they cache what they have matched)."""
    return (RowMatcher(template.active_rows),
            RowMatcher(template.request_rows, template.request_group_labels))


def parse_active(tokens: Sequence[Token], template: Template, version: str | None,
                 at_end: bool) -> TableResult:
    matcher = _matchers(template)[0]
    hits: list[RowHit] = []
    header = ""
    header_all = ""
    last: int | None = None
    current: RowHit | None = None
    markers = tuple(label_key(m) for m in template.active_markers)
    for token in tokens:
        if token.kind != TEXT:
            if current is not None:
                current.cells.append(token)
            continue
        key = label_key(token.text)
        found = matcher.match(token.text, last)
        if found is None:
            if any(m in key for m in markers):
                header = key[key.rfind(markers[-1]):]
                current = None
            elif (current is not None and not current.cells
                  and not _looks_like_header(key, template)
                  and matcher.continues(current.row, current.label, token.text)):
                current.label += token.text
            else:
                header += key
                current = None
            header_all += key
            continue
        if found.prefix:
            prefix = found.prefix
            marker_at = prefix.rfind(markers[-1])
            header = prefix[marker_at:] if marker_at != -1 else header + prefix
            header_all += prefix
        current = RowHit(found.row, token.text, token.start, header=header)
        hits.append(current)
        last = found.index
    _mark_end(hits, tokens, at_end)
    votes = active_version_votes(header_all, template)
    chosen = version or _vote(votes, template)
    facts: list[Fact] = []
    notes: list[str] = []
    for hit in hits:
        columns = _active_columns(hit, template, chosen)
        if not columns:
            notes.append(f"active: row {hit.row.key} has no columns in template {chosen}")
            continue
        units = {c: template.active_columns[c].unit for c in columns}
        if any(units.values()):
            units.update(_header_units(hit.header, [c for c in columns if units[c]]))
        accept = _signed_rule(columns, template)
        resolved = resolve_cells(hit.cells, len(columns), hit.at_end, accept, notes=notes)
        facts.extend(facts_for("active", hit.row.key, hit.label, columns, resolved, units))
    return TableResult(facts, votes, [h.row.key for h in hits], notes)


def _looks_like_header(key: str, template: Template) -> bool:
    return bool(_find_columns(key, template)) or any(
        label_key(w) in key for w in template.active_header_words
    )


def _active_columns(hit: RowHit, template: Template, version: str | None) -> list[str]:
    defaults = hit.row.columns or {}
    found = _find_columns(hit.header, template)
    versions = template.versions_in_order()
    if version is None:
        version = _vote(active_version_votes(hit.header, template), template) or versions[0]
    default = list(next((defaults[v] for v in (version, *versions) if defaults.get(v)), ()))
    if found and len(found) == len(default):
        return found
    if not default and found:
        return found
    return default


def _header_units(header: str, columns: Sequence[str]) -> dict[str, str | None]:
    """The unit the group's header gives the money `columns` (万元 when it says none)."""
    if "亿元" in header:
        unit: str | None = "亿元"
    elif "万元" in header:
        unit = "万元"
    elif re.search(r"\(元\)|单位:元", header):
        unit = "元"
    else:
        unit = "万元"
    return {c: unit for c in columns}


class _SignedRule:
    """No cell of a column that cannot be negative starts with a minus."""

    def __init__(self, signed: Sequence[bool]) -> None:
        self.signed = tuple(signed)

    def __call__(self, cells: tuple[str, ...]) -> bool:
        return self.viable(cells)

    def viable(self, first: tuple[str, ...]) -> bool:
        return not any(cell.startswith("-") and not may_be_negative
                       for cell, may_be_negative in zip(first, self.signed, strict=False))


def _signed_rule(columns: Sequence[str], template: Template) -> Accept:
    return _SignedRule([template.active_columns[c].signed for c in columns])


def _mark_end(hits: list[RowHit], tokens: Sequence[Token], at_end: bool) -> None:
    """The last row is cut short when its cells run to the end of a truncated page."""
    if not at_end or not hits or not tokens:
        return
    last = hits[-1]
    last.at_end = not last.cells or last.cells[-1] is tokens[-1]


# ---------------------------------------------------------------------------------------
# Section 三: requests


def parse_requests(tokens: Sequence[Token], template: Template, at_end: bool) -> TableResult:
    matcher = _matchers(template)[1]
    hits: list[RowHit] = []
    header = ""
    last: int | None = None
    current: RowHit | None = None
    # Label text since the last cell that matched no row: PDF text wraps a long label
    # over lines with the cells between them (5.要求行政机关确认 / 或重新出具已获取信 0 0 …).
    loose: list[Token] = []
    for token in tokens:
        if token.kind != TEXT:
            if current is not None:
                current.cells.append(token)
            loose = []
            continue
        text = matcher.without_group_part(token.text)
        found = matcher.match(text, last)
        label, start = text, token.start
        if found is None and hits:
            found, label, start = _joined_label(matcher, loose, text, token.start, last)
        if found is None:
            key = label_key(text)
            if matcher.is_group_part(key):
                continue
            if (current is not None and not current.cells and not matcher.is_group(key)
                    and not _request_header(key, template)
                    and matcher.continues(current.row, current.label, text)):
                current.label += text
            else:
                if not hits:
                    header += key
                current = None
                loose.append(token if text is token.text else token._replace(text=text))
            continue
        loose = []
        if not hits:
            header += found.prefix
        current = RowHit(found.row, label, start)
        hits.append(current)
        last = found.index
    _mark_end(hits, tokens, at_end)
    version = _version_of_rows(hits, template)
    if version is not None:
        hits = [h for h in hits if h.row.template in (None, version)]
    columns = _request_columns(header, hits, template)
    width = len(columns)
    accept = _request_rule(columns, template)
    facts: list[Fact] = []
    notes: list[str] = []
    for hit in hits:
        resolved = resolve_cells(hit.cells, width, hit.at_end, accept, right_aligned=True,
                                 notes=notes)
        facts.extend(facts_for("requests", hit.row.key, hit.label, columns, resolved, {}))
    return TableResult(facts, {version: 1} if version else {}, [h.row.key for h in hits],
                       notes)


def _version_of_rows(hits: Sequence[RowHit], template: Template) -> str | None:
    """The latest-starting version that has rows of its own among the rows found.

    The latest, not the most rows: a later version may print an earlier version's row as
    the heading of its own (2021 heads its three 其他处理 rows with 2019's (六)其他处理).
    """
    found = {h.row.template for h in hits}
    return next((v for v in reversed(template.versions_in_order()) if v in found), None)


def _joined_label(matcher: RowMatcher, loose: Sequence[Token], text: str, start: int,
                  last: int | None) -> tuple[LabelMatch | None, str, int]:
    """The row that the last one or two unmatched label parts, with `text`, name."""
    for size in (1, 2)[: len(loose)]:
        parts = loose[-size:]
        joined = "".join(t.text for t in parts) + text
        found = matcher.match(joined, last)
        if found is not None:
            return found, joined, parts[0].start
    return None, text, start


def _request_header(key: str, template: Template) -> bool:
    return any(label_key(w) in key for w in template.request_header_words)


def _request_columns(header: str, hits: Sequence[RowHit], template: Template) -> list[str]:
    """Seven columns, or eight when a 小计 column is printed (or rows carry eight numbers)."""
    columns = list(template.request_columns)
    subtotal = any(label_key(w) in header for w in template.subtotal_labels)
    if not subtotal:
        counts = [len([c for c in h.cells if c.kind == VALUE]) for h in hits]
        full = [c for c in counts if c >= 7]
        subtotal = bool(full) and sum(1 for c in full if c == 8) > len(full) / 2
    if subtotal:
        columns.insert(columns.index(template.organisation_columns[-1]) + 1,
                       template.subtotal_column)
    return columns


def _request_rule(columns: Sequence[str], template: Template) -> Accept:
    index = {c: i for i, c in enumerate(columns)}
    total = index["total"]
    if template.subtotal_column in index:
        organisations = [index[c] for c in template.organisation_columns]
        subtotal = index[template.subtotal_column]
        parts = [index["natural_person"], subtotal]
        return AllRules([sum_rule(parts, total), sum_rule(organisations, subtotal)])
    parts = [index[c] for c in columns if c != "total"]
    return sum_rule(parts, total)
