"""The report template, loaded once from `template.toml`, and label normalisation."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_VERSIONS = ("2019", "2021")

_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d))"
)
_REDACTION = re.compile(r"\(略\)|\*+")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》|·•,，。;；:：]")


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width digits and brackets become ASCII, Chinese is kept."""
    return unicodedata.normalize("NFKC", text)


def leading_enumerator(text: str) -> str | None:
    """The enumerator a label starts with, normalised ("(六)", "2.", "四、"), if any."""
    match = _ENUMERATOR.match(nfkc(text).strip())
    return match.group().replace("、", ".") if match and match.group()[0].isdigit() else (
        match.group() if match else None)


def strip_enumerator(text: str) -> str:
    """Drop leading enumerators such as 一、 (三) 2. — possibly several, e.g. 三、(一)."""
    previous = None
    text = text.strip()
    while previous != text:
        previous = text
        text = _ENUMERATOR.sub("", text).strip()
    return text


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The form labels are compared in: NFKC, no enumerator, spaces or quotes."""
    return _DROP.sub("", strip_enumerator(nfkc(text)))


def without_redactions(text: str) -> str:
    return _REDACTION.sub("", text)


def has_redaction(text: str) -> bool:
    return bool(_REDACTION.search(text))


@dataclass(frozen=True)
class Row:
    """A template row: canonical key, label variants, and which versions use it."""

    table: str
    key: str
    labels: tuple[str, ...]
    template: str | None = None
    columns: dict[str, tuple[str, ...]] | None = None
    needs_enumerator: bool = False
    enumerator: str | None = None

    @property
    def label_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label_key(label) for label in self.labels))


@dataclass(frozen=True)
class Column:
    key: str
    labels: tuple[str, ...]
    template: str
    unit: str | None = None
    signed: bool = False


@dataclass(frozen=True)
class Section:
    numeral: str
    key: str
    keywords: tuple[str, ...]
    titles: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Template:
    """Everything the parser knows about the report's shape."""

    sections: tuple[Section, ...]
    active_rows: tuple[Row, ...]
    active_columns: dict[str, Column]
    active_markers: tuple[str, ...]
    active_header_words: tuple[str, ...]
    request_rows: tuple[Row, ...]
    request_columns: tuple[str, ...]
    organisation_columns: tuple[str, ...]
    subtotal_column: str
    subtotal_labels: tuple[str, ...]
    request_header_words: tuple[str, ...]
    request_group_labels: tuple[str, ...]
    request_column_labels: dict[str, str]
    review_rows: tuple[str, ...]
    review_columns: tuple[str, ...]
    review_header_words: tuple[str, ...]
    review_row_labels: dict[str, str]
    review_column_labels: dict[str, str]
    versions: dict[str, dict[str, Any]]

    def request_rows_for(self, version: str | None) -> tuple[Row, ...]:
        return tuple(r for r in self.request_rows if r.template in (None, version))

    def canonical_keys(self, version: str) -> list[str]:
        """Every canonical value key a complete report of `version` has."""
        return list(_canonical_keys(self, version))


@lru_cache(maxsize=16)
def _canonical_keys(template: Template, version: str) -> tuple[str, ...]:
    keys: list[str] = []
    for row in template.active_rows:
        for column in (row.columns or {}).get(version, ()):
            keys.append(f"active.{row.key}.{column}")
    for row in template.request_rows_for(version):
        for column in template.request_columns:
            keys.append(f"requests.{row.key}.{column}")
    for review_row in template.review_rows:
        for column in template.review_columns:
            keys.append(f"review.{review_row}.{column}")
    return tuple(keys)


def _rows(table: str, raw: list[dict[str, Any]]) -> tuple[Row, ...]:
    return tuple(
        Row(
            table=table,
            key=item["key"],
            labels=tuple(item["labels"]),
            template=item.get("template"),
            columns={v: tuple(c) for v, c in item["columns"].items()} if "columns" in item else None,
            needs_enumerator=item.get("needs_enumerator", False),
            enumerator=item.get("enumerator"),
        )
        for item in raw
    )


@cache
def load_template() -> Template:
    """Read `template.toml` shipped inside the package (cached: read once per process)."""
    data = tomllib.loads((Path(__file__).parent / "template.toml").read_text("utf-8"))
    active, requests, review = data["active"], data["requests"], data["review"]
    return Template(
        sections=tuple(
            Section(s["numeral"], s["key"], tuple(s["keywords"]), tuple(s.get("titles", ())))
            for s in data["sections"]
        ),
        active_rows=_rows("active", active["rows"]),
        active_columns={
            key: Column(key, tuple(c["labels"]), c["template"], c.get("unit"), c.get("signed", False))
            for key, c in active["columns"].items()
        },
        active_markers=tuple(active["groups"]["markers"]),
        active_header_words=tuple(active["groups"]["header_words"]),
        request_rows=_rows("requests", requests["rows"]),
        request_columns=tuple(requests["columns"]),
        organisation_columns=tuple(requests["organisation_columns"]),
        subtotal_column=requests["subtotal_column"],
        subtotal_labels=tuple(requests["subtotal_labels"]),
        request_header_words=tuple(requests["header_words"]),
        request_group_labels=tuple(requests["groups"]["labels"]),
        request_column_labels=dict(requests["column_labels"]),
        review_rows=tuple(review["rows"]),
        review_columns=tuple(review["columns"]),
        review_header_words=tuple(review["header_words"]),
        review_row_labels=dict(review["row_labels"]),
        review_column_labels=dict(review["column_labels"]),
        versions=data["templates"],
    )
