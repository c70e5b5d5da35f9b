"""Indicators against values computed by hand from real seed numbers, and the edge cases."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import corpus_dirs
from toolkit.analysis.indicators import (
    BY_NAME,
    INDICATORS,
    body_mix,
    publication_deadline,
    publication_timeliness,
    region_indicators,
    report_indicators,
    usability,
    wide_values,
    with_presence,
)
from toolkit.parse import parse_report
from toolkit.parse.report import Report
from toolkit.spec.vocab import USABLE_MIN_SHARE_READ


def seed(prefix: str) -> Path:
    return next(p for d in corpus_dirs() for p in d.glob(f"{prefix}*"))


def facts_of(reports: dict[str, Report]) -> pd.DataFrame:
    return pd.concat([r.facts.assign(report_id=rid) for rid, r in reports.items()],
                     ignore_index=True)


def indicators_of(reports: dict[str, Report]) -> pd.DataFrame:
    facts = facts_of(reports)
    wide = with_presence(wide_values(facts), facts)
    return report_indicators(wide).set_index(["report_id", "indicator"])


@pytest.fixture(scope="module")
def yuhong() -> pd.DataFrame:
    """Seed 003 (于洪区 2019): 43 new requests (41 natural persons, 2 companies), 38 granted,
    1 refused as internal affairs, 4 not held; review 5 (4 corrected), one suit after review
    still pending."""
    return indicators_of({"yuhong": parse_report(seed("003_"))}).loc["yuhong"]


@pytest.mark.parametrize(
    ("indicator", "numerator", "denominator", "value"),
    [
        ("requests_received", 43, None, 43),
        ("requests_on_hand", 43, None, 43),
        ("carry_forward_rate", 0, 43, 0.0),
        ("disclosure_rate", 38, 43, 38 / 43),
        ("full_grant_rate", 38, 43, 38 / 43),
        ("refusal_rate", 1, 43, 1 / 43),
        ("cannot_provide_rate", 4, 43, 4 / 43),
        ("not_held_share", 4, 4, 1.0),
        ("not_processed_rate", 0, 43, 0.0),
        ("other_handling_rate", 0, 43, 0.0),
        ("refusal_mix_internal_affairs", 1, 1, 1.0),
        ("applicant_share_natural_person", 41, 43, 41 / 43),
        ("applicant_share_commercial", 2, 43, 2 / 43),
        ("review_correction_rate", 4, 5, 0.8),
        ("litigation_correction_rate", 0, 1, 0.0),
        ("combined_correction_rate", 4, 6, 4 / 6),
        ("dispute_rate", 6, 43, 6 / 43),
    ],
)
def test_hand_computed(yuhong: pd.DataFrame, indicator: str, numerator: float,
                       denominator: float | None, value: float) -> None:
    row = yuhong.loc[indicator]
    assert row["numerator"] == numerator
    if denominator is None:
        assert math.isnan(row["denominator"])
    else:
        assert row["denominator"] == denominator
    assert row["value"] == pytest.approx(value)


def test_small_counts_are_marked(yuhong: pd.DataFrame) -> None:
    assert bool(yuhong.loc["review_correction_rate", "is_small"])
    assert not bool(yuhong.loc["disclosure_rate", "is_small"])


def test_no_requests_gives_null_rate_not_zero() -> None:
    """Seed 004 (海勃湾区发改委 2021): no requests at all."""
    table = indicators_of({"fgw": parse_report(seed("004_"))}).loc["fgw"]
    assert table.loc["requests_received", "value"] == 0
    assert math.isnan(table.loc["disclosure_rate", "value"])
    assert math.isnan(table.loc["review_correction_rate", "value"])


def test_blank_cell_makes_the_sum_null_not_zero() -> None:
    report = parse_report(seed("003_"))
    facts = report.facts.assign(report_id="r")
    blanked = facts["key"] == "requests.partial.total"
    facts.loc[blanked, "value"] = None
    facts.loc[blanked, "flag"] = "blank"
    wide = with_presence(wide_values(facts), facts)
    table = report_indicators(wide).set_index("indicator")
    assert math.isnan(table.loc["disclosure_rate", "value"])
    assert table.loc["full_grant_rate", "value"] == pytest.approx(38 / 43)


def test_2019_and_2021_other_rows_in_one_series() -> None:
    """A 2019-template report has `other`, a 2021 one `other_*`: both feed other_handling_rate."""
    reports = {"y2019": parse_report(seed("000_")), "y2022": parse_report(seed("gh_005"))}
    table = indicators_of(reports)
    assert table.loc[("y2019", "other_handling_rate"), "numerator"] == 0
    assert table.loc[("y2022", "other_handling_rate"), "numerator"] == 4
    assert table.loc[("y2022", "other_handling_rate"), "denominator"] == 75


def test_region_sums_counts_before_dividing() -> None:
    reports = {"a": parse_report(seed("000_")), "b": parse_report(seed("003_"))}
    facts = facts_of(reports)
    wide = with_presence(wide_values(facts), facts)
    meta = pd.DataFrame([
        {"report_id": "a", "year": 2019, "adcode": "150300", "level": "city", "city": "乌海市",
         "province": "内蒙古自治区", "agency_kind": "government", "body_id": "x"},
        {"report_id": "b", "year": 2019, "adcode": "150302", "level": "county", "city": "乌海市",
         "province": "内蒙古自治区", "agency_kind": "government", "body_id": "y"},
    ])
    table = region_indicators(wide, meta, level="province").set_index("indicator")
    row = table.loc["disclosure_rate"]
    assert (row["numerator"], row["denominator"]) == (0 + 38, 18 + 43)
    assert row["value"] == pytest.approx(38 / 61)
    assert row["n_reports"] == 2 and row["n_bodies"] == 2


def test_publication_timeliness() -> None:
    frame = pd.DataFrame({"published": ["2020-03-09", "2021-04-02", None],
                          "year": [2019, 2020, 2020],
                          "agency_kind": ["government", "government", "government"]})
    days = publication_timeliness(frame)
    assert days.iloc[0] == -22 and days.iloc[1] == 2 and pd.isna(days.iloc[2])


@pytest.mark.parametrize(("kind", "level", "deadline", "days"), [
    pytest.param("department", "county", "2022-01-31", 29, id="department-late"),
    pytest.param("government", "county", "2022-03-31", -30, id="government-early"),
    pytest.param("government", "township", "2022-03-31", -30, id="township-as-government"),
    pytest.param(None, "county", None, None, id="unknown-kind"),
])
def test_deadline_depends_on_the_kind_of_body(kind: str | None, level: str,
                                              deadline: str | None, days: int | None) -> None:
    """条例 第四十九条: a department publishes by 31 January, a government by 31 March; a
    township, which it does not name, is held to 31 March. Published 1 March 2022."""
    frame = pd.DataFrame({"published": ["2022-03-01"], "year": [2021], "agency_kind": [kind],
                          "level": [level]})
    due = publication_deadline(frame).iloc[0]
    got = publication_timeliness(frame).iloc[0]
    if deadline is None:
        assert pd.isna(due) and pd.isna(got)
    else:
        assert due == pd.Timestamp(deadline) and got == days


def test_usable_needs_a_usable_status_and_half_the_template_read() -> None:
    reports = pd.DataFrame({
        "report_id": ["full", "cut", "unknown", "failed", "digits"],
        "status": ["ok", "partial", "partial", "failed", "ok"],
        "template": ["2019", "2021", "unknown", "2019", "2019"]})
    read = pd.Series({"full": 191, "cut": 59, "unknown": 0, "digits": 22})
    verdict = usability(reports, read).set_index(reports["report_id"])
    assert verdict.loc["full", "share_read"] == pytest.approx(191 / 198)
    assert verdict.loc["cut", "share_read"] == pytest.approx(59 / 200)
    assert list(verdict["is_usable"]) == [True, False, False, False, False]
    assert list(verdict["unusable_reason"].fillna("")) == [
        "", "too_little_read", "too_little_read", "failed", "too_little_read"]
    assert USABLE_MIN_SHARE_READ == 0.5


def test_body_mix_names_levels_and_kinds() -> None:
    frame = pd.DataFrame({"level": ["county", "city", "county", None],
                          "agency_kind": ["department", "government", "department", "government"]})
    assert body_mix(frame) == "市级人民政府 1、县级政府部门 2、其他机关 1"


def test_every_indicator_is_declared_with_a_label() -> None:
    assert len(BY_NAME) == len(INDICATORS)
    assert all(i.label and i.numerator for i in INDICATORS)
