"""The query layer over a store: what the notebooks and briefings ask, answered fast.

`load(store_dir)` opens the Parquet + DuckDB store written by `toolkit ingest` and derives,
once, the per-report values the indicators need; region roll-ups are computed per level,
body kind and tier on first use and kept in memory, so a widget's query is a lookup.

Only usable reports enter the figures (`Corpus.reports`; `Corpus.screened` says of every
file whether it is usable and why not), and every change between years is over the bodies
that reported in both (`yoy_pct`, `change_pp` with `n_bodies_matched`).
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
    READ_FLAGS,
    count_matrices,
    publication_deadline,
    publication_timeliness,
    region_code,
    region_indicators,
    report_indicators,
    tier_of,
    usability,
)
from toolkit.places.gazetteer import load_gazetteer
from toolkit.spec.fields import (
    COMPOSITION,
    CORPUS_REPORTS,
    FAILING_CHECKS,
    REPORTS,
    SCREENED,
    SERIES,
)
from toolkit.spec.vocab import KINDS, REGION_LEVELS, TIERS, Status
from toolkit.store.bodies import one_per_body_year
from toolkit.store.schema import part_files
from toolkit.store.texts import text_of
from toolkit.store.views import open_store, resolve_store

REPORT_COLUMNS = tuple(f.name for f in SCREENED.fields if f in REPORTS.fields)
"""The columns `Corpus.screened` reads from the store (the others it derives)."""


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
        self._regions: dict[tuple[str, str, str], RollupIndex] = {}
        self._members: dict[str, dict[str, np.ndarray]] = {}

    # -- tables ---------------------------------------------------------------------------

    @cached_property
    def screened(self) -> pd.DataFrame:
        """Every current file of the store but byte-duplicates, with whether its figures are
        usable (`is_usable`, `share_read`) and, if not, why (`unusable_reason`)."""
        frame = self.con.execute(
            f"SELECT {_select(REPORT_COLUMNS)} FROM reports "
            "WHERE status <> ? AND report_id IS NOT NULL ORDER BY path",
            [str(Status.DUPLICATE)]).df()
        frame["year"] = frame["year"].astype("Int64")
        flags = ", ".join(f"'{f}'" for f in READ_FLAGS)
        read = self.con.sql(
            "SELECT report_id, count(*) FILTER (WHERE value IS NOT NULL "
            f"OR flag IN ({flags})) AS n FROM facts GROUP BY report_id").df()
        verdict = usability(frame, read.set_index("report_id")["n"])
        frame = pd.concat([frame, verdict[["share_read", "is_usable", "unusable_reason"]]],
                          axis=1)
        return frame[SCREENED.names].reset_index(drop=True)

    @cached_property
    def _chosen(self) -> pd.DataFrame:
        """One file per body and year (and per page with its attachment), usable ones first:
        a usable report stands for an unusable copy, and the choice is recorded."""
        screened = self.screened
        frame = screened[[c for c in CORPUS_REPORTS.names if c in screened.columns]
                         + ["is_usable"]].copy()
        frame["deadline"] = publication_deadline(frame).dt.strftime("%Y-%m-%d").astype("object")
        frame["deadline"] = frame["deadline"].where(frame["deadline"].notna(), None)
        frame["timeliness_days"] = publication_timeliness(frame)
        return one_per_body_year(frame)

    @cached_property
    def reports(self) -> pd.DataFrame:
        """Usable reports (`Corpus.screened`), one per body and year, with their deadline and
        timeliness."""
        chosen = self._chosen
        return chosen[chosen["is_usable"]][CORPUS_REPORTS.names].reset_index(drop=True)

    @cached_property
    def unusable(self) -> pd.DataFrame:
        """The files set aside (`Corpus.screened` rows not usable) that no usable report
        stands for (a cut-off copy, or a detail page whose attachment was read, is covered):
        what a reader is told is missing and why."""
        screened = self.screened
        reports = self.reports
        covered = set(zip(reports["body_id"].dropna(),
                          reports.dropna(subset=["body_id"])["year"], strict=True))
        stood_for = {path for listed in reports["chosen_over"].dropna()
                     for path in str(listed).split("; ")}
        out = screened[~screened["is_usable"]]
        keep = np.array([not (isinstance(b, str) and (b, y) in covered) and p not in stood_for
                         for b, y, p in zip(out["body_id"], out["year"], out["path"],
                                            strict=True)], dtype=bool)
        return out[keep].reset_index(drop=True)

    def vintage(self) -> tuple[str | None, str]:
        """The date the data is as of, and what that date is: the latest `fetched_at` when
        the store records where its reports were fetched (`抓取`), else the day the store
        was last written by an ingest (`入库`)."""
        columns = set(self.all_reports.columns)
        if "fetched_at" in columns:
            fetched = pd.to_datetime(self.all_reports["fetched_at"], errors="coerce", utc=True)
            if fetched.notna().any():
                return fetched.max().strftime("%Y-%m-%d"), "抓取"
        parts = part_files(self.store_dir / "reports")
        if not parts:
            return None, "入库"
        latest = max(p.stat().st_mtime for p in parts.values())
        return pd.Timestamp(latest, unit="s", tz="UTC").strftime("%Y-%m-%d"), "入库"

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
        """Every region (province, city, county) the corpus has reports for, usable or not."""
        gazetteer = load_gazetteer()
        usable_ids = self.reports["report_id"]
        placed = self.screened[self.screened["report_id"].isin(
            pd.concat([usable_ids, self.unusable["report_id"]]))]
        placed = placed.assign(_usable=placed["report_id"].isin(usable_ids).to_numpy())
        rows = []
        for level in REGION_LEVELS:
            codes = region_code(placed, level)
            frame = placed.assign(region=codes).dropna(subset=["region"])
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
                usable = group[group["_usable"].to_numpy()]
                rows.append({
                    "adcode": str(code), "name": name, "level": level, "parent": parent,
                    "path": path or name, "n_reports": len(usable),
                    "n_bodies": usable["body_id"].nunique(),
                    "years": ",".join(str(y) for y in sorted(usable["year"].dropna().unique())),
                    "n_reports_unusable": len(group) - len(usable),
                })
        columns = ["adcode", "name", "level", "parent", "path", "n_reports", "n_bodies", "years",
                   "n_reports_unusable"]
        return pd.DataFrame(rows, columns=columns).sort_values(["level", "adcode"]).reset_index(
            drop=True)

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

    def rollup(self, level: str, kind: str = "all", tier: str = "all") -> pd.DataFrame:
        """Indicators for every region at `level` and year, indexed for fast lookups."""
        return self._rollup_index(level, kind, tier).table

    def _rollup_index(self, level: str, kind: str, tier: str = "all") -> RollupIndex:
        if level not in REGION_LEVELS or kind not in KINDS or tier not in TIERS:
            raise ValueError(f"level must be one of {', '.join(REGION_LEVELS)}, kind one of "
                             f"{', '.join(KINDS)} and tier one of {', '.join(TIERS)}")
        if (level, kind, tier) not in self._regions:
            reports = self.reports.rename(columns={"n_checks_failed": "checks_failed"})
            frame = region_indicators(self.wide, reports, level=level, kind=kind,
                                      matrices=self.count_matrices, tier=tier)
            self._regions[(level, kind, tier)] = RollupIndex.build(
                frame.set_index(["region", "indicator"]).sort_index())
        return self._regions[(level, kind, tier)]

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
               years: tuple[int, int] | None = None, tier: str = "all") -> pd.DataFrame:
        """One region's indicator by year, with counts, bodies covered and the change from
        the year before over the bodies that reported both years."""
        if indicator not in BY_NAME:
            raise KeyError(f"unknown indicator {indicator!r}; choose from {sorted(BY_NAME)}")
        index = self._rollup_index(self.region(adcode).level, kind, tier)
        rows = index.by_region.get((str(adcode), indicator))
        if rows is None:
            return _empty_series()
        frame = index.table.iloc[rows].reset_index()
        if years is not None:
            frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
        return frame.sort_values("year").reset_index(drop=True)

    def peers(self, adcode: str, indicator: str, year: int, kind: str = "all",
              same_parent: bool = True, tier: str = "all") -> pd.DataFrame:
        """Regions at the same level (under the same parent by default) for one year."""
        region = self.region(adcode)
        index = self._rollup_index(region.level, kind, tier)
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
                    years: tuple[int, int] | None = None, tier: str = "all") -> pd.DataFrame:
        """Counts of one breakdown (outcomes, refusal_mix, applicant_mix, review_counts) by year,
        with each part's share of the year's total."""
        names = [i.name for i in INDICATORS if i.group == group]
        if not names:
            raise KeyError(f"unknown group {group!r}")
        index = self._rollup_index(self.region(adcode).level, kind, tier)
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
                   years: tuple[int, int] | None = None, tier: str = "all") -> pd.DataFrame:
        """The reports a region's figures are made of, with their quality figures."""
        region = self.region(adcode)
        rows = self.members(region.level).get(str(adcode))
        frame = self.reports.iloc[rows if rows is not None else []]
        frame = _filtered(frame, region.level, kind, years, tier)
        return frame.join(self._quality_by_report, on="report_id").reset_index(drop=True)

    def unusable_in(self, adcode: str, kind: str = "all",
                    years: tuple[int, int] | None = None, tier: str = "all") -> pd.DataFrame:
        """The region's files set aside as unusable (`Corpus.unusable`), by year and path."""
        region = self.region(adcode)
        frame = self.unusable[region_code(self.unusable, region.level) == str(adcode)]
        frame = _filtered(frame, region.level, kind, years, tier)
        return frame.sort_values(["year", "path"], na_position="last").reset_index(drop=True)

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

    def text(self, report_id: str) -> str:
        """The text the report was parsed from: `location` in its facts and checks counts
        characters of it. Raises `TextNotFound` (a `KeyError`) naming the id."""
        return text_of(self.con, report_id)

    def failing_checks(self, report_ids: list[str]) -> pd.DataFrame:
        """The failed checks of some reports, ordered by report, check and scope. A store
        built before the prose was read has no `sentence`/`location` in its checks: those
        columns then come back empty."""
        columns = FAILING_CHECKS.names
        if not report_ids:
            return pd.DataFrame(columns=columns)
        have = {str(r[0]) for r in self.con.execute("DESCRIBE checks").fetchall()}
        select = ", ".join(f'"{c}"' if c in have else f'NULL AS "{c}"' for c in columns)
        return self.con.execute(
            f"SELECT {select} FROM checks WHERE status = 'fail' "
            "AND report_id IN (SELECT unnest(?)) ORDER BY report_id, \"check\", scope",
            [report_ids]).df()


def _filtered(frame: pd.DataFrame, level: str, kind: str, years: tuple[int, int] | None,
              tier: str) -> pd.DataFrame:
    if kind != "all":
        frame = frame[frame["agency_kind"] == kind]
    if tier != "all":
        frame = frame[tier_of(frame, level) == tier]
    if years is not None:
        frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
    return frame


_EMPTY_DTYPES = {"string": "string", "int32": "int64", "int64": "int64", "float64": "float64",
           "bool": "bool"}


def _empty_series() -> pd.DataFrame:
    """A series with no rows, with the columns (and kinds of dtype) of one with rows."""
    return pd.DataFrame({f.name: pd.Series(dtype=_EMPTY_DTYPES[f.type]) for f in SERIES.fields})


def load(store_dir: str | Path | None = None) -> Corpus:
    """Open a store written by `python -m toolkit ingest` (found by `resolve_store`)."""
    return Corpus(store_dir)


__all__ = ["Corpus", "Region", "RollupIndex", "load"]
