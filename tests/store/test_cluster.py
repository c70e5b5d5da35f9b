"""Ingest on Dask (`ingest(..., scheduler=...)`, toolkit.store.cluster): the same rows, parts
and views as the local pool, the same re-run, resume and failure guarantees, WARC input
too. A LocalCluster in this process (threads) stands in for a cluster; one test starts
worker processes through the command line."""
from __future__ import annotations

import importlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.collect.archives import Doc, write_crawl
from tests.store.test_store import by_path, fake_parse, make_tree, part_files, rows, run, snapshot
from toolkit import cli
from toolkit.dev import synth
from toolkit.parse import parse_report
from toolkit.parse.report import Report
from toolkit.store import cluster

ingest_module = importlib.import_module("toolkit.store.ingest")

distributed = pytest.importorskip("distributed", reason="the dask extra runs ingest on Dask")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as local:
        yield local.scheduler_address


def _tree(root: Path) -> None:
    make_tree(root)
    (root / "copy_of_a.txt").write_bytes(b"report a")
    (root / "bad.txt").write_bytes(b"RAISE")


def test_the_cluster_writes_the_rows_parts_and_views_of_the_local_pool(
        tmp_path: Path, scheduler: str) -> None:
    root = tmp_path / "in"
    _tree(root)
    here = run(root, tmp_path / "here", batch_size=1)
    there = run(root, tmp_path / "there", batch_size=2, scheduler=scheduler)
    assert snapshot(tmp_path / "there") == snapshot(tmp_path / "here")
    assert sorted(p for p in part_files(tmp_path / "there")) == sorted(part_files(tmp_path / "here"))
    assert (there.parsed_now, there.duplicates, there.by_status) == (
        here.parsed_now, here.duplicates, here.by_status)
    assert there.by_status["internal_error"] == 1 and there.duplicates == 1


def test_a_rerun_on_the_cluster_writes_nothing(tmp_path: Path, scheduler: str) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    _tree(root)
    run(root, out, scheduler=scheduler)
    before = part_files(out)
    again = run(root, out, scheduler=scheduler)
    assert (again.parsed_now, again.skipped_known) == (0, again.files_seen)
    assert part_files(out) == before


def test_an_interrupted_run_resumes_on_the_cluster(tmp_path: Path, scheduler: str) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)

    def interrupted(path: Path) -> Report:
        if path.name == "b.txt":
            raise KeyboardInterrupt
        return fake_parse(path)

    with pytest.raises(KeyboardInterrupt):
        run(root, out, parse=interrupted, batch_size=1)
    assert len(by_path(out)) == 3
    resumed = run(root, out, scheduler=scheduler)
    assert resumed.parsed_now == 2
    assert len(by_path(out)) == len(files)
    assert rows(out, "SELECT count(*) FROM facts") == [(2 * len(files),)]


def test_a_batch_whose_worker_failed_still_gets_its_rows(
        tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch that fails on the cluster (here: its parse step raises past the per-file
    guard, as a worker that runs out of memory or is killed would end it) is written by the
    client, its files `internal_error` rows naming the failure; the other batches stand."""
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    guarded = ingest_module._parse_batch

    def lost(batch: Any) -> Any:
        if any(job.path.endswith("b.txt") for job in batch.jobs):
            raise RuntimeError("worker lost")
        return guarded(batch)

    monkeypatch.setattr(ingest_module, "_parse_batch", lost)
    summary = run(root, out, batch_size=1, scheduler=scheduler)
    table = by_path(out)
    assert len(table) == len(files)
    assert table[str(root / "sub" / "b.txt")]["status"] == "internal_error"
    assert "Dask worker failed: RuntimeError: worker lost" in table[str(root / "sub" / "b.txt")]["error"]
    assert table[str(root / "sub" / "deeper" / "c.txt")]["status"] == "ok"
    assert summary.by_status["internal_error"] == 1


def test_warc_records_are_tasks_on_the_cluster(tmp_path: Path, scheduler: str) -> None:
    site = "http://www.pingtan.gov.cn"
    reports = [synth.random_report(random.Random(seed)) for seed in (3, 4)]
    docs = [Doc(f"{site}/nb/{i}.html", str(synth.render(r, "html")).encode(), title=r.title)
            for i, r in enumerate(reports)]
    docs.append(Doc(f"{site}/copy.html", docs[0].body, title=reports[0].title))
    root = tmp_path / "in"
    write_crawl(root / "crawl", docs)
    here = ingest_with(root, tmp_path / "here", batch_size=1)
    there = ingest_with(root, tmp_path / "there", scheduler=scheduler)
    assert snapshot(tmp_path / "there") == snapshot(tmp_path / "here")
    assert there.from_warc == here.from_warc == 3
    values = rows(tmp_path / "there", "SELECT count(*) FROM facts WHERE value IS NOT NULL")
    assert values[0][0] > 300


def ingest_with(root: Path, out: Path, **kw: Any) -> Any:
    from toolkit.store import ingest

    return ingest(root, out, progress=False, parse=parse_report, workers=1, **kw)


def test_workers_with_another_parser_are_refused() -> None:
    class Client:
        def run(self, function: Any) -> dict[str, str]:
            return {"tcp://a:1": "same", "tcp://b:2": "other"}

    with pytest.raises(RuntimeError, match=r"tcp://b:2 run another version"):
        cluster.same_parser(Client(), "same", lambda: "same")


def test_ingest_command_on_a_local_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    root = tmp_path / "in"
    for i, seed in enumerate((5, 6, 7)):
        path = root / f"r{i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(synth.render(synth.random_report(random.Random(seed)), "html")),
                        encoding="utf-8")
    out = tmp_path / "store"
    assert cli.main(["ingest", str(root), "--out", str(out), "--workers", "2", "--quiet",
                     "--scheduler", "local"]) == 0
    printed = capsys.readouterr().out
    assert "parsed now            3" in printed
    assert {r["status"] for r in by_path(out).values()} == {"ok"}


def _slow_on_b(path: Path) -> Report:
    """Module level, so the supervised worker gets it: b.txt takes longer than its limit."""
    if path.name == "b.txt":
        import time

        time.sleep(60)
    return fake_parse(path)


def test_the_time_limit_holds_on_a_cluster_worker(tmp_path: Path, scheduler: str) -> None:
    """A file past `limits.seconds` on a cluster worker gets a `limit_exceeded` row naming
    the limit, as with the local pool; the batch's other files land."""
    from toolkit.spec.limits import Limits

    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    run(root, out, parse=_slow_on_b, batch_size=10, scheduler=scheduler,
        limits=Limits(seconds=2.0))
    table = by_path(out)
    assert len(table) == len(files)
    slow = table[str(root / "sub" / "b.txt")]
    assert slow["status"] == "limit_exceeded" and "seconds" in slow["error"]
    assert table[str(root / "sub" / "deeper" / "c.txt")]["status"] == "ok"
