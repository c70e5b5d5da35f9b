"""The report template, loaded once from `template.toml` and checked against SCHEMA, and
label normalisation."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from toolkit.spec.errors import TemplateError

_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\(\s*[一二三四五六七八九十]+\s*\)|\d{1,2}[.、](?!\d))"
)
"""一、 (三) ( 三 ) 2. — a Word cell set in distributed alignment spaces out the brackets."""
_REDACTION = re.compile(r"\(略\)|\*+")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》|·•,，。;；:：]")


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width digits and brackets become ASCII, Chinese is kept."""
    return unicodedata.normalize("NFKC", text)


def leading_enumerator(text: str) -> str | None:
    """The enumerator a label starts with, normalised ("(六)", "2.", "四、"), if any."""
    match = _ENUMERATOR.match(nfkc(text).strip())
    if match is None:
        return None
    found = "".join(match.group().split())
    return found.replace("、", ".") if found[0].isdigit() else found


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
    """The one version that has this row; None: every version."""
    columns: dict[str, tuple[str, ...]] | None = None
    needs_enumerator: bool = False
    enumerator: str | None = None
    group: str | None = None
    """The outcome group of a requests row counted in (七)总计 (granted, denied, …)."""

    @property
    def label_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label_key(label) for label in self.labels))


@dataclass(frozen=True)
class Column:
    key: str
    labels: tuple[str, ...]
    template: str | None = None
    """The one version that has this column; None: every version."""
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
    outcome_groups: tuple[str, ...]
    review_rows: tuple[str, ...]
    review_columns: tuple[str, ...]
    review_header_words: tuple[str, ...]
    review_row_labels: dict[str, str]
    review_row_words: dict[str, tuple[str, ...]]
    """Words that name each review row (a layout that labels the rows)."""
    review_column_labels: dict[str, str]
    versions: dict[str, dict[str, Any]]
    """Each version's table under [templates], in start order."""

    def versions_in_order(self) -> tuple[str, ...]:
        """Version names, earliest start first."""
        return tuple(self.versions)

    def version_for_year(self, year: int, among: Iterable[str] | None = None) -> str | None:
        """The version a report of `year` is on by default: the latest (of `among`, if
        given) started by then; None before the first starts (a legacy report)."""
        candidates = self.versions if among is None else set(among)
        started = [v for v, table in self.versions.items()
                   if v in candidates and table["starts"] <= year]
        return started[-1] if started else None

    def request_rows_for(self, version: str | None) -> tuple[Row, ...]:
        return tuple(r for r in self.request_rows if r.template in (None, version))

    def rows_in_group(self, group: str, version: str) -> tuple[str, ...]:
        """Keys of the requests rows of `version` in an outcome group, in printed order."""
        return tuple(r.key for r in self.request_rows_for(version) if r.group == group)

    def outcome_rows(self, version: str) -> tuple[str, ...]:
        """Keys of the outcome rows of `version`, the rows (七)总计 adds up."""
        return tuple(r.key for r in self.request_rows_for(version)
                     if r.group in self.outcome_groups)

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


# ---------------------------------------------------------------------------------------
# What template.toml may hold. A table is a dict of its keys; a key written "?name" may be
# left out. A value is a type, [type] (a list of them), [{…}] (an array of tables) or
# Each(…) (a table whose keys are names of our choosing: versions, column keys).


@dataclass(frozen=True)
class Each:
    """A table whose keys are ours to name, each value following `value`."""

    value: Any


_STRINGS = [str]
_VERSION = {"starts": int, "issued_by": str}
_SECTION = {"numeral": str, "key": str, "keywords": _STRINGS, "?titles": _STRINGS}
_ACTIVE_COLUMN = {"labels": _STRINGS, "?template": str, "?unit": str, "?signed": bool}
_ACTIVE_ROW = {"key": str, "labels": _STRINGS, "?columns": Each(_STRINGS)}
_REQUEST_ROW = {"key": str, "labels": _STRINGS, "?enumerator": str, "?template": str,
                "?group": str, "?needs_enumerator": bool}
SCHEMA: dict[str, Any] = {
    "templates": Each(_VERSION),
    "sections": [_SECTION],
    "active": {
        "columns": Each(_ACTIVE_COLUMN),
        "groups": {"markers": _STRINGS, "header_words": _STRINGS},
        "rows": [_ACTIVE_ROW],
    },
    "requests": {
        "columns": _STRINGS, "organisation_columns": _STRINGS, "subtotal_column": str,
        "subtotal_labels": _STRINGS, "header_words": _STRINGS, "outcome_groups": _STRINGS,
        "column_labels": Each(str), "rows": [_REQUEST_ROW], "groups": {"labels": _STRINGS},
    },
    "review": {
        "rows": _STRINGS, "columns": _STRINGS, "header_words": _STRINGS,
        "row_labels": Each(str), "column_labels": Each(str), "row_words": Each(_STRINGS),
    },
}


def _validate(value: Any, schema: Any, place: str) -> list[str]:
    """Problems of `value` against `schema`, each as "place: what is wrong"."""
    where = f"{place}: " if place else ""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{where}expected a table"]
        allowed = {name.lstrip("?"): name for name in schema}
        problems = [f"{where}unknown key {key!r} (allowed: {', '.join(sorted(allowed))})"
                    for key in value if key not in allowed]
        problems += [f"{where}missing key {name!r}" for name in schema
                     if not name.startswith("?") and name not in value]
        for key, item in value.items():
            if key in allowed:
                problems += _validate(item, schema[allowed[key]], f"{place}.{key}".lstrip("."))
        return problems
    if isinstance(schema, Each):
        if not isinstance(value, dict):
            return [f"{where}expected a table"]
        return [p for key, item in value.items() for p in _validate(item, schema.value, f"{place}.{key}")]
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{where}expected a list"]
        return [p for i, item in enumerate(value) for p in _validate(item, schema[0], f"{place}[{i}]")]
    if not isinstance(value, schema) or (schema is int and isinstance(value, bool)):
        return [f"{where}expected {schema.__name__}, not {type(value).__name__}"]
    return []


def _check_references(data: dict[str, Any]) -> list[str]:
    """Names that must be declared elsewhere in the file: versions, columns, outcome groups."""
    versions = set(data["templates"])
    columns = set(data["active"]["columns"])
    groups = set(data["requests"]["outcome_groups"])
    review_rows = set(data["review"]["rows"])
    problems = [] if versions else ["templates: no version declared ([templates.NAME] with starts)"]
    for key, column in data["active"]["columns"].items():
        if "template" in column and column["template"] not in versions:
            problems.append(f"active.columns.{key}: template {column['template']!r} is not "
                            "a version under [templates]")
    for table in ("active", "requests"):
        for i, row in enumerate(data[table]["rows"]):
            named = [row["template"]] if "template" in row else []
            named += list(row.get("columns", {}))
            problems += [f"{table}.rows[{i}]: template {v!r} is not a version under [templates]"
                         for v in named if v not in versions]
            problems += [f"{table}.rows[{i}]: column {c!r} is not under [active.columns]"
                         for listed in row.get("columns", {}).values() for c in listed
                         if c not in columns]
            if "group" in row and row["group"] not in groups:
                problems.append(f"{table}.rows[{i}]: group {row['group']!r} is not one of "
                                "requests.outcome_groups")
    problems += [f"review.row_words.{row}: not one of review.rows"
                 for row in data["review"]["row_words"] if row not in review_rows]
    return problems


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
            group=item.get("group"),
        )
        for item in raw
    )


DEFAULT_PATH = Path(__file__).parent / "template.toml"


def load_template(path: Path | None = None) -> Template:
    """Read and validate a template file: the one shipped in the package by default.

    Cached per path (a file is read once per process). Raises TemplateError naming the
    key and its place when the file does not follow SCHEMA.
    """
    return _load(Path(path) if path is not None else DEFAULT_PATH)


@cache
def _load(path: Path) -> Template:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TemplateError(f"{path.name}: cannot be read as TOML: {error}") from error
    problems = _validate(data, SCHEMA, "") or _check_references(data)
    if problems:
        raise TemplateError("\n".join(f"{path.name}: {p}" for p in problems))
    active, requests, review = data["active"], data["requests"], data["review"]
    return Template(
        sections=tuple(
            Section(s["numeral"], s["key"], tuple(s["keywords"]), tuple(s.get("titles", ())))
            for s in data["sections"]
        ),
        active_rows=_rows("active", active["rows"]),
        active_columns={
            key: Column(key, tuple(c["labels"]), c.get("template"), c.get("unit"),
                        c.get("signed", False))
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
        outcome_groups=tuple(requests["outcome_groups"]),
        review_rows=tuple(review["rows"]),
        review_columns=tuple(review["columns"]),
        review_header_words=tuple(review["header_words"]),
        review_row_labels=dict(review["row_labels"]),
        review_row_words={row: tuple(words) for row, words in review["row_words"].items()},
        review_column_labels=dict(review["column_labels"]),
        versions=dict(sorted(data["templates"].items(),
                             key=lambda item: (item[1]["starts"], item[0]))),
    )
