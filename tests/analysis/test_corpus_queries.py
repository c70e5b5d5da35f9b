"""The query layer (`toolkit.analysis.corpus`) on the bundled corpus: regions, series, peers,
composition and the reports behind a figure agree with each other and with the numbers."""
from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import BUNDLED
from toolkit.analysis.corpus import Corpus, load
from toolkit.store import ingest


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("store")
    ingest(BUNDLED, out, workers=1, progress=False)
    return load(out)


def test_regions_know_their_parents(corpus: Corpus) -> None:
    assert corpus.region("150300").parent == "150000"
    assert corpus.region("150302").parent == "150300"
    assert corpus.region("150000").parent is None
    with pytest.raises(KeyError, match="no reports for region 999999"):
        corpus.region("999999")


def test_series_is_the_hand_computed_rate(corpus: Corpus) -> None:
    # seed 003 (沈阳市于洪区人民政府, 2019): 38 granted + partial of 43 handled
    series = corpus.series("210000", "disclosure_rate")
    row = series[series["year"] == 2019].iloc[0]
    assert (row["numerator"], row["denominator"]) == (38, 43)
    assert row["value"] == pytest.approx(38 / 43)
    with pytest.raises(KeyError, match="unknown indicator"):
        corpus.series("210000", "no_such_indicator")


def test_series_sums_the_reports_behind_it(corpus: Corpus) -> None:
    per_report = corpus.indicators()
    per_report = per_report[per_report["indicator"] == "requests_received"]
    for code in ("150000", "150300", "150302"):
        mine = per_report[per_report["report_id"].isin(corpus.reports_in(code)["report_id"])]
        by_year = mine.groupby("year")["numerator"].sum(min_count=1).dropna()
        series = corpus.series(code, "requests_received").set_index("year")["numerator"]
        assert {int(y): v for y, v in by_year.items()} == {int(y): v for y, v in series.items()}


def test_peers_of_a_province_are_the_other_provinces(corpus: Corpus) -> None:
    peers = corpus.peers("210000", "requests_received", 2019)
    assert peers["is_selected"].sum() == 1
    assert len(peers) > 1
    assert set(peers["region"]) <= set(corpus.children(None)["adcode"])
    assert "辽宁省" in set(peers["name"])


def test_peers_under_the_same_parent_or_the_whole_level(corpus: Corpus) -> None:
    same = corpus.peers("150302", "requests_received", 2019)
    level = corpus.peers("150302", "requests_received", 2019, same_parent=False)
    assert set(same["region"]) <= set(corpus.children("150300")["adcode"])
    assert set(same["region"]) < set(level["region"])
    assert corpus.peers("150302", "requests_received", 1990).empty


def test_composition_shares_add_up_and_counts_match_the_rollup(corpus: Corpus) -> None:
    frame = corpus.composition("210000", "outcomes")
    assert not frame.empty
    for _, year in frame.groupby("year"):
        assert year["share"].sum() == pytest.approx(1.0)
    rollup = corpus.rollup("province").loc[[("210000", "outcome_granted")]]
    assert frame.loc[frame["indicator"] == "outcome_granted", "count"].tolist() == \
        rollup["numerator"].tolist()
    with pytest.raises(KeyError, match="unknown group"):
        corpus.composition("210000", "nope")


def test_reports_in_follows_level_kind_and_years(corpus: Corpus) -> None:
    province = corpus.reports_in("150000")
    assert (province["province"] == "内蒙古自治区").all()
    assert len(province) == int(corpus.region_tree().set_index("adcode").loc["150000", "n_reports"])
    governments = corpus.reports_in("150000", kind="government")
    assert (governments["agency_kind"] == "government").all()
    assert corpus.reports_in("150000", years=(1990, 1991)).empty
    assert np.isin(["share_blank", "checks_failed"], province.columns).all()
