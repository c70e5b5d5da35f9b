"""Ingest reads WARC archives: a crawl folder's reports and attachments, bare WARC files,
damaged ones; where each report came from; the same report under two URLs; a detail page
and its attachment; re-runs. The archives are written directly (tests/collect/archives.py)."""
from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.collect.archives import DOCX, Doc, write_crawl, write_warc
from tests.store.test_store import by_path, rows, snapshot
from toolkit import load
from toolkit.dev import synth
from toolkit.parse import parse_report
from toolkit.parse.report import Report
from toolkit.store import ingest

SITE = "http://www.pingtan.gov.cn"
OTHER = "http://www.example.gov.cn"


def report(seed: int, **changes: Any) -> synth.SyntheticReport:
    return dataclasses.replace(synth.random_report(random.Random(seed)), **changes)


def html(r: synth.SyntheticReport) -> bytes:
    return str(synth.render(r, "html")).encode()


def docx(r: synth.SyntheticReport) -> bytes:
    data = synth.render(r, "docx")
    assert isinstance(data, bytes)
    return data


TOWN = report(3, agency="金井镇人民政府")
"""A township named without its county, a name three counties share: only the site places it."""
ATTACHED = report(4, agency="屿头乡人民政府")  # 平潭县's, or 台州市黄岩区's
NOTICE_TITLE = f"{ATTACHED.year}年政府信息公开工作年度报告_平潭县人民政府网站"
NOTICE = (f"<html><head><title>{NOTICE_TITLE}</title></head><body><h1>{ATTACHED.year}年政府信息"
          f"公开工作年度报告</h1><p>现将{ATTACHED.year}年政府信息公开工作年度报告全文公布如下，"
          "请见附件。</p><p><a href='/nb/f.docx'>附件：年度报告（Word版）</a></p></body></html>"
          ).encode()


def crawl_docs() -> list[Doc]:
    return [
        Doc(f"{SITE}/xxgk/", b"<html><title>list</title><a href='/nb/1.html'>1</a></html>",
            outcome="list"),
        Doc(f"{SITE}/nb/1.html", html(TOWN), title=TOWN.title),
        Doc(f"{SITE}/nb/missing.html", b"not found", status=404, outcome="error"),
        Doc(f"{SITE}/zhuanzai/1.html", html(TOWN), title=TOWN.title),
        Doc(f"{OTHER}/nb/notice.html", NOTICE, title=NOTICE_TITLE),
        Doc(f"{OTHER}/nb/f.docx", docx(ATTACHED), DOCX, "attachment",
            referrer=f"{OTHER}/nb/notice.html", anchor_text="附件：年度报告（Word版）"),
    ]


@pytest.fixture
def crawled(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """root/crawl (a crawl folder) and root/loose.txt; returns root, out and URL → path."""
    root = tmp_path / "in"
    docs = crawl_docs()
    where = write_crawl(root / "crawl", docs)
    (root / "loose.txt").write_bytes(b"not a report")
    paths = {d.url: f"{warc}#offset={offset}" for d, (warc, offset) in zip(docs, where, strict=True)}
    return root, tmp_path / "out", paths


def test_crawl_folder_documents_are_inputs_with_their_sources(
        crawled: tuple[Path, Path, dict[str, str]]) -> None:
    root, out, paths = crawled
    summary = ingest(root, out, workers=1, progress=False)
    reports = by_path(out)
    documents = [u for u in paths if "/nb/" in u or "/zhuanzai/" in u]
    documents.remove(f"{SITE}/nb/missing.html")
    # every report page and attachment is an input, plus the loose file: the list page, the
    # 404, the WARC file itself and the crawl's frontier and manifest are not
    assert set(reports) == {paths[u] for u in documents} | {str(root / "loose.txt")}
    assert (summary.files_seen, summary.from_warc, summary.warc_files) == (5, 4, 1)
    for url in documents:
        row = reports[paths[url]]
        assert row["source_url"] == url
        assert row["fetched_at"] is not None and row["fetched_at"].startswith("2024-01-20T08:")
    loose = reports[str(root / "loose.txt")]
    assert [loose[c] for c in ("source_url", "source_referrer", "source_title", "fetched_at")] \
        == [None] * 4
    assert reports[paths[f"{SITE}/nb/1.html"]]["source_title"] == TOWN.title
    attachment = reports[paths[f"{OTHER}/nb/f.docx"]]
    assert attachment["source_title"] == "附件：年度报告（Word版）"
    assert attachment["source_referrer"] == f"{OTHER}/nb/notice.html"
    assert attachment["status"] == "ok"


def test_same_bytes_under_two_urls_is_one_report_with_both_urls(
        crawled: tuple[Path, Path, dict[str, str]]) -> None:
    root, out, paths = crawled
    ingest(root, out, workers=1, progress=False)
    first, second = paths[f"{SITE}/nb/1.html"], paths[f"{SITE}/zhuanzai/1.html"]
    reports = by_path(out)
    assert reports[first]["report_id"] == reports[second]["report_id"]
    assert (reports[first]["status"], reports[second]["status"]) == ("ok", "duplicate")
    assert reports[second]["duplicate_of"] == first  # the first fetched (lower offset)
    urls = rows(out, "SELECT list(source_url ORDER BY fetched_at) FROM reports "
                     f"WHERE report_id = '{reports[first]['report_id']}'")
    assert urls == [([f"{SITE}/nb/1.html", f"{SITE}/zhuanzai/1.html"],)]
    rid = reports[first]["report_id"]
    assert rows(out, f"SELECT count(DISTINCT location) > 0 FROM facts WHERE report_id = '{rid}'"
                ) == [(True,)]  # parsed once: the views hold one parse of the content


def test_the_site_places_what_the_text_does_not(
        crawled: tuple[Path, Path, dict[str, str]]) -> None:
    root, out, paths = crawled
    ingest(root, out, workers=1, progress=False)
    reports = by_path(out)
    town = reports[paths[f"{SITE}/nb/1.html"]]
    assert (town["agency"], town["county"], town["level"]) == ("金井镇人民政府", "平潭县", "township")
    assert town["region_evidence"] == "body name; site www.pingtan.gov.cn (平潭)"
    # the attachment is on www.example.gov.cn: the title of the page that linked it names 平潭县
    attachment = reports[paths[f"{OTHER}/nb/f.docx"]]
    assert (attachment["agency"], attachment["adcode"]) == ("屿头乡人民政府", "350128")
    assert attachment["region_evidence"] == "body name; page title names 平潭县"
    # the same text as a loose file: no site, no place
    loose = root / "town.html"
    loose.write_bytes(html(TOWN))
    assert parse_report(loose).meta["adcode"] is None


def test_detail_page_and_its_attachment_are_one_report(
        crawled: tuple[Path, Path, dict[str, str]]) -> None:
    root, out, paths = crawled
    ingest(root, out, workers=1, progress=False)
    reports = by_path(out)
    page, attachment = paths[f"{OTHER}/nb/notice.html"], paths[f"{OTHER}/nb/f.docx"]
    assert reports[page]["status"] == "partial" and reports[page]["body_id"] is None
    corpus = load(out)
    chosen = corpus.reports.set_index("path")
    assert attachment in chosen.index and page not in chosen.index
    assert chosen.loc[attachment, "chosen_over"] == page
    assert chosen.loc[attachment, "choice_reason"] == "usable before unusable"
    assert page not in set(corpus.unusable["path"]), "the page its attachment stands for"
    assert chosen.loc[attachment, "source_url"] == f"{OTHER}/nb/f.docx"
    town = chosen.loc[paths[f"{SITE}/nb/1.html"]]
    assert pd.isna(town["chosen_over"]) and pd.isna(town["choice_reason"])


def test_rerun_parses_nothing_and_a_new_warc_only_its_documents(
        crawled: tuple[Path, Path, dict[str, str]]) -> None:
    root, out, paths = crawled
    ingest(root, out, workers=2, progress=False)
    before = snapshot(out)
    again = ingest(root, out, workers=2, progress=False)
    assert (again.parsed_now, again.skipped_known, again.duplicates) == (0, 5, 0)
    assert snapshot(out) == before
    # a second run of the crawl: one new report, one known again under a new URL
    new = report(5)
    later = write_crawl(root / "crawl", [Doc(f"{SITE}/nb/2.html", html(new)),
                                         Doc(f"{SITE}/nb/1-copy.html", html(TOWN))])
    parse = RecordingParse()
    third = ingest(root, out, workers=1, progress=False, parse=parse, limits=None)
    assert (third.parsed_now, third.duplicates, third.warc_files) == (1, 1, 2)
    [(url, title)] = parse.calls
    assert url == f"{SITE}/nb/2.html" and title is not None and title.startswith(new.title)
    reports = by_path(out)
    copy = reports[f"{later[1][0]}#offset={later[1][1]}"]
    assert (copy["status"], copy["duplicate_of"], copy["source_url"]) == (
        "duplicate", paths[f"{SITE}/nb/1.html"], f"{SITE}/nb/1-copy.html")


class RecordingParse:
    """A parse function that takes the source and the page's hints, and says what it got."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, str | None]] = []

    def __call__(self, path: Path, source_url: str | None = None,
                 hints: dict[str, str] | None = None) -> Report:
        self.calls.append((source_url, (hints or {}).get("html_title")))
        assert path.suffix == ".html" and path.is_file()
        return parse_report(path, source_url=source_url, hints=hints)


def test_damaged_warc_files(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    # a bare WARC file garbled in its third response: two documents read, then a failed row
    bare = [Doc(f"{SITE}/a{i}.html", html(report(10 + i))) for i in range(3)]
    where = write_warc(root / "bare", bare)
    warc, third = where[2]
    data = warc.read_bytes()
    warc.write_bytes(data[:third + 20] + b"X" * 60 + data[third + 80:])
    # a crawl folder whose manifest lists a record that is not there any more
    crawl = root / "crawl"
    [(cwarc, offset)] = write_crawl(crawl, [Doc(f"{OTHER}/nb/x.html", html(report(20)))])
    cwarc.write_bytes(cwarc.read_bytes()[:offset])
    summary = ingest(root, out, workers=1, progress=False)
    reports = by_path(out)
    assert set(reports) == {f"{warc}#offset={where[0][1]}", f"{warc}#offset={where[1][1]}",
                            str(warc), f"{cwarc}#offset={offset}"}
    file_row = reports[str(warc)]
    assert file_row["status"] == "failed" and file_row["report_id"] is None
    assert file_row["error"].startswith(f"corrupt WARC: ArchiveLoadFailed: Invalid WARC record "
                                        f"at offset {third} (2 documents read before it")
    assert file_row["size_bytes"] == warc.stat().st_size
    record = reports[f"{cwarc}#offset={offset}"]
    assert (record["status"], record["source_url"]) == ("failed", f"{OTHER}/nb/x.html")
    assert record["error"].startswith("unreadable WARC record: ")
    assert [reports[f"{warc}#offset={where[i][1]}"]["status"] for i in (0, 1)] == ["ok", "ok"]
    assert summary.by_status == {"failed": 2, "ok": 2}
    before = snapshot(out)
    assert ingest(root, out, workers=1, progress=False).parsed_now == 0
    assert snapshot(out) == before
