"""Cross-year repair: cells a body's other year decides, read again after every ingest.

A parse sees one report. Some of its cells it cannot stand behind: digits run together that
its row's identities cut several ways (`ambiguous`, e.g. a row printed `8855698`), or a blank
that may mean zero (`blank`). The same body's report of the year before or after sometimes
decides them, through the identities across years of REPORT_FORMAT.md:

* identity 5 (`carry_forward_chain`): `requests.carried_over.<col>` of year t equals
  `requests.carried_forward.<col>` of year t−1; used both ways (t−1's carried_forward
  decided by t's carried_over, too);
* identity 6 (`regulation_stock_balance`, 2021 template): `active.<row>.in_force` of year t
  equals t−1's in_force + `issued` − `repealed` of year t, for rules and normative_docs.

The rules, so that a repair is never a guess:

* the evidence is read as printed: a value of the other report (and, for identity 6, the
  other terms of this one) with no flag at all: not blank, not 无, not ambiguous, and never a
  value this module decided (repairs are computed from the parse, `facts_parsed`, only);
* an ambiguous cell: its row's text (`raw`, kept by the parser) is cut again with
  `toolkit.parse.values.split_candidates` into the row's columns, keeping the cuts the row's
  own identities allow (the parser's rules: `total` = the sum of the columns, no negative
  count; an active row's sign rule). The cuts must give back exactly what the parser read
  (the cells it fixed, the cells it could not), or the row is left alone. The cell is
  decided only when exactly one cut agrees with the identity: the whole row then follows
  from it, and every ambiguous cell of the row is decided with it;
* identity 5 decides only when it holds on every column both years read as printed (a pair
  that breaks it elsewhere cannot vouch for it here);
* a blank becomes 0 only when the identity says 0; it never becomes another number;
* two decisions that disagree (a stock row decided by the year before and by the year after)
  cancel each other: the row stays as parsed.

`find_repairs` is pure (DataFrames in, the `repairs` table out); `refresh_repairs` runs it on a
store and writes `repairs.parquet`, which the `facts` view applies (`toolkit.store.views`).
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.parse.checks import check_report
from toolkit.parse.values import parse_cell, split_candidates
from toolkit.spec.fields import REPAIRS
from toolkit.spec.template import Template, load_template
from toolkit.spec.vocab import USABLE_STATUSES, CheckStatus, Flag
from toolkit.store.bodies import consecutive_pairs
from toolkit.store.schema import REPAIRS_FILE, SCHEMAS

CARRY = "carry_forward_chain"
"""Identity 5, named as `toolkit.analysis.crosscheck` names its check."""
STOCK = "regulation_stock_balance"
"""Identity 6, named as `toolkit.analysis.crosscheck` names its check."""
CARRY_ROWS = ("carried_forward", "carried_over")
STOCK_ROWS = ("rules", "normative_docs")
STOCK_COLUMNS = ("issued", "repealed", "in_force")
REPAIRABLE = (Flag.AMBIGUOUS, Flag.BLANK)

Reading = tuple[float, ...]


class Repair(NamedTuple):
    """One decided cell: a row of `repairs` (see `toolkit.spec.fields.REPAIRS`)."""

    report_id: str
    key: str
    value: float
    flag_before: str
    identity: str
    other_report_id: str
    evidence: str
    n_readings: int
    reason: str


@dataclass
class Cells:
    """One row of one report as parsed: its columns in printed order, values, flags, text."""

    report_id: str
    table: str
    row: str
    version: str | None
    columns: tuple[str, ...]
    values: dict[str, float | None]
    flags: dict[str, str | None]
    raw: str
    """The row's run of cells the parser could not cut one way ('' when it kept none)."""
    template: Template

    def key(self, column: str) -> str:
        return f"{self.table}.{self.row}.{column}"

    def printed(self, column: str) -> float | None:
        """The cell's value when it was read as printed (no flag), else None."""
        if column not in self.values or self.flags.get(column) is not None:
            return None
        return self.values[column]

    def flagged(self, flag: Flag) -> list[str]:
        return [c for c in self.columns if self.flags.get(c) == flag]

    @cached_property
    def readings(self) -> list[Reading]:
        """The row's readings its own identities allow, when it has ambiguous cells.

        [] when there is nothing to cut again: no ambiguous cell, no run kept, or cuts that
        do not give back what the parser read (then this code and the parser disagree on the
        row, and the row is left as parsed).
        """
        ambiguous = self.flagged(Flag.AMBIGUOUS)
        if not ambiguous or not self.raw:
            return []
        cuts = split_candidates(self.raw.split(" "), len(self.columns), self._accept)
        readings = sorted({tuple(float(parse_cell(c)[0] or 0) for c in cut) for cut in cuts})
        for index, column in enumerate(self.columns):
            seen = {r[index] for r in readings}
            if column in ambiguous:
                if len(seen) < 2:
                    return []
            elif self.printed(column) is None or seen != {self.printed(column)}:
                return []
        return readings

    def _accept(self, cut: tuple[str, ...]) -> bool:
        """The parser's rule for the row: numbers; no negative count; a requests row's
        `total` (and `legal_subtotal`) the sum of its columns (`toolkit.parse.checks`)."""
        numbers = [parse_cell(c) for c in cut]
        if any(flag is not None or value is None for value, flag in numbers):
            return False
        if self.table == "requests":
            if any(value is None or value < 0 or not isinstance(value, int)
                   for value, _ in numbers):
                return False
            values = {self.key(c): v for c, (v, _) in zip(self.columns, numbers, strict=True)}
            checks = [c for c in check_report(values, self.version, self.template)
                      if c.check == "row_total"]
            return bool(checks) and all(c.status == CheckStatus.PASS for c in checks)
        columns = self.template.active_columns
        return all(not cell.startswith("-") or columns[column].signed
                   for cell, column in zip(cut, self.columns, strict=True))

    def named(self, reading: Reading) -> dict[str, float]:
        return dict(zip(self.columns, reading, strict=True))


def _columns_in_order(table: str, row: str, present: set[str], template: Template
                      ) -> tuple[str, ...] | None:
    """The row's columns in printed order, as the parser lays them out (None: not known)."""
    if table == "requests":
        order = list(template.request_columns)
        order.insert(order.index(template.organisation_columns[-1]) + 1,
                     template.subtotal_column)
        ordered = tuple(c for c in order if c in present)
        return ordered if len(ordered) == len(present) else None
    for active_row in template.active_rows:
        if active_row.key == row:
            for columns in (active_row.columns or {}).values():
                if set(columns) == present:
                    return tuple(columns)
    return None


def _rows(facts: pd.DataFrame, versions: Mapping[str, str | None], template: Template
          ) -> dict[tuple[str, str, str], Cells]:
    """(report_id, table, row) → the row's cells, for the facts given."""
    out: dict[tuple[str, str, str], Cells] = {}
    for (rid, table, row), group in facts.groupby(["report_id", "table", "row"], sort=True):
        present = set(group["column"])
        columns = _columns_in_order(str(table), str(row), present, template)
        if columns is None:
            continue
        flags = {str(c): (None if pd.isna(f) else str(f))
                 for c, f in zip(group["column"], group["flag"], strict=True)}
        values = {str(c): (None if pd.isna(v) else float(v))
                  for c, v in zip(group["column"], group["value"], strict=True)}
        runs = {str(r) for r, f in zip(group["raw"], group["flag"], strict=True)
                if f == Flag.AMBIGUOUS and isinstance(r, str)}
        raw = runs.pop() if len(runs) == 1 else ""
        out[(str(rid), str(table), str(row))] = Cells(
            str(rid), str(table), str(row), versions.get(str(rid)), columns, values, flags,
            raw, template)
    return out


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _evidence(cells: Cells, columns: Sequence[str]) -> str:
    return ",".join(f"{cells.key(c)}={_fmt(cells.printed(c) or 0)}" for c in columns)


def _decide(target: Cells, left: list[Reading], identity: str, other: str, evidence: str,
            why: str) -> list[Repair]:
    """The ambiguous cells of `target` when exactly one reading is `left`."""
    if len(left) != 1:
        return []
    reading = target.named(left[0])
    cut = ", ".join(_fmt(v) for v in left[0])
    reason = (f"the row's text {target.raw!r} reads {len(target.readings)} ways; {why} leaves "
              f"one: {cut}")
    return [Repair(target.report_id, target.key(c), reading[c], Flag.AMBIGUOUS, identity,
                   other, evidence, len(target.readings), reason)
            for c in target.flagged(Flag.AMBIGUOUS)]


def _zero(target: Cells, column: str, identity: str, other: str, evidence: str, why: str
          ) -> Repair:
    return Repair(target.report_id, target.key(column), 0.0, Flag.BLANK, identity, other,
                  evidence, 1, f"blank; {why} says 0")


# ------------------------------------------------------------------ identity 5

def _carry(target: Cells, evidence: Cells, years: str) -> list[Repair]:
    """`target`'s cells that the other year's row of identity 5 (`evidence`) decides."""
    columns = [c for c in target.columns if c in evidence.columns]
    known = {c: v for c in columns if (v := evidence.printed(c)) is not None}
    breaks = [c for c in known
              if target.printed(c) is not None and target.printed(c) != known[c]]
    if breaks:
        return []
    out: list[Repair] = []
    other = evidence.report_id
    constrained = [c for c in target.flagged(Flag.AMBIGUOUS) if c in known]
    if target.readings and constrained:
        index = {c: target.columns.index(c) for c in constrained}
        left = [r for r in target.readings if all(r[index[c]] == known[c] for c in constrained)]
        out += _decide(target, left, CARRY, other, _evidence(evidence, constrained),
                       f"{years}: {evidence.row} of the other year ({_evidence(evidence, constrained)})")
    for column in target.flagged(Flag.BLANK):
        if known.get(column) == 0:
            proof = _evidence(evidence, [column])
            out.append(_zero(target, column, CARRY, other, proof,
                             f"{years}: the other year's {evidence.row} ({proof})"))
    return out


# ------------------------------------------------------------------ identity 6

def _stock(before: Cells, after: Cells, years: str) -> list[Repair]:
    """Cells of a stock row decided by in_force(t) = in_force(t−1) + issued(t) − repealed(t)."""
    if "in_force" not in before.columns or not set(STOCK_COLUMNS) <= set(after.columns):
        return []
    out: list[Repair] = []
    f0 = before.printed("in_force")
    issued, repealed, f1 = (after.printed(c) for c in STOCK_COLUMNS)
    at = {c: after.columns.index(c) for c in STOCK_COLUMNS}
    if after.readings and f0 is not None:
        left = [r for r in after.readings
                if r[at["in_force"]] == f0 + r[at["issued"]] - r[at["repealed"]]]
        proof = _evidence(before, ["in_force"])
        out += _decide(after, left, STOCK, before.report_id, proof,
                       f"{years}: in_force = the year before's ({proof}) + issued − repealed")
    if before.readings and None not in (issued, repealed, f1):
        expected = f1 - issued + repealed  # type: ignore[operator]
        where = before.columns.index("in_force")
        left = [r for r in before.readings if r[where] == expected]
        proof = _evidence(after, STOCK_COLUMNS)
        out += _decide(before, left, STOCK, after.report_id, proof,
                       f"{years}: the year after's in_force − issued + repealed ({proof}) "
                       f"= {_fmt(expected)}")
    # in_force(t) − in_force(t−1) − issued(t) + repealed(t) = 0: one blank term, the others
    # printed, solves it; it becomes 0 only when that is what the equation says.
    terms = {"before": (before, "in_force", -1), "issued": (after, "issued", -1),
             "repealed": (after, "repealed", 1), "in_force": (after, "in_force", 1)}
    blank = [n for n, (cells, c, _) in terms.items() if cells.flags.get(c) == Flag.BLANK]
    printed = {n: v for n, (cells, c, _) in terms.items() if (v := cells.printed(c)) is not None}
    if len(blank) == 1 and len(printed) == 3:
        cells, column, sign = terms[blank[0]]
        solved = -sign * sum(terms[n][2] * v for n, v in printed.items())
        if solved == 0:
            other = after if cells is before else before
            proof = ";".join(",".join(f"{terms[n][0].key(terms[n][1])}={_fmt(v)}"
                                      for n, v in printed.items() if terms[n][0] is side)
                             for side in (other, cells))
            out.append(_zero(cells, column, STOCK, other.report_id, proof,
                             f"{years}: in_force(t) = in_force(t−1) + issued(t) − repealed(t) "
                             f"({proof})"))
    return out


# ------------------------------------------------------------------ the corpus

def _proposals(pairs: pd.DataFrame, rows: Mapping[tuple[str, str, str], Cells]
               ) -> Iterator[Repair]:
    for pair in pairs.itertuples(index=False):
        before, after = str(pair.report_id_from), str(pair.report_id_to)
        years = f"{pair.year_from}→{pair.year_to}"
        forward = rows.get((before, "requests", "carried_forward"))
        over = rows.get((after, "requests", "carried_over"))
        if forward is not None and over is not None:
            yield from _carry(over, forward, years)
            yield from _carry(forward, over, years)
        for row in STOCK_ROWS:
            old, new = rows.get((before, "active", row)), rows.get((after, "active", row))
            if old is not None and new is not None:
                yield from _stock(old, new, years)


def _agreed(proposals: Sequence[Repair]) -> list[Repair]:
    """Proposals, one per cell, without the rows two decisions read differently."""
    by_cell: dict[tuple[str, str], list[Repair]] = {}
    for proposal in proposals:
        by_cell.setdefault((proposal.report_id, proposal.key), []).append(proposal)
    contested = {(rid, key.rsplit(".", 1)[0]) for (rid, key), found in by_cell.items()
                 if len({p.value for p in found}) > 1}
    return sorted((found[0] for (rid, key), found in by_cell.items()
                   if (rid, key.rsplit(".", 1)[0]) not in contested),
                  key=lambda p: (p.report_id, p.key))


def find_repairs(reports: pd.DataFrame, facts: pd.DataFrame,
                 template: Template | None = None) -> pd.DataFrame:
    """The `repairs` table for these reports and their parsed facts.

    `reports`: report_id, body_id, year, template (and status, n_values, path, agency,
    which pick one report per body and year as everywhere else); `facts`: report_id,
    table, row, column, value, flag, raw of the parse (at least the rows of identities 5
    and 6). Pure: no I/O.
    """
    template = template or load_template()
    pairs = consecutive_pairs(reports)
    columns = REPAIRS.names
    if pairs.empty or facts.empty:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in columns})
    ids = set(pairs["report_id_from"]) | set(pairs["report_id_to"])
    wanted = facts[facts["report_id"].isin(ids) & (
        ((facts["table"] == "requests") & facts["row"].isin(CARRY_ROWS))
        | ((facts["table"] == "active") & facts["row"].isin(STOCK_ROWS)))]
    versions = {str(r): (None if pd.isna(t) else str(t))
                for r, t in zip(reports["report_id"], reports["template"], strict=True)}
    rows = _rows(wanted, versions, template)
    repairs = _agreed(list(_proposals(pairs, rows)))
    frame = pd.DataFrame(repairs, columns=columns)
    return frame.astype({c: _DTYPES[c] for c in columns})


_DTYPES = {f.name: {"float64": "float64", "int64": "int64"}.get(f.type, "object")
           for f in REPAIRS.fields}


# ------------------------------------------------------------------ the store

_TARGETS = (
    "flag IN ('ambiguous', 'blank') AND ((\"table\" = 'requests' AND \"row\" IN "
    "('carried_over', 'carried_forward')) OR (\"table\" = 'active' AND \"row\" IN "
    "('rules', 'normative_docs')))")


def refresh_repairs(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Compute the repairs of the store `con` views and write `out/repairs.parquet` (only
    when it changed, so an ingest that changed nothing writes nothing). Returns their count.

    Only reports with a cell repairs could touch, and the years next to them, are read.
    """
    reports = con.execute(
        "SELECT report_id, path, status, body_id, year, template, n_values, agency "
        "FROM reports WHERE status IN (SELECT unnest(?)) AND body_id IS NOT NULL "
        "AND year IS NOT NULL", [[str(s) for s in USABLE_STATUSES]]).df()
    targets = {str(r) for (r,) in con.execute(
        f"SELECT DISTINCT report_id FROM facts_parsed WHERE {_TARGETS}").fetchall()}
    pairs = consecutive_pairs(reports) if targets else pd.DataFrame()
    if len(pairs):
        pairs = pairs[pairs["report_id_from"].isin(targets) | pairs["report_id_to"].isin(targets)]
    ids = sorted(set(pairs["report_id_from"]) | set(pairs["report_id_to"])) if len(pairs) else []
    facts = con.execute(
        'SELECT report_id, "table", "row", "column", value, flag, raw FROM facts_parsed '
        "WHERE report_id IN (SELECT unnest(?)) AND ((\"table\" = 'requests' AND \"row\" IN "
        "('carried_over', 'carried_forward')) OR (\"table\" = 'active' AND \"row\" IN "
        "('rules', 'normative_docs')))", [ids]).df() if ids else pd.DataFrame()
    found = find_repairs(reports[reports["report_id"].isin(ids)], facts)
    table = pa.Table.from_pandas(found, schema=SCHEMAS["repairs"], preserve_index=False)
    target = out / REPAIRS_FILE
    if target.exists():
        try:
            if pq.read_table(target).equals(table):
                return len(found)
        except (OSError, pa.ArrowException):
            pass
    tmp = out / f".{REPAIRS_FILE}.tmp"
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, target)
    return len(found)


__all__ = ["CARRY", "STOCK", "Cells", "Repair", "find_repairs", "refresh_repairs"]
