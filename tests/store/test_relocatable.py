"""A store is a folder that can be copied, moved or zipped: `corpus.duckdb` names its files
relative to the store, so a fresh DuckDB connection (or R's duckdb) and the toolkit open the
copy after the original is gone."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEED_000, SEED_003, seed_file
from toolkit.analysis.corpus import load
from toolkit.spec.fields import STORE_VIEWS
from toolkit.store import ingest, open_store
from toolkit.store.schema import DB_NAME
from toolkit.store.texts import report_text


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {view: con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
            for view in sorted(STORE_VIEWS)}


@pytest.fixture()
def moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, int], str]:
    """A store built in one folder, copied to another, the original deleted; the working
    directory is a third folder. Returns the copy, the original's view counts and the
    original's path."""
    root = tmp_path / "in"
    root.mkdir()
    for name in (SEED_000, SEED_003):
        shutil.copy(seed_file(name), root / name)
    original = tmp_path / "original"
    ingest(root, original, workers=1, progress=False)
    con = open_store(original)
    try:
        before = counts(con)
    finally:
        con.close()
    copy = tmp_path / "elsewhere" / "copied store"
    shutil.copytree(original, copy)
    shutil.rmtree(original)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return copy, before, str(original)


def test_corpus_duckdb_names_no_absolute_path(moved: tuple[Path, dict[str, int], str]) -> None:
    copy, _, original = moved
    with duckdb.connect(str(copy / DB_NAME), read_only=True) as con:
        sql = " ".join(r[0] for r in con.execute("SELECT sql FROM duckdb_views() "
                                                 "WHERE NOT internal").fetchall())
    assert "part-*.parquet" in sql
    assert original not in sql and str(copy) not in sql


def test_a_fresh_connection_opens_the_copy(moved: tuple[Path, dict[str, int], str]) -> None:
    copy, before, _ = moved
    with duckdb.connect(str(copy / DB_NAME), read_only=True,
                        config={"file_search_path": str(copy)}) as con:
        assert counts(con) == before
    with duckdb.connect(str(copy / DB_NAME), read_only=True) as con:
        con.execute(f"SET file_search_path = '{copy}'")
        assert counts(con) == before
    assert before["facts"] > 100 and before["texts"] == 2


def test_from_inside_the_store_no_setting_is_needed(
        moved: tuple[Path, dict[str, int], str], monkeypatch: pytest.MonkeyPatch) -> None:
    copy, before, _ = moved
    monkeypatch.chdir(copy)
    with duckdb.connect(DB_NAME, read_only=True) as con:
        assert counts(con) == before


def test_without_the_setting_from_elsewhere_duckdb_says_no_files(
        moved: tuple[Path, dict[str, int], str]) -> None:
    """What the README's advice is for: DuckDB reads relative paths against the working
    directory, not the database file."""
    copy, _, _ = moved
    with (duckdb.connect(str(copy / DB_NAME), read_only=True) as con,
          pytest.raises(duckdb.IOException, match="No files found")):
        con.execute("SELECT count(*) FROM reports").fetchall()


def test_the_toolkit_opens_the_copy(moved: tuple[Path, dict[str, int], str]) -> None:
    copy, before, _ = moved
    corpus = load(copy)
    assert len(corpus.reports) == 2
    assert counts(corpus.con) == before
    rid = corpus.reports["report_id"].iloc[0]
    assert report_text(copy, rid) == corpus.text(rid)


def test_a_zipped_store_opens_where_it_is_unpacked(
        moved: tuple[Path, dict[str, int], str], tmp_path: Path) -> None:
    copy, before, _ = moved
    archive = shutil.make_archive(str(tmp_path / "store"), "zip", copy)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(unpacked)
    with duckdb.connect(str(unpacked / DB_NAME), read_only=True,
                        config={"file_search_path": str(unpacked)}) as con:
        assert counts(con) == before
    assert counts(load(unpacked).con) == before
