"""The PDF bench makes its PDFs, parses each and checks it, and says what it measured."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.dev import bench_pdf


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("chromium")),
                    reason="LibreOffice and Chromium make the PDFs (scripts/install_system_deps.sh)")
def test_one_pdf_of_each_kind_is_parsed_checked_and_timed(tmp_path: Path) -> None:
    table = bench_pdf.run(tmp_path, 1, 0, 1)
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")
            for line in table.splitlines() if line.startswith("| ") and "---" not in line}
    assert set(bench_pdf.KINDS) <= set(rows)
    for kind in bench_pdf.KINDS:
        assert rows[kind][11] == "0", kind  # no wrong numbers
        assert rows[kind][9] == ("2/2" if kind == "fixture" else "1/1"), kind  # exact files
    assert rows["scanned"][-1] == "no text layer 1 |"
    assert rows["fixture"][9] == "2/2"
    assert "Office-exported PDFs:" in table
    made = sorted(p.name for p in (tmp_path / "pdf-corpus-n1-s0").glob("*.pdf"))
    assert len(made) == 5
    again = bench_pdf.make_samples(tmp_path / "pdf-corpus-n1-s0", 1, 0)[0]
    assert sorted(s.path.name for s in again if s.kind != "fixture") == made
