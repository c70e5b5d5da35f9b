"""The codebook of the research export: every column's file name, what it holds, its labels.

Nothing here declares a label: store columns are described in `toolkit.spec.fields`,
canonical keys in the template (`toolkit/spec/template.toml`), indicators in
`toolkit.analysis.indicators.INDICATORS`, flags in `toolkit.spec.vocab`. This module only
gathers them, one row per column, and gives each column a name Stata accepts.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from toolkit.analysis.indicators import BY_NAME, Indicator
from toolkit.spec.fields import CODEBOOK, Table
from toolkit.spec.template import Template, load_template
from toolkit.spec.vocab import FLAG_LABELS, Flag

STATA_NAME_MAX = 32
"""Stata's longest variable name."""
STATA_LABEL_MAX = 80
"""Stata's longest variable label, in characters."""
STATA_RESERVED = frozenset({
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_N", "_pi", "_pred", "_rc", "_skip", "strl", "strL", "using", "with"})
"""Names Stata keeps for itself (`help reswords`)."""
TABLE_PREFIX = {"active": "act", "requests": "req", "review": "rev"}
"""How a canonical key's table starts its column name in the panel."""

FLAG_CODES: dict[str, int] = {str(flag): code for code, flag in enumerate(Flag, start=1)}
"""The code of each flag in Stata's `flag` variable (enum order: a new flag gets a new code,
the old codes stay)."""


def flag_value_labels() -> dict[int, str]:
    """Code → `flag 中文` for Stata's value labels."""
    return {code: f"{flag} {FLAG_LABELS.get(flag, '')}".strip()
            for flag, code in FLAG_CODES.items()}


@dataclass(frozen=True)
class KeyLabel:
    """What the template says of one canonical key."""

    key: str
    row: str
    column: str
    unit: str | None


def key_labels(template: Template | None = None) -> dict[str, KeyLabel]:
    """Every canonical key of every template version, in template order (the requests
    table's legal-persons subtotal, printed by some reports, in its printed place)."""
    template = template or load_template()
    out: dict[str, KeyLabel] = {}
    for row in template.active_rows:
        for version in template.versions_in_order():
            for column in (row.columns or {}).get(version, ()):
                spec = template.active_columns[column]
                out.setdefault(f"active.{row.key}.{column}", KeyLabel(
                    f"active.{row.key}.{column}", row.labels[0], spec.labels[0], spec.unit))
    request_columns = [*template.request_columns[:-1], template.subtotal_column,
                       template.request_columns[-1]]
    for row in template.request_rows:
        for column in request_columns:
            label = (template.subtotal_labels[0] if column == template.subtotal_column
                     else template.request_column_labels[column])
            key = f"requests.{row.key}.{column}"
            out[key] = KeyLabel(key, row.labels[0], label, None)
    for review_row in template.review_rows:
        for column in template.review_columns:
            key = f"review.{review_row}.{column}"
            out[key] = KeyLabel(key, template.review_row_labels[review_row],
                                template.review_column_labels[column], None)
    return out


def _shorten(name: str, limit: int) -> str:
    """Cut the longest word by one letter (the last of equals) until `name` fits."""
    words = name.split("_")
    while len("_".join(words)) > limit:
        longest = max(range(len(words)), key=lambda i: (len(words[i]), i))
        if len(words[longest]) <= 1:
            return "_".join(words)[:limit]
        words[longest] = words[longest][:-1]
    return "_".join(words)


def stata_name(original: str) -> str:
    """A valid Stata name for a column, key or indicator (before making names unique)."""
    parts = original.split(".")
    if len(parts) == 3 and parts[0] in TABLE_PREFIX:
        parts[0] = TABLE_PREFIX[parts[0]]
    name = re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts)) or "v"
    if not re.match(r"[A-Za-z_]", name):
        name = f"v_{name}"
    name = _shorten(name, STATA_NAME_MAX)
    return f"{name[:STATA_NAME_MAX - 1]}_" if name in STATA_RESERVED else name


def stata_names(originals: Iterable[str]) -> dict[str, str]:
    """Original → Stata name, never two alike: a name shortening made equal to an earlier
    one (in the order given) ends in `_2`, `_3`, … instead."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for original in originals:
        if original in out:
            continue
        base = stata_name(original)
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            suffix = f"_{n}"
            name = _shorten(base, STATA_NAME_MAX - len(suffix)) + suffix
        taken.add(name.lower())
        out[original] = name
    return out


def english(name: str) -> str:
    """A key's or indicator's words, for readers of English (`requests / granted / total`)."""
    return " / ".join(part.replace("_", " ") for part in name.split("."))


def _stata_label(text: str) -> str:
    return text if len(text) <= STATA_LABEL_MAX else text[:STATA_LABEL_MAX - 1] + "…"


def _row(table: str, name: str, key: str, label_zh: str, label_en: str, kind: str,
         unit: str | None, value_labels: str | None = None) -> dict[str, str | None]:
    return {"table": table, "name": name, "key": key, "label_zh": _stata_label(label_zh),
            "label_en": label_en, "type": kind, "unit": unit, "value_labels": value_labels}


def table_rows(table: Table) -> list[dict[str, str | None]]:
    """The codebook rows of a table whose columns are all declared in `toolkit.spec.fields`."""
    coded = "; ".join(f"{code}={label}" for code, label in flag_value_labels().items())
    return [_row(table.name, f.name, f.name, f.label, f.description, f.type, f.unit,
                 coded if f.name == "flag" else None)
            for f in table.fields]


def panel_rows(fixed: Table, names: dict[str, str], keys: Sequence[str],
               indicators: Sequence[str]) -> list[dict[str, str | None]]:
    """The codebook rows of the panel: its fixed columns, then a key's and an indicator's."""
    labels = key_labels()
    rows = table_rows(fixed)
    for key in keys:
        label = labels.get(key)
        zh = f"{label.row} · {label.column}" if label else key
        rows.append(_row(fixed.name, names[key], key, zh,
                         f"{english(key)}: the report's value of `{key}` (null when flagged; "
                         "the flag is in `facts`)", "float64",
                         (label.unit if label and label.unit else "count")))
    for name in indicators:
        indicator: Indicator = BY_NAME[name]
        rows.append(_row(fixed.name, names[name], name, indicator.label,
                         f"{english(name)}: indicator `{name}` of the report "
                         f"(see the data dictionary's Indicators){'; ' + indicator.note if indicator.note else ''}",
                         "float64", "share (0–1)" if indicator.is_rate else "count"))
    return rows


def codebook_frame(rows: list[dict[str, str | None]]) -> pd.DataFrame:
    """The codebook table, with the codebook's own rows at its end."""
    frame = pd.DataFrame(rows + table_rows(CODEBOOK), columns=CODEBOOK.names)
    return frame.astype("object").where(frame.notna(), None)


__all__ = ["FLAG_CODES", "KeyLabel", "codebook_frame", "english", "flag_value_labels",
           "key_labels", "panel_rows", "stata_name", "stata_names", "table_rows"]
