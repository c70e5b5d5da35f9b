"""The prose claims of `prose.toml`, loaded once and checked against PROSE_SCHEMA and the
template (every key a canonical key of the version it is declared for, every pattern a
regular expression with its number group)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.spec.errors import TemplateError
from toolkit.spec.template import Each, Template, _validate, load_template

_STRINGS = [str]
_MEANINGS = [[str]]
_CLAIM = {"name": str, "label": str, "description": str, "patterns": _STRINGS, "?zero": _STRINGS,
          "?context": str, "?meanings": _MEANINGS, "?versions": Each({"meanings": _MEANINGS})}
PROSE_SCHEMA: dict[str, Any] = {
    "reading": {"other_time": str, "joined": str, "negated": str, "clause_end": str,
                "sentence_end": str, "lines_with": str, "line_chars": str},
    "claims": [_CLAIM],
}

_LEADING_WORDS = re.compile(r"[\u4e00-\u9fff]*")
Meaning = tuple[str, ...]
"""Canonical keys whose sum is the quantity a claim names."""


@dataclass(frozen=True, eq=False)
class Claim:
    """One kind of number the prose states about the tables."""

    name: str
    label: str
    """What the claim counts, for a reader (受理申请数, 行政复议 …)."""
    description: str
    patterns: tuple[re.Pattern[str], ...]
    zero: tuple[re.Pattern[str], ...]
    anchors: tuple[str, ...]
    """Per pattern (then per zero pattern), the words it starts with ("" when it starts
    otherwise): a line without them cannot match it, and `in` costs less than a search."""
    context: re.Pattern[str] | None
    meanings: dict[str, tuple[Meaning, ...]]
    """Per template version, the readings of the claim (empty: the table holds none)."""

    def meanings_for(self, version: str | None) -> tuple[Meaning, ...]:
        return self.meanings.get(version or "", ())


@dataclass(frozen=True, eq=False)
class ProseClaims:
    claims: tuple[Claim, ...]
    other_time: re.Pattern[str]
    joined: re.Pattern[str]
    negated: re.Pattern[str]
    clause_end: re.Pattern[str]
    sentence_end: re.Pattern[str]
    lines_with: re.Pattern[str]
    """What a line must hold to hold a claim."""
    line_chars: re.Pattern[str]
    """A character every `lines_with` holds, to find candidate lines fast."""

    @property
    def scanners(self) -> tuple[tuple[Claim, re.Pattern[str], str, bool], ...]:
        """Every pattern as (claim, pattern, its anchor words, whether it has a number)."""
        return _scanners(self)


@cache
def _scanners(prose: ProseClaims) -> tuple[tuple[Claim, re.Pattern[str], str, bool], ...]:
    return tuple((claim, pattern, anchor, index < len(claim.patterns))
                 for claim in prose.claims
                 for index, (pattern, anchor) in enumerate(zip(
                     (*claim.patterns, *claim.zero), claim.anchors, strict=True)))



DEFAULT_PATH = Path(__file__).parent / "prose.toml"


def load_prose(path: Path | None = None, template: Template | None = None) -> ProseClaims:
    """Read and validate a claims file (the one shipped in the package by default), once per
    path. Raises TemplateError naming the claim and what is wrong."""
    return _load(Path(path) if path is not None else DEFAULT_PATH, template or load_template())


@cache
def _load(path: Path, template: Template) -> ProseClaims:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TemplateError(f"{path.name}: cannot be read as TOML: {error}") from error
    problems = _validate(data, PROSE_SCHEMA, "")
    if problems:
        raise TemplateError("\n".join(f"{path.name}: {p}" for p in problems))
    claims, problems = [], []
    for i, raw in enumerate(data["claims"]):
        claim, found = _claim(raw, template, f"claims[{i}] ({raw['name']})")
        claims.append(claim)
        problems += found
    names = [c.name for c in claims]
    problems += [f"claims: name {n!r} declared twice" for n in sorted(set(names))
                 if names.count(n) > 1]
    reading = data["reading"]
    compiled = {k: _compile(reading[k], f"reading.{k}", problems, number=False)
                for k in ("other_time", "joined", "negated", "clause_end", "sentence_end",
                          "lines_with", "line_chars")}
    if problems:
        raise TemplateError("\n".join(f"{path.name}: {p}" for p in problems))
    return ProseClaims(tuple(claims), compiled["other_time"], compiled["joined"],
                       compiled["negated"], compiled["clause_end"], compiled["sentence_end"],
                       compiled["lines_with"], compiled["line_chars"])


def _compile(pattern: str, place: str, problems: list[str], number: bool) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        problems.append(f"{place}: not a regular expression: {error}")
        return re.compile(r"(?!)")
    if number and "n" not in compiled.groupindex:
        problems.append(f"{place}: has no number group (?P<n>…)")
    return compiled


def _anchor(pattern: str) -> str:
    """The words a pattern starts with, without a last one made optional (上一?年 → 上)."""
    words = _LEADING_WORDS.match(pattern).group()  # type: ignore[union-attr]
    if words and pattern[len(words):len(words) + 1] in ("?", "*", "{"):
        words = words[:-1]
    return words


def _claim(raw: dict[str, Any], template: Template, place: str) -> tuple[Claim, list[str]]:
    problems: list[str] = []
    patterns = tuple(_compile(p, f"{place}.patterns[{j}]", problems, number=True)
                     for j, p in enumerate(raw["patterns"]))
    zero = tuple(_compile(p, f"{place}.zero[{j}]", problems, number=False)
                 for j, p in enumerate(raw.get("zero", [])))
    context = _compile(raw["context"], f"{place}.context", problems, False) \
        if "context" in raw else None
    meanings: dict[str, tuple[Meaning, ...]] = {}
    for version in template.versions_in_order():
        listed = raw.get("versions", {}).get(version, {}).get("meanings", raw.get("meanings", []))
        keys = set(template.canonical_keys(version))
        for meaning in listed:
            problems += [f"{place}: {key!r} is not a canonical key of template {version}"
                         for key in meaning if key not in keys]
        meanings[version] = tuple(tuple(m) for m in listed if m)
    problems += [f"{place}.versions.{v}: not a version under template.toml [templates]"
                 for v in raw.get("versions", {}) if v not in template.versions]
    anchors = tuple(_anchor(p.pattern) for p in (*patterns, *zero))
    return Claim(raw["name"], raw["label"], raw["description"], patterns, zero, anchors, context,
                 meanings), problems
