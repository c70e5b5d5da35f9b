"""The year-over-year comparison: planted reuse, changes and breaks are found; the real
seven-year series of 平潭 compares year by year as the cross-report checks say; bad requests
are refused with a message."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import corpus_dirs
from toolkit.analysis.compare import (
    CompareError,
    Side,
    body_reports,
    compare_in_store,
    compare_sides,
    reuse_shares,
    section_pairs,
    sentence_reuse,
    split_sentences,
)
from toolkit.analysis.corpus import Corpus, load
from toolkit.analysis.crosscheck import cross_checks
from toolkit.dev.synth import render
from toolkit.dev.synth_pair import (
    CARRY_BREAK,
    CARRY_DELTA,
    STOCK_BREAK,
    STOCK_DELTA,
    PlantedPair,
    body_pair,
)
from toolkit.parse.normalise import normalise_text
from toolkit.store import ingest

PINGTAN = [f"ht_{year}.html" for year in range(2019, 2026)]


# ------------------------------------------------------------------ pure pieces

def test_sentences_are_cut_after_each_stop_and_line() -> None:
    assert split_sentences("甲乙丙。丁戊;己\n庚辛!") == ["甲乙丙。", "丁戊;", "己", "庚辛!"]


def test_a_sentence_copied_with_new_numbers_is_reused_and_a_new_one_is_not() -> None:
    earlier = "本年度共受理申请81件,全部按期办结。我们加强了培训工作,提升了业务水平。"
    later = "本年度共受理申请218件,全部按期办结。今年首次开展政府开放日活动,邀请群众走进机关。无。"
    found = sentence_reuse(earlier, later)
    assert [s.reused for s in found] == [True, False, None]  # 无。 is too short to judge
    assert found[0].similarity == 1.0


def test_shares_count_characters_of_judged_sentences() -> None:
    pairs = section_pairs({"overview": "甲乙丙丁戊己庚。子丑寅卯辰巳午。"},
                          {"overview": "甲乙丙丁戊己庚。天地玄黄宇宙洪荒日月盈昃。", "problems": "短。"})
    shares = reuse_shares(pairs)
    assert shares["overview"] == round(8 / (8 + 13), 4)  # characters with their stops
    assert shares["problems"] is None  # nothing long enough to judge
    assert shares["prose"] == shares["overview"] == shares["all"]


def test_years_must_go_forward() -> None:
    side = Side({"report_id": "a", "year": 2024}, "", pd.DataFrame(), pd.DataFrame())
    other = Side({"report_id": "b", "year": 2023}, "", pd.DataFrame(), pd.DataFrame())
    with pytest.raises(CompareError, match="years reversed"):
        compare_sides(side, other)


# ------------------------------------------------------------------ two generated years

@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlantedPair, Corpus]:
    pair = body_pair(seed=3, year=2022)
    root = tmp_path_factory.mktemp("pair")
    for report in (pair.earlier, pair.later):
        (root / f"{report.year}.html").write_text(str(render(report, "html")), encoding="utf-8")
    ingest(root, root / "store", workers=1, progress=False)
    return pair, load(root / "store")


def _body(corpus: Corpus) -> str:
    bodies = corpus.reports["body_id"].dropna().unique()
    assert len(bodies) == 1, "both generated years must be one body"
    return str(bodies[0])


def test_planted_reuse_is_highlighted_and_new_prose_is_not(planted: tuple[PlantedPair, Corpus]
                                                           ) -> None:
    pair, corpus = planted
    comparison = compare_in_store(corpus, _body(corpus), 2021, 2022)
    sentences = {normalise_text(s.text): s for p in comparison.sections for s in p.sentences_to
                 if p.key in ("overview", "problems")}
    for text in pair.reused_sentences:
        assert sentences[normalise_text(text)].reused is True, text
    for text in pair.new_sentences:
        assert sentences[normalise_text(text)].reused is False, text
    shares = comparison.shares
    assert shares["problems"] == 0.0
    assert shares["other"] == 1.0
    assert 0 < shares["overview"] < 1  # type: ignore[operator]
    assert 0 < shares["prose"] < 1  # type: ignore[operator]


def test_every_value_and_its_change_is_the_generated_one(planted: tuple[PlantedPair, Corpus]
                                                         ) -> None:
    pair, corpus = planted
    changes = compare_in_store(corpus, _body(corpus), 2021, 2022).changes.set_index("key")
    keys = set(pair.earlier.values) & set(pair.later.values)
    assert keys <= set(changes.index)
    changed = 0
    for key in keys:
        before, after = pair.earlier.values[key], pair.later.values[key]
        row = changes.loc[key]
        assert row["value_from"] == pytest.approx(before) and row["value_to"] == pytest.approx(after)
        assert row["change"] == pytest.approx(after - before)
        assert bool(row["is_changed"]) == (before != after)
        changed += before != after
    assert changed > 10


def test_the_planted_carry_over_and_stock_breaks_fail_and_nothing_else(
        planted: tuple[PlantedPair, Corpus]) -> None:
    _, corpus = planted
    comparison = compare_in_store(corpus, _body(corpus), 2021, 2022)
    carry = comparison.carry_forward.set_index("column")
    failing = set(carry.index[carry["status"] == "fail"])
    assert failing == {CARRY_BREAK, "total"}
    assert carry.loc[CARRY_BREAK, "difference"] == CARRY_DELTA
    assert (carry.drop(index=[CARRY_BREAK, "total"])["status"] == "pass").all()
    stock = comparison.stock_balance.set_index("row")
    assert stock.loc[STOCK_BREAK, "status"] == "fail"
    assert stock.loc[STOCK_BREAK, "balance"] == STOCK_DELTA
    assert (stock.drop(index=[STOCK_BREAK])["status"] == "pass").all()


def test_both_years_checks_come_with_their_sentences(planted: tuple[PlantedPair, Corpus]
                                                     ) -> None:
    _, corpus = planted
    comparison = compare_in_store(corpus, _body(corpus), 2021, 2022)
    for side in (comparison.earlier, comparison.later):
        prose = side.checks[side.checks["check"] == "text_vs_table"]
        assert len(prose) >= 5 and prose["sentence"].notna().all()
        assert set(side.checks["check"]) >= {"balance", "outcomes", "row_total"}


# ------------------------------------------------------------------ the real series

@pytest.fixture(scope="module")
def pingtan(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("pingtan")
    dev = corpus_dirs()[1]
    for name in PINGTAN:
        (root / name).write_bytes((dev / name).read_bytes())
    ingest(root, root / "store", workers=1, progress=False)
    return load(root / "store")


def test_the_seven_years_compare_year_by_year_as_the_cross_checks_say(pingtan: Corpus) -> None:
    body = _body(pingtan)
    assert list(body_reports(pingtan, body)["year"]) == list(range(2019, 2026))
    checks = cross_checks(pingtan)
    for year in range(2019, 2025):
        comparison = compare_in_store(pingtan, body, year, year + 1)
        pair = checks["carry_forward"][checks["carry_forward"]["year_from"] == year]
        pd.testing.assert_frame_equal(comparison.carry_forward.reset_index(drop=True),
                                      pair.reset_index(drop=True))
        stock = checks["regulation_stock"][checks["regulation_stock"]["year_from"] == year]
        pd.testing.assert_frame_equal(comparison.stock_balance.reset_index(drop=True),
                                      stock.reset_index(drop=True))
        copied = checks["copied_prose"][checks["copied_prose"]["year_from"] == year]
        for row in copied.itertuples():
            mine = next(p for p in comparison.sections if p.key == row.section)
            if pd.isna(row.similarity):
                continue
            assert mine.similarity == pytest.approx(row.similarity, abs=1e-4), (year, row.section)
        shares = comparison.shares
        assert all(v is None or 0.0 <= v <= 1.0 for v in shares.values())
        assert comparison.changes["is_changed"].any(), year
        assert len(comparison.earlier.checks) and len(comparison.later.checks)


def test_a_gap_between_years_has_no_cross_year_rows(pingtan: Corpus) -> None:
    comparison = compare_in_store(pingtan, _body(pingtan), 2019, 2025)
    assert not comparison.is_consecutive
    assert comparison.carry_forward.empty and comparison.stock_balance.empty
    assert comparison.changes["is_changed"].any()


def test_an_adcode_with_a_kind_names_the_body(pingtan: Corpus) -> None:
    assert list(body_reports(pingtan, "350128", "government")["body_id"].unique()) == [
        _body(pingtan)]


@pytest.mark.parametrize(("body", "years", "message"), [
    pytest.param("no-such-body", (2023, 2024), "unknown body", id="unknown-body"),
    pytest.param("350128", (2023, 2024), "no usable report of a department body",
                 id="adcode-without-such-kind"),
    pytest.param(None, (2024, 2023), "years reversed", id="reversed"),
    pytest.param(None, (2024, 2024), "two different years", id="same-year"),
    pytest.param(None, (2017, 2024), "no usable report for 2017", id="missing-year"),
])
def test_bad_requests_say_what_to_give(pingtan: Corpus, body: str | None,
                                       years: tuple[int, int], message: str) -> None:
    kind = "department" if body == "350128" else None
    with pytest.raises(CompareError, match=message):
        compare_in_store(pingtan, body or _body(pingtan), *years, kind=kind)


def test_a_body_with_one_year_has_nothing_to_compare(tmp_path: Path) -> None:
    dev = corpus_dirs()[1]
    (tmp_path / "ht_2024.html").write_bytes((dev / "ht_2024.html").read_bytes())
    ingest(tmp_path, tmp_path / "store", workers=1, progress=False)
    corpus = load(tmp_path / "store")
    with pytest.raises(CompareError, match="one year only"):
        compare_in_store(corpus, _body(corpus), 2023, 2024)
