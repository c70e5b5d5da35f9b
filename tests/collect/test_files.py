"""Files and their names: Content-Disposition in GBK, RFC 5987, percent-encoded; sniffing."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from toolkit.collect.discovery import load_rules
from toolkit.collect.files import (
    filename_from_disposition,
    filename_from_url,
    is_file_response,
    suffix_for,
)

NAME = "某区2022年政府信息公开工作年度报告.pdf"


@pytest.mark.parametrize("header", [
    pytest.param(b'attachment; filename="' + NAME.encode("gbk") + b'"', id="gbk-bytes"),
    pytest.param(b'attachment; filename="' + NAME.encode("utf-8") + b'"', id="utf8-bytes"),
    pytest.param(f"attachment; filename*=UTF-8''{quote(NAME)}".encode(), id="rfc5987-utf8"),
    pytest.param(f"attachment; filename*=GBK''{quote(NAME.encode('gbk'))}".encode(),
                 id="rfc5987-gbk"),
    pytest.param(b'attachment; filename="x.pdf"; filename*=UTF-8\'\'' + quote(NAME).encode(),
                 id="rfc5987-wins"),
    pytest.param(f'attachment; filename="{quote(NAME)}"'.encode(), id="percent-utf8"),
    pytest.param(f"attachment;filename={quote(NAME.encode('gbk'))}".encode(), id="percent-gbk"),
    pytest.param(NAME.encode("gbk").decode("latin-1").join(['inline; filename="', '"']),
                 id="gbk-read-as-latin1"),
])
def test_filename_from_disposition(header: bytes | str) -> None:
    assert filename_from_disposition(header) == NAME


def test_no_filename() -> None:
    assert filename_from_disposition(b"attachment") is None
    assert filename_from_disposition(None) is None
    assert filename_from_url("http://x.gov.cn/a/%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert filename_from_url("http://x.gov.cn/") is None


def test_file_or_page() -> None:
    rules = load_rules()
    args = (rules.content_types, rules.extensions)
    assert is_file_response(b"%PDF-1.7 ...", "text/html", None, "http://x/a.html", *args)
    assert is_file_response(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", None, None, "http://x/a", *args)
    assert is_file_response(b"....", "application/octet-stream", None, "http://x/dl?id=1", *args)
    assert is_file_response(b"....", "text/plain", b"attachment; filename=a.wps", "http://x/a", *args)
    assert not is_file_response(b"<!DOCTYPE html><html>", "application/octet-stream", None,
                                "http://x/a.pdf", *args)  # an error page served as a PDF
    assert not is_file_response(b"<html>", "text/html", None, "http://x/a.html", *args)


def test_suffix_by_content_first() -> None:
    assert suffix_for(b"%PDF-1.4", "application/octet-stream", "a.doc") == ".pdf"
    assert suffix_for(b"PK\x03\x04....word/document.xml....", None, None) == ".docx"
    assert suffix_for(b"PK\x03\x04....OFD.xml....", None, "x.zip") == ".ofd"
    assert suffix_for(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, "a.wps") == ".wps"
    assert suffix_for(b"<html>", "text/html; charset=GBK", None) == ".html"
