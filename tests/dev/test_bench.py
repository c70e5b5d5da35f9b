"""The benchmark runs end to end on a small corpus and reports what it measured."""
from __future__ import annotations

from pathlib import Path

from toolkit.dev import bench


def test_rates_are_of_the_best_and_median_round() -> None:
    result = bench.LayoutResult("html", 300, [2.0, 1.0, 1.5], [1.5, 1.0, 3.0], 300, 0)
    assert result.rate == 300.0
    assert result.cpu_rate == 300.0
    assert result.median_cpu_rate == 200.0


def test_small_run_writes_a_checked_table(tmp_path: Path, capsys) -> None:
    assert bench.main(["--n", "40", "--rounds", "2", "--pdf-n", "0", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "results.md").read_text("utf-8")
    assert table.strip() == capsys.readouterr().out.strip()
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ")]
    layouts = {row[0].lstrip("| ") for row in rows[1:]}
    assert {"lines", "html", "**text + HTML**"} <= layouts
    for row in rows[1:]:
        assert row[6] == "100.0%" and row[7] == "0", row  # every value exact, no errors
    assert "--rounds 2" in table


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    assert bench.main(["--n", "10", "--rounds", "0", "--out", str(tmp_path)]) == 2
