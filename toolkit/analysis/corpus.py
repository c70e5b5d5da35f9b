"""The query layer over a store: what the notebooks and briefings ask, answered fast.

`load(store_dir)` opens the Parquet + DuckDB store written by `toolkit ingest` and derives,
once, the per-report values the indicators need; region roll-ups are computed per level
and body kind on first use and kept in memory, so a widget's query is a lookup.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.analysis.indicators import (
    BY_NAME,
    INDICATORS,
    count_matrices,
    publication_timeliness,
    region_code,
    region_indicators,
    report_indicators,
    year_over_year,
)
from toolkit.places.gazetteer import load_gazetteer
from toolkit.spec.fields import COMPOSITION, CORPUS_REPORTS, FAILING_CHECKS, REPORTS, SERIES
from toolkit.spec.vocab import KINDS, REGION_LEVELS, USABLE_STATUSES, Status
from toolkit.store.views import open_store, resolve_store

REPORT_COLUMNS = tuple(f.name for f in CORPUS_REPORTS.fields if f in REPORTS.fields)
"""The columns `Corpus.reports` reads from the store (the others it derives)."""


@dataclass(frozen=True)
class Region:
    """A division the corpus has reports for."""

    adcode: str
    name: str
    level: str
    parent: str | None
    path: str


@dataclass(frozen=True)
class RollupIndex:
    """A roll-up with the row positions of each (region, indicator) and (indicator, year):
    a series or a peer group is then one `iloc`, not a MultiIndex search."""

    table: pd.DataFrame
    by_region: dict[tuple[str, str], np.ndarray]
    by_year: dict[tuple[str, int], np.ndarray]

    @classmethod
    def build(cls, table: pd.DataFrame) -> RollupIndex:
        by_region = table.groupby(level=["region", "indicator"], sort=False).indices
        by_year = table.groupby([table.index.get_level_values("indicator"),
                                 table["year"].to_numpy()], sort=False).indices
        return cls(table, _positions(by_region, int_second=False),
                   _positions(by_year, int_second=True))


def _positions(groups: dict[Any, Any], int_second: bool) -> dict[tuple[str, Any], np.ndarray]:
    out: dict[tuple[str, Any], np.ndarray] = {}
    for key, rows in groups.items():
        first, second = key
        out[(str(first), int(second) if int_second else str(second))] = np.asarray(rows)
    return out


def _select(columns: Iterable[str]) -> str:
    """A SELECT list of declared column names, quoted (`check`, `table`, `row` are keywords)."""
    return ", ".join(f'"{c}"' for c in columns)


def _needed_keys() -> list[str]:
    keys = {k for i in INDICATORS for k in (*i.numerator, *i.denominator, *i.minus)}
    return sorted(keys)


class Corpus:
    """A loaded store. Every query returns a tidy DataFrame."""

    def __init__(self, store_dir: str | Path | None = None) -> None:
        self.store_dir = resolve_store(store_dir)
        self.con = open_store(self.store_dir)
        self._regions: dict[tuple[str, str], RollupIndex] = {}
        self._members: dict[str, dict[str, np.ndarray]] = {}

    # -- tables ---------------------------------------------------------------------------

    @cached_property
    def reports(self) -> pd.DataFrame:
        """Current reports that parsed (ok or partial), one row each, with quality figures."""
        frame = self.con.execute(
            f"SELECT {_select(REPORT_COLUMNS)} FROM reports "
            "WHERE status IN (SELECT unnest(?)) ORDER BY path",
            [[str(s) for s in USABLE_STATUSES]]).df()
        frame["year"] = frame["year"].astype("Int64")
        frame["timeliness_days"] = publication_timeliness(frame)
        return one_per_body_year(frame).reset_index(drop=True)

    @cached_property
    def all_reports(self) -> pd.DataFrame:
        """Every report row of the store, failures and duplicates included (for drill-downs)."""
        return self.con.sql("SELECT * FROM reports ORDER BY path").df()

    @cached_property
    def wide(self) -> pd.DataFrame:
        """report_id × key values for the keys the indicators use (null kept as NaN)."""
        keys = _needed_keys()
        wanted = ", ".join(f"'{k}'" for k in keys)
        long = self.con.sql(
            f"SELECT report_id, key, value, flag FROM facts WHERE key IN ({wanted})").df()
        long = long[long["report_id"].isin(self.reports["report_id"])]
        wide = long.pivot_table(index="report_id", columns="key", values="value",
                                aggfunc="first", dropna=False).reindex(columns=keys)
        presence = (long.assign(present=True)
                    .pivot_table(index="report_id", columns="key", values="present",
                                 aggfunc="first", fill_value=False)
                    .reindex(columns=keys, fill_value=False).astype(bool))
        wide = wide.astype("float64")
        wide.attrs["presence"] = presence
        return wide

    @cached_property
    def count_matrices(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return count_matrices(self.wide)

    @cached_property
    def quality(self) -> pd.DataFrame:
        """Per report: cells read, blank / redacted / missing / ambiguous shares, checks passed."""
        frame = self.con.sql("""
            WITH cells AS (
                SELECT report_id, count(*) AS cells,
                       avg(CASE WHEN flag = 'blank' THEN 1 ELSE 0 END) AS share_blank,
                       avg(CASE WHEN flag = 'redacted' THEN 1 ELSE 0 END) AS share_redacted,
                       avg(CASE WHEN flag = 'missing' THEN 1 ELSE 0 END) AS share_missing,
                       avg(CASE WHEN flag = 'ambiguous' THEN 1 ELSE 0 END) AS share_ambiguous
                FROM facts GROUP BY report_id),
            checked AS (
                SELECT report_id,
                       count(*) FILTER (WHERE status <> 'not_checkable') AS checks_checkable,
                       count(*) FILTER (WHERE status = 'fail') AS checks_failed,
                       avg(CASE WHEN status = 'pass' THEN 1.0 WHEN status = 'fail' THEN 0.0 END)
                           AS share_checks_passed
                FROM checks GROUP BY report_id)
            SELECT cells.*, coalesce(checks_checkable, 0) AS checks_checkable,
                   coalesce(checks_failed, 0) AS checks_failed, share_checks_passed
            FROM cells LEFT JOIN checked USING (report_id)
        """).df()
        return frame[frame["report_id"].isin(self.reports["report_id"])].reset_index(drop=True)

    def indicators(self) -> pd.DataFrame:
        """Every indicator for every report (counts next to rates)."""
        frame = report_indicators(self.wide, self.reports.rename(
            columns={"n_checks_failed": "checks_failed"}))
        return frame

    # -- regions --------------------------------------------------------------------------

    @cached_property
    def region_table(self) -> pd.DataFrame:
        """Every region (province, city, county) the corpus has reports for."""
        gazetteer = load_gazetteer()
        rows = []
        for level in REGION_LEVELS:
            codes = region_code(self.reports, level)
            frame = self.reports.assign(region=codes).dropna(subset=["region"])
            for code, group in frame.groupby("region"):
                division = gazetteer.divisions.get(str(code))
                name = division.name if division else str(code)
                parent = None
                if level == "city":
                    parent = str(code)[:2] + "0000"
                elif level == "county":
                    city = str(code)[:4] + "00"
                    parent = city if city in gazetteer.divisions and group["city"].notna().any() \
                        else str(code)[:2] + "0000"
                path = "/".join(p for p in (division.province if division else None,
                                            division.city if division and level != "province" else None,
                                            name if level == "county" else None) if p)
                rows.append({
                    "adcode": str(code), "name": name, "level": level, "parent": parent,
                    "path": path or name, "n_reports": len(group),
                    "n_bodies": group["body_id"].nunique(),
                    "years": ",".join(str(y) for y in sorted(group["year"].dropna().unique())),
                })
        return pd.DataFrame(rows).sort_values(["level", "adcode"]).reset_index(drop=True)

    def region_tree(self) -> pd.DataFrame:
        return self.region_table

    @cached_property
    def _region_index(self) -> dict[str, Region]:
        table = self.region_table.drop_duplicates("adcode")
        return {str(r.adcode): Region(str(r.adcode), str(r.name), str(r.level),
                                      r.parent if isinstance(r.parent, str) else None,
                                      str(r.path))
                for r in table.itertuples()}

    @cached_property
    def region_names(self) -> pd.Series:
        """adcode → name of every region in the tree."""
        return self.region_table.drop_duplicates("adcode").set_index("adcode")["name"]

    @cached_property
    def _siblings(self) -> dict[str | None, frozenset[str]]:
        """parent adcode → the regions under it; None → the provinces."""
        table = self.region_table
        out: dict[str | None, frozenset[str]] = {
            str(parent): frozenset(group["adcode"])
            for parent, group in table.dropna(subset=["parent"]).groupby("parent")}
        out[None] = frozenset(table.loc[table["level"] == "province", "adcode"])
        return out

    def region(self, adcode: str) -> Region:
        region = self._region_index.get(str(adcode))
        if region is None:
            raise KeyError(f"no reports for region {adcode}; see Corpus.region_tree()")
        return region

    def children(self, adcode: str | None) -> pd.DataFrame:
        """Regions one level below `adcode` (provinces when None)."""
        table = self.region_table
        if adcode is None:
            return table[table["level"] == "province"]
        return table[table["parent"] == str(adcode)]

    def rollup(self, level: str, kind: str = "all") -> pd.DataFrame:
        """Indicators for every region at `level` and year, indexed for fast lookups."""
        return self._rollup_index(level, kind).table

    def _rollup_index(self, level: str, kind: str) -> RollupIndex:
        if level not in REGION_LEVELS or kind not in KINDS:
            raise ValueError(f"level must be one of {', '.join(REGION_LEVELS)} and kind one of "
                             f"{', '.join(KINDS)}")
        if (level, kind) not in self._regions:
            reports = self.reports.rename(columns={"n_checks_failed": "checks_failed"})
            frame = region_indicators(self.wide, reports, level=level, kind=kind,
                                      matrices=self.count_matrices)
            frame["yoy_pct"] = year_over_year(frame)
            self._regions[(level, kind)] = RollupIndex.build(
                frame.set_index(["region", "indicator"]).sort_index())
        return self._regions[(level, kind)]

    def members(self, level: str) -> dict[str, np.ndarray]:
        """adcode → row positions in `reports` of the reports in that region at `level`."""
        if level not in self._members:
            codes = region_code(self.reports, level)
            groups = self.reports.groupby(codes.to_numpy(), dropna=True).indices
            self._members[level] = {str(k): np.asarray(v) for k, v in groups.items()}
        return self._members[level]

    def warm(self, kinds: tuple[str, ...] = KINDS) -> None:
        """Build every roll-up and index now, so no interaction pays for it later."""
        _ = self._region_index, self._siblings, self.region_names, self._quality_by_report
        for level in REGION_LEVELS:
            self.members(level)
            for kind in kinds:
                self._rollup_index(level, kind)

    # -- the queries widgets and briefings make --------------------------------------------

    def series(self, adcode: str, indicator: str, kind: str = "all",
               years: tuple[int, int] | None = None) -> pd.DataFrame:
        """One region's indicator by year, with counts, bodies covered and year-over-year %."""
        if indicator not in BY_NAME:
            raise KeyError(f"unknown indicator {indicator!r}; choose from {sorted(BY_NAME)}")
        index = self._rollup_index(self.region(adcode).level, kind)
        rows = index.by_region.get((str(adcode), indicator))
        if rows is None:
            return _empty_series()
        frame = index.table.iloc[rows].reset_index()
        if years is not None:
            frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
        return frame.sort_values("year").reset_index(drop=True)

    def peers(self, adcode: str, indicator: str, year: int, kind: str = "all",
              same_parent: bool = True) -> pd.DataFrame:
        """Regions at the same level (under the same parent by default) for one year."""
        region = self.region(adcode)
        index = self._rollup_index(region.level, kind)
        rows = index.by_year.get((indicator, int(year)))
        if rows is None:
            return index.table.iloc[:0].reset_index().assign(name=pd.Series(dtype="object"),
                                                             is_selected=pd.Series(dtype=bool))
        frame = index.table.iloc[rows].reset_index()
        if same_parent and region.parent is not None:
            frame = frame[frame["region"].isin(self._siblings.get(region.parent, frozenset()))]
        frame = frame.assign(name=frame["region"].map(self.region_names),
                             is_selected=frame["region"] == str(adcode))
        return frame.sort_values("value", na_position="last").reset_index(drop=True)

    def composition(self, adcode: str, group: str, kind: str = "all",
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Counts of one breakdown (outcomes, refusal_mix, applicant_mix, review_counts) by year,
        with each part's share of the year's total."""
        names = [i.name for i in INDICATORS if i.group == group]
        if not names:
            raise KeyError(f"unknown group {group!r}")
        index = self._rollup_index(self.region(adcode).level, kind)
        parts = [index.by_region[key] for key in ((str(adcode), n) for n in names)
                 if key in index.by_region]
        if not parts:
            return pd.DataFrame(columns=COMPOSITION.names)
        frame = index.table.iloc[np.concatenate(parts)].reset_index()
        if years is not None:
            frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
        frame = frame.assign(label=frame["indicator"].map(lambda n: BY_NAME[n].label),
                             count=frame["numerator"],
                             order=frame["indicator"].map(names.index))
        totals = frame.groupby("year")["count"].transform("sum")
        frame["share"] = (frame["count"] / totals.where(totals > 0)).astype("float64")
        return frame[COMPOSITION.names].sort_values(["year", "order"]).reset_index(drop=True)

    def reports_in(self, adcode: str, kind: str = "all",
                   years: tuple[int, int] | None = None) -> pd.DataFrame:
        """The reports a region's figures are made of, with their quality figures."""
        rows = self.members(self.region(adcode).level).get(str(adcode))
        frame = self.reports.iloc[rows if rows is not None else []]
        if kind != "all":
            frame = frame[frame["agency_kind"] == kind]
        if years is not None:
            frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
        return frame.join(self._quality_by_report, on="report_id").reset_index(drop=True)

    @cached_property
    def _quality_by_report(self) -> pd.DataFrame:
        return self.quality.set_index("report_id")

    def report_table(self, report_id: str, table: str = "requests") -> pd.DataFrame:
        """One report's table as found: value, flag and the source text of each cell."""
        return self.con.execute(
            "SELECT key, \"row\", \"column\", value, flag, label, raw, location FROM facts "
            "WHERE report_id = ? AND \"table\" = ? ORDER BY location", [report_id, table]).df()

    def sections(self, report_id: str) -> dict[str, str]:
        rows = self.con.execute("SELECT section, text FROM sections WHERE report_id = ?",
                                [report_id]).fetchall()
        return {str(k): str(v) for k, v in rows}

    def failing_checks(self, report_ids: list[str]) -> pd.DataFrame:
        columns = FAILING_CHECKS.names
        if not report_ids:
            return pd.DataFrame(columns=columns)
        return self.con.execute(
            f"SELECT {_select(columns)} FROM checks "
            "WHERE status = 'fail' AND report_id IN (SELECT unnest(?))", [report_ids]).df()


def one_per_body_year(reports: pd.DataFrame) -> pd.DataFrame:
    """The same report published twice (two pages, two encodings, a page and its attached
    PDF) counts once, and which one stands for it is recorded.

    Reports of one body and year are one report; so are an attachment and the page that
    linked it (its `source_referrer` is the page's `source_url`), whatever their bodies read,
    unless both years are known and differ. Of each such group the most complete stands for
    it: `ok` before `partial`, then most values read (`n_values`), then most identities
    passed (`n_checks_passed`), then the first `path`. Its `chosen_over` lists the others'
    paths (`; `-separated, best first) and `choice_reason` says what put it ahead of the
    best of them; both are null for a report that stood alone. The others are dropped (and
    listed by `duplicates()`). Reports without a body or a year and without such a link
    are all kept. A column the frame lacks counts as equal for every report. Sorted by
    `path` (or `report_id`), index kept.
    """
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
    ok = [s == Status.OK for s in column("status")]
    values = [0 if v is None else v for v in column("n_values")]
    passed = [0 if v is None else v for v in column("n_checks_passed")]
    rank = sorted(range(n), key=lambda i: (not ok[i], -values[i], -passed[i], str(names[i])))
    groups: dict[int, list[int]] = {}
    for i in rank:
        groups.setdefault(find(i), []).append(i)

    def reason(a: int, b: int) -> str:
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


_EMPTY_DTYPES = {"string": "string", "int32": "int64", "int64": "int64", "float64": "float64",
           "bool": "bool"}


def _empty_series() -> pd.DataFrame:
    """A series with no rows, with the columns (and kinds of dtype) of one with rows."""
    return pd.DataFrame({f.name: pd.Series(dtype=_EMPTY_DTYPES[f.type]) for f in SERIES.fields})


def load(store_dir: str | Path | None = None) -> Corpus:
    """Open a store written by `python -m toolkit ingest` (found by `resolve_store`)."""
    return Corpus(store_dir)


__all__ = ["Corpus", "Region", "RollupIndex", "load"]
