"""The manifest: one row per frontier URL with what became of it, as Parquet and CSV.

Written from the frontier at the end of every run (and so rewritten by `--resume`), a batch
at a time, to a temporary file renamed into place: a reader never sees half a manifest.
Rows not recorded yet have outcome `pending`.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from toolkit.collect.frontier import MANIFEST_COLUMNS, Frontier

MANIFEST_PARQUET = "manifest.parquet"
MANIFEST_CSV = "manifest.csv"

_TYPES: dict[str, pa.DataType] = {
    "status": pa.int32(), "bytes": pa.int64(), "warc_offset": pa.int64(), "depth": pa.int32(),
    "year": pa.int32(), "fetched_at": pa.timestamp("s", tz="UTC"),
}
MANIFEST_SCHEMA = pa.schema([(name, _TYPES.get(name, pa.string())) for name, _ in MANIFEST_COLUMNS])
"""url, final_url, status, content_type, charset, bytes, sha256, fetched_at, referrer,
anchor_text, warc_file, warc_offset, outcome, reason, kind, family, depth, year, title,
filename, list_key."""


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _batch(rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    columns: list[list[Any]] = [list(c) for c in zip(*rows, strict=True)] if rows else [
        [] for _ in MANIFEST_COLUMNS]
    arrays = []
    for (name, _), values in zip(MANIFEST_COLUMNS, columns, strict=True):
        if name == "fetched_at":
            values = [_timestamp(v) for v in values]
        arrays.append(pa.array(values, type=MANIFEST_SCHEMA.field(name).type))
    return pa.RecordBatch.from_arrays(arrays, schema=MANIFEST_SCHEMA)


def write_manifest(frontier: Frontier, out: str | Path) -> Path:
    """Write DIR/manifest.parquet and DIR/manifest.csv from the frontier; return the Parquet path."""
    out = Path(out)
    parquet_tmp = out / f".{MANIFEST_PARQUET}.tmp"
    csv_tmp = out / f".{MANIFEST_CSV}.tmp"
    with pq.ParquetWriter(parquet_tmp, MANIFEST_SCHEMA) as pw, \
            pacsv.CSVWriter(csv_tmp, MANIFEST_SCHEMA) as cw:
        wrote = False
        for rows in frontier.manifest_rows():
            batch = _batch(rows)
            pw.write_batch(batch)
            cw.write_batch(batch)
            wrote = True
        if not wrote:
            pw.write_batch(_batch([]))
    os.replace(parquet_tmp, out / MANIFEST_PARQUET)
    os.replace(csv_tmp, out / MANIFEST_CSV)
    return out / MANIFEST_PARQUET


def read_manifest(folder: str | Path) -> pa.Table:
    """The manifest of a crawl folder."""
    return pq.read_table(Path(folder) / MANIFEST_PARQUET)
