"""Cell text to value and flag, and the splitting of digits run together.

The rules are the spec's (REPORT_FORMAT.md, "Cell values"): a parser never invents a value
and never silently drops one; what cannot be read becomes null with a flag saying why.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from toolkit.spec.template import nfkc
from toolkit.spec.vocab import Flag

Number = int | float
Value = tuple[Number | None, Flag | None]

FLAGS: tuple[Flag, ...] = tuple(Flag)
"""Every flag in the spec's order (scripts/make_data_dictionary.py lists them)."""

_REDACTION = re.compile(r"^(?:\*+|\(略\)|略|\(略\)\*?|x+|X+)$")
_NOT_APPLICABLE = re.compile(r"^(?:/|\\|-+|—+|–+|_+|/+|─+|—+|无此项|不适用)$")
MONEY_UNITS = "亿元|亿|万元|万|元"
COUNT_UNITS = "件|个|项|条|次|宗"
"""Units a cell may print after its number (regex alternations)."""
_NUMBER = re.compile(
    r"^(?P<sign>[+\-]|增加|增|减少|减)?\s*(?P<digits>\d[\d,]*(?:\.\d+)?)\s*"
    rf"(?P<unit>{MONEY_UNITS})?\s*(?:{COUNT_UNITS})?$"
)
_UNIT_TO_WAN = {"亿元": Decimal(10000), "亿": Decimal(10000), "万元": Decimal(1), "万": Decimal(1),
                "元": Decimal("0.0001")}


def _as_number(value: Decimal) -> Number:
    value = value.normalize() if value == value.to_integral_value() else value
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 6))


@lru_cache(maxsize=65536)
def parse_cell(raw: str, unit: str | None = None) -> Value:
    """Read one cell's text. `unit` is the column's unit ("万元") when it has one."""
    text = nfkc(raw).strip().replace("\u3000", "").replace(" ", "")
    if not text:
        return None, Flag.BLANK
    if _REDACTION.match(text):
        return None, Flag.REDACTED
    if _NOT_APPLICABLE.match(text):
        return None, Flag.NOT_APPLICABLE
    if text in ("无", "没有", "零"):
        return 0, Flag.WORD_ZERO
    match = _NUMBER.match(text)
    if not match:
        return None, Flag.AMBIGUOUS
    digits = match["digits"].replace(",", "")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None, Flag.AMBIGUOUS
    if match["sign"] in ("-", "减", "减少"):
        number = -number
    cell_unit = match["unit"]
    if cell_unit:
        if unit == "万元" or cell_unit in ("亿", "亿元", "万元"):
            number *= _UNIT_TO_WAN[cell_unit]
        elif cell_unit == "元" and unit is None:
            pass
    return _as_number(number), None


def is_value_text(text: str) -> bool:
    """Whether a cell's text reads as a value (number, redaction, dash or 无)."""
    return parse_cell(text)[1] != Flag.AMBIGUOUS


# ---------------------------------------------------------------------------------------
# Digits run together: "规章000", "一、本年新收…2000002", "行政处罚2648-18538".

_SPLITTABLE = re.compile(r"^[+\-]?\d+$")
MAX_CANDIDATES = 5_000
"""Readings a row's identities may allow before the row is too open to read at all."""
MAX_CUT_STEPS = 20_000
"""Cells tried while searching a row's cuts: the search's whole cost, whatever the input
(six 40-digit runs once took hours: every digit run's cut points, multiplied)."""
MAX_DIGITS_PER_CELL = 9


class Cuts(NamedTuple):
    """What a search for a row's cuts found."""

    readings: list[tuple[str, ...]]
    """The cuts the row's rule accepts, in search order."""
    complete: bool = True
    """False when the search stopped at a cap: `readings` are not all, so none is to be
    trusted (the row is ambiguous; `reason` says why)."""
    reason: str | None = None
    steps: int = 0
    """Cells tried: the search's cost."""


class _Stop(Exception):
    pass


def _rule_viable(accept: Callable[[tuple[str, ...]], bool] | None
                 ) -> Callable[[tuple[str, ...]], bool] | None:
    """The rule's check of a row's first cells (`viable`), when it has one: False when no
    row starting so can pass, which prunes the search as it goes."""
    return getattr(accept, "viable", None)


def search_cuts(
    tokens: Sequence[str],
    width: int,
    accept: Callable[[tuple[str, ...]], bool] | None = None,
    fixed: frozenset[int] = frozenset(),
    max_steps: int = MAX_CUT_STEPS,
    max_readings: int = MAX_CANDIDATES,
) -> Cuts:
    """Every way to read `tokens` as `width` cells, by cutting digit runs; bounded.

    Only plain digit runs (with an optional leading sign) are cut, and never the tokens at
    the indices `fixed` (a cell that stood alone is one number); decimals, blanks and
    words stay whole. A cut piece has at most `MAX_DIGITS_PER_CELL` digits and no leading
    zero (a lone 0 is fine); a sign stays with the run's first piece. `accept` filters
    candidate rows (for example: total equals the sum of the other columns); a rule with
    a `viable(first_cells)` method prunes the search as the cells are cut. The search
    only walks cuts that can still make `width` cells, and stops after `max_steps` cells
    tried or `max_readings` readings accepted: then the result is not `complete`.
    """
    if len(tokens) > width:
        return Cuts([])
    if len(tokens) == width:
        candidate = tuple(tokens)
        return Cuts([candidate] if accept is None or accept(candidate) else [])
    signs = [t[0] if t[:1] in ("+", "-") else "" for t in tokens]
    runs = [t[len(sign):] for t, sign in zip(tokens, signs, strict=True)]
    cuttable = [i not in fixed and bool(_SPLITTABLE.match(t)) for i, t in enumerate(tokens)]
    n = len(tokens)
    viable = _rule_viable(accept)

    def pieces(i: int, start: int) -> list[int]:
        """Where the next piece of run `i` from `start` may end."""
        digits = runs[i]
        whole = start == 0 and (digits == "0" or digits[0] != "0")
        ends = [len(digits)] if whole else []  # the whole run, however long, is one number
        if digits[start] == "0":
            return [start + 1]
        last = min(len(digits), start + MAX_DIGITS_PER_CELL)
        return sorted(set(range(start + 1, last + 1)) | set(ends))

    memo: dict[tuple[int, int, int], bool] = {}

    def fits(i: int, start: int, cells: int) -> bool:
        """Whether tokens from `i` (run `i` from `start`) make exactly `cells` cells."""
        if i == n:
            return cells == 0
        if cells <= 0:
            return False
        if not cuttable[i]:
            return fits(i + 1, 0, cells - 1)
        key = (i, start, cells)
        if key not in memo:
            digits = runs[i]
            memo[key] = any(
                fits(*((i + 1, 0) if end == len(digits) else (i, end)), cells - 1)
                for end in pieces(i, start)
                if end == len(digits) or len(digits) - end <= MAX_DIGITS_PER_CELL * cells)
        return memo[key]

    readings: list[tuple[str, ...]] = []
    steps = 0

    def walk(i: int, start: int, cells: tuple[str, ...]) -> None:
        nonlocal steps
        if i == n:
            if len(cells) == width and (accept is None or accept(cells)):
                readings.append(cells)
                if len(readings) > max_readings:
                    raise _Stop(f"more than {max_readings} readings")
            return
        if not cuttable[i]:
            nexts = [(i + 1, 0, tokens[i])]
        else:
            digits = runs[i]
            nexts = [((i + 1, 0) if end == len(digits) else (i, end))
                     + ((signs[i] if start == 0 else "") + digits[start:end],)
                     for end in pieces(i, start)]
        for next_i, next_start, cell in nexts:
            if not fits(next_i, next_start, width - len(cells) - 1):
                continue
            steps += 1
            if steps > max_steps:
                raise _Stop(f"more than {max_steps} cells tried")
            row = (*cells, cell)
            if viable is not None and not viable(row):
                continue
            walk(next_i, next_start, row)

    try:
        walk(0, 0, ())
    except _Stop as stop:
        return Cuts(readings, False, f"digits run together: search for the row's cuts "
                                     f"stopped ({stop})", steps)
    except RecursionError:
        return Cuts(readings, False, "digits run together: too many cells to cut", steps)
    return Cuts(readings, steps=steps)


def split_candidates(
    tokens: Sequence[str],
    width: int,
    accept: Callable[[tuple[str, ...]], bool] | None = None,
    fixed: frozenset[int] = frozenset(),
) -> list[tuple[str, ...]]:
    """Every way to read `tokens` as `width` cells (`search_cuts`); [] when nothing fits
    or when there are too many ways to tell."""
    cuts = search_cuts(tokens, width, accept, fixed)
    return cuts.readings if cuts.complete else []
