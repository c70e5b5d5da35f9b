"""The lab's examples, picked from whatever the store holds.

Each picker returns None when the store has nothing that fits (no body with two
consecutive years, no two reports with a rate, no region with two years, no dated report):
the lab then says so and offers another exercise instead of failing. Choices are stable:
ties are broken by year and path, never by chance.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from toolkit.analysis.corpus import Corpus
from toolkit.analysis.indicators import BY_NAME, region_code
from toolkit.spec.vocab import REGION_LEVELS, SMALL_SAMPLE, BodyKind, Status

BLOCKERS = ("year", "kind", "level", "small")
"""What stops two rates being ranked: different years, body kinds or levels, or a rate over
fewer than `SMALL_SAMPLE` requests."""


def example_report(corpus: Corpus) -> str:
    """A report worth reading by hand: section 三 read with requests processed, preferably
    fully parsed with every checkable identity passing and a section 五 to read; then the
    most requests processed (ties broken by path, so the choice is stable)."""
    processed = corpus.wide.get("requests.total_processed.total")
    if processed is None:
        raise LookupError("no report in this store has a section 三 table: ingest reports "
                          "with `python -m toolkit ingest DIR --out STORE` first")
    reports = corpus.reports.merge(corpus.quality, on="report_id", how="left")
    reports = reports.assign(processed=reports["report_id"].map(processed))
    reports = reports[reports["processed"].fillna(0) > 0]
    if reports.empty:
        raise LookupError("no report in this store has requests processed in section 三")
    with_problems = set(corpus.con.execute(
        "SELECT DISTINCT report_id FROM sections WHERE section = 'problems' "
        "AND length(trim(text)) > 0").df()["report_id"])
    ranked = reports.assign(
        _clean=((reports["status"] == Status.OK) & (reports["checks_failed"].fillna(0) == 0)
                & (reports["checks_checkable"].fillna(0) > 0)).astype(int),
        _problems=reports["report_id"].isin(with_problems).astype(int))
    best = ranked.sort_values(["_clean", "_problems", "processed", "path"],
                              ascending=[False, False, False, True])
    return str(best["report_id"].iloc[0])


# ------------------------------------------------------------------ two reports side by side

@dataclass(frozen=True)
class Pair:
    """Two reports' rates side by side (A has more requests), and what stops ranking them."""

    a: pd.Series
    b: pd.Series
    blockers: frozenset[str]

    @property
    def is_like(self) -> bool:
        """Same year, same kind of body, same level."""
        return not (self.blockers - {"small"})

    @property
    def rankable(self) -> bool:
        return not self.blockers

    def frame(self) -> pd.DataFrame:
        rows = []
        for name, row in (("A", self.a), ("B", self.b)):
            rows.append({"": name, "agency": row["agency"], "year": int(row["year"]),
                         "agency_kind": row["agency_kind"], "level": row["level"],
                         "numerator": row["numerator"], "denominator": row["denominator"],
                         "value": row["value"], "is_small": bool(row["is_small"])})
        return pd.DataFrame(rows).set_index("")


def blockers(a: pd.Series, b: pd.Series) -> frozenset[str]:
    """Which of `BLOCKERS` apply to two rates (an unknown kind or level counts as different)."""
    out = set()
    for blocker, column in (("year", "year"), ("kind", "agency_kind"), ("level", "level")):
        if pd.isna(a[column]) or pd.isna(b[column]) or a[column] != b[column]:
            out.add(blocker)
    if min(float(a["denominator"]), float(b["denominator"])) < SMALL_SAMPLE:
        out.add("small")
    return frozenset(out)


def _top_two(group: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    ordered = group.sort_values(["denominator", "path"], ascending=[False, True])
    return ordered.iloc[0], ordered.iloc[1]


def pick_pair(rates: pd.DataFrame) -> Pair | None:
    """Two reports whose rates may be compared: the same year, kind and level (governments
    with governments) with the most requests, a rankable pair first; without such a pair, the
    two reports of one year with the most requests (to show why they may not be ranked);
    None with fewer than two rates in the store."""
    rates = rates[rates["value"].notna() & (rates["denominator"] > 0)]
    if len(rates) < 2:
        return None
    like = rates.dropna(subset=["agency_kind", "level", "year"])
    best: tuple[tuple[Any, ...], pd.Series, pd.Series] | None = None
    for _, group in like.groupby(["year", "agency_kind", "level"], sort=True):
        if len(group) < 2:
            continue
        a, b = _top_two(group)
        score: tuple[Any, ...] = (float(b["denominator"]) >= SMALL_SAMPLE,
                                  a["agency_kind"] == BodyKind.GOVERNMENT,
                                  float(b["denominator"]), int(a["year"]))
        if best is None or score > best[0]:
            best = (score, a, b)
    if best is None:
        for _, group in rates.dropna(subset=["year"]).groupby("year", sort=True):
            if len(group) < 2:
                continue
            a, b = _top_two(group)
            score = (-len(blockers(a, b)), float(b["denominator"]), int(a["year"]))
            if best is None or score > best[0]:
                best = (score, a, b)
    if best is None:
        a, b = _top_two(rates)
        best = ((), a, b)
    _, a, b = best
    return Pair(a, b, blockers(a, b))


# ------------------------------------------------------------------ one body across years

@dataclass(frozen=True)
class Panel:
    """One body's reports across years, and the consecutive pair the exercises use."""

    body_id: str
    agency: str
    series: pd.DataFrame
    year_from: int
    year_to: int

    def row(self, year: int) -> pd.Series:
        return cast(pd.Series, self.series.set_index("year").loc[year])


def _body_series(corpus: Corpus, rates: pd.DataFrame, body_id: str) -> pd.DataFrame:
    wide = corpus.wide
    frame = rates[rates["body_id"] == body_id].sort_values("year")
    frame = frame.assign(
        year=frame["year"].astype(int),
        carried_over=frame["report_id"].map(wide["requests.carried_over.total"]),
        carried_forward=frame["report_id"].map(wide["requests.carried_forward.total"]))
    return frame[["year", "report_id", "agency", "numerator", "denominator", "value",
                  "is_small", "carried_over", "carried_forward"]].reset_index(drop=True)


def _best_step(series: pd.DataFrame) -> tuple[int, int, bool] | None:
    """The consecutive years to work on: both carry-forward cells read; then both rates over
    enough requests; then something carried forward; then the latest. The flag says whether
    both rates rest on at least `SMALL_SAMPLE` requests."""
    best: tuple[tuple[Any, ...], int, int] | None = None
    by_year = series.set_index("year")
    for year in by_year.index:
        if year - 1 not in by_year.index:
            continue
        before, after = by_year.loc[year - 1], by_year.loc[year]
        if pd.isna(before["carried_forward"]) or pd.isna(after["carried_over"]):
            continue
        counts = (before["denominator"], after["denominator"])
        enough = all(not pd.isna(c) and c >= SMALL_SAMPLE for c in counts)
        score = (enough, float(before["carried_forward"]) > 0, int(year))
        if best is None or score > best[0]:
            best = (score, int(year) - 1, int(year))
    return None if best is None else (best[1], best[2], bool(best[0][0]))


def pick_panel(corpus: Corpus, rates: pd.DataFrame, prefer_body: Any = None) -> Panel | None:
    """A body with two consecutive years whose carry-forward cells were read, preferring
    one whose two rates both rest on at least `SMALL_SAMPLE` requests: the example's body
    when it qualifies, else the body with the most years (then most requests)."""
    bodies = rates.dropna(subset=["body_id", "year"])
    sizes = bodies.groupby("body_id").agg(n_years=("year", "nunique"),
                                          requests=("denominator", "sum"))
    if sizes.empty:
        return None
    order = sizes.sort_values(["n_years", "requests"], ascending=False).index.tolist()
    if prefer_body in order:
        order.remove(prefer_body)
        order.insert(0, prefer_body)
    fallback: Panel | None = None
    for body_id in order:
        if sizes.loc[body_id, "n_years"] < 2:
            continue
        series = _body_series(corpus, rates, str(body_id))
        step = _best_step(series)
        if step is None:
            continue
        panel = Panel(str(body_id), str(series["agency"].dropna().iloc[-1]), series,
                      step[0], step[1])
        if step[2]:
            return panel
        fallback = fallback or panel
    return fallback


# ------------------------------------------------------------------ a region across years

@dataclass(frozen=True)
class RegionChange:
    """A region's figure in two years of the store, and the bodies behind each."""

    adcode: str
    name: str
    level: str
    year_from: int
    year_to: int
    bodies_from: tuple[str, ...]
    bodies_to: tuple[str, ...]
    in_both: tuple[str, ...]


def pick_region_change(corpus: Corpus, indicator: str = "requests_received"
                       ) -> RegionChange | None:
    """Two years of one region with `indicator` in both: preferably years whose bodies
    differ (the figure's change is then partly a change of who reports), with the most
    bodies; None when no region has the figure for two years. The bodies are those whose
    count enters the figure (its numerator was read)."""
    keys = BY_NAME[indicator].numerator
    values = corpus.wide.reindex(columns=list(keys))
    counted = set(values.index[values.notna().all(axis=1)])
    reports = corpus.reports.dropna(subset=["year"])
    reports = reports[reports["report_id"].isin(counted)]
    best: tuple[tuple[Any, ...], RegionChange] | None = None
    for depth, level in enumerate(REGION_LEVELS):
        frame = reports.assign(region=region_code(reports, level)).dropna(subset=["region"])
        for code, group in frame.groupby("region", sort=True):
            years = sorted(int(y) for y in group["year"].unique())
            names = group.drop_duplicates("body_id").set_index("body_id")["agency"]
            for y1, y2 in itertools.pairwise(years):
                ids1 = set(group.loc[group["year"] == y1, "body_id"].dropna())
                ids2 = set(group.loc[group["year"] == y2, "body_id"].dropna())
                score = (ids1 != ids2, len(ids1 | ids2), -depth, y2)
                if best is None or score > best[0]:
                    change = RegionChange(
                        str(code), corpus.region(str(code)).name, str(level), y1, y2,
                        _names(ids1, names), _names(ids2, names), _names(ids1 & ids2, names))
                    best = (score, change)
    return None if best is None else best[1]


def _names(ids: set[Any], names: pd.Series) -> tuple[str, ...]:
    return tuple(sorted(str(names.get(i)) for i in ids))


# ------------------------------------------------------------------ a dated report

def pick_dated(table: pd.DataFrame, prefer: str | None = None) -> pd.Series | None:
    """A report to judge on time: a department's (its deadline is the one people forget),
    the closest to its deadline; else `prefer` when dated; else any dated report."""
    dated = table.dropna(subset=["days"])
    if dated.empty:
        return None
    departments = dated[dated["rule"] == "department"]
    if len(departments):
        return departments.sort_values(["days", "report_id"], ascending=[False, True]).iloc[0]
    if prefer is not None and prefer in set(dated["report_id"]):
        return dated[dated["report_id"] == prefer].iloc[0]
    return dated.sort_values(["days", "report_id"], ascending=[False, True]).iloc[0]


__all__ = ["BLOCKERS", "Pair", "Panel", "RegionChange", "blockers", "example_report",
           "pick_dated", "pick_pair", "pick_panel", "pick_region_change"]
