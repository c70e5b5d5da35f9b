"""A whole crawl of the miniature government site: manifest, WARC, reading back, server log.

The crawl runs once per module, in a subprocess (`python -m toolkit collect`), against the
site of site.py on 127.0.0.1; a second site (reached as localhost) stands for another host.
"""
from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.collect import site as fixture_site
from tests.collect.conftest import run_collect
from toolkit.collect import iter_documents
from toolkit.dev.httpsite import LocalSite, Reply


@dataclass
class Crawl:
    out: Path
    site: LocalSite
    other: LocalSite
    expected: fixture_site.Expected
    returncode: int
    stderr: str
    manifest: list[dict[str, Any]]

    def row(self, path: str) -> dict[str, Any]:
        rows = [r for r in self.manifest if _path(r["url"]) == path]
        assert len(rows) == 1, f"{path}: {len(rows)} manifest rows"
        return rows[0]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, seed_texts: list[str], pdf_bytes: bytes,
          docx_bytes: bytes) -> Any:
    other = LocalSite(fallback=lambda hit: Reply("<title>2022年政府信息公开工作年度报告</title>"))
    with other:
        routes, expected = fixture_site.build(seed_texts, pdf_bytes, docx_bytes,
                                              f"localhost:{other.port}")
        with LocalSite(routes) as site:
            out = tmp_path_factory.mktemp("crawl") / "out"
            done = run_collect(site.url("/"), "--out", str(out), "--since", "2015",
                               "--delay", "0", "--contact", "tests@example.org", "--quiet")
            manifest = pq.read_table(out / "manifest.parquet").to_pylist()
            yield Crawl(out, site, other, expected, done.returncode, done.stderr, manifest)


def test_exit_status_and_one_line_per_failure(crawl: Crawl) -> None:
    assert crawl.returncode == 1, crawl.stderr  # the 404 is a failure; everything else is kept
    lines = [line for line in crawl.stderr.splitlines() if "missing.html" in line]
    assert lines == [f"collect: {crawl.site.url('/xxgk/ndbg/missing.html')}: 404"]
    assert "Traceback" not in crawl.stderr
    assert "collect: done:" in crawl.stderr


def test_manifest_outcomes_and_reasons(crawl: Crawl) -> None:
    for path, (outcome, reason) in crawl.expected.outcomes.items():
        row = crawl.row(path)
        assert row["outcome"] == outcome, (path, row)
        if reason is None:
            assert row["reason"] is None, (path, row)
        else:
            assert (row["reason"] or "").startswith(reason), (path, row)
    off = [r for r in crawl.manifest if urlsplit(r["url"]).hostname == "localhost"]
    assert [(r["outcome"], r["reason"]) for r in off] == [("skipped", "off-host")]


def test_every_frontier_url_has_a_final_outcome(crawl: Crawl) -> None:
    import sqlite3

    with sqlite3.connect(crawl.out / "frontier.sqlite") as db:
        n = db.execute("SELECT count(*) FROM urls").fetchone()[0]
    assert len(crawl.manifest) == n
    outcomes = Counter(r["outcome"] for r in crawl.manifest)
    assert "pending" not in outcomes
    assert set(outcomes) <= {"report", "attachment", "list", "page", "skipped", "error"}
    fetched = [r for r in crawl.manifest if r["outcome"] not in ("skipped",)]
    assert all(r["fetched_at"] is not None and r["warc_file"] for r in fetched)


def test_fields_of_a_redirected_report(crawl: Crawl) -> None:
    row = crawl.row("/old/2021.html")
    assert _path(row["final_url"]) == "/xxgk/ndbg/202201/t20220110_3.html"
    assert row["status"] == 200 and row["kind"] == "report" and row["year"] == 2021
    assert row["anchor_text"] == "某区人民政府2021年政府信息公开工作年度报告"
    assert _path(row["referrer"]) == "/xxgk/ndbg/index.html"


def test_server_log(crawl: Crawl) -> None:
    paths = crawl.site.paths()
    assert paths[0] == "/robots.txt"
    for never in crawl.expected.never_requested:
        assert never not in paths, never
    assert crawl.other.hits == []  # another host: never followed
    counts = Counter(paths)
    assert counts["/xxgk/ndbg/flaky.html"] == 2  # 500, then the retry
    assert {p: n for p, n in counts.items() if n > 1} == {"/xxgk/ndbg/flaky.html": 2}
    agents = {h.user_agent for h in crawl.site.hits}
    assert agents == {"ogi-toolkit/0.1.0 (+mailto:tests@example.org; government information "
                      "disclosure annual reports collector)"}
    # the Hanweb list's remaining records came from dataproxy.jsp, two groups of three
    proxies = [p for p in paths if p.startswith("/module/web/jpage/dataproxy.jsp")]
    assert len(proxies) == 2 and all("columnid=4171" in p for p in proxies)
    assert any(p.startswith("/api/list?") and "page=2" in p for p in paths)


def _records(out: Path) -> list[Any]:
    records = []
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                raw = record.raw_stream.read()
                records.append((warc.name, it.get_record_offset(), record, raw))
    return records


def test_warc_holds_every_exchange_as_received(crawl: Crawl) -> None:
    records = _records(crawl.out)
    assert records[0][2].rec_type == "warcinfo"
    by_id = {r.rec_headers.get_header("WARC-Record-ID"): r for _, _, r, _ in records}
    requests = [r for _, _, r, _ in records if r.rec_type == "request"]
    responses = [(name, off, r, raw) for name, off, r, raw in records if r.rec_type == "response"]
    assert len(requests) == len(responses)
    for _, _, response, _ in responses:
        request = by_id[response.rec_headers.get_header("WARC-Concurrent-To")]
        assert request.rec_type == "request"
        assert request.rec_headers.get_header("WARC-Concurrent-To") == \
            response.rec_headers.get_header("WARC-Record-ID")
        assert request.rec_headers.get_header("WARC-Target-URI") == \
            response.rec_headers.get_header("WARC-Target-URI")
        assert response.rec_headers.get_header("WARC-Date")
    statuses = {(_path(r.rec_headers.get_header("WARC-Target-URI")),
                 r.http_headers.get_statuscode()) for _, _, r, _ in responses}
    assert ("/old/2021.html", "302") in statuses
    assert ("/xxgk/ndbg/202201/t20220110_3.html", "200") in statuses
    assert ("/xxgk/ndbg/missing.html", "404") in statuses
    assert ("/xxgk/ndbg/flaky.html", "500") in statuses and \
        ("/xxgk/ndbg/flaky.html", "200") in statuses
    assert ("/robots.txt", "200") in statuses
    redirect = next(r for _, _, r, _ in responses
                    if _path(r.rec_headers.get_header("WARC-Target-URI")) == "/old/2021.html")
    assert redirect.http_headers.get_header("Location") == "/xxgk/ndbg/202201/t20220110_3.html"
    # the gzip'd page is archived gzip'd, as sent
    gz = next((r, raw) for _, _, r, raw in responses
              if _path(r.rec_headers.get_header("WARC-Target-URI")).endswith("t20240120_1.html"))
    assert gz[0].http_headers.get_header("Content-Encoding") == "gzip"
    assert gz[1].startswith(b"\x1f\x8b")
    assert "某区人民政府2023年" in gzip.decompress(gz[1]).decode("utf-8")
    # the GBK file name is archived as its bytes
    download = next(r for _, _, r, _ in responses
                    if _path(r.rec_headers.get_header("WARC-Target-URI")) == "/download?id=77")
    value = download.http_headers.get_header("Content-Disposition")
    assert value.encode("latin-1").decode("gbk").endswith("年度报告.pdf\"")
    # each manifest row points at its response record
    offsets = {(name, off): r for name, off, r, _ in responses}
    for row in crawl.manifest:
        if row["warc_file"]:
            record = offsets[(Path(row["warc_file"]).name, row["warc_offset"])]
            assert record.rec_headers.get_header("WARC-Target-URI") == row["final_url"]


def test_iter_documents_gives_every_report_and_attachment(crawl: Crawl, seed_texts: list[str],
                                                          docx_bytes: bytes,
                                                          pdf_bytes: bytes) -> None:
    docs = list(iter_documents(crawl.out))
    got = {_path(d.url): d for d in docs}
    assert len(got) == len(docs)
    assert {p: d.outcome for p, d in got.items()} == crawl.expected.documents
    for d in docs:
        assert d.sha256 == hashlib.sha256(d.body).hexdigest()
        assert d.fetched_at.tzinfo is not None and d.status == 200
    gz = got["/xxgk/ndbg/202401/t20240120_1.html"]
    assert gz.body.startswith(b"<!DOCTYPE html>")  # content encoding undone
    assert gz.title == "某区人民政府2023年政府信息公开工作年度报告" and gz.suffix == ".html"
    assert gz.sha256 == got["/zhuanzai/2023.html"].sha256  # the same report under two URLs
    gbk = got["/xxgk/ndbg/202301/t20230115_2.html"]
    assert gbk.charset in ("gb18030", "gbk", "gb2312")
    assert gbk.title == "某区人民政府2022年政府信息公开工作年度报告"
    first_line = next(line for line in seed_texts[1].splitlines() if line.strip()).strip()
    assert first_line[:10] in gbk.body.decode("gb18030")
    redirected = got["/old/2021.html"]
    assert _path(redirected.final_url) == "/xxgk/ndbg/202201/t20220110_3.html"
    assert got["/download?id=77"].filename == "某区人民政府2019年政府信息公开工作年度报告.pdf"
    assert got["/download?id=77"].body == pdf_bytes and got["/download?id=77"].suffix == ".pdf"
    word = got["/attachment/get?fileId=88"]
    assert word.filename == "2019年年报（Word版）.docx" and word.body == docx_bytes
    assert word.suffix == ".docx" and word.year == 2019
    assert _path(word.referrer or "") == "/xxgk/ndbg/202001/t20200110_5.html"
    assert word.anchor_text == "附件2（Word版）"
    assert got["/getfile/123"].filename == "123" and got["/getfile/123"].suffix == ".pdf"
    pdf = [d for p, d in got.items() if p.startswith("/api-list/files/")]
    assert [d.filename for d in pdf] == ["2020年报.pdf"]


def test_iter_documents_of_one_warc_file(crawl: Crawl) -> None:
    warcs = sorted((crawl.out / "warc").glob("*.warc.gz"))
    from_files = [d.url for w in warcs for d in iter_documents(w)]
    assert sorted(from_files) == sorted(d.url for d in iter_documents(crawl.out))


def test_resume_of_a_finished_crawl_fetches_nothing(crawl: Crawl) -> None:
    before = len(crawl.site.hits)
    done = run_collect("--out", str(crawl.out), "--resume", "--delay", "0", "--quiet")
    assert done.returncode == 1  # the 404 is still a failure
    assert len(crawl.site.hits) == before  # not even robots.txt: nothing was pending
    manifest = pq.read_table(crawl.out / "manifest.parquet").to_pylist()
    assert manifest == crawl.manifest


def test_ingest_of_the_crawl_folder(crawl: Crawl, tmp_path: Path) -> None:
    """`python -m toolkit ingest` of the crawl: one row per report page and attachment, each
    with the URL that answered and when; the same bytes under several URLs parsed once."""
    from toolkit.store import ingest, open_store

    summary = ingest(crawl.out, tmp_path / "store", workers=1, progress=False)
    con = open_store(tmp_path / "store")
    try:
        rows = con.execute("SELECT path, report_id, status, duplicate_of, source_url, "
                           "source_referrer, fetched_at FROM reports").fetchall()
    finally:
        con.close()
    assert len(rows) == len(crawl.expected.documents) == summary.files_seen == summary.from_warc
    manifest = {r["final_url"]: r for r in crawl.manifest if r["outcome"] in ("report",
                                                                              "attachment")}
    by_url = {}
    for path, rid, status, _, url, referrer, fetched_at in rows:
        row = manifest[url]  # the URL answered (after the redirect of /old/2021.html)
        assert path == f"{crawl.out / row['warc_file']}#offset={row['warc_offset']}"
        assert fetched_at == row["fetched_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
        assert referrer == row["referrer"]
        by_url[_path(url)] = (rid, status)
    assert "/xxgk/ndbg/202201/t20220110_3.html" in by_url and "/old/2021.html" not in by_url
    same = [by_url["/xxgk/ndbg/202401/t20240120_1.html"], by_url["/zhuanzai/2023.html"]]
    assert same[0][0] == same[1][0] and sorted(s for _, s in same) == ["duplicate", "ok"]
    pdfs = [by_url[p] for p in ("/download?id=77", "/getfile/123", "/xxgk/ndbg/P020210130.pdf")]
    assert len({rid for rid, _ in pdfs}) == 1 and [s for _, s in pdfs].count("duplicate") == 2
    again = ingest(crawl.out, tmp_path / "store", workers=1, progress=False)
    assert again.parsed_now == 0 and again.skipped_known == len(rows)
