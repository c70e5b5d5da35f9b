"""One exception hierarchy; every error names the file and says what went wrong."""
from __future__ import annotations

from pathlib import Path


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class ReadError(ToolkitError):
    """A file could not be turned into text: unreadable, unsupported, empty, binary."""

    status = "failed"

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsupportedFormat(ReadError):
    """The file's format has no reader here (e.g. .doc without a converter installed)."""

    status = "unsupported"


class NotAReport(ToolkitError):
    """Readable text that holds no disclosure annual report."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
