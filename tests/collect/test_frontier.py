"""The frontier: one row per URL, handed out in batches, resumable, bounded in memory."""
from __future__ import annotations

from pathlib import Path

from toolkit.collect.frontier import Frontier
from toolkit.collect.manifest import read_manifest, write_manifest
from toolkit.collect.outcome import Kind, Outcome, State


def test_add_take_finish_requeue(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    assert f.add("http://x/a", Kind.START, depth=0)
    assert not f.add("http://x/a", Kind.REPORT, depth=3)  # known: first one stays
    f.add("http://x/r", Kind.REPORT, depth=1, year=2022)
    f.add("http://x/f.pdf", Kind.ATTACHMENT, depth=2)
    f.add("http://y/off", Kind.REPORT, depth=1, state=State.SKIPPED, reason="off-host")
    f.commit()
    assert f.pending == 3
    first = f.take(2)
    assert [e.url for e in first] == ["http://x/f.pdf", "http://x/r"]  # files, then reports
    f.finish(first[0].id, State.FETCHED, Outcome.ATTACHMENT, status=200, sha256="ab")
    f.commit()
    f.close()

    again = Frontier(tmp_path / "f.sqlite")  # as after a kill: the taken, unrecorded row waits
    assert again.pending == 1
    assert again.requeue() == 1
    assert again.pending == 2
    assert [e.url for e in again.take(10)] == ["http://x/r", "http://x/a"]
    assert again.counts() == {"attachment": 1, "pending": 2, "skipped": 1}
    write_manifest(again, tmp_path)
    rows = read_manifest(tmp_path).to_pylist()
    assert [(r["url"], r["outcome"], r["reason"]) for r in rows] == [
        ("http://x/a", "pending", None), ("http://x/r", "pending", None),
        ("http://x/f.pdf", "attachment", None), ("http://y/off", "skipped", "off-host")]


def test_list_pages_are_counted_per_list(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    for n in range(3):
        f.add(f"http://x/index_{n}.html", Kind.LIST, depth=1, list_key="http://x/index")
    f.add("http://x/index_9.html", Kind.LIST, depth=1, list_key="http://x/index",
          state=State.SKIPPED, reason="list page limit (3)")
    assert f.list_pages("http://x/index") == 3


def test_manifest_of_a_large_frontier_is_written_in_batches(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    for n in range(25_000):
        f.add(f"http://x/{n}.html", Kind.REPORT, depth=1)
    f.commit()
    write_manifest(f, tmp_path)
    assert read_manifest(tmp_path).num_rows == 25_000
    assert (tmp_path / "manifest.csv").read_text("utf-8").count("\n") == 25_001
