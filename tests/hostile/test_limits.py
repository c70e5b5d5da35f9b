"""Hostile inputs end as status rows in bounded time and memory, and the good files land.

Each case is generated here (no large file is committed). Bounds are generous (a shared
2-core machine): they catch a hang or a blow-up, not a slowdown.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import corpus_dirs
from tests.hostile import cases
from tests.store.test_store import by_path as reports
from toolkit.read import read_document
from toolkit.read.word import read_docx
from toolkit.spec.errors import LimitExceeded
from toolkit.spec.limits import DEFAULT_LIMITS, Limits
from toolkit.store import ingest


def good_report(folder: Path) -> Path:
    seed = sorted(corpus_dirs()[0].glob("*.txt"))[0]
    return Path(shutil.copy(seed, folder / "good.txt"))


def test_digit_runs_row_is_quick_and_the_batch_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "h.txt").write_text(cases.DIGIT_RUNS_LINE, encoding="utf-8")
    good = good_report(root)
    started = time.perf_counter()
    ingest(root, tmp_path / "out", workers=2, progress=False)
    assert time.perf_counter() - started < 60
    rows = reports(tmp_path / "out")
    hostile = rows[str(root / "h.txt")]
    assert hostile["status"] == "partial" and hostile["error"] and hostile["detail"]
    assert rows[str(good)]["status"] == "ok"


def test_a_file_past_the_time_limit_is_stopped(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "hang.txt").write_bytes(b"SLEEP")
    for i in range(4):
        (root / f"ok{i}.txt").write_bytes(f"report {i}".encode())
    started = time.perf_counter()
    summary = ingest(root, tmp_path / "out", workers=2, progress=False,
                     parse=cases.misbehaving_parse, limits=Limits(seconds=2))
    assert time.perf_counter() - started < 30
    rows = reports(tmp_path / "out")
    hang = rows[str(root / "hang.txt")]
    assert hang["status"] == "limit_exceeded" and hang["error"].startswith("limit seconds")
    assert summary.by_status == {"limit_exceeded": 1, "ok": 4}


def test_a_file_past_the_memory_limit_fails_alone(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "hog.txt").write_bytes(b"HOG")
    (root / "ok.txt").write_bytes(b"report")
    ingest(root, tmp_path / "out", workers=1, progress=False, parse=cases.misbehaving_parse,
           limits=Limits(memory_bytes=256 * 2**20))
    rows = reports(tmp_path / "out")
    hog = rows[str(root / "hog.txt")]
    assert hog["status"] == "limit_exceeded" and "memory_bytes" in hog["error"]
    assert rows[str(root / "ok.txt")]["status"] == "ok"


def test_docx_zip_bomb_is_refused_unbuilt(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(cases.docx_bytes(DEFAULT_LIMITS.xml_nodes + 1000))
    assert bomb.stat().st_size < 200_000
    run = cases.measured(
        "from toolkit.cli import parse_record\n"
        f"r = parse_record({str(bomb)!r}); print(r['status'], r['error'])")
    assert run.stdout.startswith("limit_exceeded") and "xml_nodes" in run.stdout, run
    assert run.seconds < 30 and run.peak_mib < 600, run


def test_docx_expanding_past_the_limit_is_refused(tmp_path: Path) -> None:
    data = cases.docx_bytes(1000, text="一、总体情况")
    with pytest.raises(LimitExceeded, match="expanded_bytes"):
        read_docx(tmp_path / "x.docx", data, limits=Limits(expanded_bytes=5000))
    with pytest.raises(LimitExceeded, match="xml_nodes"):
        read_docx(tmp_path / "x.docx", data, limits=Limits(xml_nodes=500))
    assert "一、总体情况" in read_docx(tmp_path / "x.docx", data).text


def test_html_of_too_many_elements_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(cases.html_bytes(DEFAULT_LIMITS.xml_nodes + 1000))
    run = cases.measured(
        "from toolkit.cli import parse_record\n"
        f"r = parse_record({str(page)!r}); print(r['status'], r['error'])")
    assert run.stdout.startswith("limit_exceeded") and "xml_nodes" in run.stdout, run
    assert run.seconds < 30 and run.peak_mib < 600, run
    small = tmp_path / "small.html"
    small.write_bytes(cases.html_bytes(10))
    assert read_document(small).text
