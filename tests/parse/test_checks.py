"""The accounting identities on real seed numbers: pass as printed, fail when a number is
changed, not checkable when a number is missing."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import corpus_dirs
from toolkit.parse import parse_report
from toolkit.parse.checks import check_report
from toolkit.spec.template import load_template


@pytest.fixture(scope="module")
def seed_003() -> dict[str, Any]:
    """沈阳市于洪区人民政府 2019 (template 2019), whose tables add up."""
    report = parse_report(next(corpus_dirs()[0].glob("003_*")))
    return dict(report.to_record()["values"])


def by_check(values: dict[str, Any], version: str = "2019") -> dict[tuple[str, str], Any]:
    return {(c.check, c.scope): c for c in check_report(values, version, load_template())}


def test_every_identity_of_a_consistent_report_passes(seed_003: dict[str, Any]) -> None:
    checks = by_check(seed_003)
    assert {name for name, _ in checks} == {"balance", "outcomes", "row_total", "review_total"}
    assert all(c.status == "pass" for c in checks.values())
    assert checks[("balance", "total")].left == seed_003["requests.new_received.total"] + \
        seed_003["requests.carried_over.total"]


def test_a_changed_number_fails_the_identities_it_is_part_of(seed_003: dict[str, Any]) -> None:
    values = {**seed_003, "requests.granted.total": seed_003["requests.granted.total"] + 1}
    failing = {key for key, c in by_check(values).items() if c.status == "fail"}
    assert failing == {("outcomes", "total"), ("row_total", "granted")}
    outcome = by_check(values)[("outcomes", "total")]
    assert outcome.right == outcome.left + 1


def test_a_missing_number_makes_its_identities_not_checkable(seed_003: dict[str, Any]) -> None:
    values = {**seed_003, "review.review.total": None}
    check = by_check(values)[("review_total", "review")]
    assert (check.status, check.left, check.right) == ("not_checkable", None, None)


def test_no_template_no_checks(seed_003: dict[str, Any]) -> None:
    assert check_report(seed_003, None, load_template()) == []


def test_the_2021_template_sums_its_three_other_rows(seed_003: dict[str, Any]) -> None:
    values = {k: v for k, v in seed_003.items() if ".other." not in k}
    outcome = by_check(values, "2021")[("outcomes", "total")]
    assert "requests.other_misc.total" in outcome.keys.split(",")
    assert outcome.status == "not_checkable"
