"""Changes between years are like for like: over the bodies that reported both years.

Stores built from real seed files (tests/conftest.py): 乌海市 with its government's 2019
report and a district government's 2020 one (no body in common: no change, ever), and the
same with the government's own 2020 report added (a change over that one body, said so).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.analysis.corpus import load
from toolkit.analysis.indicators import matched_change, region_code


def row(frame: pd.DataFrame, year: int) -> pd.Series:
    return frame.set_index("year").loc[year]


def test_two_different_bodies_in_consecutive_years_give_no_change(disjoint_store: Path) -> None:
    corpus = load(disjoint_store)
    assert sorted(corpus.reports["agency"]) == ["乌海市人民政府", "乌海市海勃湾区人民政府"]
    for name in ("requests_received", "disclosure_rate"):
        series = corpus.series("150300", name)
        assert list(series["year"]) == [2019, 2020]
        later = row(series, 2020)
        assert later["n_bodies_matched"] == 0
        assert np.isnan(later["yoy_pct"]) and np.isnan(later["change_pp"])
        assert np.isnan(later["value_matched"]) and np.isnan(later["value_prev_matched"])
        # the all-bodies figure is still there, with the turnover that makes it incomparable
        assert later["n_bodies_entered"] == 1 and later["n_bodies_left"] == 1
    assert row(corpus.series("150300", "requests_received"), 2020)["value"] == 43


def test_a_change_is_over_the_bodies_of_both_years_and_says_how_many(
        one_matched_store: Path) -> None:
    corpus = load(one_matched_store)
    series = corpus.series("150300", "requests_received")
    later = row(series, 2020)
    assert later["value"] == 18 + 43 and later["n_bodies"] == 2  # everyone, this year
    assert later["n_bodies_matched"] == 1  # 乌海市人民政府 alone reported both years
    assert (later["value_prev_matched"], later["value_matched"]) == (18, 18)
    assert later["yoy_pct"] == 0  # not (61 - 18) / 18: the district is not in 2019
    assert later["n_bodies_entered"] == 1 and later["n_bodies_left"] == 0
    rate = row(corpus.series("150300", "disclosure_rate"), 2020)
    assert rate["n_bodies_matched"] == 1 and rate["change_pp"] == 0
    assert rate["value"] == pytest.approx(38 / 61)  # 0/18 + 38/43 summed, all bodies


def test_matched_change_sums_only_known_figures_of_matched_bodies() -> None:
    """Hand-made: body a both years, b only 2020, c both years but its 2019 rate unknown."""
    reports = pd.DataFrame({
        "report_id": ["a19", "a20", "b20", "c19", "c20"],
        "body_id": ["a", "a", "b", "c", "c"], "year": [2019, 2020, 2020, 2019, 2020],
        "region": "150300"})
    numerators = pd.DataFrame({"requests_received": [10, 15, 100, 5, 6],
                               "disclosure_rate": [4, 6, 50, np.nan, 3]},
                              index=reports["report_id"])
    denominators = pd.DataFrame({"requests_received": np.nan,
                                 "disclosure_rate": [10, 12, 100, np.nan, 6]},
                                index=reports["report_id"])
    out = matched_change(reports, (numerators, denominators)).set_index("indicator")
    counts = out.loc["requests_received"]
    assert counts["n_bodies_matched"] == 2
    assert (counts["numerator_prev_matched"], counts["numerator_matched"]) == (15, 21)
    rates = out.loc["disclosure_rate"]
    assert rates["n_bodies_matched"] == 1  # c's 2019 rate is unknown
    assert (rates["numerator_prev_matched"], rates["denominator_prev_matched"]) == (4, 10)
    assert (rates["numerator_matched"], rates["denominator_matched"]) == (6, 12)


def test_the_bundled_body_over_seven_years_is_matched_every_year(bundled_corpus: Path) -> None:
    corpus = load(bundled_corpus)
    series = corpus.series("350128", "requests_received")
    assert list(series["year"]) == list(range(2019, 2026))
    assert list(series["n_bodies_matched"]) == [0, 1, 1, 1, 1, 1, 1]
    assert row(series, 2021)["yoy_pct"] == pytest.approx((70 - 21) / 21 * 100)
    # one body throughout: the matched figures are the figures
    later = series[series["year"] > 2019]
    assert (later["value_matched"] == later["value"]).all()


def test_tiers_split_a_region_into_its_own_level_and_below(bundled_corpus: Path) -> None:
    corpus = load(bundled_corpus)
    everything = corpus.series("150300", "requests_received")
    own = corpus.series("150300", "requests_received", tier="own")
    below = corpus.series("150300", "requests_received", tier="below")
    assert list(own["year"]) == [2019] and list(own["body_mix"]) == ["市级人民政府 1"]
    assert list(below["year"]) == [2021] and list(below["body_mix"]) == ["县级政府部门 1"]
    assert list(everything["body_mix"]) == ["市级人民政府 1", "县级政府部门 1"]
    # a province made of one district government says so
    assert list(corpus.series("210000", "disclosure_rate")["body_mix"]) == ["县级人民政府 1"]
    assert corpus.series("210000", "disclosure_rate", tier="own").empty
    codes = region_code(corpus.reports, "city")
    assert set(codes.dropna()) >= {"150300"}


def test_unusable_reports_are_named_and_kept_out_of_the_figures(unreadable_store: Path) -> None:
    corpus = load(unreadable_store)
    screened = corpus.screened.set_index(corpus.screened["path"].map(lambda p: Path(p).name))
    assert screened.loc["yuhong_2020_cut_from_seed_003.txt", "unusable_reason"] == \
        "too_little_read"
    assert screened.loc["003_91a4c20e6918bacb.txt", "is_usable"]
    assert list(corpus.reports["year"]) == [2019]
    assert list(corpus.series("210114", "requests_received")["year"]) == [2019]
    assert len(corpus.unusable_in("210114")) == 1
    tree = corpus.region_tree().set_index("adcode")
    assert (tree.loc["511381", "n_reports"], tree.loc["511381", "n_reports_unusable"]) == (0, 1)
    assert tree.loc["511381", "years"] == ""
