"""A crawl killed with SIGKILL halfway resumes with --resume: nothing recorded is fetched
again, nothing pending is lost."""
from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq

from tests.collect.conftest import popen_collect, run_collect
from tests.collect.site import li, page, report_page
from toolkit.collect import iter_documents
from toolkit.dev.httpsite import LocalSite, Reply

N_REPORTS = 30


def _site(seed_texts: list[str]) -> dict[str, Reply]:
    routes = {"/xxgk/": Reply(page("政府信息公开", "")),  # in every page's navigation
              "/": Reply(page("部门年报", "<ul>" + "".join(
        li(f"/nb/{i}.html", f"第{i}部门{2000 + i}年政府信息公开工作年度报告")
        for i in range(N_REPORTS)) + "</ul>"))}
    for i in range(N_REPORTS):
        routes[f"/nb/{i}.html"] = Reply(report_page(
            f"第{i}部门{2000 + i}年政府信息公开工作年度报告", seed_texts[i % len(seed_texts)]),
            delay=0.1)
    return routes


def test_sigkill_then_resume(tmp_path: Path, seed_texts: list[str]) -> None:
    out = tmp_path / "out"
    with LocalSite(_site(seed_texts)) as site:
        crawl = popen_collect(site.url("/"), "--out", str(out), "--delay", "0", "--quiet",
                              "--contact", "tests@example.org")
        deadline = time.monotonic() + 60
        while len(site.hits) < 12 and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.02)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        assert crawl.returncode == -signal.SIGKILL
        time.sleep(0.3)  # requests already sent may still be answered
        before = len(site.hits)
        with sqlite3.connect(out / "frontier.sqlite") as db:
            recorded = {urlsplit(url).path for url, in db.execute(
                "SELECT url FROM urls WHERE state IN ('fetched', 'failed', 'skipped')")}
            pending = db.execute("SELECT count(*) FROM urls WHERE state IN "
                                 "('pending', 'queued')").fetchone()[0]
        assert recorded and pending, "the crawl was not killed halfway"
        assert not (out / "manifest.parquet").exists()

        done = run_collect("--out", str(out), "--resume", "--delay", "0", "--quiet")
        after = [h.path for h in site.hits[before:] if h.path != "/robots.txt"]

    assert done.returncode == 0, done.stderr
    assert not recorded & set(after), "a URL recorded before the kill was fetched again"
    assert len(after) == len(set(after))
    manifest = pq.read_table(out / "manifest.parquet").to_pylist()
    outcomes = {urlsplit(r["url"]).path: r["outcome"] for r in manifest}
    assert outcomes == {"/": "list", "/xxgk/": "list",
                        **{f"/nb/{i}.html": "report" for i in range(N_REPORTS)}}
    assert len(list((out / "warc").glob("collect-*.warc.gz"))) == 2  # a new file per run
    docs = list(iter_documents(out))
    assert sorted(urlsplit(d.url).path for d in docs) == sorted(
        f"/nb/{i}.html" for i in range(N_REPORTS))
