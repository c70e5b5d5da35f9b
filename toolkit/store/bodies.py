"""A body's reports over the years: one report per body and year, and consecutive years paired.

The store's cross-year repair (`toolkit.store.repair`) and the query layer's cross-year checks
(`toolkit.analysis.crosscheck`) pair the same reports; both take them from here, the lower of
the two layers.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.spec.vocab import Status

PAIR_KEYS = ["report_id", "body_id", "year", "agency", "template"]
"""The columns of each side of a pair (suffixed `_from` and `_to`, but body_id and year)."""


def one_per_body_year(reports: pd.DataFrame) -> pd.DataFrame:
    """The same report published twice (two pages, two encodings, a page and its attached
    PDF) counts once, and which one stands for it is recorded.

    Reports of one body and year are one report; so are an attachment and the page that
    linked it (its `source_referrer` is the page's `source_url`), whatever their bodies read,
    unless both years are known and differ. Of each such group the most complete stands for
    it: a usable report (`is_usable`, where the frame has it) before an unusable one, `ok`
    before `partial`, then most values read (`n_values`), then most identities
    passed (`n_checks_passed`), then the first `path`. Its `chosen_over` lists the others'
    paths (`; `-separated, best first) and `choice_reason` says what put it ahead of the
    best of them; both are null for a report that stood alone. The others are dropped (and
    listed by `duplicates()`). Reports without a body or a year and without such a link
    are all kept. A column the frame lacks counts as equal for every report. Sorted by
    `path` (or `report_id`), index kept; a table indexed by report_id is read as if
    report_id were a column.
    """
    reports = reports_table(reports)
    n = len(reports)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    def column(name: str) -> list[Any]:
        if name not in reports.columns:
            return [None] * n
        return [None if pd.isna(v) else v for v in reports[name].tolist()]

    bodies, years = column("body_id"), column("year")
    first: dict[tuple[Any, int], int] = {}
    for i, (body, year) in enumerate(zip(bodies, years, strict=True)):
        if body is not None and year is not None:
            union(first.setdefault((body, int(year)), i), i)
    pages: dict[Any, list[int]] = {}
    for i, url in enumerate(column("source_url")):
        if url is not None:
            pages.setdefault(url, []).append(i)
    for i, referrer in enumerate(column("source_referrer")):
        for j in pages.get(referrer, []) if referrer is not None else []:
            if j != i and (years[i] is None or years[j] is None or years[i] == years[j]):
                union(i, j)

    order_by = "path" if "path" in reports.columns else (
        "report_id" if "report_id" in reports.columns else None)
    names = column(order_by) if order_by else list(range(n))
    usable = [u is not False for u in column("is_usable")]
    ok = [s == Status.OK for s in column("status")]
    values = [0 if v is None else v for v in column("n_values")]
    passed = [0 if v is None else v for v in column("n_checks_passed")]
    rank = sorted(range(n), key=lambda i: (not usable[i], not ok[i], -values[i], -passed[i],
                                           str(names[i])))
    groups: dict[int, list[int]] = {}
    for i in rank:
        groups.setdefault(find(i), []).append(i)

    def reason(a: int, b: int) -> str:
        if usable[a] != usable[b]:
            return "usable before unusable"
        if ok[a] != ok[b]:
            return "ok before partial"
        if values[a] != values[b]:
            return f"more values read ({values[a]} > {values[b]})"
        if passed[a] != passed[b]:
            return f"more identities passed ({passed[a]} > {passed[b]})"
        return "first path"

    kept, over, why = [], [], []
    for members in groups.values():
        best, others = members[0], members[1:]
        kept.append(best)
        over.append("; ".join(str(names[i]) for i in others) if others else None)
        why.append(reason(best, others[0]) if others else None)
    chosen = reports.iloc[kept].assign(chosen_over=pd.Series(over, dtype="object").values,
                                       choice_reason=pd.Series(why, dtype="object").values)
    if order_by is None:
        return chosen.sort_index()
    return chosen.sort_values(order_by, kind="stable")


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
