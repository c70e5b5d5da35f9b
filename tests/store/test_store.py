"""Tests for toolkit.store: one reports row per file, dedup, incremental runs, failures, views."""
from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import corpus_dirs
from toolkit import store
from toolkit.parse.report import Check, Fact, Report
from toolkit.spec.errors import ReadError
from toolkit.store import ingest, open_store, scan

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
VIEWS = ("reports", "facts", "checks", "sections")


def fake_parse(path: Path) -> Report:
    """Module level so the process pool can pickle it. Markers in the bytes choose the outcome."""
    if path.stat().st_size > 10 * 2**20:
        raise ReadError(path, "file too large")
    data = path.read_bytes()
    if b"RAISE" in data:
        raise ValueError("boom")
    if b"DENY" in data:
        raise PermissionError(13, "Permission denied", str(path))
    if b"CRASH" in data:
        os._exit(3)
    text = data.decode("utf-8", "replace")
    status = "ok" if text.strip() else "failed"
    facts = [
        Fact("t1", "r1", "c1", len(data), None, "行一", str(len(data)), 0),
        Fact("t1", "r2", "c1", None, "blank", "行二", "", 5),
    ]
    checks = [Check("sum", "t1", "fail" if len(data) % 2 else "pass", 1.0, 2.0, "t1.r1.c1")]
    return Report(
        source=str(path), status=status, error=None if text.strip() else "empty",
        meta={"title": path.stem, "year": "2022", "agency": "某局"},
        fact_list=facts, check_list=checks, sections={"一、总体情况": text[:40]},
    )


class CountingParse:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, path: Path) -> Report:
        self.calls.append(path.name)
        return fake_parse(path)


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "a.txt": b"report a",
        "sub/b.txt": b"report b",
        "sub/deeper/c.txt": b"report c",
        "empty.txt": b"",
        "garbage.bin": bytes(range(256)) * 4,
        ".git/config": b"hidden, skipped",
    }
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return {k: v for k, v in files.items() if not k.startswith(".")}


def run(root: Path, out: Path, parse: Any = fake_parse, **kw: Any) -> store.IngestSummary:
    """Ingest; by default in this process, so a parse function can count its calls
    (the limits' worker processes are tested in tests/hostile)."""
    kw.setdefault("workers", 1)
    kw.setdefault("limits", None)
    return ingest(root, out, progress=False, parse=parse, **kw)


def rows(out: Path, sql: str) -> list[tuple[Any, ...]]:
    con = open_store(out)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def refuse_listing(monkeypatch: pytest.MonkeyPatch, locked: Path) -> None:
    """`os.scandir` of the store's scan refuses `locked` as a folder without permission."""
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(scan.os, "scandir", scandir)


def by_path(out: Path) -> dict[str, dict[str, Any]]:
    con = open_store(out)
    try:
        cur = con.execute("SELECT * FROM reports")
        names = [d[0] for d in cur.description]
        return {r[names.index("path")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    finally:
        con.close()


def snapshot(out: Path) -> dict[str, str]:
    con = open_store(out)
    try:
        return {
            v: hashlib.sha256(repr(con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall())
                              .encode()).hexdigest()
            for v in VIEWS
        }
    finally:
        con.close()


def part_files(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.parquet"))
    }


def test_every_file_gets_one_row(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    summary = run(root, out)
    reports = by_path(out)
    assert set(reports) == {str(root / rel) for rel in files}
    assert summary.files_seen == len(files) == summary.parsed_now
    assert reports[str(root / "empty.txt")]["status"] == "failed"
    a = reports[str(root / "a.txt")]
    assert a["report_id"] == hashlib.sha256(b"report a").hexdigest()
    assert (a["status"], a["title"], a["year"], a["agency"]) == ("ok", "a", 2022, "某局")
    assert (a["n_values"], a["n_flagged"], a["size_bytes"]) == (1, 1, 8)
    assert a["province"] is None and a["parsed_at_version"]
    assert (out / "corpus.duckdb").is_file()
    assert (out / "facts" / "part-00000.parquet").is_file()
    assert rows(out, "SELECT count(*) FROM facts") == [(2 * len(files),)]
    assert rows(out, "SELECT count(*) FROM sections") == [(len(files),)]
    assert "parsed now" in str(summary)


def test_duckdb_file_has_views(tmp_path: Path) -> None:
    import duckdb

    root, out = tmp_path / "in", tmp_path / "out"
    make_tree(root)
    run(root, out)
    with duckdb.connect(str(out / "corpus.duckdb"), read_only=True,
                         config={"file_search_path": str(out)}) as con:
        got = con.execute('SELECT "table", "row", value FROM facts WHERE value IS NOT NULL '
                          "ORDER BY value LIMIT 1").fetchall()
    assert got == [("t1", "r1", 0.0)]


def test_duplicates_parsed_once(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    for rel in ("x/copy.txt", "a.txt", "b.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"same content")
    parse = CountingParse()
    summary = run(root, out, parse)
    assert parse.calls == ["a.txt"]
    assert summary.duplicates == 2
    reports = by_path(out)
    first = str(root / "a.txt")
    assert reports[first]["status"] == "ok"
    for rel in ("b.txt", "x/copy.txt"):
        dup = reports[str(root / rel)]
        assert (dup["status"], dup["duplicate_of"]) == ("duplicate", first)
        assert dup["report_id"] == reports[first]["report_id"]
    assert rows(out, "SELECT count(*) FROM facts") == [(2,)]


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    (root / "dup.txt").write_bytes(b"report a")
    run(root, out)
    before, parts = snapshot(out), part_files(out)
    parse = CountingParse()
    summary = run(root, out, parse)
    assert parse.calls == []
    assert (summary.parsed_now, summary.skipped_known) == (0, len(files) + 1)
    assert summary.by_status == {"duplicate": 1, "failed": 1, "ok": len(files) - 1}
    assert part_files(out) == parts
    assert snapshot(out) == before


def test_new_file_parsed_alone(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    run(root, out)
    (root / "sub" / "new.txt").write_bytes(b"a new report")
    (root / "copy_of_a.txt").write_bytes(b"report a")
    parse = CountingParse()
    summary = run(root, out, parse)
    assert parse.calls == ["new.txt"]
    assert (summary.parsed_now, summary.skipped_known, summary.duplicates) == (1, len(files), 1)
    reports = by_path(out)
    assert len(reports) == len(files) + 2
    assert reports[str(root / "copy_of_a.txt")]["duplicate_of"] == str(root / "a.txt")


def test_changed_file_supersedes_old_row(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    run(root, out)
    (root / "a.txt").write_bytes(b"report a, revised")
    parse = CountingParse()
    run(root, out, parse)
    assert parse.calls == ["a.txt"]
    reports = by_path(out)
    assert len(reports) == len(files)
    new_id = hashlib.sha256(b"report a, revised").hexdigest()
    assert reports[str(root / "a.txt")]["report_id"] == new_id
    old_id = hashlib.sha256(b"report a").hexdigest()
    assert rows(out, f"SELECT count(*) FROM facts WHERE report_id = '{old_id}'") == [(0,)]
    assert rows(out, "SELECT count(*) FROM reports_history WHERE path LIKE '%a.txt'") == [(2,)]
    # Reverting reuses the parse already in the store.
    (root / "a.txt").write_bytes(b"report a")
    parse = CountingParse()
    run(root, out, parse)
    assert parse.calls == []
    assert by_path(out)[str(root / "a.txt")]["status"] == "ok"
    assert rows(out, f"SELECT count(*) FROM facts WHERE report_id = '{old_id}'") == [(2,)]


def test_duplicate_promoted_when_original_changes(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_bytes(b"shared")
    run(root, out)
    (root / "a.txt").write_bytes(b"now different")
    parse = CountingParse()
    run(root, out, parse)
    assert parse.calls == ["a.txt"]
    reports = by_path(out)
    assert (reports[str(root / "b.txt")]["status"], reports[str(root / "b.txt")]["title"]) == ("ok", "a")
    assert reports[str(root / "c.txt")]["duplicate_of"] == str(root / "b.txt")
    shared = hashlib.sha256(b"shared").hexdigest()
    assert rows(out, f"SELECT count(*) FROM facts WHERE report_id = '{shared}'") == [(2,)]


def test_parse_exception_becomes_internal_error_row(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    (root / "bad.txt").write_bytes(b"RAISE please")
    (root / "denied.txt").write_bytes(b"DENY please")
    (root / "big.pdf").touch()
    os.truncate(root / "big.pdf", 50 * 2**20)
    run(root, out)
    reports = by_path(out)
    assert len(reports) == len(files) + 3
    bad = reports[str(root / "bad.txt")]
    assert (bad["status"], bad["error"]) == ("internal_error", "ValueError: boom")
    assert reports[str(root / "denied.txt")]["error"] == "permission denied"
    big = reports[str(root / "big.pdf")]
    assert big["status"] == "failed" and "too large" in big["error"]
    assert big["size_bytes"] == 50 * 2**20
    assert reports[str(root / "a.txt")]["status"] == "ok"


def test_parser_returning_garbage(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    make_tree(root)
    run(root, out, parse=lambda p: None)
    assert {r["status"] for r in by_path(out).values()} == {"internal_error"}
    assert rows(out, "SELECT DISTINCT error FROM reports") == [
        ("TypeError: parser returned NoneType, not Report",)]


def test_lone_surrogates_are_stored(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    make_tree(root)

    def lossy(path: Path) -> Report:
        report = fake_parse(path)
        report.sections = {"正文": "bad \udcff byte"}
        return report

    run(root, out, parse=lossy)
    assert rows(out, "SELECT DISTINCT text FROM sections") == [("bad ? byte",)]


def test_unlistable_dir_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    locked = root / "sub" / "deeper"
    refuse_listing(monkeypatch, locked)
    run(root, out)
    reports = by_path(out)
    assert len(reports) == len(files)
    row = reports[str(locked)]
    assert row["status"] == "failed" and row["error"].startswith("permission denied")
    assert row["report_id"] is None
    assert run(root, out).parsed_now == 0


@pytest.mark.skipif(IS_ROOT, reason="root ignores file permissions")
def test_unreadable_file_and_dir(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    (root / "a.txt").chmod(0)
    (root / "sub" / "deeper").chmod(0)
    try:
        run(root, out)
        reports = by_path(out)
    finally:
        (root / "a.txt").chmod(0o644)
        (root / "sub" / "deeper").chmod(0o755)
    assert len(reports) == len(files)
    assert (reports[str(root / "a.txt")]["status"], reports[str(root / "a.txt")]["error"]) == (
        "failed", "permission denied")
    assert reports[str(root / "sub" / "deeper")]["status"] == "failed"
    run(root, out)
    assert by_path(out)[str(root / "a.txt")]["status"] == "ok"


def test_symlinks(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling").symlink_to(root / "missing")
    run(root, out)
    reports = by_path(out)
    assert len(reports) == len(files) + 1
    assert reports[str(root / "dangling")]["error"] == "broken symlink"


def test_out_inside_root_is_not_ingested(tmp_path: Path) -> None:
    root = tmp_path / "in"
    files = make_tree(root)
    run(root, root / "store")
    run(root, root / "store")
    assert len(by_path(root / "store")) == len(files)


def test_process_pool_matches_in_process(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_tree(root)
    for i in range(6):
        (root / f"extra_{i}.txt").write_bytes(f"report {i}".encode())
    run(root, tmp_path / "one", workers=1, batch_size=4)
    summary = run(root, tmp_path / "two", workers=2, batch_size=4)
    assert summary.parsed_now == 11
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert part_files(tmp_path / "one").keys() == part_files(tmp_path / "two").keys()
    assert len(list((tmp_path / "two" / "reports").glob("part-*.parquet"))) == 3


def test_worker_crash_is_contained(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    (root / "crash.txt").write_bytes(b"CRASH now")
    run(root, out, workers=2)
    reports = by_path(out)
    assert len(reports) == len(files) + 1
    crash = reports[str(root / "crash.txt")]
    assert crash["status"] == "internal_error" and "crashed" in crash["error"]
    assert reports[str(root / "a.txt")]["status"] == "ok"


def test_interrupted_run_leftovers_removed(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    make_tree(root)
    run(root, out)
    before = snapshot(out)
    stray = out / "facts" / "part-00007.parquet"
    stray.write_bytes((out / "facts" / "part-00000.parquet").read_bytes())
    (out / "facts" / ".part-00008.parquet.tmp").write_bytes(b"half written")
    run(root, out)
    assert not stray.exists()
    assert not list((out / "facts").glob("*.tmp"))
    assert snapshot(out) == before


def test_resume_after_interrupt(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)

    def interrupted(path: Path) -> Report:
        if path.name == "b.txt":
            raise KeyboardInterrupt
        return fake_parse(path)

    with pytest.raises(KeyboardInterrupt):
        run(root, out, parse=interrupted, batch_size=1)
    assert len(by_path(out)) == 3
    parse = CountingParse()
    run(root, out, parse)
    assert parse.calls == ["b.txt", "c.txt"]
    assert len(by_path(out)) == len(files)
    assert rows(out, "SELECT count(*) FROM facts") == [(2 * len(files),)]


def test_empty_root_gives_queryable_store(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    summary = run(tmp_path / "in", tmp_path / "out")
    assert summary.files_seen == 0
    assert rows(tmp_path / "out", "SELECT count(*) FROM facts") == [(0,)]


def test_open_store_without_store(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        open_store(tmp_path)


CORPUS = corpus_dirs()[0].parent  # the shared corpus beside the repo, else the bundled copy


@pytest.mark.skipif(importlib.util.find_spec("toolkit.parse") is None,
                    reason="toolkit.parse not written yet")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_real_corpus(tmp_path: Path) -> None:
    files = sorted(str(p) for p in CORPUS.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in
                                              p.relative_to(CORPUS).parts))
    summary = ingest(CORPUS, tmp_path / "out", progress=False, workers=2)
    reports = by_path(tmp_path / "out")
    assert sorted(reports) == files
    assert summary.files_seen == len(files)
    assert all(r["status"] in {"ok", "partial", "failed", "unsupported", "duplicate"}
               for r in reports.values())
