"""The spec's cell-value rules, one row per rule, plus the cutting of run-together digits."""
from __future__ import annotations

import pytest

from toolkit.parse.values import parse_cell, search_cuts, split_candidates


@pytest.mark.parametrize(
    ("raw", "unit", "value", "flag"),
    [
        pytest.param("18", None, 18, None, id="plain"),
        pytest.param("１８", None, 18, None, id="full-width"),
        pytest.param("1,401", None, 1401, None, id="thousands"),
        pytest.param("+215", None, 215, None, id="plus"),
        pytest.param("增5", None, 5, None, id="zeng"),
        pytest.param("增加5", None, 5, None, id="zengjia"),
        pytest.param("-1442", None, -1442, None, id="minus"),
        pytest.param("减7", None, -7, None, id="jian"),
        pytest.param("减少7", None, -7, None, id="jianshao"),
        pytest.param("37.81亿", "万元", 378100, None, id="yi"),
        pytest.param("1.8亿元", "万元", 18000, None, id="yiyuan"),
        pytest.param("10057.84万元", "万元", 10057.84, None, id="wanyuan"),
        pytest.param("49.1400", "万元", 49.14, None, id="trailing-zeros"),
        pytest.param("251000元", "万元", 25.1, None, id="yuan"),
        pytest.param("", None, None, "blank", id="empty"),
        pytest.param("\u3000", None, None, "blank", id="ideographic-space"),
        pytest.param("*", None, None, "redacted", id="star"),
        pytest.param("**", None, None, "redacted", id="stars"),
        pytest.param("(略)", None, None, "redacted", id="lve"),
        pytest.param("（略）", None, None, "redacted", id="lve-full-width"),
        pytest.param("/", None, None, "not_applicable", id="slash"),
        pytest.param("—", None, None, "not_applicable", id="dash"),
        pytest.param("-", None, None, "not_applicable", id="hyphen"),
        pytest.param("无", None, 0, "word_zero", id="wu"),
        pytest.param("约十件", None, None, "ambiguous", id="words"),
    ],
)
def test_parse_cell(raw: str, unit: str | None, value: float | None, flag: str | None) -> None:
    assert parse_cell(raw, unit) == (value, flag)


def test_single_digits_cut_one_way() -> None:
    assert split_candidates(["2000002"], 7) == [("2", "0", "0", "0", "0", "0", "2")]


def test_row_total_decides_the_cut() -> None:
    def total_is_sum(cells: tuple[str, ...]) -> bool:
        numbers = [int(c) for c in cells]
        return sum(numbers[:6]) == numbers[6]

    assert split_candidates(["713000074"], 7, total_is_sum) == [("71", "3", "0", "0", "0", "0", "74")]


def test_no_leading_zeros() -> None:
    assert all(not (c.startswith("0") and len(c) > 1) for cut in split_candidates(["10203"], 3)
               for c in cut)


def test_several_cuts_are_all_returned() -> None:
    cuts = split_candidates(["8855698"], 3)
    assert ("88", "55", "698") in cuts and len(cuts) > 1


def test_sign_stays_with_its_cell() -> None:
    cuts = split_candidates(["2648", "-18538"], 3, lambda c: not c[2].startswith("-"))
    assert {cut[0] for cut in cuts} == {"2648"}
    assert all(cut[1].startswith("-") for cut in cuts)


def test_too_many_tokens_is_no_candidate() -> None:
    assert split_candidates(["1", "2", "3"], 2) == []


def test_long_runs_are_refused_without_a_search() -> None:
    # Six 40-digit runs in a 7-column row: no piece may exceed MAX_DIGITS_PER_CELL, so no
    # cut exists; once this enumerated every run's cut points and took hours.
    cuts = search_cuts(["1" + "2" * 39] * 6, 7)
    assert cuts.complete and cuts.readings == []


def test_too_many_readings_is_no_reading() -> None:
    cuts = search_cuts(["1" * 60], 20, max_steps=10**9, max_readings=100)
    assert not cuts.complete and cuts.reason and "more than 100 readings" in cuts.reason
    assert split_candidates(["1" * 60], 20) == []


def test_the_search_stops_after_its_steps() -> None:
    cuts = search_cuts(["1" * 60], 20, max_steps=1000)
    assert not cuts.complete and cuts.reason and "1000 cells tried" in cuts.reason


def test_a_rule_prunes_as_the_cells_are_cut() -> None:
    tried: list[tuple[str, ...]] = []

    class TotalFirst:
        def __call__(self, cells: tuple[str, ...]) -> bool:
            return int(cells[0]) == sum(int(c) for c in cells[1:])

        def viable(self, first: tuple[str, ...]) -> bool:
            tried.append(first)
            return int(first[0]) >= sum(int(c) for c in first[1:])

    assert split_candidates(["41111"], 4, TotalFirst()) == []
    assert split_candidates(["4112"], 4, TotalFirst()) == [("4", "1", "1", "2")]
    assert ("4", "11") in tried and ("4", "11", "1") not in tried


def test_a_row_beyond_the_search_is_ambiguous_with_a_reason() -> None:
    from toolkit.parse.tables import resolve_cells
    from toolkit.parse.tokens import VALUE, Token

    notes: list[str] = []
    resolved = resolve_cells([Token(VALUE, "1" * 60, 5)], 20, False, notes=notes)
    assert resolved == [(None, "ambiguous")] * 20
    assert len(notes) == 1 and "stopped" in notes[0] and "at 5" in notes[0]
