"""Cell text to value and flag, and the splitting of digits run together.

The rules are the spec's (REPORT_FORMAT.md, "Cell values"): a parser never invents a value
and never silently drops one; what cannot be read becomes null with a flag saying why.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import product

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
MAX_CANDIDATES = 20000
MAX_DIGITS_PER_CELL = 9


def _splits_of(token: str, parts: int) -> list[tuple[str, ...]]:
    """Ways to cut `token` into `parts` numbers with no leading zeros (a lone 0 is fine)."""
    sign = token[0] if token[0] in "+-" else ""
    digits = token[len(sign):]
    out: list[tuple[str, ...]] = []

    def walk(start: int, left: int, acc: list[str]) -> None:
        if left == 1:
            piece = digits[start:]
            if piece and (piece == "0" or piece[0] != "0") and len(piece) <= MAX_DIGITS_PER_CELL:
                out.append(tuple([*acc, piece]))
            return
        for end in range(start + 1, len(digits) - left + 2):
            piece = digits[start:end]
            if piece != "0" and piece[0] == "0":
                break
            if len(piece) > MAX_DIGITS_PER_CELL:
                break
            walk(end, left - 1, [*acc, piece])
            if len(out) > MAX_CANDIDATES:
                return

    if parts == 1:
        return [(token,)] if (digits == "0" or digits[0] != "0" or len(digits) == 1) else []
    walk(0, parts, [])
    return [(sign + s[0], *s[1:]) for s in out]


def split_candidates(
    tokens: Sequence[str],
    width: int,
    accept: Callable[[tuple[str, ...]], bool] | None = None,
    fixed: frozenset[int] = frozenset(),
) -> list[tuple[str, ...]]:
    """Every way to read `tokens` as `width` cells, by cutting digit runs.

    Only plain digit runs (with an optional leading sign) are cut, and never the tokens at
    the indices `fixed` (a cell that stood alone is one number); decimals, blanks and
    words stay whole. `accept` filters candidate rows (for example: total equals the sum
    of the other columns). Returns [] when nothing fits.
    """
    if len(tokens) > width:
        return []
    if len(tokens) == width:
        candidate = tuple(tokens)
        return [candidate] if accept is None or accept(candidate) else []
    cuttable = [i for i, t in enumerate(tokens) if i not in fixed and _SPLITTABLE.match(t)]
    extra = width - len(tokens)
    capacity = [len(tokens[i].lstrip("+-")) - 1 for i in cuttable]
    if sum(capacity) < extra:
        return []
    results: list[tuple[str, ...]] = []
    for shares in product(*[range(c + 1) for c in capacity]):
        if sum(shares) != extra:
            continue
        per_token: list[list[tuple[str, ...]]] = []
        for index, token in enumerate(tokens):
            if index in cuttable:
                share = shares[cuttable.index(index)]
                per_token.append(_splits_of(token, share + 1))
            else:
                per_token.append([(token,)])
        for combo in product(*per_token):
            candidate = tuple(cell for part in combo for cell in part)
            if accept is None or accept(candidate):
                results.append(candidate)
            if len(results) > MAX_CANDIDATES:
                return results
    return results
