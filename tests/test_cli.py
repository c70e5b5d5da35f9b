"""The CLI contract (`parse --json`), and bad input turning into statuses, never tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from toolkit.cli import parse_record


def run_parse(*paths: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "parse", *map(str, paths), "--json"],
        capture_output=True, text=True, cwd=REPO, check=False, timeout=120,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_one_json_line_per_input(seed_000: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    records = run_parse(seed_000, empty)
    assert [r["source"] for r in records] == [str(seed_000), str(empty)]
    good, bad = records
    assert good["status"] == "ok" and good["error"] is None
    assert good["values"]["requests.new_received.total"] == 18
    assert good["flags"]["requests.carried_forward.total"] == "missing"
    assert good["meta"]["year"] == 2019 and good["meta"]["template"] == "2019"
    assert {"check", "scope", "status", "left", "right", "keys"} <= set(good["checks"][0])
    assert bad["status"] == "failed" and "empty" in bad["error"]


def _bad_inputs(tmp: Path, seed_text: str) -> dict[str, Path]:
    files = {
        "empty": tmp / "empty.txt",
        "binary": tmp / "garbage.bin",
        "gbk": tmp / "gbk.txt",
        "script": tmp / "page.html",
        "huge": tmp / "huge.txt",
        "not_a_report": tmp / "menu.html",
        "cut_mid_table": tmp / "cut.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
    files["gbk"].write_bytes(seed_text.encode("gbk", errors="replace"))
    files["script"].write_text(
        "<html><head><script>alert('一、总体情况')</script></head><body><p>"
        + seed_text.replace("\n", "</p><p>") + "</p><script>var x = 1;</script></body></html>",
        encoding="utf-8")
    with open(files["huge"], "wb") as handle:
        handle.write(("政府信息公开" * 1000 + "\n").encode() * 2800)
    files["not_a_report"].write_text(
        "<html><body><ul><li>首页</li><li>政务公开</li><li>联系我们</li></ul>"
        "<p>版权所有 主办单位:某某市人民政府办公室</p></body></html>", encoding="utf-8")
    files["cut_mid_table"].write_text(seed_text[: seed_text.index("5.属于三类内部事务信息") + 20],
                                      encoding="utf-8")
    return files


def test_bad_input_gets_a_status_and_a_reason(seed_000: Path, tmp_path: Path) -> None:
    files = _bad_inputs(tmp_path, seed_000.read_text(encoding="utf-8"))
    records = {r["source"]: r for r in run_parse(*files.values())}
    status = {name: records[str(path)]["status"] for name, path in files.items()}
    error = {name: records[str(path)]["error"] or "" for name, path in files.items()}
    assert status["empty"] == "failed" and "empty" in error["empty"]
    assert status["binary"] == "failed" and "binary" in error["binary"]
    assert status["gbk"] == "ok"
    assert status["script"] == "ok"
    assert status["huge"] == "failed" and "too large" in error["huge"]
    assert status["not_a_report"] == "failed" and "no disclosure annual report" in error["not_a_report"]
    assert status["cut_mid_table"] == "partial"
    gbk = records[str(files["gbk"])]
    assert gbk["values"]["requests.new_received.total"] == 18


def test_missing_file_and_directory_are_statuses(tmp_path: Path) -> None:
    assert parse_record(str(tmp_path / "nope.txt"))["status"] == "failed"
    assert parse_record(str(tmp_path))["status"] == "failed"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_status(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("x", encoding="utf-8")
    locked.chmod(0)
    record = parse_record(str(locked))
    assert record["status"] == "failed" and "ermission" in record["error"]


def test_a_bug_in_the_parser_is_an_internal_error_with_its_traceback_logged(
        seed_000: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(path: str) -> None:
        raise KeyError("oops")

    monkeypatch.setattr("toolkit.parse.parse_report", broken)
    record = parse_record(str(seed_000))
    assert (record["status"], record["error"]) == ("internal_error", "KeyError: 'oops'")
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert logged and str(seed_000) in logged[0].getMessage() and logged[0].exc_info


def test_bad_input_is_not_an_internal_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert parse_record(str(empty))["status"] == "failed"


# ---------------------------------------------------------------- one error style

def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    from toolkit.cli import main

    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_parse_of_a_missing_file_or_a_folder_exits_2(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _main(capsys, "parse", str(tmp_path / "nope.txt"), str(tmp_path))
    assert code == 2 and err.startswith("error: 2 of 2 inputs not found")


def test_parse_of_a_file_that_fails_exits_1(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert _main(capsys, "parse", str(tmp_path / "empty.txt"))[0] == 1


@pytest.mark.parametrize("case", ["missing_root", "out_is_a_file", "workers_0", "empty_root"])
def test_ingest_mistakes_are_one_line(case: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    argv = {"missing_root": ["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "s")],
            "out_is_a_file": ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "file")],
            "workers_0": ["ingest", str(tmp_path / "in"), "--workers", "0"],
            "empty_root": ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "s"),
                           "--quiet"]}[case]
    code, err = _main(capsys, *argv)
    assert code == 2 and "error: " in err and len(err.strip().splitlines()[-1]) < 300


def test_summary_and_briefings_of_an_empty_or_missing_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from toolkit.store import ingest

    (tmp_path / "in").mkdir()
    ingest(tmp_path / "in", tmp_path / "store", progress=False)
    code, err = _main(capsys, "summary", str(tmp_path / "store"))
    assert code == 2 and "holds no reports" in err
    code, err = _main(capsys, "summary", str(tmp_path / "nope"))
    assert code == 2 and err.startswith("error: no store")
    code, err = _main(capsys, "briefings", "--store", str(tmp_path / "store"),
                      "--out", str(tmp_path / "b"), "--quiet")
    assert code == 2 and "selects no region" in err


def test_a_busy_store_names_its_holder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from toolkit.store.ingest import _locked

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "store").mkdir()
    with _locked(tmp_path / "store"):
        code, err = _main(capsys, "ingest", str(tmp_path / "in"), "--out",
                          str(tmp_path / "store"), "--quiet")
    assert code == 2 and "another ingest" in err and f"pid {os.getpid()}" in err


def test_json_lines_are_utf8_for_a_name_that_is_not(tmp_path: Path) -> None:
    name = os.fsdecode(os.fsencode(str(tmp_path)) + "/年度报告.txt".encode("gbk"))
    Path(name).write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "parse", "--json", name, str(tmp_path / "b.txt")],
        capture_output=True, cwd=REPO, check=False, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    lines = done.stdout.decode("utf-8").splitlines()
    assert done.returncode == 2 and len(lines) == 2
    assert json.loads(lines[0])["source"] == name  # the escaped bytes come back


def test_briefings_of_regions_the_store_does_not_hold_is_a_usage_mistake(
        bundled_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every --region unknown: exit 2 naming each, nothing rendered; one known beside an
    unknown one: the batch runs and the unknown one is its failure row (exit 1)."""
    out = tmp_path / "b"
    code, err = _main(capsys, "briefings", "--store", str(bundled_corpus), "--out", str(out),
                      "--quiet", "--region", "999999", "--region", "x/y")
    assert code == 2 and "--region 999999: no reports for region 999999" in err
    assert "--region x/y" in err and not out.exists()
    code, err = _main(capsys, "briefings", "--store", str(bundled_corpus), "--out", str(out),
                      "--quiet", "--region", "999999", "--region", "150300", "--workers", "1")
    assert code == 1 and "999999: no reports for region" in err
