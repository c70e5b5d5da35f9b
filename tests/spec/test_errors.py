"""Every error carries the status a batch records for it; a bug is an internal_error."""
from __future__ import annotations

import pytest

from toolkit.spec.errors import (
    NotAReport,
    ReadError,
    StoreNotFound,
    ToolkitError,
    UnsupportedFormat,
    reason_of,
    status_of,
)
from toolkit.spec.vocab import Status


@pytest.mark.parametrize(("error", "status"), [
    pytest.param(ReadError("a.pdf", "PDF is encrypted"), Status.FAILED, id="read"),
    pytest.param(UnsupportedFormat("a.doc", "needs LibreOffice"), Status.UNSUPPORTED, id="format"),
    pytest.param(NotAReport("a.txt", "no report"), Status.FAILED, id="not-a-report"),
    pytest.param(StoreNotFound("no store"), Status.FAILED, id="store"),
    pytest.param(ValueError("bug"), Status.INTERNAL_ERROR, id="bug"),
    pytest.param(KeyError("bug"), Status.INTERNAL_ERROR, id="key-bug"),
])
def test_status_of(error: BaseException, status: Status) -> None:
    assert status_of(error) == status


def test_reason_names_the_file_in_the_message_and_keeps_the_reason_apart() -> None:
    error = ReadError("reports/a.pdf", "PDF is encrypted")
    assert str(error) == "reports/a.pdf: PDF is encrypted"
    assert reason_of(error) == "PDF is encrypted"
    assert reason_of(ValueError("x")) == "ValueError: x"
    assert reason_of(PermissionError(13, "denied")) == "permission denied"


def test_store_not_found_is_also_a_file_not_found_error() -> None:
    assert isinstance(StoreNotFound("x"), FileNotFoundError)
    assert isinstance(StoreNotFound("x"), ToolkitError)
