"""The one number formatter: counts, rates, changes, cells, and what a missing value shows."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from toolkit.present.formatting import (
    NO_DATA,
    fmt_change,
    fmt_count,
    fmt_number,
    fmt_rate,
    fmt_text,
    fmt_value,
    fmt_years,
    is_missing,
    rounded,
)


@pytest.mark.parametrize(("value", "count", "rate"), [
    pytest.param(1234.0, "1,234", "123400.0%", id="thousands"),
    pytest.param(0.43512, "0", "43.5%", id="rate-rounded"),
    pytest.param(np.float64(0.8837), "1", "88.4%", id="numpy-float"),
    pytest.param(float("nan"), "—", "—", id="nan-is-a-dash"),
    pytest.param(None, "—", "—", id="none-is-a-dash"),
    pytest.param(pd.NA, "—", "—", id="na-is-a-dash"),
])
def test_formats(value: Any, count: str, rate: str) -> None:
    assert fmt_count(value) == count
    assert fmt_rate(value) == rate


@pytest.mark.parametrize(("missing", "shown"), [
    pytest.param(NO_DATA, "无数据", id="explorer-headline"),
    pytest.param("", "", id="explorer-table-cell"),
])
def test_a_missing_value_shows_the_text_the_caller_asks_for(missing: str, shown: str) -> None:
    assert fmt_value(None, True, missing=missing) == shown
    assert fmt_value(float("nan"), False, missing=missing) == shown
    assert fmt_value(0.5, True, missing=missing) == "50.0%"
    assert fmt_value(1234, False, missing=missing) == "1,234"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    pytest.param(12.34, "%", "+12.3%", id="count-change"),
    pytest.param(-1.25, "pp", "-1.2个百分点", id="rate-change"),
    pytest.param(None, "%", "—", id="missing"),
])
def test_changes_carry_their_sign(value: Any, unit: str, shown: str) -> None:
    assert fmt_change(value, unit) == shown


def test_cells_keep_decimals_only_when_they_have_them() -> None:
    assert fmt_number(1234.0) == "1,234"
    assert fmt_number(12.5) == "12.50"
    assert fmt_number(None, missing="") == ""


def test_text_years_and_json_numbers() -> None:
    assert fmt_text(None) == "—"
    assert fmt_text(float("nan")) == "—"
    assert fmt_text("沈阳市") == "沈阳市"
    assert fmt_years([2019, 2021]) == "2019、2021"
    assert fmt_years([]) == "无"
    assert rounded(float("nan")) is None
    assert rounded(12.0) == 12 and isinstance(rounded(12.0), int)
    assert rounded(0.123456789) == 0.123457
    assert is_missing("n/a") and not is_missing(0)
