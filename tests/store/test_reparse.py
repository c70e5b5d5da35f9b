"""Ingest knows when the parser changed: a parse made by another parser fingerprint is made
again (its facts, checks and sections replaced), `--reparse` forces it, duplicates stay."""
from __future__ import annotations

import hashlib
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO, corpus_dirs
from tests.store.test_store import CountingParse, by_path, fake_parse, make_tree, rows, run
from toolkit.parse.report import Report
from toolkit.store import fingerprint, ingest, open_store
from toolkit.store.views import StoreOutdated

INGEST = importlib.import_module("toolkit.store.ingest")  # the module (the package exports the
# function `ingest` under the same name)


class VersionedParse(CountingParse):
    """fake_parse, with the parser's "version" written into every fact's raw text."""

    def __init__(self, version: str) -> None:
        super().__init__()
        self.version = version

    def __call__(self, path: Path) -> Report:
        report = super().__call__(path)
        report.fact_list = [f._replace(raw=self.version) for f in report.fact_list]
        return report


def tree_with_duplicate(root: Path) -> dict[str, bytes]:
    files = make_tree(root)
    (root / "z_copy_of_a.txt").write_bytes(files["a.txt"])
    return files


def test_fingerprint_names_the_version_and_hashes_the_parser() -> None:
    value = fingerprint.parser_fingerprint()
    version, digest = value.rsplit("+", 1)
    assert version == fingerprint.package_version() and len(digest) == 16
    root = Path(fingerprint.__file__).parents[1]
    files = {p.relative_to(root).as_posix() for p in fingerprint.parser_files()}
    assert {"spec/template.toml", "places/departments.toml", "spec/vocab.py",
            "read/decode.py", "parse/tables.py", "places/regions.py"} <= files
    assert not [f for f in files if f.startswith(("store/", "analysis/", "present/"))]


def test_fingerprint_follows_the_source(tmp_path: Path) -> None:
    root = tmp_path / "toolkit"
    for package in fingerprint.PARSER_PACKAGES:
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "parse" / "__pycache__").mkdir()
    (root / "parse" / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    assert [p.name for p in fingerprint.parser_files(root)] == ["__init__.py"] * 4


def test_unchanged_folder_parses_nothing(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    tree_with_duplicate(root)
    run(root, out)
    stored = {r["parser_fingerprint"] for r in by_path(out).values()}
    assert stored == {fingerprint.parser_fingerprint()}
    parse = CountingParse()
    summary = run(root, out, parse)
    assert parse.calls == [] and (summary.parsed_now, summary.reparsed) == (0, 0)


def test_changed_parser_parses_everything_again(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = tree_with_duplicate(root)
    run(root, out, VersionedParse("v1"))
    before = by_path(out)
    n_facts = rows(out, "SELECT count(*) FROM facts")

    monkeypatch.setattr(INGEST, "parser_fingerprint", lambda: "9.9+changed")
    parse = VersionedParse("v2")
    summary = run(root, out, parse)
    assert sorted(parse.calls) == sorted(Path(rel).name for rel in files)  # not the copy
    assert summary.parsed_now == summary.reparsed == len(files)
    assert rows(out, "SELECT count(*) FROM facts") == n_facts
    assert rows(out, "SELECT DISTINCT raw FROM facts") == [("v2",)]
    assert rows(out, "SELECT count(*) FROM checks") == [(len(files),)]
    assert rows(out, "SELECT count(*) FROM sections") == [(len(files),)]
    after = by_path(out)
    copy, original = str(root / "z_copy_of_a.txt"), str(root / "a.txt")
    assert (after[copy]["status"], after[copy]["duplicate_of"]) == ("duplicate", original)
    assert after[copy] == before[copy]
    assert after[original]["parser_fingerprint"] == "9.9+changed"
    assert after[original]["content_part"] > before[original]["content_part"]
    # and once parsed by the new parser, nothing more
    parse = VersionedParse("v3")
    assert run(root, out, parse).parsed_now == 0 and parse.calls == []


def test_a_parse_that_now_fails_drops_the_old_facts(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    make_tree(root)
    run(root, out)
    monkeypatch.setattr(INGEST, "parser_fingerprint", lambda: "other")

    def refuses_a(path: Path) -> Report:
        if path.name == "a.txt":
            raise ValueError("new bug")
        return fake_parse(path)

    run(root, out, refuses_a)
    a_id = hashlib.sha256(b"report a").hexdigest()
    assert by_path(out)[str(root / "a.txt")]["status"] == "internal_error"
    for view in ("facts", "checks", "sections"):
        assert rows(out, f"SELECT count(*) FROM {view} WHERE report_id = '{a_id}'") == [(0,)]


def test_reparse_keyword_and_vanished_files(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    run(root, out)
    (root / "sub" / "b.txt").unlink()
    parse = CountingParse()
    summary = run(root, out, parse, reparse=True)
    assert sorted(parse.calls) == sorted(Path(r).name for r in files if r != "sub/b.txt")
    assert summary.reparsed == len(files) - 1
    assert by_path(out)[str(root / "sub" / "b.txt")]["status"] == "ok"  # kept, not re-read
    assert rows(out, "SELECT count(*) FROM facts") == [(2 * len(files),)]


def test_store_from_an_older_toolkit(tmp_path: Path) -> None:
    """Parts without the newer columns: opening says what to do; ingesting brings it up."""
    root, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(root)
    run(root, out)
    for part in (out / "reports").glob("part-*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.drop_columns(["parser_fingerprint", "content_part"]), part)
    for part in (out / "checks").glob("part-*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.rename_columns(
            ["expected" if c == "left" else "actual" if c == "right" else c
             for c in table.column_names]), part)
    with pytest.raises(StoreOutdated, match="toolkit ingest"):
        open_store(out)
    summary = run(root, out)
    assert summary.reparsed == len(files)
    assert rows(out, "SELECT count(*) FROM facts") == [(2 * len(files),)]
    assert rows(out, 'SELECT count(*) FROM checks WHERE "left" IS NOT NULL') == [(len(files),)]


def ingest_cli(*args: Any) -> str:
    done = subprocess.run([sys.executable, "-m", "toolkit", "ingest", *map(str, args),
                           "--quiet", "--workers", "1"],
                          capture_output=True, text=True, cwd=REPO, check=True, timeout=300)
    return done.stdout


def counts(summary: str) -> tuple[int, int]:
    lines = dict(line.strip().rsplit(None, 1) for line in summary.splitlines()[1:]
                 if line.strip() and line.strip()[-1].isdigit())
    return int(lines["parsed now"]), int(lines["parsed again"])


def test_reparse_from_the_command_line(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    seeds = sorted(corpus_dirs()[0].glob("00[01]_*"))
    for seed in seeds:
        shutil.copy(seed, root / seed.name)
    shutil.copy(seeds[0], root / "copy.txt")
    assert counts(ingest_cli(root, "--out", out)) == (2, 0)
    facts = rows(out, "SELECT count(*) FROM facts")
    assert counts(ingest_cli(root, "--out", out)) == (0, 0)
    assert counts(ingest_cli(root, "--out", out, "--reparse")) == (2, 2)
    assert rows(out, "SELECT count(*) FROM facts") == facts
    assert by_path(out)[str(root / "copy.txt")]["status"] == "duplicate"
    # the same parse, read again: the store's numbers are unchanged
    assert ingest(root, out, progress=False, workers=1).parsed_now == 0
