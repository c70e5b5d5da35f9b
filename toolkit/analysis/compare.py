"""One body's report beside its report of an earlier year: reused prose, table changes, checks.

Officials compare a body's report with last year's. This module computes what such a
comparison shows, as pure functions over the two reports' texts, facts and checks (the
store is read only by `compare_in_store` and its helpers; the text by one call,
`report_text`, the store's `texts`):

* `sections_of_text`: the sections 一 … 六 as the parser finds them (`toolkit.parse.sections`);
* `sentence_reuse`: each sentence of the later section, reused from the earlier one or not.
  Sentences are compared by the copied-prose measure of `toolkit.analysis.crosscheck`
  (character 3-gram Jaccard, numbers collapsed, page chrome cut: `prose_text`, `shingles`,
  `jaccard`), so a sentence copied with this year's figures put in still counts as reused;
* `reuse_shares`: the share of each section's sentence characters reused, and overall;
* `table_changes`: every canonical key of either report, both values and the change;
* `year_checks`: the carry-over chain (identity 5) and the regulation stock balance
  (identity 6) between the two years, by `crosscheck.carry_forward_chain` and
  `crosscheck.regulation_stock_balance` (only consecutive years are checked there).

`compare_sides` puts it all into one `Comparison`; `toolkit.present.comparison` shows it and
`toolkit/briefings/compare.ipynb` renders it as a page.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.analysis.crosscheck import (
    PROSE_SECTIONS,
    carry_forward_chain,
    jaccard,
    prose_text,
    regulation_stock_balance,
    shingles,
    without_chrome,
)
from toolkit.analysis.indicators import wide_values, with_presence
from toolkit.parse.normalise import normalise_text
from toolkit.parse.sections import find_headings, split_sections
from toolkit.spec.errors import ToolkitError
from toolkit.spec.fields import COMPARISON_CHANGES
from toolkit.spec.template import load_template

if TYPE_CHECKING:
    from toolkit.analysis.corpus import Corpus

REUSE_THRESHOLD = 0.8
"""A later sentence whose 3-gram Jaccard with some earlier sentence reaches this is reused.

Lower than `copied_prose`'s 0.9 for whole sections: one sentence with a changed word or
two (本年度 → 2024年) is still the earlier sentence."""
MIN_SENTENCE_CHARS = 6
"""Sentences shorter than this (无。 / 一、) are shown but not judged: too short to say."""
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in load_template().sections)
"""overview … other, in the template's order (一 … 六)."""
PROSE_KEYS: tuple[str, ...] = PROSE_SECTIONS
"""The prose sections (一, 五, 六) whose reuse the prose share is over; 二–四 are tables."""
SIDE_COLUMNS = ("report_id", "body_id", "agency", "year", "template", "title", "path",
                "source_url", "status", "adcode", "agency_kind", "level")
"""What `Side.meta` holds of the store's reports row."""
CHANGE_COLUMNS = COMPARISON_CHANGES.names
"""The columns of `Comparison.changes` (declared in `toolkit.spec.fields`)."""
_SENTENCE_END = re.compile(r"(?<=[。;!?])|\n+")


class CompareError(ToolkitError):
    """The comparison asked for cannot be made: unknown body, one year only, years reversed."""


@dataclass(frozen=True)
class Side:
    """One year of the comparison: the report's store row, its text, its cells and checks."""

    meta: dict[str, Any]
    text: str
    facts: pd.DataFrame
    checks: pd.DataFrame

    @property
    def year(self) -> int:
        return int(self.meta["year"])

    @property
    def report_id(self) -> str:
        return str(self.meta["report_id"])


@dataclass(frozen=True)
class Sentence:
    """A sentence of a section; `reused` is None when too short to judge."""

    text: str
    reused: bool | None
    similarity: float | None
    chars: int
    ends_line: bool = False
    """The sentence ends a line of the section (shown with its line break)."""


@dataclass(frozen=True)
class SectionPair:
    """One section in both years; the later year's sentences marked reused or not."""

    key: str
    numeral: str
    title: str
    text_from: str
    text_to: str
    sentences_to: tuple[Sentence, ...]
    similarity: float | None
    """The whole section's Jaccard, as `crosscheck.copied_prose` measures it."""

    @property
    def chars_judged(self) -> int:
        return sum(s.chars for s in self.sentences_to if s.reused is not None)

    @property
    def chars_reused(self) -> int:
        return sum(s.chars for s in self.sentences_to if s.reused)

    @property
    def reuse_share(self) -> float | None:
        judged = self.chars_judged
        return self.chars_reused / judged if judged else None


@dataclass(frozen=True)
class Comparison:
    """Everything the comparison page shows, for one body and two years."""

    earlier: Side
    later: Side
    sections: tuple[SectionPair, ...]
    changes: pd.DataFrame
    carry_forward: pd.DataFrame
    stock_balance: pd.DataFrame
    shares: dict[str, float | None] = field(default_factory=dict)

    @property
    def is_consecutive(self) -> bool:
        return self.later.year == self.earlier.year + 1


# ------------------------------------------------------------------ sections and sentences

def sections_of_text(text: str) -> dict[str, str]:
    """The report's sections 一 … 六 as the parser cuts them (heading excluded)."""
    normal = normalise_text(text)
    return split_sections(normal, find_headings(normal))


def split_sentences(text: str) -> list[str]:
    """Sentences and lines (a table row is one line), ends kept, blanks dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _sentences_by_line(text: str) -> list[tuple[str, bool]]:
    """The sentences of `text`, each with whether it is the last of its line."""
    out = []
    for line in text.splitlines():
        pieces = split_sentences(line)
        out += [(piece, i == len(pieces) - 1) for i, piece in enumerate(pieces)]
    return out


def sentence_reuse(earlier: str, later: str, threshold: float = REUSE_THRESHOLD,
                   min_chars: int = MIN_SENTENCE_CHARS) -> list[Sentence]:
    """Each sentence of `later`, reused when some sentence of `earlier` is that close.

    Why per sentence: a section is rarely copied whole; officials want to see which
    sentences are last year's. `chars` counts the sentence as compared (`prose_text`).
    """
    grams = [shingles(prose_text(s)) for s in split_sentences(earlier)
             if len(prose_text(s)) >= min_chars]
    out = []
    for sentence, ends_line in _sentences_by_line(later):
        words = prose_text(sentence)
        if len(words) < min_chars:
            out.append(Sentence(sentence, None, None, len(words), ends_line))
            continue
        mine = shingles(words)
        best = max((jaccard(mine, other) for other in grams), default=0.0)
        out.append(Sentence(sentence, best >= threshold, round(best, 4), len(words), ends_line))
    return out


def section_pairs(earlier: Mapping[str, str], later: Mapping[str, str],
                  threshold: float = REUSE_THRESHOLD) -> tuple[SectionPair, ...]:
    """The six sections in template order, each in both years (empty where not found), up
    to the web page's chrome (附件下载, 关闭 … are no part of the report)."""
    pairs = []
    for section in load_template().sections:
        before = without_chrome(earlier.get(section.key, "")).strip()
        after = without_chrome(later.get(section.key, "")).strip()
        a, b = prose_text(before), prose_text(after)
        similarity = round(jaccard(shingles(a), shingles(b)), 4) if a and b else None
        pairs.append(SectionPair(section.key, section.numeral, section.titles[0], before, after,
                                 tuple(sentence_reuse(before, after, threshold)), similarity))
    return tuple(pairs)


def reuse_shares(sections: Sequence[SectionPair]) -> dict[str, float | None]:
    """Share of judged characters reused: per section key, `prose` (一, 五, 六) and `all`."""
    def share(chosen: Sequence[SectionPair]) -> float | None:
        judged = sum(p.chars_judged for p in chosen)
        return round(sum(p.chars_reused for p in chosen) / judged, 4) if judged else None

    out = {p.key: share([p]) for p in sections}
    out["prose"] = share([p for p in sections if p.key in PROSE_KEYS])
    out["all"] = share(list(sections))
    return out


# ------------------------------------------------------------------ tables

def _key_order() -> dict[str, int]:
    """Every canonical key of every template version, in printed order."""
    template = load_template()
    keys = [k for v in template.versions_in_order() for k in template.canonical_keys(v)]
    return {k: i for i, k in enumerate(dict.fromkeys(keys))}


def table_changes(facts_from: pd.DataFrame, facts_to: pd.DataFrame) -> pd.DataFrame:
    """Every key either report has: both values and flags, the change and its percentage.

    A key one template has and the other lacks (2019's 本年新制作数量; 2021's 本年制发件数)
    has a value on one side only and no change. `change_pct` is null when the earlier value
    is 0 or missing.
    """
    columns = ["key", "table", "row", "column", "value", "flag"]
    before = facts_from.reindex(columns=columns).drop_duplicates("key")
    after = facts_to.reindex(columns=columns).drop_duplicates("key")
    merged = before.merge(after, on=["key", "table", "row", "column"], how="outer",
                          suffixes=("_from", "_to"))
    merged["value_from"] = merged["value_from"].astype("float64")
    merged["value_to"] = merged["value_to"].astype("float64")
    merged["change"] = merged["value_to"] - merged["value_from"]
    base = merged["value_from"].where(merged["value_from"] != 0)
    merged["change_pct"] = (merged["change"] / base).round(4)
    merged["is_changed"] = (merged["change"].fillna(0) != 0) | (
        merged["value_from"].isna() != merged["value_to"].isna())
    order = _key_order()
    merged["_o"] = merged["key"].map(order).fillna(len(order))
    merged = merged.sort_values(["_o", "key"], kind="stable")
    for column in ("key", "table", "row", "column", "flag_from", "flag_to"):
        merged[column] = merged[column].astype("string")
    return merged[CHANGE_COLUMNS].reset_index(drop=True)


def _pair_frames(earlier: Side, later: Side) -> tuple[pd.DataFrame, pd.DataFrame]:
    reports = pd.DataFrame([{k: side.meta.get(k) for k in ("report_id", "body_id", "agency",
                                                            "year", "template")}
                            for side in (earlier, later)])
    reports["year"] = reports["year"].astype("Int64")
    facts = pd.concat([side.facts.assign(report_id=side.report_id)[["report_id", "key", "value"]]
                       for side in (earlier, later)], ignore_index=True)
    wide = with_presence(wide_values(facts), facts) if len(facts) else pd.DataFrame(
        index=pd.Index([], name="report_id", dtype="object"))
    return reports, wide


def year_checks(earlier: Side, later: Side, repairs: pd.DataFrame | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identity 5 (carry-over) and identity 6 (stock balance) between the two years.

    Both are `crosscheck`'s own checks on a corpus of these two reports: empty when the
    years are not consecutive (nothing pending at the end of 2019 is carried into 2022).
    """
    reports, wide = _pair_frames(earlier, later)
    return (carry_forward_chain(reports, wide, repairs),
            regulation_stock_balance(reports, wide, repairs))


# ------------------------------------------------------------------ the whole comparison

def compare_sides(earlier: Side, later: Side, repairs: pd.DataFrame | None = None,
                  threshold: float = REUSE_THRESHOLD) -> Comparison:
    """The comparison of two reports of one body, the earlier year first."""
    if later.year <= earlier.year:
        raise CompareError(f"years reversed: {earlier.year} is not before {later.year}; "
                           "give the earlier year first (--years 2023 2024)")
    sections = section_pairs(sections_of_text(earlier.text), sections_of_text(later.text),
                             threshold)
    carry, stock = year_checks(earlier, later, repairs)
    return Comparison(earlier, later, sections, table_changes(earlier.facts, later.facts),
                      carry, stock, reuse_shares(sections))


# ------------------------------------------------------------------ from a store

def body_reports(corpus: Corpus, body: str, kind: str | None = None) -> pd.DataFrame:
    """The usable reports (one per year) of a body: a `body_id`, or an adcode and a kind.

    An adcode names a body only with its kind (`government`: the division's own
    government) and only when that leaves one body; otherwise the message lists the
    body_ids to choose from.
    """
    reports = corpus.reports
    mine = reports[reports["body_id"] == body]
    if len(mine):
        return mine.sort_values("year").reset_index(drop=True)
    if re.fullmatch(r"\d{6}", body):
        here = reports[reports["adcode"] == body]
        if kind and kind != "all":
            here = here[here["agency_kind"] == kind]
        bodies = sorted(here["body_id"].dropna().unique())
        if len(bodies) == 1:
            return here.sort_values("year").reset_index(drop=True)
        if not bodies:
            raise CompareError(f"no usable report of a {kind or 'any'} body in division {body}"
                               " in this store")
        listed = ", ".join(bodies[:10]) + (" …" if len(bodies) > 10 else "")
        raise CompareError(f"division {body} has {len(bodies)} bodies"
                           f"{'' if kind and kind != 'all' else ' (give --kind)'}: "
                           f"name one by its body_id: {listed}")
    raise CompareError(f"unknown body {body!r}: no usable report in this store has this "
                       "body_id (or give a six-digit adcode with --kind)")


def pick_years(reports: pd.DataFrame, year_from: int, year_to: int) -> tuple[dict[str, Any],
                                                                             dict[str, Any]]:
    """The two reports' rows; a clear error when a year is missing or the years reversed."""
    years = sorted(int(y) for y in reports["year"].dropna().unique())
    name = reports["agency"].dropna().iloc[-1] if reports["agency"].notna().any() else "the body"
    if len(years) < 2:
        raise CompareError(f"{name} has a usable report for one year only ({years[0]}): "
                           "nothing to compare" if years else f"{name} has no usable report")
    if year_from == year_to:
        raise CompareError(f"two different years are needed, not {year_from} twice")
    if year_from > year_to:
        raise CompareError(f"years reversed: give the earlier year first "
                           f"(--years {year_to} {year_from})")
    missing = [y for y in (year_from, year_to) if y not in years]
    if missing:
        raise CompareError(f"{name} has no usable report for {', '.join(map(str, missing))}; "
                           f"its years: {', '.join(map(str, years))}")
    rows = {int(r["year"]): {str(k): v for k, v in r.items()}
            for r in reports.to_dict("records")}
    return rows[year_from], rows[year_to]


def report_text(corpus: Corpus, report_id: str) -> str:
    """The text the report was parsed from (the store's `texts`): the one call that sources
    the text, cut into sections again by `sections_of_text` exactly as the parser cut it."""
    return corpus.text(report_id)


def side_from_store(corpus: Corpus, row: Mapping[str, Any]) -> Side:
    report_id = str(row["report_id"])
    everything = corpus.all_reports.drop_duplicates("report_id").set_index("report_id")
    stored = everything.loc[report_id] if report_id in everything.index else pd.Series()
    meta = {k: _plain(row.get(k, stored.get(k))) for k in SIDE_COLUMNS}
    facts = corpus.con.execute(
        'SELECT key, "table", "row", "column", value, flag, label, raw, location FROM facts '
        "WHERE report_id = ?", [report_id]).df()
    checks = corpus.con.execute(
        'SELECT "check", scope, status, "left", "right", keys, sentence, location FROM checks '
        'WHERE report_id = ? ORDER BY "check", scope', [report_id]).df()
    return Side(meta, report_text(corpus, report_id), facts, checks)


def compare_in_store(corpus: Corpus, body: str, year_from: int, year_to: int,
                     kind: str | None = None) -> Comparison:
    """The comparison of `body`'s reports of two years in a loaded store."""
    reports = body_reports(corpus, body, kind)
    first, second = pick_years(reports, year_from, year_to)
    repairs = corpus.con.sql(
        "SELECT report_id, key, identity, other_report_id FROM repairs").df()
    return compare_sides(side_from_store(corpus, first), side_from_store(corpus, second),
                         repairs)


def _plain(value: Any) -> Any:
    """A store value as a plain Python value (None for NA)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


__all__ = [
    "CHANGE_COLUMNS", "MIN_SENTENCE_CHARS", "PROSE_KEYS", "REUSE_THRESHOLD", "SECTION_KEYS",
    "CompareError", "Comparison", "SectionPair", "Sentence", "Side", "body_reports",
    "compare_in_store", "compare_sides", "pick_years", "report_text", "reuse_shares",
    "section_pairs", "sections_of_text", "sentence_reuse", "side_from_store",
    "split_sentences", "table_changes", "year_checks",
]
