"""The result of parsing one report: metadata, tidy facts, checks and section texts.

The columns (`META_KEYS`, `FACT_COLUMNS`, `CHECK_COLUMNS`) are declared, with their types and
meanings, in `toolkit.spec.fields`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

import pandas as pd

from toolkit.spec.fields import CHECK_COLUMNS, FACT_COLUMNS, META_KEYS


def plain(value: Any) -> Any:
    """A vocabulary member (Flag, Status, Level …) as the plain `str` it stands for, so what
    leaves the parser (JSON, DataFrames, YAML) holds no enum type; anything else as is."""
    return str(value) if isinstance(value, StrEnum) else value


class Fact(NamedTuple):
    """One table cell: where it sits in the template, its value and how it was read.

    `label` is the row label as printed, `raw` the cell text as found, `location` the
    character offset of the cell in the document text (provenance).
    """

    table: str
    row: str
    column: str
    value: float | int | None
    flag: str | None
    label: str
    raw: str
    location: int

    @property
    def key(self) -> str:
        return f"{self.table}.{self.row}.{self.column}"


class Check(NamedTuple):
    """One accounting identity evaluated on one report: pass, fail or not_checkable.

    `left` and `right` are the sums of the identity's two sides (`keys` lists the left side's
    keys first); both are None when a value on either side is unknown. A check of the
    prose against the table (`text_vs_table`) has the table's sum on the left, the number
    the prose claims on the right, and the claim's `sentence` and the number's `location`.
    """

    check: str
    scope: str
    status: str
    left: float | None
    right: float | None
    keys: str
    sentence: str | None = None
    location: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: plain(value) for name, value in zip(CHECK_COLUMNS, self, strict=True)}


@dataclass
class Report:
    """A parsed report. `facts` and `checks` are tidy DataFrames built on first use."""

    source: str
    status: str
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    fact_list: list[Fact] = field(default_factory=list)
    check_list: list[Check] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    text: str = ""
    """The text parsed (normalised): what `Fact.location` and `Check.location` count into."""

    @cached_property
    def facts(self) -> pd.DataFrame:
        rows = [(f.key, f.table, f.row, f.column, f.value, plain(f.flag), f.label, f.raw,
                 f.location)
                for f in self.fact_list]
        frame = pd.DataFrame(rows, columns=FACT_COLUMNS)
        frame["value"] = frame["value"].astype("Float64")
        return frame

    @cached_property
    def checks(self) -> pd.DataFrame:
        return pd.DataFrame([c.as_dict() for c in self.check_list], columns=CHECK_COLUMNS)

    def values(self) -> dict[str, float | int | None]:
        return {f.key: f.value for f in self.fact_list}

    def flags(self) -> dict[str, str]:
        return {f.key: plain(f.flag) for f in self.fact_list if f.flag}

    def to_record(self) -> dict[str, Any]:
        """The CLI's JSON object for this report (see README, "parse --json")."""
        return {
            "source": self.source,
            "status": plain(self.status),
            "error": self.error,
            "meta": {k: plain(self.meta.get(k)) for k in META_KEYS},
            "values": self.values(),
            "flags": self.flags(),
            "checks": [c.as_dict() for c in self.check_list],
        }
