"""Faults around an ingest: its parent killed, a file changed under it, a name not UTF-8."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import cases
from tests.store.test_store import by_path as reports
from tests.store.test_store import refuse_listing
from toolkit.spec.paths import display_path, os_path, store_path
from toolkit.store import ingest, open_store

INGEST = sys.modules["toolkit.store.ingest"]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with open(task / "children") as fh:
            found += [int(p) for p in fh.read().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_killing_the_parent_kills_its_workers_and_frees_the_lock(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    for i in range(4):
        (root / f"{i}.txt").write_bytes(f"report {i}".encode())
    parent = subprocess.Popen(
        [sys.executable, "-c", "from tests.hostile.cases import slow_parse\n"
         "from toolkit.store import ingest\n"
         f"ingest({str(root)!r}, {str(out)!r}, workers=2, progress=False, parse=slow_parse)"],
        cwd=cases.REPO)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(parent.pid)
    assert len(workers) == 2, "the ingest never started its workers"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "workers outlived their parent"
    summary = ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    assert summary.by_status == {"ok": 4}


def test_a_file_changed_during_ingest_is_not_stored_with_the_other_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    old, new = b"report: the first version", b"report: the second, longer version"
    (root / "a.txt").write_bytes(old)
    (root / "b.txt").write_bytes(old)  # a copy of the old content, a duplicate of a.txt
    hash_all = INGEST.hash_all

    def hash_then_change(*args: Any) -> Any:
        seen = hash_all(*args)
        (root / "a.txt").write_bytes(new)
        return seen

    monkeypatch.setattr(INGEST, "hash_all", hash_then_change)
    ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    row = reports(out)[str(root / "a.txt")]
    assert row["status"] == "failed" and "changed while" in row["error"]
    assert row["report_id"] is None
    monkeypatch.setattr(INGEST, "hash_all", hash_all)
    ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    rows = reports(out)
    con = open_store(out)
    try:
        facts = dict(con.execute("SELECT report_id, value FROM facts").fetchall())
    finally:
        con.close()
    for name, data in (("a.txt", new), ("b.txt", old)):
        row = rows[str(root / name)]
        assert row["status"] == "ok", row
        assert row["report_id"] == hashlib.sha256(data).hexdigest()
        assert facts[row["report_id"]] == len(data)  # the facts are of the hashed bytes


def test_a_gbk_file_name_round_trips(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    name = os.fsdecode(os.fsencode(str(root)) + b"/" + "2022年度报告.txt".encode("gbk"))
    Path(name).write_bytes(b"report")
    (root / "plain.txt").write_bytes(b"another report")
    first = ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    again = ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    assert (first.parsed_now, again.parsed_now, again.skipped_known) == (2, 0, 2)
    rows = reports(out)
    assert set(rows) == {store_path(name), str(root / "plain.txt")}
    row = rows[store_path(name)]
    assert row["status"] == "ok" and row["report_id"] is not None
    assert os.fsencode(os_path(row["path"])) == os.fsencode(name)
    assert display_path(name).endswith("2022年度报告.txt")


def test_a_link_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_bytes(b"report a")
    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "b.txt").write_bytes(b"report b")
    (root / "up").symlink_to("..", target_is_directory=True)
    (root / "here").symlink_to("sub", target_is_directory=True)  # inside: followed, once
    (root / "b.txt").symlink_to(tmp_path / "sibling" / "b.txt")
    summary = ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    assert set(reports(out)) == {str(root / "sub" / "a.txt")} or set(reports(out)) == {
        str(root / "here" / "a.txt")}
    assert summary.files_seen == 1


def test_a_folder_readable_again_loses_its_failure_row(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    locked = root / "sub"
    locked.mkdir(parents=True)
    (locked / "a.txt").write_bytes(b"report a")
    (root / "b.txt").write_bytes(b"report b")
    refuse_listing(monkeypatch, locked)
    ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    assert reports(out)[str(locked)]["status"] == "failed"
    monkeypatch.undo()
    summary = ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    rows = reports(out)
    assert set(rows) == {str(locked / "a.txt"), str(root / "b.txt")}
    assert summary.by_status == {"ok": 2}
    refuse_listing(monkeypatch, locked)  # and unreadable once more
    ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    assert reports(out)[str(locked)]["status"] == "failed"


def test_a_lock_held_after_its_ingest_died_is_explained(tmp_path: Path) -> None:
    from toolkit.store.ingest import LOCK_FILE, StoreBusy

    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    (root / "a.txt").write_bytes(b"report")
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (out / LOCK_FILE).write_text(f"{dead} 2026-12-07T10:00:00+0000\n", encoding="utf-8")
    holder = subprocess.Popen(  # a process left over from that ingest, holding its lock
        [sys.executable, "-c", "import fcntl, sys, time\n"
         f"fh = open({str(out / LOCK_FILE)!r}, 'a')\n"
         "fcntl.flock(fh, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match=f"ingest pid {dead} .*which has exited"):
            ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    finally:
        holder.kill()
        holder.wait()
    summary = ingest(root, out, workers=1, progress=False, parse=cases.misbehaving_parse)
    assert summary.by_status == {"ok": 1}
