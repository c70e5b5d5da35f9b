"""How much work one input file may cost, declared once.

Every reader and the ingest workers check against these, so one hostile or broken file
(a PDF whose few bytes draw a million glyphs, a zip bomb, a line of 40-digit numbers) ends
as a status row naming the limit instead of stalling a batch or a cluster. The numbers are
generous: real reports are a few pages and a few hundred KB.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one file; a file beyond one is `limit_exceeded`, with its name."""

    file_bytes: int = 20_000_000
    """Bytes on disk (or in a WARC record)."""
    expanded_bytes: int = 200_000_000
    """Bytes after decompression (DOCX members, PDF streams)."""
    pages: int = 500
    """PDF pages read."""
    chars_per_page: int = 200_000
    """Characters extracted from one PDF page."""
    xml_nodes: int = 2_000_000
    """Elements in one DOCX part or HTML page."""
    seconds: float = 120.0
    """Wall-clock time to read and parse one file in an ingest worker."""
    memory_bytes: int = 2_000_000_000
    """Address space of an ingest worker while it parses one file."""


DEFAULT_LIMITS = Limits()
