"""Fuzz the digit splitter and the tokenizer: any input ends, quickly, with a sane answer.

Hypothesis's `deadline` is the time bound per example (generous: a shared machine); an
example past it fails the test, so an input that makes either function blow up is found
and shrunk to its smallest form.
"""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.parse.tables import sum_rule
from toolkit.parse.tokens import tokenize
from toolkit.parse.values import MAX_CUT_STEPS, MAX_DIGITS_PER_CELL, search_cuts

BOUND = settings(max_examples=150, deadline=timedelta(seconds=3), derandomize=True)
SIGNED_RUNS = st.lists(st.tuples(st.sampled_from(["", "", "-", "+"]),
                                 st.text("0123456789", min_size=1, max_size=60)
                                 ).map("".join), min_size=1, max_size=8)


@BOUND
@given(tokens=SIGNED_RUNS, extra=st.integers(0, 20), ruled=st.booleans())
def test_every_cut_reads_back_the_digits(tokens: list[str], extra: int, ruled: bool) -> None:
    width = len(tokens) + extra
    rule = sum_rule(list(range(1, width)), 0) if ruled else None
    cuts = search_cuts(tokens, width, rule)
    assert cuts.complete == (cuts.reason is None)
    assert cuts.steps <= MAX_CUT_STEPS + 1
    for cut in cuts.readings:
        assert len(cut) == width
        assert "".join(cut) == "".join(tokens)
        for cell in cut:
            digits = cell.lstrip("+-")
            assert digits and (digits == "0" or digits[0] != "0" or cell in tokens)
            assert len(digits) <= MAX_DIGITS_PER_CELL or cell in tokens
        if rule is not None:
            assert rule(cut)


TEXT = st.lists(st.sampled_from([*"0123456789 |\n\t-+.,，、（）()一二三件万元*/无略<>",
                                 "收到", "申请", "本年新收"]), max_size=300).map("".join)


@BOUND
@given(text=TEXT, base=st.integers(0, 10_000))
def test_tokens_lie_inside_the_text(text: str, base: int) -> None:
    tokens = tokenize(text, base)
    for token in tokens:
        assert base <= token.start <= base + len(text)
        assert token.text.strip() == token.text or token.kind != "value"
