"""The store's tables: Arrow schemas, and the folder layout every part of the store shares.

Layout of a store folder::

    reports/part-NNNNN.parquet   one row per file (or unlistable directory) per change
    facts/    checks/    sections/    texts/   parsed content (texts: what was parsed),
                                 written once per distinct file content
    repairs.parquet              cells decided across years, recomputed by every ingest
    corpus.duckdb                views over the parquet globs (paths relative to the store)

The columns of every table are declared, with their meanings, in `toolkit.spec.fields`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from toolkit.spec.fields import STORE_TABLES, Table

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(), "int32": pa.int32(), "int64": pa.int64(),
    "float64": pa.float64(), "bool": pa.bool_(),
}
"""The Arrow type of each logical type of `toolkit.spec.fields` a store column may have."""
DUCKDB_TYPES: dict[str, str] = {"string": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT",
                                "float64": "DOUBLE", "bool": "BOOLEAN"}
"""The DuckDB type of each of those logical types (as the views show the columns)."""


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a table declared in `toolkit.spec.fields`."""
    return pa.schema([(f.name, ARROW_TYPES[f.type]) for f in table.fields])


SCHEMAS: dict[str, pa.Schema] = {name: arrow_schema(t) for name, t in STORE_TABLES.items()}
"""The Parquet schema of each table, built from its declaration in `toolkit.spec.fields`."""
REPORTS_SCHEMA = SCHEMAS["reports"]
FACTS_SCHEMA = SCHEMAS["facts"]
CHECKS_SCHEMA = SCHEMAS["checks"]
SECTIONS_SCHEMA = SCHEMAS["sections"]
REPAIRS_SCHEMA = SCHEMAS["repairs"]
DB_NAME = "corpus.duckdb"
REPAIRS_FILE = "repairs.parquet"
"""The `repairs` table: one file, rewritten by every ingest (`toolkit.store.repair`)."""

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

