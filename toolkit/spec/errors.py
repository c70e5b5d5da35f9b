"""One exception hierarchy; every error names what it is about, says what went wrong, and
carries the status a batch records for it.

Batch paths (ingest, `parse --json`, briefings) never let an exception escape: they record
`status_of(error)` and `reason_of(error)` in a row. An exception that is not a
`ToolkitError` is the toolkit's own failure, recorded as `internal_error` (with the
traceback logged), never as a `failed` that would read like bad input.
"""
from __future__ import annotations

from pathlib import Path

from toolkit.spec.vocab import Status


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""

    status: Status = Status.FAILED

    def __init__(self, message: str) -> None:
        self.reason = message
        super().__init__(message)


class _AboutFile(ToolkitError):
    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {reason}")
        self.reason = reason


class ReadError(_AboutFile):
    """A file could not be turned into text: unreadable, unsupported, empty, binary."""


class UnsupportedFormat(ReadError):
    """The file's format has no reader here (e.g. .doc without a converter installed)."""

    status = Status.UNSUPPORTED


class LimitExceeded(_AboutFile):
    """Reading or parsing the file would cost more than a limit allows (`spec.limits`)."""

    status = Status.LIMIT_EXCEEDED

    def __init__(self, path: str | Path, limit: str, reason: str) -> None:
        self.limit = limit
        super().__init__(path, f"limit {limit}: {reason}")


class NotAReport(_AboutFile):
    """Readable text that holds no disclosure annual report."""


class TemplateError(ToolkitError):
    """`template.toml` (or a file given in its place) does not describe a template."""


class StoreNotFound(ToolkitError, FileNotFoundError):
    """No store where one was looked for; the message says where and how to build one."""


def status_of(error: BaseException) -> Status:
    """The status a batch records for `error`: its own, or `internal_error` for a bug."""
    return error.status if isinstance(error, ToolkitError) else Status.INTERNAL_ERROR


def reason_of(error: BaseException) -> str:
    """One line for the status row: the reason of a `ToolkitError`, else type and message."""
    if isinstance(error, ToolkitError):
        return error.reason
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"{type(error).__name__}: {error}"
