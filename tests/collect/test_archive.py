"""Reading WARC files back without a crawl: bare files (bodies, referrers, breadcrumbs) and
damaged ones (what is readable is read, what is not is reported or raised)."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.collect.archives import DOCX, Doc, write_crawl, write_warc
from toolkit.collect import iter_documents
from toolkit.collect.archive import Unreadable, html_breadcrumb, read_body

PAGE = ("<html><head><title>某县2022年政府信息公开工作年度报告_某县人民政府</title></head><body>"
        "<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a>政务公开</a> &gt; "
        "<span>年报</span></div><p>正文</p></body></html>").encode()


def docs() -> list[Doc]:
    return [
        Doc("http://www.example.gov.cn/robots.txt", b"User-agent: *", "text/plain", None),
        Doc("http://www.example.gov.cn/nb/2022.html", PAGE),
        Doc("http://www.example.gov.cn/nb/missing.html", b"<p>404</p>", status=404),
        Doc("http://www.example.gov.cn/nb/2022.docx", b"PK\x03\x04 not really a docx", DOCX,
            "attachment", referrer="http://www.example.gov.cn/nb/2022.html"),
    ]


def test_bare_warc_yields_bodies_referrers_and_breadcrumbs(tmp_path: Path) -> None:
    [_, (warc, page_at), _, (_, file_at)] = write_warc(tmp_path, docs())
    found = list(iter_documents(warc))
    assert [d.url for d in found] == ["http://www.example.gov.cn/nb/2022.html",
                                      "http://www.example.gov.cn/nb/2022.docx"]
    page, attachment = found
    assert page.body == PAGE and attachment.body.startswith(b"PK")  # not empty
    assert (page.warc_offset, attachment.warc_offset) == (page_at, file_at)
    assert page.title == "某县2022年政府信息公开工作年度报告_某县人民政府"
    assert page.breadcrumb == "首页 > 政务公开 > 年报"
    assert attachment.referrer == "http://www.example.gov.cn/nb/2022.html"  # its Referer
    assert (attachment.suffix, attachment.breadcrumb, page.referrer) == (".docx", None, None)
    assert read_body(warc, file_at) == attachment.body


def test_breadcrumb_of_a_gbk_page() -> None:
    body = "<div>您的位置: <a>首页</a> → <a>平潭县</a></div>".encode("gbk")
    assert html_breadcrumb(body, "gb2312") == "首页 → 平潭县"
    assert html_breadcrumb(b"<p>no crumbs</p>", None) is None


def damaged(tmp_path: Path, how: str) -> Path:
    where = write_warc(tmp_path, docs())
    warc = where[0][0]
    data = warc.read_bytes()
    page_at, file_at = where[1][1], where[3][1]
    if how == "garbled":
        data = data[:file_at + 30] + b"A" * 40 + data[file_at + 70:]
    elif how == "truncated":
        data = data[:file_at + 50]
    else:
        data = b"this is not a WARC file at all\n" * 20
    warc.write_bytes(data)
    assert page_at < file_at
    return warc


@pytest.mark.parametrize(("how", "readable", "reason"), [
    pytest.param("garbled", 1, "corrupt WARC: ArchiveLoadFailed: Invalid WARC record at offset",
                 id="garbled-member"),
    pytest.param("truncated", 1, "corrupt WARC: truncated: its last 50 bytes are not a complete "
                 "record at offset", id="truncated"),
    pytest.param("noise", 0, "corrupt WARC: not a WARC record (arc format) at offset 0",
                 id="not-a-warc"),
])
def test_damaged_bare_warc(tmp_path: Path, how: str, readable: int, reason: str) -> None:
    warc = damaged(tmp_path, how)
    with pytest.raises(Exception):  # noqa: B017 - without on_error, damage raises (as it was)
        list(iter_documents(warc))
    problems: list[Unreadable] = []
    found = list(iter_documents(warc, on_error=problems.append))
    assert len(found) == readable
    [problem] = problems
    assert (problem.warc_file, problem.offset, problem.url) == (str(warc), None, None)
    assert problem.reason.startswith(reason), problem.reason
    assert "the rest of the file not read" in problem.reason


def test_manifest_record_that_cannot_be_read(tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    where = write_crawl(out, docs())
    warc, file_at = where[3]
    data = warc.read_bytes()
    warc.write_bytes(data[:file_at] + gzip.compress(b"WARC/1.0\r\nbroken") + data[file_at + 200:])
    problems: list[Unreadable] = []
    found = list(iter_documents(out, on_error=problems.append))
    assert [d.url for d in found] == ["http://www.example.gov.cn/nb/2022.html"]
    [problem] = problems
    assert (problem.warc_file, problem.offset, problem.url) == (
        "warc/collect-00000.warc.gz", file_at, "http://www.example.gov.cn/nb/2022.docx")
    assert problem.reason.startswith("unreadable WARC record: ")
    warc.unlink()
    problems.clear()
    assert list(iter_documents(out, on_error=problems.append)) == []
    assert [p.offset for p in problems] == [where[1][1], file_at]
    assert all("FileNotFoundError" in p.reason for p in problems)
