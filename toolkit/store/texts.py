"""The text each report was parsed from: where every `location` of the store leads.

`facts.location` and `checks.location` are character offsets into the text the parser read
(`Report.text`); the ingest keeps that text in the `texts` table, one row per parsed
content, so a cell or a claim can be shown in its context without reading the source again.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from toolkit.spec.errors import ToolkitError
from toolkit.store.views import open_store


class TextNotFound(ToolkitError, KeyError):
    """The store keeps no text for a report id: unknown, a failed parse, or a store written
    before texts were kept (ingest it again)."""

    def __str__(self) -> str:
        return self.reason


def text_of(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    """The text of `report_id` from a connection with the store's views (`open_store`)."""
    rows = con.execute("SELECT text FROM texts WHERE report_id = ? AND text IS NOT NULL "
                       "LIMIT 1", [report_id]).fetchall()
    if not rows:
        known = con.execute("SELECT count(*) FROM reports WHERE report_id = ?",
                            [report_id]).fetchall()[0][0]
        why = ("the store holds no text for it (a file that was not parsed, or a store "
               "written before texts were kept: run `python -m toolkit ingest` again)"
               if known else "no such report in the store")
        raise TextNotFound(f"report {report_id!r}: {why}")
    return str(rows[0][0])


def report_text(store: str | Path, report_id: str) -> str:
    """The text `report_id` was parsed from, in which its facts' and checks' `location`
    offsets count characters. Raises `TextNotFound` (a `KeyError`) naming the id."""
    con = open_store(store)
    try:
        return text_of(con, report_id)
    finally:
        con.close()


__all__ = ["TextNotFound", "report_text", "text_of"]
