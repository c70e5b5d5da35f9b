"""A body's reports over the years: one report per body and year, and consecutive years paired.

The store's cross-year repair (`toolkit.store.repair`) and the query layer's cross-year checks
(`toolkit.analysis.crosscheck`) pair the same reports; both take them from here, the lower of
the two layers.
"""
from __future__ import annotations

import pandas as pd

from toolkit.spec.vocab import Status

PAIR_KEYS = ["report_id", "body_id", "year", "agency", "template"]
"""The columns of each side of a pair (suffixed `_from` and `_to`, but body_id and year)."""


def one_per_body_year(reports: pd.DataFrame) -> pd.DataFrame:
    """One report per body and year, sorted by path: the same report published twice (two
    pages, two encodings) counts once.

    Of a body's reports for one year the most complete stands for them: `ok` before
    `partial`, then the most values read, then the first path (the report id where there is
    no path). Reports without `body_id` or `year` are all kept. Works on a reports table
    that lacks status, n_values or path (a test's, or a caller's own); a table indexed by
    report_id is read as if report_id were a column.
    """
    frame = reports_table(reports)
    if "body_id" not in frame.columns:
        return frame
    ranked = frame.assign(
        _complete=(frame["status"] == Status.OK).astype(int) if "status" in frame else 0,
        _values=frame["n_values"].fillna(0) if "n_values" in frame else 0,
        _order=(frame["path"] if "path" in frame else frame["report_id"]).astype("string"),
    ).sort_values(["_complete", "_values", "_order"], ascending=[False, False, True],
                  kind="stable")
    keyed = ranked["body_id"].notna() & ranked["year"].notna()
    first = ~ranked.duplicated(subset=["body_id", "year"]) | ~keyed
    return (ranked[first].sort_values("_order", kind="stable")
            .drop(columns=["_complete", "_values", "_order"]))


def consecutive_pairs(reports: pd.DataFrame) -> pd.DataFrame:
    """(year t, year t+1) report pairs of each body; years with a gap make no pair.

    Columns: body_id, year_from, year_to, agency (the later report's name of the body:
    bodies are renamed, the later report says what it is now) and report_id, agency and
    template of each side, suffixed `_from` and `_to`. Sorted by body and year.
    """
    frame = reports_table(reports).dropna(subset=["body_id", "year"])
    frame = one_per_body_year(frame.assign(year=frame["year"].astype("Int64")))
    frame = frame.reindex(columns=PAIR_KEYS)
    later = frame.assign(year=frame["year"] - 1)
    pairs = frame.merge(later, on=["body_id", "year"], suffixes=("_from", "_to"))
    pairs = pairs.rename(columns={"year": "year_from"})
    pairs["year_to"] = pairs["year_from"] + 1
    pairs["agency"] = pairs["agency_to"].fillna(pairs["agency_from"])
    return pairs.sort_values(["body_id", "year_from"]).reset_index(drop=True)


def reports_table(reports: pd.DataFrame) -> pd.DataFrame:
    """A reports table with report_id as a column (a frame indexed by it is reset)."""
    if "report_id" not in reports.columns and reports.index.name == "report_id":
        return reports.reset_index()
    return reports


__all__ = ["PAIR_KEYS", "consecutive_pairs", "one_per_body_year", "reports_table"]
