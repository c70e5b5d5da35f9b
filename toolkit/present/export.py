"""Research exports: a store's reports, facts, a body × year panel and the region figures,
as CSV, Excel, Stata and Parquet files with a codebook and a Frictionless Data Package.

`export_tables(corpus)` builds the tables (pure: a corpus in, frames out) and
`write_export(store, out, formats)` writes them. Every file of one table has the same
columns under the same names, names Stata accepts (the panel's, made from canonical keys
and indicators, are mapped back in the codebook). Labels come from where they are declared
(`toolkit.present.codebook`).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.analysis.corpus import Corpus, load
from toolkit.analysis.indicators import INDICATORS
from toolkit.present.codebook import (
    FLAG_CODES,
    codebook_frame,
    flag_value_labels,
    key_labels,
    panel_rows,
    stata_names,
    table_rows,
)
from toolkit.spec.errors import ToolkitError
from toolkit.spec.fields import EXPORT_TABLES, Table
from toolkit.spec.vocab import KINDS, REGION_LEVELS

FORMATS: tuple[str, ...] = ("csv", "xlsx", "dta", "parquet")
"""What `python -m toolkit export --format` accepts (all of them by default)."""
DATA_TABLES: tuple[str, ...] = ("reports", "facts", "panel", "regions")
EXCEL_MAX_ROWS = 1_048_575
"""Rows of data an Excel sheet holds under its header; a longer table goes on in `NAME_2`, …"""
STATA_STR_MAX = 2045
"""Bytes of Stata's longest fixed-width string; a longer column is written as strL."""
FRICTIONLESS_TYPES = {"string": "string", "int32": "integer", "int64": "integer",
                      "float64": "number", "bool": "boolean"}
PRIMARY_KEYS: dict[str, list[str]] = {
    "reports": ["path"], "facts": ["report_id", "key"], "panel": ["report_id"],
    "regions": ["region", "level", "kind", "tier", "indicator", "year"],
    "codebook": ["table", "name"]}
MEDIA_TYPES = {"csv": "text/csv",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "dta": "application/x-stata-dta", "parquet": "application/vnd.apache.parquet"}


class ExportError(ToolkitError):
    """An export asked for something it cannot write (an unknown format)."""


def parse_formats(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """`csv,dta` → ("csv", "dta"); None or empty → every format. Raises `ExportError`
    naming an unknown format and the ones there are."""
    if text is None:
        return FORMATS
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = [item.strip().lower().lstrip(".") for item in items if item.strip()]
    unknown = [item for item in wanted if item not in FORMATS]
    if unknown:
        raise ExportError(f"unknown format {', '.join(map(repr, unknown))}: choose from "
                          f"{', '.join(FORMATS)} (comma-separated)")
    return tuple(f for f in FORMATS if f in wanted) or FORMATS


@dataclass
class Export:
    """The tables of one export, with their codebook (file name of every column)."""

    tables: dict[str, pd.DataFrame]
    codebook: pd.DataFrame

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The codebook rows of one table, in column order."""
        book = self.codebook
        return [{str(k): v for k, v in row.items()}
                for row in book[book["table"] == table].to_dict("records")]


@dataclass
class ExportSummary:
    """What `write_export` wrote."""

    out_dir: Path
    rows: dict[str, int]
    files: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"export -> {self.out_dir}"]
        lines += [f"  {name:<9} {n:>9} rows" for name, n in self.rows.items()]
        lines += [f"  {p.name}" for p in self.files]
        return "\n".join(lines)


# ------------------------------------------------------------------ the tables

def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The declared columns in order, each in the dtype of its declared type."""
    out = pd.DataFrame(index=frame.index)
    for f in table.fields:
        column = frame[f.name] if f.name in frame.columns else pd.Series(None, index=frame.index)
        out[f.name] = _as_type(column, f.type)
    return out.reset_index(drop=True)


def _as_type(column: pd.Series, kind: str) -> pd.Series:
    if kind in ("int32", "int64"):
        return pd.to_numeric(column, errors="coerce").round().astype("Int64")
    if kind == "float64":
        return pd.to_numeric(column, errors="coerce").astype("float64")
    if kind == "bool":
        return column.astype("boolean")
    return column.astype("object").where(column.notna(), None)


def reports_table(corpus: Corpus) -> pd.DataFrame:
    table = EXPORT_TABLES["reports"]
    screened = corpus.screened[["path", "share_read", "is_usable", "unusable_reason"]]
    frame = corpus.all_reports.merge(screened, on="path", how="left")
    frame["in_panel"] = frame["path"].isin(corpus.reports["path"])
    return _typed(frame.sort_values("path"), table)


def facts_table(corpus: Corpus) -> pd.DataFrame:
    table = EXPORT_TABLES["facts"]
    columns = ", ".join(f'"{c}"' for c in table.names)
    frame = corpus.con.sql(f"SELECT {columns} FROM facts ORDER BY report_id, key").df()
    return _typed(frame, table)


def panel_keys(facts: pd.DataFrame) -> list[str]:
    """The panel's key columns: every canonical key of the template, in its order, then any
    other key the facts hold."""
    declared = list(key_labels())
    return declared + sorted(set(facts["key"].dropna()) - set(declared))


def panel_table(corpus: Corpus, facts: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One row per body and year; the fixed columns, then every key's value, then every
    indicator's (named by key and indicator name: `export_tables` renames them)."""
    fixed = EXPORT_TABLES["panel"]
    base = _typed(corpus.reports.sort_values(["body_id", "year", "path"], na_position="last"),
                  fixed)
    ids = base["report_id"]
    chosen = facts[facts["report_id"].isin(ids)]
    values = (chosen.pivot_table(index="report_id", columns="key", values="value",
                                 aggfunc="first", dropna=False)
              .reindex(index=ids, columns=list(keys)).astype("float64"))
    indicators = corpus.indicators()
    figures = (indicators.pivot_table(index="report_id", columns="indicator", values="value",
                                      aggfunc="first", dropna=False)
               .reindex(index=ids, columns=[i.name for i in INDICATORS]).astype("float64"))
    return pd.concat([base, values.reset_index(drop=True), figures.reset_index(drop=True)],
                     axis=1)


def regions_table(corpus: Corpus) -> pd.DataFrame:
    table = EXPORT_TABLES["regions"]
    parts = [corpus.rollup(level, kind).reset_index()
             for level in REGION_LEVELS for kind in KINDS]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _typed(pd.DataFrame(columns=table.names), table)
    frame = pd.concat(parts, ignore_index=True)
    frame["name"] = frame["region"].map(corpus.region_names)
    order = {level: i for i, level in enumerate(REGION_LEVELS)}
    frame = frame.assign(_level=frame["level"].map(order), _kind=frame["kind"].map(KINDS.index))
    frame = frame.sort_values(["_level", "region", "_kind", "indicator", "year"])
    return _typed(frame, table)


def export_tables(corpus: Corpus) -> Export:
    """The four tables and the codebook of a corpus (see `toolkit.spec.fields.EXPORT_TABLES`)."""
    facts = facts_table(corpus)
    keys = panel_keys(facts)
    indicator_names = [i.name for i in INDICATORS]
    panel = panel_table(corpus, facts, keys)
    fixed = EXPORT_TABLES["panel"]
    names = stata_names([*fixed.names, *keys, *indicator_names])
    panel.columns = [names[c] for c in panel.columns]
    tables = {"reports": reports_table(corpus), "facts": facts, "panel": panel,
              "regions": regions_table(corpus)}
    rows = [*table_rows(EXPORT_TABLES["reports"]), *table_rows(EXPORT_TABLES["facts"]),
            *panel_rows(fixed, names, keys, indicator_names),
            *table_rows(EXPORT_TABLES["regions"])]
    codebook = codebook_frame(rows)
    tables["codebook"] = codebook
    return Export(tables, codebook)


# ------------------------------------------------------------------ the files

def _csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a byte-order mark: Excel on a Chinese Windows opens it as UTF-8."""
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False, compression="zstd")


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Strings without the control characters an XLSX cell cannot hold, cut to 32,767."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object:
            out[name] = out[name].map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v)[:32767]
                                      if isinstance(v, str) else v)
    return out


def _xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table, the codebook last; a table longer than a sheet goes on in
    `NAME_2`, `NAME_3`, …"""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            chunks = range(0, max(len(frame), 1), EXCEL_MAX_ROWS)
            for n, start in enumerate(chunks, start=1):
                sheet = name if n == 1 else f"{name}_{n}"
                _excel_safe(frame.iloc[start:start + EXCEL_MAX_ROWS]).to_excel(
                    writer, sheet_name=sheet, index=False)
                writer.sheets[sheet].freeze_panes = "A2"


def stata_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as Stata holds it: flags as their codes, booleans as 0/1, missing numbers
    as Stata's missing, missing strings as empty strings."""
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        column = frame[name]
        if name == "flag":
            out[name] = column.map(FLAG_CODES).astype("float64")
        elif str(column.dtype) == "boolean":
            out[name] = column.astype("float64")
        elif str(column.dtype) == "Int64":
            out[name] = (column.astype("float64") if column.isna().any()
                         or not column.between(-2**31 + 1, 2**31 - 1).all()
                         else column.astype("int32"))
        elif column.dtype == object:
            out[name] = column.map(lambda v: "" if v is None or v is pd.NA
                                   or (isinstance(v, float) and np.isnan(v)) else str(v))
        else:
            out[name] = column
    return pd.DataFrame(out, index=frame.index)


def _dta(frame: pd.DataFrame, path: Path, rows: list[dict[str, Any]], label: str) -> None:
    """Stata 118 (Unicode), with variable labels and the flags' value labels."""
    data = stata_frame(frame)
    labels = {r["name"]: r["label_zh"] or "" for r in rows if r["name"] in data.columns}
    long_strings = [name for name in data.columns if data[name].dtype == object
                    and data[name].map(lambda v: len(v.encode("utf-8"))).max(initial=0)
                    > STATA_STR_MAX]
    value_labels: dict[Any, dict[float, str]] = (
        {"flag": {float(k): v for k, v in flag_value_labels().items()}}
        if "flag" in data.columns else {})
    data.to_stata(path, write_index=False, version=118, variable_labels=labels,
                  data_label=label[:80], convert_strl=long_strings or None,
                  value_labels=value_labels or None)


def _schema(rows: list[dict[str, Any]], table: str) -> dict[str, Any]:
    fields = [{"name": r["name"], "type": FRICTIONLESS_TYPES[r["type"]],
               "title": r["label_zh"], "description": r["label_en"]} for r in rows]
    for f, r in zip(fields, rows, strict=True):
        if r.get("unit"):
            f["unit"] = r["unit"]
        if r["name"] == "flag" and r["table"] == "facts":
            f["constraints"] = {"enum": list(FLAG_CODES)}
    return {"fields": fields, "primaryKey": PRIMARY_KEYS[table],
            "missingValues": [""]}


def datapackage(export: Export, files: dict[str, dict[str, Path]], out: Path) -> dict[str, Any]:
    """The Frictionless Data Package of an export: every file a resource, each with the
    schema of its table (the codebook's fields: name, type, labels, unit)."""
    resources: list[dict[str, Any]] = []
    for fmt, by_table in files.items():
        for table, path in by_table.items():
            resource: dict[str, Any] = {
                "name": f"{table}-{fmt}", "path": path.relative_to(out).as_posix(),
                "format": fmt, "mediatype": MEDIA_TYPES[fmt]}
            if table == "all":
                resource |= {"type": "file",
                             "description": "every table as a sheet, and the codebook"}
            elif fmt in ("csv", "parquet"):
                resource |= {"type": "table", "title": EXPORT_TABLES[table].label,
                             "description": EXPORT_TABLES[table].description,
                             "schema": _schema(_rows(export, table), table)}
                if fmt == "csv":
                    resource |= {"encoding": "utf-8-sig"}
            else:
                resource |= {"type": "file", "description": EXPORT_TABLES[table].description}
            resources.append(resource)
    return {"name": "ogi-toolkit-export", "title": "政府信息公开工作年度报告 data",
            "description": "Reports, facts, a body × year panel and region figures exported by "
                           "`python -m toolkit export`; the codebook describes every column.",
            "resources": resources}


def _rows(export: Export, table: str) -> list[dict[str, Any]]:
    return export.rows(table) if table != "codebook" else table_rows(EXPORT_TABLES["codebook"])


def write_export(store: str | Path | None, out: str | Path,
                 formats: Iterable[str] | str | None = None) -> ExportSummary:
    """Write the export of the store at `store` (found as `toolkit.load` finds it) into `out`:
    `TABLE.csv`, `TABLE.parquet`, `TABLE.dta` per table, `export.xlsx` with one sheet per
    table, and `datapackage.json`. Raises `StoreNotFound` or `ExportError`."""
    chosen = parse_formats(formats if formats is None or isinstance(formats, str)
                           else list(formats))
    corpus = load(store)
    export = export_tables(corpus)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Path]] = {}
    for fmt in chosen:
        written: dict[str, Path] = {}
        if fmt == "xlsx":
            written["all"] = out_dir / "export.xlsx"
            _xlsx(export.tables, written["all"])
        for table, frame in export.tables.items():
            if fmt == "xlsx":
                break
            path = out_dir / f"{table}.{fmt}"
            if fmt == "csv":
                _csv(frame, path)
            elif fmt == "parquet":
                _parquet(frame, path)
            else:
                _dta(frame, path, _rows(export, table), EXPORT_TABLES[table].label)
            written[table] = path
        files[fmt] = written
    package = out_dir / "datapackage.json"
    package.write_text(json.dumps(datapackage(export, files, out_dir), ensure_ascii=False,
                                  indent=2) + "\n", encoding="utf-8")
    return ExportSummary(out_dir, {t: len(f) for t, f in export.tables.items()},
                         [p for by_table in files.values() for p in by_table.values()]
                         + [package])


__all__ = ["DATA_TABLES", "FORMATS", "Export", "ExportError", "ExportSummary", "datapackage",
           "export_tables", "parse_formats", "stata_frame", "write_export"]
