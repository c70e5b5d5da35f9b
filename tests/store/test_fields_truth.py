"""The data dictionary tells the truth: what the store's views, the query layer's frames and
`parse --json` really hold is what `toolkit.spec.fields` declares (and so what
docs/DATA_DICTIONARY.md, rendered from it, says). A store built from the bundled corpus."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import BUNDLED, REPO
from toolkit import parse_report
from toolkit.analysis import corpus as corpus_module
from toolkit.analysis.compare import compare_in_store
from toolkit.analysis.corpus import Corpus, load
from toolkit.parse.report import Check
from toolkit.spec import fields
from toolkit.spec.vocab import USABLE_MIN_SHARE_READ
from toolkit.store import ingest, open_store
from toolkit.store.schema import DB_NAME

DUCKDB_TYPES = {"string": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT",
                "float64": "DOUBLE", "bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store")
    ingest(BUNDLED, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def corpus(store_dir: Path) -> Corpus:
    return load(store_dir)


def view_columns(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {view}").fetchall()]


def declared(table: fields.Table) -> list[tuple[str, str]]:
    return [(f.name, DUCKDB_TYPES[f.type]) for f in table.fields]


@pytest.mark.parametrize("view", sorted(fields.STORE_VIEWS))
def test_views_hold_the_declared_columns(store_dir: Path, view: str) -> None:
    table = fields.STORE_VIEWS[view]
    con = open_store(store_dir)
    try:
        assert view_columns(con, view) == declared(table)
    finally:
        con.close()
    with duckdb.connect(str(store_dir / DB_NAME), read_only=True,
                         config={"file_search_path": str(store_dir)}) as con:
        assert view_columns(con, view) == declared(table)


def frame_matches(frame: pd.DataFrame, table: fields.Table) -> None:
    assert list(frame.columns) == table.names, table.name
    if table.index:
        assert list(frame.index.names) == table.index_names, table.name
    else:
        assert isinstance(frame.index, pd.RangeIndex), table.name


def test_corpus_frames_hold_the_declared_columns(corpus: Corpus) -> None:
    frames = fields.API_FRAMES
    ids = list(corpus.reports["report_id"])
    assert len(ids) > 5
    frame_matches(corpus.screened, frames["Corpus.screened"])
    frame_matches(corpus.unusable, frames["Corpus.unusable"])
    frame_matches(corpus.unusable_in("230000"), frames["Corpus.unusable"])
    frame_matches(corpus.reports, frames["Corpus.reports"])
    frame_matches(corpus.quality, frames["Corpus.quality"])
    frame_matches(corpus.reports_in("210000"), frames["Corpus.reports_in"])
    frame_matches(corpus.region_tree(), frames["Corpus.region_tree"])
    frame_matches(corpus.indicators(), frames["Corpus.indicators"])
    for level in ("province", "city", "county"):
        frame_matches(corpus.rollup(level, kind="department"), frames["Corpus.rollup"])
        frame_matches(corpus.rollup(level, kind="government", tier="own"),
                      frames["Corpus.rollup"])
    series = corpus.series("210000", "disclosure_rate")
    assert len(series)
    frame_matches(series, frames["Corpus.series"])
    frame_matches(corpus_module._empty_series(), frames["Corpus.series"])
    frame_matches(corpus.peers("210000", "disclosure_rate", 2019), frames["Corpus.peers"])
    frame_matches(corpus.peers("210000", "disclosure_rate", 1990), frames["Corpus.peers"])
    frame_matches(corpus.composition("210000", "outcomes"), frames["Corpus.composition"])
    frame_matches(corpus.failing_checks(ids), frames["Corpus.failing_checks"])
    frame_matches(corpus.failing_checks([]), frames["Corpus.failing_checks"])
    changes = compare_in_store(corpus, "350128-03c69e6e9784", 2023, 2024).changes
    frame_matches(changes, frames["Comparison.changes"])


def test_every_corpus_frame_is_tested() -> None:
    tested = Path(__file__).read_text(encoding="utf-8")
    assert [n for n in fields.API_FRAMES if f'frames["{n}"]' not in tested] == []


def test_corpus_reports_keeps_one_report_per_body_and_year(corpus: Corpus) -> None:
    keyed = corpus.reports.dropna(subset=["body_id", "year"])
    assert not keyed.duplicated(subset=["body_id", "year"]).any()
    assert set(corpus.reports["status"]) <= {"ok", "partial"}
    assert (corpus.reports["share_read"] >= USABLE_MIN_SHARE_READ).all()
    assert corpus.reports["timeliness_days"].notna().any()
    assert set(corpus.reports["report_id"]) <= set(
        corpus.screened.loc[corpus.screened["is_usable"], "report_id"])
    assert not corpus.unusable["is_usable"].any()


def test_report_frames_and_the_store_agree(store_dir: Path, seed_000: Path) -> None:
    path = BUNDLED / "seeds" / seed_000.name
    report = parse_report(path)
    assert list(report.facts.columns) == fields.FACT_COLUMNS
    assert list(report.checks.columns) == fields.CHECK_COLUMNS
    assert list(Check._fields) == fields.CHECK_COLUMNS
    assert list(report.to_record()["meta"]) == fields.META_KEYS
    # the writer's column lists land under the declared names, in order
    con = open_store(store_dir)
    try:
        (report_id,) = con.execute("SELECT report_id FROM reports WHERE path = ?",
                                   [str(path)]).fetchone() or (None,)
        stored = con.execute("SELECT * EXCLUDE (report_id) FROM facts WHERE report_id = ? "
                             "ORDER BY location, key", [report_id]).df()
        checks = con.execute("SELECT * EXCLUDE (report_id) FROM checks WHERE report_id = ? "
                             "ORDER BY \"check\", scope", [report_id]).df()
    finally:
        con.close()
    ours = report.facts.sort_values(["location", "key"]).reset_index(drop=True)
    ours["value"] = ours["value"].astype("float64")
    pd.testing.assert_frame_equal(stored, ours, check_dtype=False)
    ours_checks = report.checks.sort_values(["check", "scope"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(checks, ours_checks, check_dtype=False)


def test_parse_json_holds_the_declared_keys(seed_000: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "parse", str(seed_000), str(empty), "--json"],
        capture_output=True, text=True, cwd=REPO, check=False, timeout=120)
    assert done.returncode == 1, done.stderr  # one input failed
    good, bad = (json.loads(line) for line in done.stdout.splitlines())
    assert list(good) == list(bad) == fields.PARSE_RECORD.names
    assert list(good["meta"]) == fields.META_KEYS
    assert good["checks"] and all(list(c) == fields.CHECK_COLUMNS for c in good["checks"])


def test_sql_keywords_are_the_columns_that_need_quotes() -> None:
    con = duckdb.connect()
    names = sorted({f.name for t in fields.STORE_VIEWS.values() for f in t.fields})
    refused = []
    for name in names:
        try:
            con.execute(f'SELECT {name} FROM (SELECT 1 AS "{name}")')
        except duckdb.Error:
            refused.append(name)
    assert refused == sorted(fields.SQL_KEYWORDS)
