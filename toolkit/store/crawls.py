"""Crawls and WARC files as inputs of an ingest: every report page and attachment they hold.

A folder under the ingest's root that holds `manifest.parquet` or `frontier.sqlite` is a
crawl folder (`python -m toolkit collect --out DIR`). Its documents are read with
`toolkit.collect.iter_documents`: the manifest says which responses are report pages and
attachments (a crawl killed before it wrote its first manifest has none: its WARC files are
then read as bare ones; `collect --resume` writes it). The crawl's own files (the frontier
and its journal, the manifest in Parquet and CSV, the WARC files) are not inputs; any other
file in the folder is. A `.warc` or `.warc.gz` file anywhere else is a bare WARC file: every
2xx response in it is an input.

Each document is one input, at `WARC_FILE#offset=N` (the WARC file's absolute path and the
offset of its response record), identified like a file by the sha256 of its body. What
cannot be read becomes an input with an error, so it gets a `failed` row: a record the
manifest lists that cannot be read (at its own address, with its URL), or a bare WARC file
that cannot be read to its end (under the file's path; the documents before the damage are
still inputs). Needs the `collect` extra (warcio), and only when there are WARC files.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.spec.extras import require
from toolkit.store.scan import Seen
from toolkit.store.workers import WarcTask

if TYPE_CHECKING:
    from toolkit.collect.archive import ArchivedDocument, Unreadable

CRAWL_MARKERS = ("manifest.parquet", "frontier.sqlite")
"""A folder holding one of these is a crawl folder."""
CRAWL_FILES = ("frontier.sqlite", "frontier.sqlite-wal", "frontier.sqlite-shm",
               "frontier.sqlite-journal", "manifest.parquet", "manifest.csv",
               ".manifest.parquet.tmp", ".manifest.csv.tmp")
"""The collector's own files in a crawl folder: not inputs."""
WARC_SUFFIXES = (".warc", ".warc.gz")
ORIGIN_COLUMNS = ("source_url", "source_referrer", "source_title", "fetched_at")
NO_ORIGIN: dict[str, Any] = dict.fromkeys(ORIGIN_COLUMNS)
"""The origin columns of a loose file: all null."""


def is_warc(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


def address(warc_file: Path | str, offset: int) -> str:
    """The `reports.path` of the document whose response record is at `offset`."""
    return f"{warc_file}#offset={offset}"


def path_order(path: str) -> tuple[str, int]:
    """Sort key of `reports.path`: by file, then a WARC file's documents in the order they
    were fetched (by offset, not as text: `#offset=617` before `#offset=4123`)."""
    base, sep, offset = path.partition("#offset=")
    return base, int(offset) if sep and offset.isdigit() else -1


@dataclass
class WarcInputs:
    """What the WARC files under a root hold, as inputs."""

    seen: list[Seen]
    """One entry per document (hashed) and per thing that could not be read (with its error)."""
    origins: dict[str, dict[str, Any]]
    """path → the origin columns of its reports row."""
    tasks: dict[str, WarcTask]
    """path → what a worker needs to parse it."""


@dataclass
class Split:
    """A scan's entries sorted out: loose files, crawl folders, bare WARC files."""

    loose: list[Seen]
    crawls: list[Path]
    bare: list[Path]
    warc_files: int
    """WARC files found (in crawl folders and bare)."""


def split(seen: list[Seen]) -> Split:
    """The loose files, the crawl folders and the bare WARC files among a scan's entries."""
    markers = sorted({Path(s.path).parent for s in seen
                      if not s.is_dir and Path(s.path).name in CRAWL_MARKERS})

    def crawl_of(path: Path) -> Path | None:
        return next((c for c in markers if path.is_relative_to(c)), None)

    loose: list[Seen] = []
    bare: list[Path] = []
    warc_files = 0
    for s in seen:
        path = Path(s.path)
        crawl = None if s.is_dir else crawl_of(path)
        if crawl is not None and path.parent == crawl and path.name in CRAWL_FILES:
            continue
        if not s.is_dir and s.error is None and is_warc(s.path):
            warc_files += 1
            if crawl is None or not (crawl / "manifest.parquet").is_file():
                bare.append(path)
            continue
        loose.append(s)
    crawls = [c for c in markers if (c / "manifest.parquet").is_file()]
    return Split(loose, crawls, sorted(bare), warc_files)


class _Reader:
    """Reads one crawl folder or bare WARC file; keeps metadata only, never the bodies."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.documents: list[tuple[str, int, ArchivedDocument]] = []
        self.failures: list[Unreadable] = []

    def __call__(self) -> _Reader:
        from dataclasses import replace

        from toolkit.collect import iter_documents

        folder = self.source if self.source.is_dir() else None
        for doc in iter_documents(self.source, on_error=self.failures.append):
            warc = folder / doc.warc_file if folder is not None else Path(doc.warc_file)
            self.documents.append((address(warc, doc.warc_offset), len(doc.body),
                                   replace(doc, body=b"")))
        return self


def _fetched_at(doc: ArchivedDocument) -> str:
    return doc.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_page(doc: ArchivedDocument) -> bool:
    return doc.outcome == "report" or (doc.outcome is None and doc.suffix in (".html", ".htm"))


def _hints(doc: ArchivedDocument, pages: dict[str, ArchivedDocument]) -> dict[str, str]:
    """What the parse is told about a document's page: a page's own title and breadcrumb; for
    an attachment, those of the report page that linked it, else the link's text."""
    if _is_page(doc):
        page: ArchivedDocument | None = doc
    else:
        page = pages.get(doc.referrer or "")
    if page is not None:
        found = {"html_title": page.title, "breadcrumb": page.breadcrumb}
    else:
        found = {"html_title": doc.anchor_text, "breadcrumb": None}
    return {k: v for k, v in found.items() if v}


def read_warcs(crawls: Iterable[Path], bare: Iterable[Path], workers: int) -> WarcInputs:
    """Read every crawl folder and bare WARC file (in threads: gzip releases the GIL)."""
    sources = [*crawls, *bare]
    inputs = WarcInputs([], {}, {})
    if not sources:
        return inputs
    require("collect")
    with ThreadPoolExecutor(max_workers=max(1, min(8, workers))) as threads:
        readers = list(threads.map(lambda r: r(), [_Reader(s) for s in sources]))
    pages: dict[str, ArchivedDocument] = {}
    for reader in readers:
        for _, _, doc in reader.documents:
            if _is_page(doc):
                pages.setdefault(doc.final_url, doc)
                pages.setdefault(doc.url, doc)
    for reader in readers:
        folder = reader.source if reader.source.is_dir() else None
        for path, size, doc in reader.documents:
            inputs.seen.append(Seen(path, False, doc.sha256, size, None))
            inputs.origins[path] = {
                "source_url": doc.final_url, "source_referrer": doc.referrer,
                "source_title": doc.title or doc.anchor_text or doc.filename,
                "fetched_at": _fetched_at(doc)}
            inputs.tasks[path] = WarcTask(
                path, path.partition("#offset=")[0], doc.warc_offset, doc.sha256, doc.suffix,
                doc.final_url, tuple(sorted(_hints(doc, pages).items())))
        for failure in reader.failures:
            warc = folder / failure.warc_file if folder is not None else Path(failure.warc_file)
            if failure.offset is None:
                inputs.seen.append(Seen(str(warc), False, None, _file_size(warc),
                                        failure.reason))
            else:
                path = address(warc, failure.offset)
                inputs.seen.append(Seen(path, False, None, None, failure.reason))
                inputs.origins[path] = {**NO_ORIGIN, "source_url": failure.url}
    return inputs


def _file_size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None
