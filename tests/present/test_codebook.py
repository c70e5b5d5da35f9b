"""Codebook names and labels: every name Stata accepts, none two alike, labels from where
they are declared."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.analysis.indicators import INDICATORS
from toolkit.present.codebook import (
    FLAG_CODES,
    STATA_RESERVED,
    flag_value_labels,
    key_labels,
    panel_rows,
    stata_name,
    stata_names,
)
from toolkit.spec.fields import EXPORT_TABLES
from toolkit.spec.template import load_template
from toolkit.spec.vocab import FLAG_LABELS, Flag

STATA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


@pytest.mark.parametrize(("original", "name"), [
    pytest.param("requests.granted.total", "req_granted_total", id="short-key"),
    pytest.param("active.rules.in_force", "act_rules_in_force", id="active-prefix"),
    pytest.param("requests.denied_state_secret.natural_person",
                 "req_denie_state_secre_natur_pers", id="longest-words-cut-first"),
    pytest.param("review_litigation_after_review_pending", "review_litiga_after_review_pendi",
                 id="long-indicator"),
    pytest.param("2021年", "v_2021_", id="digit-first-and-chinese"),
    pytest.param("in", "in_", id="reserved"),
])
def test_stata_name(original: str, name: str) -> None:
    assert stata_name(original) == name
    assert STATA_NAME.fullmatch(name)


def test_names_made_equal_by_shortening_get_a_number() -> None:
    first = "requests.abcdefghijklmnopqrstuvwxyz1.total"
    second = "requests.abcdefghijklmnopqrstuvwxyz2.total"
    assert stata_name(first) == stata_name(second)
    names = stata_names([first, second, first])
    assert names[first] == stata_name(first)
    assert names[second].endswith("_2") and len(names[second]) <= 32
    assert len(set(names.values())) == 2


def test_case_is_not_a_difference_in_stata() -> None:
    names = stata_names(["Value", "value"])
    assert names == {"Value": "Value", "value": "value_2"}


@given(st.lists(st.text(min_size=1, max_size=60), max_size=30))
def test_any_names_become_distinct_stata_names(originals: list[str]) -> None:
    names = stata_names(originals)
    assert set(names) == set(originals)
    lowered = [n.lower() for n in names.values()]
    assert len(set(lowered)) == len(lowered)
    assert all(STATA_NAME.fullmatch(n) and n not in STATA_RESERVED for n in names.values())


def test_every_key_of_every_version_is_labelled() -> None:
    template = load_template()
    labels = key_labels(template)
    for version in template.versions_in_order():
        assert set(template.canonical_keys(version)) <= set(labels)
    assert labels["requests.granted.total"].row.endswith("予以公开")
    assert labels["active.fees.fee_amount"].unit == "万元"
    assert any(k.endswith(f".{template.subtotal_column}") for k in labels)


def test_flag_codes_follow_the_vocabulary() -> None:
    assert list(FLAG_CODES) == [str(f) for f in Flag]
    assert list(FLAG_CODES.values()) == list(range(1, len(Flag) + 1))
    labels = flag_value_labels()
    assert labels[FLAG_CODES["blank"]] == f"blank {FLAG_LABELS[Flag.BLANK]}"


def test_panel_rows_label_keys_and_indicators_within_statas_limit() -> None:
    keys = list(key_labels())
    indicators = [i.name for i in INDICATORS]
    fixed = EXPORT_TABLES["panel"]
    names = stata_names([*fixed.names, *keys, *indicators])
    rows = panel_rows(fixed, names, keys, indicators)
    assert len(rows) == len(fixed.fields) + len(keys) + len(indicators)
    assert all(len(r["label_zh"] or "") <= 80 for r in rows)
    by_key = {r["key"]: r for r in rows}
    assert by_key["disclosure_rate"]["unit"] == "share (0–1)"
    assert by_key["disclosure_rate"]["label_zh"] == next(
        i.label for i in INDICATORS if i.name == "disclosure_rate")
    assert by_key["requests.granted.total"]["type"] == "float64"
