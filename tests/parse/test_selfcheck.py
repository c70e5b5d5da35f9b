"""The parse checks itself against the prose: a slip becomes ambiguous, never wrong, and
never the prose's number."""
from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from toolkit.dev import synth
from toolkit.dev.variants import Variant
from toolkit.parse import parse_text
from toolkit.parse.prose import check_statements, find_statements
from toolkit.parse.report import Fact
from toolkit.parse.selfcheck import self_check
from toolkit.spec.prose import load_prose
from toolkit.spec.template import load_template

TEXT_LAYOUTS = ("lines", "paragraphs", "pipes", "pipe_cells", "markdown", "html", "converter_md")


def _facts(rows: dict[str, list[int]]) -> dict[str, Fact]:
    columns = load_template().request_columns
    return {f"requests.{row}.{column}": Fact("requests", row, column, value, None, row,
                                              str(value), 0)
            for row, numbers in rows.items() for column, value in zip(columns, numbers,
                                                                       strict=True)}


def _run(prose: str, rows: dict[str, list[int]]) -> tuple[dict[str, Fact], list[str]]:
    by_key = _facts(rows)
    values = {k: f.value for k, f in by_key.items()}
    statements = find_statements(prose, load_prose(), 2020)
    checks = check_statements(statements, values, "2019")
    return by_key, self_check(by_key, values, statements, checks, "2019", load_template())


ROWS = {"new_received": [5, 0, 0, 0, 0, 0, 5], "carried_over": [1, 0, 0, 0, 0, 0, 1],
        "granted": [3, 0, 0, 0, 0, 0, 3], "partial": [2, 0, 0, 0, 0, 0, 2],
        "denied_state_secret": [0, 0, 0, 0, 0, 0, 0]}


def test_swapped_rows_become_ambiguous() -> None:
    """The prose says 予以公开3件,部分公开2件; the table has them the other way round."""
    swapped = {**ROWS, "granted": ROWS["partial"], "partial": ROWS["granted"]}
    by_key, notes = _run("办理政府信息公开申请中,予以公开3件,部分公开2件。", swapped)
    for row in ("granted", "partial"):
        assert {by_key[f"requests.{row}.{c}"].flag for c in ("natural_person", "total")} == {
            "ambiguous"}
        assert by_key[f"requests.{row}.total"].value is None
    assert by_key["requests.new_received.total"].value == 5
    assert len(notes) == 1 and "rows shifted or swapped" in notes[0]


def test_a_dropped_column_makes_the_row_ambiguous() -> None:
    """The row's numbers moved one column: the total sits under the last organisation."""
    moved = {**ROWS, "granted": [0, 0, 0, 0, 0, 3, 0]}
    by_key, notes = _run("办理政府信息公开申请中,予以公开3件。", moved)
    assert {by_key[f"requests.granted.{c}"].value for c in load_template().request_columns} == {
        None}
    assert by_key["requests.partial.total"].value == 2
    assert "a column dropped" in notes[0]


def _lost_total(prose: str, carried_over: list[int]) -> tuple[dict[str, Fact], list[str]]:
    """carried_over read as `carried_over`, its last columns and total lost (a page cut)."""
    by_key = _facts({**ROWS, "carried_over": [*carried_over, 0, 0, 0][:7]})
    for column in load_template().request_columns[len(carried_over):]:
        key = f"requests.carried_over.{column}"
        by_key[key] = by_key[key]._replace(value=None, flag="missing")
    values = {k: f.value for k, f in by_key.items()}
    statements = find_statements(prose, load_prose(), 2020)
    checks = check_statements(statements, values, "2019")
    return by_key, self_check(by_key, values, statements, checks, "2019", load_template())


def test_parts_read_beyond_a_claimed_total_the_table_lost_become_ambiguous() -> None:
    """上年结转0件, and the row under that label reads 3008 0 0 0 before the page ends:
    another row's numbers slipped under it. A claim of 0 bounds the parts too."""
    by_key, notes = _lost_total("本年度共新收政府信息公开申请3159件,上年结转0件。",
                                [3008, 0, 0, 0])
    for column in ("natural_person", "commercial", "research", "social_org"):
        fact = by_key[f"requests.carried_over.{column}"]
        assert fact.value is None and fact.flag == "ambiguous"
    assert by_key["requests.new_received.total"].value == 5
    assert len(notes) == 1 and "add up to 3008" in notes[0]


def test_parts_read_within_a_claimed_total_the_table_lost_stay() -> None:
    by_key, notes = _lost_total("本年度共新收政府信息公开申请5件,上年结转3件。", [2, 1, 0, 0])
    assert [by_key[f"requests.carried_over.{c}"].value
            for c in ("natural_person", "commercial", "research", "social_org")] == [2, 1, 0, 0]
    assert notes == []


@pytest.mark.parametrize("prose", [
    pytest.param("办理政府信息公开申请中,予以公开4件。", id="the-publisher-disagrees"),
    pytest.param("办理政府信息公开申请中,予以公开0件。", id="a-zero-claim"),
    pytest.param("本年度新收政府信息公开申请5件。", id="agreement"),
])
def test_other_disagreements_change_nothing(prose: str) -> None:
    by_key, notes = _run(prose, ROWS)
    assert notes == [] and {k: f.value for k, f in by_key.items()} == {
        k: f.value for k, f in _facts(ROWS).items()}


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_a_shifted_row_is_ambiguous_not_wrong(layout: str) -> None:
    """新收's numbers printed under 上年结转's label (whose own are lost): without the prose
    上年结转 would read 新收's numbers; the prose's 新收…N件 sits there, so both rows are
    ambiguous, and every other value exact."""
    if layout == "html":
        pytest.importorskip("toolkit.read")

    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(min_value=0, max_value=2**32 - 1),
           version=st.sampled_from(("2019", "2021")))
    def check(seed: int, version: str) -> None:
        report = synth.random_report(random.Random(seed), version)
        assume(report.values["requests.new_received.total"] != 0)
        variant = Variant(shift_row="requests.new_received")
        content = synth.render(report, layout, variant)
        assert isinstance(content, str)
        if layout == "html":
            from toolkit.read import html_to_text

            content = html_to_text(content)
        parsed = parse_text(content)
        values, _, lost = synth.expected(report, variant)
        got, flags = parsed.values(), parsed.flags()
        assert {k: got[k] for k in values if k not in lost} == {
            k: v for k, v in values.items() if k not in lost}
        assert {k: (got[k], flags[k]) for k in lost if got[k] is not None} == {}
        assert any("self-check" in note for note in parsed.notes)

    check()
