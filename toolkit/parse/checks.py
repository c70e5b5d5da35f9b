"""The template's accounting identities (勾稽关系), evaluated per report.

Each identity is declared once below with why it holds; a failure is recorded, never
corrected: the error may be the publisher's, and researchers study exactly that.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from toolkit.parse.report import Check
from toolkit.spec.template import Template
from toolkit.spec.vocab import CheckStatus

Values = Mapping[str, float | int | None]

IDENTITIES = {
    "balance": "new_received + carried_over == total_processed + carried_forward, per applicant "
               "column (printed on the template: 第一项加第二项之和,等于第三项加第四项之和)",
    "outcomes": "total_processed == sum of the outcome rows, per applicant column",
    "row_total": "total == sum of the six applicant columns, per row (and legal_subtotal == sum "
                 "of the five organisation columns where printed)",
    "review_total": "total == upheld + corrected + other + pending, for review and both "
                    "litigation rows",
}
"""The outcome rows are the template's (`Template.outcome_rows`): those of its outcome groups."""


def _equation(name: str, scope: str, left: Sequence[str], right: Sequence[str],
              values: Values, keys: str) -> Check:
    left_values = [values.get(k) for k in left]
    right_values = [values.get(k) for k in right]
    if None in left_values or None in right_values:
        return Check(name, scope, CheckStatus.NOT_CHECKABLE, None, None, keys)
    expected = float(sum(left_values))  # type: ignore[arg-type]
    actual = float(sum(right_values))  # type: ignore[arg-type]
    status = CheckStatus.PASS if abs(expected - actual) < 1e-6 else CheckStatus.FAIL
    return Check(name, scope, status, expected, actual, keys)


def check_report(values: Values, version: str | None, template: Template) -> list[Check]:
    """Identities 1–4 of the spec for one report's values (empty when it has no tables)."""
    if version not in template.versions:
        return []
    columns, rows = _present(frozenset(values), template)
    return [_equation(name, scope, left, right, values, keys)
            for name, scope, left, right, keys in _equations(template, version, columns, rows)]


@lru_cache(maxsize=256)
def _present(keys: frozenset[str], template: Template) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The request columns and rows a report has keys for, in template order."""
    requests = [k.split(".") for k in keys if k.startswith("requests.")]
    present_columns = {parts[2] for parts in requests}
    present_rows = {parts[1] for parts in requests}
    columns = tuple(c for c in (*template.request_columns, template.subtotal_column)
                    if c in present_columns)
    return columns, tuple(r.key for r in template.request_rows if r.key in present_rows)


Equation = tuple[str, str, tuple[str, ...], tuple[str, ...], str]


@lru_cache(maxsize=256)
def _equations(template: Template, version: str, columns: tuple[str, ...],
               rows: tuple[str, ...]) -> tuple[Equation, ...]:
    """The identities as (name, scope, left keys, right keys, all keys joined): the same for
    every report with the same template version, columns and rows, so they are built once."""
    def req(row: str, column: str) -> str:
        return f"requests.{row}.{column}"

    equations: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
    for column in columns:
        equations.append((
            "balance", column,
            (req("new_received", column), req("carried_over", column)),
            (req("total_processed", column), req("carried_forward", column))))
    for column in columns:
        equations.append(("outcomes", column, (req("total_processed", column),),
                          tuple(req(row, column) for row in template.outcome_rows(version))))
    applicants = ("natural_person", *template.organisation_columns)
    for row in rows:
        equations.append(("row_total", row, (req(row, "total"),),
                          tuple(req(row, c) for c in applicants)))
        if template.subtotal_column in columns:
            equations.append((
                "row_total", f"{row}.{template.subtotal_column}",
                (req(row, template.subtotal_column),),
                tuple(req(row, c) for c in template.organisation_columns)))
    for review_row in template.review_rows:
        parts = tuple(f"review.{review_row}.{c}" for c in template.review_columns if c != "total")
        equations.append(("review_total", review_row, (f"review.{review_row}.total",), parts))
    return tuple((name, scope, left, right, ",".join((*left, *right)))
                 for name, scope, left, right in equations)


_SUMS_OF_COUNTS = ("outcomes", "row_total", "review_total")


def sums_of_counts(values: Values, version: str, template: Template
                   ) -> dict[str, list[tuple[str, ...]]]:
    """Each total the identities make a sum of counts (a row's total, a review total, the
    outcomes' total), with its parts, for one report's keys: parts that were read can never
    add up to more than their total."""
    columns, rows = _present(frozenset(values), template)
    sums: dict[str, list[tuple[str, ...]]] = {}
    for name, _, left, right, _ in _equations(template, version, columns, rows):
        if name in _SUMS_OF_COUNTS:
            sums.setdefault(left[0], []).append(right)
    return sums

