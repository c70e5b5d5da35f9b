"""Bad input: one clear line on stderr, a documented exit status, partial results kept."""
from __future__ import annotations

import re
import socket
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.collect.conftest import run_collect
from toolkit.dev.httpsite import Hit, LocalSite, Reply

FAST = ("--delay", "0", "--quiet", "--contact", "tests@example.org")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manifest(out: Path) -> list[dict]:
    return pq.read_table(out / "manifest.parquet").to_pylist()


def test_unreachable_start_url_is_an_error_row(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/xxgk/"
    done = run_collect(url, "--out", str(tmp_path / "out"), "--retries", "1", *FAST)
    assert done.returncode == 1
    assert f"collect: {url}: connection refused after 2 tries" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr
    [row] = _manifest(tmp_path / "out")
    assert (row["outcome"], row["reason"]) == ("error", "connection refused after 2 tries")


@pytest.mark.parametrize("bad", [
    pytest.param("ftp://example.gov.cn/nianbao/", id="ftp"),
    pytest.param("nianbao", id="bare-word"),
])
def test_non_http_start_url_is_a_bad_argument(tmp_path: Path, bad: str) -> None:
    done = run_collect(bad, "--out", str(tmp_path / "out"), *FAST)
    assert done.returncode == 2
    assert f"collect: not an http(s) URL: {bad!r}" in done.stderr
    assert "collect: error: no usable start URL" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_bad_start_url_beside_good_ones_is_recorded(tmp_path: Path, pdf_bytes: bytes) -> None:
    with LocalSite({"/nb.pdf": Reply(pdf_bytes, content_type="application/pdf")}) as site:
        done = run_collect("ftp://example.gov.cn/x", site.url("/nb.pdf"),
                           "--out", str(tmp_path / "out"), *FAST)
    assert done.returncode == 1
    rows = {r["url"]: r for r in _manifest(tmp_path / "out")}
    assert (rows["ftp://example.gov.cn/x"]["outcome"],
            rows["ftp://example.gov.cn/x"]["reason"]) == ("error", "not an http(s) URL")


def test_a_start_url_that_is_a_pdf_is_an_attachment(tmp_path: Path, pdf_bytes: bytes) -> None:
    with LocalSite({"/P020230130.pdf": Reply(pdf_bytes, content_type="application/pdf")}) as site:
        done = run_collect(site.url("/P020230130.pdf"), "--out", str(tmp_path / "out"), *FAST)
    assert done.returncode == 0, done.stderr
    [row] = _manifest(tmp_path / "out")
    assert (row["outcome"], row["status"], row["filename"]) == ("attachment", 200,
                                                                 "P020230130.pdf")


def _endless(hit: Hit) -> Reply | None:
    """/loop/index.html, index_1.html, …: every page links the next one, for ever."""
    m = re.fullmatch(r"/loop/index(?:_(\d+))?\.html", hit.path)
    if not m:
        return None
    n = int(m.group(1) or 0)
    prev = f'<a href="index_{n - 1}.html">上一页</a>' if n > 1 else ""
    return Reply(f"<html><head><title>年报</title></head><body><ul><li>第{n}页</li></ul>{prev}"
                 f'<a href="index_{n + 1}.html">下一页</a></body></html>')


def test_endless_pagination_stops_at_the_list_page_limit(tmp_path: Path) -> None:
    rules = (Path(__file__).parents[2] / "toolkit/collect/discovery.toml").read_text("utf-8")
    rules = rules.replace("max_list_pages = 50", "max_list_pages = 5")
    (tmp_path / "rules.toml").write_text(rules, encoding="utf-8")
    with LocalSite(fallback=_endless) as site:
        done = run_collect(site.url("/loop/index.html"), "--out", str(tmp_path / "out"),
                           "--discovery", str(tmp_path / "rules.toml"), *FAST)
        requested = [p for p in site.paths() if p != "/robots.txt"]
    assert done.returncode == 0, done.stderr
    assert requested == ["/loop/index.html", *(f"/loop/index_{n}.html" for n in range(1, 6))]
    skipped = [r for r in _manifest(tmp_path / "out") if r["outcome"] == "skipped"]
    assert [(r["url"].rsplit("/", 1)[1], r["reason"]) for r in skipped] == [
        ("index_6.html", "list page limit (5)")]


def test_max_pages_stops_the_crawl_and_keeps_the_rest_pending(tmp_path: Path) -> None:
    with LocalSite(fallback=_endless) as site:
        done = run_collect(site.url("/loop/index.html"), "--out", str(tmp_path / "out"),
                           "--max-pages", "3", *FAST)
        requested = [p for p in site.paths() if p != "/robots.txt"]
    assert done.returncode == 1
    assert len(requested) == 3
    assert "continue with --resume" in done.stderr
    outcomes = [r["outcome"] for r in _manifest(tmp_path / "out")]
    assert outcomes.count("list") == 3 and outcomes.count("pending") == 1


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--concurrency-per-host", "3"], "add --force-concurrency", id="concurrency"),
    pytest.param(["--since", "19"], "give a year such as 2019", id="since"),
    pytest.param(["--resume"], "nothing to resume", id="resume-nothing"),
])
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = run_collect("http://127.0.0.1:9/", "--out", str(tmp_path / "out"), *args, *FAST)
    assert done.returncode == 2
    assert message in done.stderr
    assert len([line for line in done.stderr.splitlines() if "error" in line]) == 1


def test_an_existing_crawl_needs_resume(tmp_path: Path, pdf_bytes: bytes) -> None:
    with LocalSite({"/a.pdf": Reply(pdf_bytes, content_type="application/pdf")}) as site:
        assert run_collect(site.url("/a.pdf"), "--out", str(tmp_path), *FAST).returncode == 0
        done = run_collect(site.url("/a.pdf"), "--out", str(tmp_path), *FAST)
    assert done.returncode == 2
    assert "already holds a crawl: add --resume" in done.stderr


def test_unknown_key_in_discovery_rules(tmp_path: Path) -> None:
    rules = (Path(__file__).parents[2] / "toolkit/collect/discovery.toml").read_text("utf-8")
    (tmp_path / "rules.toml").write_text(rules.replace("max_depth =", "max_dept ="), "utf-8")
    done = run_collect("http://127.0.0.1:9/", "--out", str(tmp_path / "out"),
                       "--discovery", str(tmp_path / "rules.toml"), *FAST)
    assert done.returncode == 2
    assert "unknown key 'limits.max_dept'" in done.stderr


def test_start_urls_from_a_file(tmp_path: Path, pdf_bytes: bytes) -> None:
    with LocalSite({"/a.pdf": Reply(pdf_bytes, content_type="application/pdf"),
                    "/b.pdf": Reply(pdf_bytes, content_type="application/pdf")}) as site:
        urls = tmp_path / "urls.txt"
        urls.write_text(f"# 年报\n{site.url('/a.pdf')}\n\n  {site.url('/b.pdf')}  \n", "utf-8")
        done = run_collect("--urls", str(urls), "--out", str(tmp_path / "out"), *FAST)
        assert sorted(p for p in site.paths() if p != "/robots.txt") == ["/a.pdf", "/b.pdf"]
    assert done.returncode == 0, done.stderr
    assert [r["outcome"] for r in _manifest(tmp_path / "out")] == ["attachment", "attachment"]
