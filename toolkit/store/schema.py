"""The store's tables: Arrow schemas, and the folder layout every part of the store shares.

Layout of a store folder::

    reports/part-NNNNN.parquet   one row per file (or unlistable directory) per change
    facts/    checks/    sections/   parsed content, written once per distinct file content
    corpus.duckdb                views over the parquet globs
"""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

_S = pa.string()
REPORTS_SCHEMA = pa.schema([
    ("report_id", _S), ("path", _S), ("size_bytes", pa.int64()), ("status", _S), ("error", _S),
    ("title", _S), ("agency", _S), ("year", pa.int32()), ("published", _S), ("template", _S),
    ("province", _S), ("city", _S), ("county", _S), ("adcode", _S), ("level", _S),
    ("agency_kind", _S), ("body_id", _S), ("region_evidence", _S), ("region_reason", _S),
    ("n_values", pa.int64()), ("n_flagged", pa.int64()),
    ("n_checks_failed", pa.int64()), ("duplicate_of", _S), ("parsed_at_version", _S),
])
FACTS_SCHEMA = pa.schema([
    ("report_id", _S), ("key", _S), ("table", _S), ("row", _S), ("column", _S),
    ("value", pa.float64()), ("flag", _S), ("label", _S), ("raw", _S), ("location", pa.int64()),
])
CHECKS_SCHEMA = pa.schema([
    ("report_id", _S), ("check", _S), ("scope", _S), ("status", _S),
    ("expected", pa.float64()), ("actual", pa.float64()), ("keys", _S),
])
SECTIONS_SCHEMA = pa.schema([("report_id", _S), ("section", _S), ("text", _S)])
SCHEMAS = {
    "facts": FACTS_SCHEMA, "checks": CHECKS_SCHEMA,
    "sections": SECTIONS_SCHEMA, "reports": REPORTS_SCHEMA,
}
DB_NAME = "corpus.duckdb"

_PART_RE = re.compile(r"^part-(\d+)\.parquet$")


def part_files(directory: Path) -> dict[int, Path]:
    if not directory.is_dir():
        return {}
    found = {}
    for p in directory.iterdir():
        m = _PART_RE.match(p.name)
        if m:
            found[int(m.group(1))] = p
    return found


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    cols = [
        table.column(f.name).cast(f.type) if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)

