"""The store keeps the text each report was parsed from, and every location leads into it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_000, SEED_001, SEED_003, seed_file
from toolkit.analysis.corpus import load
from toolkit.parse import parse_report
from toolkit.store import ingest, open_store
from toolkit.store.texts import TextNotFound, report_text


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("in")
    for name in (SEED_000, SEED_001, SEED_003):
        shutil.copy(seed_file(name), root / name)
    (root / "not_a_report.txt").write_text("今天天气很好。\n", encoding="utf-8")
    (root / "copy_of_000.txt").write_bytes(seed_file(SEED_000).read_bytes())
    out = tmp_path_factory.mktemp("store")
    ingest(root, out, workers=1, progress=False)
    return out


def rows(store: Path, sql: str) -> list[tuple]:
    con = open_store(store)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_cell_location_points_at_its_raw_text(store_dir: Path) -> None:
    cells = rows(store_dir, "SELECT report_id, raw, location FROM facts WHERE location >= 0")
    assert len(cells) > 100
    texts = {rid: report_text(store_dir, rid) for rid in {c[0] for c in cells}}
    assert len(texts) == 3
    for rid, raw, location in cells:
        assert texts[rid][location:location + len(raw)] == raw


def test_every_claim_location_is_inside_its_sentence(store_dir: Path) -> None:
    claims = rows(store_dir, "SELECT report_id, sentence, location FROM checks "
                             "WHERE location IS NOT NULL")
    assert claims
    for rid, sentence, location in claims:
        text = report_text(store_dir, rid)
        start = text.find(sentence)
        assert start >= 0 and start <= location < start + len(sentence)


def test_text_is_what_the_parser_read(store_dir: Path) -> None:
    path = seed_file(SEED_001)
    rid = rows(store_dir, f"SELECT report_id FROM reports WHERE path LIKE '%{SEED_001}'")[0][0]
    assert report_text(store_dir, rid) == parse_report(path).text
    assert load(store_dir).text(rid) == parse_report(path).text


def test_one_text_per_content(store_dir: Path) -> None:
    assert rows(store_dir, "SELECT count(*), count(DISTINCT report_id) FROM texts") == [(3, 3)]


def test_unknown_id_is_a_key_error_naming_it(store_dir: Path) -> None:
    with pytest.raises(TextNotFound, match="no such report") as caught:
        report_text(store_dir, "0" * 64)
    assert isinstance(caught.value, KeyError)
    assert "0" * 64 in str(caught.value)


def test_a_file_that_was_not_parsed_has_no_text(store_dir: Path) -> None:
    rid = rows(store_dir, "SELECT report_id FROM reports WHERE path LIKE '%not_a_report.txt'")[0][0]
    with pytest.raises(KeyError, match=f"{rid}.*holds no text"):
        load(store_dir).text(rid)


def test_a_store_written_before_texts_opens_and_says_so(store_dir: Path,
                                                         tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(store_dir, old)
    shutil.rmtree(old / "texts")
    rid = rows(old, "SELECT report_id FROM reports WHERE status = 'ok' LIMIT 1")[0][0]
    assert rows(old, "SELECT count(*) FROM texts") == [(0,)]
    with pytest.raises(TextNotFound, match="ingest"):
        report_text(old, rid)
