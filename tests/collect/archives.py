"""Crawl folders and WARC files written directly (no crawl): the collector's own WARC writer
and a manifest with the rows a crawl would give, for the tests of reading back and ingest."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.collect.manifest import MANIFEST_PARQUET, MANIFEST_SCHEMA
from toolkit.collect.warc import WarcFiles

START = datetime(2024, 1, 20, 8, 0, 0, tzinfo=UTC)
HTML = "text/html; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Doc:
    """One exchange to archive: a report page or an attachment (or anything else)."""

    url: str
    body: bytes
    content_type: str = HTML
    outcome: str | None = "report"
    referrer: str | None = None
    anchor_text: str | None = None
    title: str | None = None
    status: int = 200
    headers: tuple[tuple[bytes, bytes], ...] = ()


def write_warc(folder: Path, docs: list[Doc], start: datetime = START
               ) -> list[tuple[Path, int]]:
    """Archive the exchanges in a new `collect-NNNNN.warc.gz` in `folder`, a minute apart;
    return where each response went."""
    files = WarcFiles(folder)
    where = []
    try:
        for i, doc in enumerate(docs):
            request = [(b"User-Agent", b"ogi-toolkit tests")]
            if doc.referrer:
                request.append((b"Referer", doc.referrer.encode()))
            where.append(files.write_exchange(
                url=doc.url, method="GET", request_headers=request, request_body=b"",
                protocol="HTTP/1.1", status=doc.status,
                response_headers=[(b"Content-Type", doc.content_type.encode()), *doc.headers],
                body=doc.body, moment=start + timedelta(minutes=i)))
    finally:
        files.close()
    return where


def write_crawl(out: Path, docs: list[Doc], start: datetime = START) -> list[tuple[Path, int]]:
    """A crawl folder as `python -m toolkit collect --out OUT` leaves it: a new WARC file in
    `warc/` and a manifest listing every URL of every run so far."""
    where = write_warc(out / "warc", docs, start)
    rows: list[dict[str, Any]] = []
    manifest = out / MANIFEST_PARQUET
    if manifest.exists():
        rows = pq.read_table(manifest).to_pylist()
    for i, (doc, (path, offset)) in enumerate(zip(docs, where, strict=True)):
        rows.append({
            "url": doc.url, "final_url": doc.url, "status": doc.status,
            "content_type": doc.content_type, "charset": "utf-8" if "html" in doc.content_type
            else None, "bytes": len(doc.body), "sha256": None,
            "fetched_at": start + timedelta(minutes=i), "referrer": doc.referrer,
            "anchor_text": doc.anchor_text, "warc_file": path.relative_to(out).as_posix(),
            "warc_offset": offset, "outcome": doc.outcome, "reason": None,
            "kind": doc.outcome or "page", "family": None, "depth": 1, "year": None,
            "title": doc.title, "filename": None, "list_key": None})
    (out / "frontier.sqlite").touch()
    pq.write_table(pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA), manifest)
    return where
