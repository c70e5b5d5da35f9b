"""The collector's words, declared once: what a frontier URL is, where it stands, what became of it.

They are `StrEnum`s so SQLite, Parquet and CSV hold plain text and comparisons with strings work.
"""
from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Why a URL entered the frontier."""

    START = "start"
    """Given on the command line: read for links whatever it turns out to be."""
    LIST = "list"
    """A list of reports: a 年报 column, one of its pages, a dataproxy.jsp or JSON API page."""
    REPORT = "report"
    """A link whose text names a report and a year: a detail page (or the file itself)."""
    ATTACHMENT = "attachment"
    """A file linked from a report page (or a report link that is a file)."""


class State(StrEnum):
    """Where a frontier URL stands; only `pending` ones are handed to Scrapy."""

    PENDING = "pending"
    QUEUED = "queued"
    """Handed to Scrapy and not recorded yet; back to `pending` when a crawl resumes."""
    FETCHED = "fetched"
    FAILED = "failed"
    SKIPPED = "skipped"


class Outcome(StrEnum):
    """What the manifest says became of a URL."""

    REPORT = "report"
    ATTACHMENT = "attachment"
    LIST = "list"
    PAGE = "page"
    """Fetched, but neither a report, a file nor a list (e.g. a soft 404 behind a report link)."""
    SKIPPED = "skipped"
    ERROR = "error"
    PENDING = "pending"
    """Not fetched yet: the crawl stopped (--max-pages, Ctrl-C, killed); `--resume` goes on."""


DOCUMENT_OUTCOMES: tuple[Outcome, ...] = (Outcome.REPORT, Outcome.ATTACHMENT)
"""The outcomes whose bodies `iter_documents` yields: what ingest reads."""
