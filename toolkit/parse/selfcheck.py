"""The parse checks itself against the report's prose: values a layout slip may have moved
become null (`ambiguous`), never the prose's number.

When the prose claims a number for one table cell, the table's cell disagrees, and the
claimed number sits where a layout slip would have put it (the same column of the row just
above or below: rows shifted or swapped; the next column of the same row: a column dropped
so the row's numbers moved), the parse cannot stand behind those rows' values any more:
they become null with flag `ambiguous` and `Report.notes` says why. A disagreement of any
other shape is the publisher's (or a scope the prose counts differently): it stays a
failed check and the table keeps its values.

A claim of 0 decides nothing here: zeros fill most tables, so one in a neighbouring cell
is no sign of a slip; nor is a number in a cell the prose confirms with a claim of its own
(of another number: a claim of the same number confirms either reading).

Where the table's total was not read (a page cut inside the row) but the prose claims it,
the parts that were read bound it: counts cannot add up to more than their total. Parts
that do (`上年结转0件` beside a row read as 3008 0 0 0: another row's numbers slipped under
this label) become `ambiguous` too; a claim of 0 counts here.
"""
from __future__ import annotations

from collections.abc import Iterator

from toolkit.parse.checks import sums_of_counts
from toolkit.parse.prose import Statement, check_statement
from toolkit.parse.report import Check, Fact
from toolkit.spec.template import Template
from toolkit.spec.vocab import CheckStatus, Flag

Slip = tuple[str, str, tuple[str, ...]]
"""(what slipped, the key where the claimed number would then be, the keys it affects)."""


def self_check(by_key: dict[str, Fact], values: dict[str, float | int | None],
               statements: list[Statement], checks: list[Check], version: str,
               template: Template) -> list[str]:
    """Null (in `by_key` and `values`, in place) the values of rows a slip may have moved;
    one note per slip found. `checks`: the statements' checks, in the same order."""
    notes: list[str] = []
    nulled: set[str] = set()
    confirmed = {check.keys: check.right for check in checks if check.status == CheckStatus.PASS}
    for statement, check in zip(statements, checks, strict=True):
        if statement.number == 0 or check.status == CheckStatus.PASS:
            continue
        if notes and check_statement(statement, values, version, "").status == CheckStatus.PASS:
            continue
        for meaning in statement.claim.meanings_for(version):
            if len(meaning) != 1 or values.get(meaning[0]) == statement.number:
                continue
            if meaning[0] in nulled or not _evidence(by_key, meaning[0]):
                continue
            slips = _found_slips(meaning[0], statement.number, by_key, values, template,
                                 version, confirmed)
            if not slips:
                continue
            kind = " or ".join(dict.fromkeys(s[0] for s in slips))
            where = ", ".join(s[1] for s in slips)
            affected = tuple(dict.fromkeys(k for s in slips for k in s[2]))
            shown = _shown(by_key, meaning[0])
            nulled.update(affected)
            for key in affected:
                fact = by_key[key]
                by_key[key] = fact._replace(value=None, flag=Flag.AMBIGUOUS)
                values[key] = None
            notes.append(
                f"self-check: the prose claims {statement.number} for {meaning[0]} "
                f"(\"{statement.sentence[:80]}\"), the table has {shown} "
                f"there and {statement.number} at {where}: {kind}; "
                f"{len(affected)} values made ambiguous ({', '.join(_rows(affected))})")
            break
    notes += _parts_beyond_claims(by_key, values, statements, checks, version, template)
    return notes


def _parts_beyond_claims(by_key: dict[str, Fact], values: dict[str, float | int | None],
                         statements: list[Statement], checks: list[Check], version: str,
                         template: Template) -> list[str]:
    """Null the parts read of a total the table lost and the prose claims, when they add up
    to more than the claim; one note per total."""
    notes: list[str] = []
    sums: dict[str, list[tuple[str, ...]]] | None = None
    for statement, check in zip(statements, checks, strict=True):
        meanings = statement.claim.meanings_for(version)
        if check.status == CheckStatus.PASS or len(meanings) != 1 or len(meanings[0]) != 1:
            continue
        total = meanings[0][0]
        if total not in by_key or values.get(total) is not None:
            continue
        if sums is None:
            sums = sums_of_counts(values, version, template)
        for parts in sums.get(total, ()):
            read = [k for k in parts if values.get(k) is not None]
            found = sum(values[k] for k in read)  # type: ignore[misc]
            if found <= statement.number:
                continue
            for key in read:
                by_key[key] = by_key[key]._replace(value=None, flag=Flag.AMBIGUOUS)
                values[key] = None
            notes.append(
                f"self-check: the prose claims {statement.number} for {total} "
                f"(\"{statement.sentence[:80]}\"), the table lost that cell and its parts "
                f"read add up to {found:g}; {len(read)} values made ambiguous "
                f"({', '.join(_rows(tuple(read)))})")
    return notes


def _evidence(by_key: dict[str, Fact], key: str) -> bool:
    """Whether the cell can show a slip: it has a number that is not the claim's, or its
    whole row has none (every cell missing or blank: the row's numbers went elsewhere). One
    blank or redacted cell, or a row cut short, shows nothing."""
    fact = by_key.get(key)
    if fact is None:
        return False
    if fact.value is not None:
        return True
    table, row, _ = key.split(".")
    return all(by_key[k].value is None and by_key[k].flag in (Flag.MISSING, Flag.BLANK)
               for k in _row_keys(by_key, table, row))


def _found_slips(key: str, number: float | int, by_key: dict[str, Fact],
                 values: dict[str, float | int | None], template: Template, version: str,
                 confirmed: dict[str, float | None]) -> list[Slip]:
    """Every slip that puts `number` where the table has it (when two would, the parse
    cannot tell which happened: both are doubted); a cell the prose itself confirms (a
    claim of its own that passes) has not slipped, unless that claim states the same
    number (then it confirms either reading)."""
    return [slip for slip in _slips(key, by_key, template, version)
            if values.get(slip[1]) == number and confirmed.get(slip[1], number) == number]


def _slips(key: str, by_key: dict[str, Fact], template: Template,
           version: str) -> Iterator[Slip]:
    """Where the number of `key` would be after each slip, and the keys each slip affects."""
    table, row, column = key.split(".")
    rows = _rows_of(table, template, version, by_key)
    if row not in rows:
        return
    here = rows.index(row)
    for other in (rows[here - 1] if here else None, rows[here + 1] if here + 1 < len(rows) else None):
        moved = f"{table}.{other}.{column}"
        if other is not None and moved in by_key:
            yield ("rows shifted or swapped", moved,
                   (*_row_keys(by_key, table, row), *_row_keys(by_key, table, other)))
    columns = [k.split(".")[2] for k in _row_keys(by_key, table, row)]
    at = columns.index(column) if column in columns else -1
    for step in (-1, 1):
        if at >= 0 and 0 <= at + step < len(columns):
            yield ("a column dropped, the row's numbers moved",
                   f"{table}.{row}.{columns[at + step]}", _row_keys(by_key, table, row))


def _rows_of(table: str, template: Template, version: str,
             by_key: dict[str, Fact]) -> list[str]:
    if table == "requests":
        rows = [r.key for r in template.request_rows_for(version)]
    elif table == "active":
        rows = [r.key for r in template.active_rows]
    else:
        rows = list(template.review_rows)
    present = {key.split(".")[1] for key in by_key if key.startswith(table + ".")}
    return [r for r in rows if r in present]


def _row_keys(by_key: dict[str, Fact], table: str, row: str) -> tuple[str, ...]:
    prefix = f"{table}.{row}."
    return tuple(key for key in by_key if key.startswith(prefix))


def _rows(keys: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(".".join(key.split(".")[:2]) for key in keys))


def _shown(by_key: dict[str, Fact], key: str) -> str:
    fact = by_key[key]
    return str(fact.value) if fact.value is not None else f"no value ({fact.flag})"
