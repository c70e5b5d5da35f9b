"""Numbers the report's prose claims about its own tables, found and checked (identity 7).

The claims are declared in `toolkit/spec/prose.toml` (what each pattern states and which
table keys it means). Here they are found in the text, outside table rows, and each becomes
a `Check` with check "text_vs_table": pass when the claimed number equals the sum of one
of the claim's meanings, fail when it equals none, not_checkable when the table lacks a
value (or holds no such quantity), with the sentence and where the number stands.

A check never changes a value: the prose is no source of table values (REPORT_FORMAT.md).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from typing import NamedTuple

from toolkit.parse.report import Check
from toolkit.spec.prose import Claim, ProseClaims
from toolkit.spec.vocab import CheckStatus

CHECK = "text_vs_table"
_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)年")
_MAX_SENTENCE = 300
"""Characters of a sentence kept in a check (the claim's neighbourhood when longer)."""

Values = Mapping[str, float | int | None]


class Statement(NamedTuple):
    """One claim found in the text: the number it states, its sentence and the number's
    offset in the document text."""

    claim: Claim
    number: float | int
    sentence: str
    location: int


def find_statements(text: str, prose: ProseClaims, year: int | None) -> list[Statement]:
    """Every claim the text makes, in text order, each claim's first statement of a number
    (a report printed twice states it twice).

    Only lines holding a trigger (`reading.lines_with`: a count with its unit, or the words
    of a claim of 0) are searched: a sentence never runs over a line end here, and most of a
    report's lines are table cells.
    """
    found: list[Statement] = []
    hit = prose.line_chars.search(text)
    while hit is not None:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end == -1 else end
        line = text[start:end]
        if "|" not in line and prose.lines_with.search(line):
            found += _in_line(line, start, prose, year)
        hit = prose.line_chars.search(text, end)
    order = {claim.name: i for i, claim in enumerate(prose.claims)}
    found.sort(key=lambda s: (s.location, order[s.claim.name]))
    seen: set[tuple[str, float | int]] = set()
    out = []
    for statement in found:
        key = (statement.claim.name, statement.number)
        if key not in seen:
            seen.add(key)
            out.append(statement)
    return out


def _in_line(line: str, base: int, prose: ProseClaims, year: int | None) -> list[Statement]:
    """The claims of one line of prose (`base`: its offset in the document), in line order
    (a line with a `|` is a table row, never searched)."""
    matches: list[tuple[int, int, Claim, re.Match[str], str | None]] = []
    for claim, pattern, anchor, has_number in prose.scanners:
        if anchor in line:
            number = "n" if has_number else None
            matches += [(m.start(), -m.end(), claim, m, number) for m in pattern.finditer(line)]
    if not matches:
        return []
    matches.sort(key=lambda item: (item[0], item[1]))
    sentences = [0, *(m.end() for m in prose.sentence_end.finditer(line)), len(line) + 1]
    clauses = [0, *(m.end() for m in prose.clause_end.finditer(line))]
    found: list[Statement] = []
    taken = -1
    for start, neg_end, claim, match, number in matches:
        if start < taken and number is not None:
            continue  # inside a claim that starts first: 结转下年度继续办理31件 is no 办理31件
        at = bisect_right(sentences, start)
        sentence = line[sentences[at - 1]:sentences[at]].strip()
        clause = line[clauses[bisect_right(clauses, start) - 1]:start]
        statement = _statement(line, base, sentence, clause, claim, match, number, prose, year)
        if statement is not None:
            found.append(statement)
            taken = max(taken, -neg_end)
    return found


def _statement(line: str, base: int, sentence: str, clause: str, claim: Claim,
               match: re.Match[str], number: str | None, prose: ProseClaims,
               year: int | None) -> Statement | None:
    """The claim `match` states (`number`: the group of its number; None: it claims 0),
    unless its sentence or clause says it is no claim about this report's tables."""
    if claim.context is not None and not claim.context.search(sentence):
        return None
    before = line[max(0, match.start() - 4):match.start()]
    if prose.other_time.search(clause) or prose.joined.search(before) or (
            number is not None and prose.negated.search(before)):
        return None
    if year is not None and "年" in clause and {int(y) for y in _YEAR.findall(clause)} - {year}:
        return None
    at = match.start() if number is None else match.start(number)
    if len(sentence) > _MAX_SENTENCE:
        sentence = _trim(sentence, at - line.find(sentence))
    if number is None:
        return Statement(claim, 0, sentence, base + at)
    claimed = float(match[number].replace(",", ""))
    value: float | int = int(claimed) if claimed == int(claimed) else claimed
    return Statement(claim, value, sentence, base + at)


def _trim(sentence: str, at: int) -> str:
    """_MAX_SENTENCE characters of a long sentence around offset `at`."""
    start = max(0, min(at - _MAX_SENTENCE // 2, len(sentence) - _MAX_SENTENCE))
    return sentence[start:start + _MAX_SENTENCE]


def check_statements(statements: list[Statement], values: Values,
                     version: str | None) -> list[Check]:
    """Each statement as a check against the table's values (scopes unique: a claim stated
    again with another number is `name#2`)."""
    checks = []
    counts: dict[str, int] = {}
    for statement in statements:
        name = statement.claim.name
        counts[name] = counts.get(name, 0) + 1
        scope = name if counts[name] == 1 else f"{name}#{counts[name]}"
        checks.append(check_statement(statement, values, version, scope))
    return checks


def check_statement(statement: Statement, values: Values, version: str | None,
                    scope: str) -> Check:
    """Pass when the number equals the sum of one of the claim's meanings (`left`, `keys`:
    that meaning), fail when every meaning has a value and none equals it (`left`, `keys`:
    the first), else not_checkable."""
    meanings = statement.claim.meanings_for(version)
    known = []
    for meaning in meanings:
        parts = [values.get(key) for key in meaning]
        if all(p is not None for p in parts):
            known.append((meaning, float(sum(parts))))  # type: ignore[arg-type]
    claimed = float(statement.number)
    status, left, keys = CheckStatus.NOT_CHECKABLE, None, meanings[0] if meanings else ()
    for meaning, total in known:
        if abs(total - claimed) < 1e-6:
            status, left, keys = CheckStatus.PASS, total, meaning
            break
    else:
        if known and len(known) == len(meanings):
            status, left, keys = CheckStatus.FAIL, known[0][1], known[0][0]
    return Check(CHECK, scope, status, left, claimed, ",".join(keys), statement.sentence,
                 statement.location)
