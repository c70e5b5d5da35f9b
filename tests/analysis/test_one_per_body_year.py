"""One report per body and year: the rule that chooses which, and the record of the choice."""
from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from toolkit.analysis.corpus import one_per_body_year

COLUMNS = ("path", "status", "body_id", "year", "n_values", "n_checks_passed", "source_url",
           "source_referrer")


def frame(*rows: tuple[Any, ...]) -> pd.DataFrame:
    out = pd.DataFrame(list(rows), columns=list(COLUMNS))
    out["year"] = out["year"].astype("Int64")
    return out


def chosen(reports: pd.DataFrame) -> list[tuple[str, str | None, str | None]]:
    out = one_per_body_year(reports)
    return [(p, None if pd.isna(o) else o, None if pd.isna(r) else r)
            for p, o, r in zip(out["path"], out["chosen_over"], out["choice_reason"], strict=True)]


@pytest.mark.parametrize(("rows", "expected"), [
    pytest.param([("a", "partial", "b1", 2020, 90, 9, None, None),
                  ("b", "ok", "b1", 2020, 10, 1, None, None)],
                 [("b", "a", "ok before partial")], id="ok-before-partial"),
    pytest.param([("a", "ok", "b1", 2020, 50, 9, None, None),
                  ("b", "ok", "b1", 2020, 52, 1, None, None)],
                 [("b", "a", "more values read (52 > 50)")], id="most-values"),
    pytest.param([("a", "ok", "b1", 2020, 52, 9, None, None),
                  ("b", "ok", "b1", 2020, 52, 12, None, None),
                  ("c", "partial", "b1", 2020, 0, 0, None, None)],
                 [("b", "a; c", "more identities passed (12 > 9)")], id="most-identities-passed"),
    pytest.param([("b", "ok", "b1", 2020, 52, 9, None, None),
                  ("a", "ok", "b1", 2020, 52, 9, None, None)],
                 [("a", "b", "first path")], id="first-path"),
    pytest.param([("page", "partial", None, 2020, 0, 0, "http://x/p.html", "http://x/list"),
                  ("file", "ok", "b9", 2020, 80, 8, "http://x/f.pdf", "http://x/p.html")],
                 [("file", "page", "ok before partial")], id="attachment-and-its-page"),
    pytest.param([("page", "partial", "b1", None, 0, 0, "http://x/p.html", None),
                  ("file", "ok", "b2", 2020, 80, 8, "http://x/f.pdf", "http://x/p.html")],
                 [("file", "page", "ok before partial")], id="page-of-unknown-year"),
    pytest.param([("page", "ok", "b1", 2019, 60, 8, "http://x/p.html", None),
                  ("file", "ok", "b1", 2018, 80, 8, "http://x/f.pdf", "http://x/p.html")],
                 [("file", None, None), ("page", None, None)], id="linked-but-another-year"),
    pytest.param([("a", "ok", None, None, 60, 8, None, None),
                  ("b", "ok", None, 2020, 60, 8, None, None),
                  ("c", "ok", "b1", 2020, 60, 8, None, None)],
                 [("a", None, None), ("b", None, None), ("c", None, None)],
                 id="no-body-or-year-all-kept"),
])
def test_one_per_body_year(rows: list[tuple[Any, ...]],
                           expected: list[tuple[str, str | None, str | None]]) -> None:
    assert chosen(frame(*rows)) == expected


def test_frames_without_the_new_columns_still_work() -> None:
    old = pd.DataFrame({"path": ["b", "a"], "status": ["ok", "ok"], "body_id": ["x", "x"],
                        "year": pd.array([2020, 2020], dtype="Int64"), "n_values": [5, 7]})
    out = one_per_body_year(old)
    assert list(out["path"]) == ["a"] and out["choice_reason"].iloc[0] == "more values read (7 > 5)"
    assert list(out.columns) == [*old.columns, "chosen_over", "choice_reason"]
    empty = one_per_body_year(old.iloc[:0])
    assert len(empty) == 0 and "chosen_over" in empty.columns
