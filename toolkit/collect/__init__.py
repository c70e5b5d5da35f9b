"""Collect reports from government websites: a polite Scrapy crawl into WARC files.

`python -m toolkit collect START_URL... --out DIR` (see `run.py`) writes, in DIR, the
frontier (`frontier.sqlite`, the record of truth, resumable), the archive (`warc/*.warc.gz`,
every request and response as received) and the manifest (`manifest.parquet`, `.csv`: one
row per URL with its outcome and reason). `iter_documents(DIR)` reads the reports and
attachments back for ingest.

Modules: `discovery` (+ `discovery.toml`: which links are reports, lists, files), `files`
(file or page; file names), `scope` (hosts), `frontier` (SQLite), `scheduler` (Scrapy fed
from the frontier), `spider`, `middlewares` (scope, retry backoff), `warc` (archive),
`manifest`, `archive` (reading back), `progress`, `run` (settings, CLI).
"""
from __future__ import annotations

from toolkit.collect.archive import ArchivedDocument, iter_documents
from toolkit.collect.outcome import Kind, Outcome, State

__all__ = ["ArchivedDocument", "Kind", "Outcome", "State", "iter_documents"]
