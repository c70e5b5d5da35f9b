"""Measure what hostile inputs cost: each parsed in a fresh interpreter, time and peak memory.

    .venv/bin/python scripts/benchmark_hostile.py

The cases are issue 17's, generated here: digits run together (six 40- and 100-digit
numbers on a row), a DOCX of a million empty paragraphs (under the element limit: read),
one past the element limit (refused unbuilt), an HTML page past it; and an ingest of a
folder holding all of them beside a good report. Prints a Markdown table for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile import cases
from toolkit.spec.limits import DEFAULT_LIMITS

SEED = sorted(Path("/work/shared/corpus/seeds").glob("*.txt")) or sorted(
    (Path(__file__).resolve().parents[1] / "data" / "corpus" / "seeds").glob("*.txt"))


def _digits(n: int) -> str:
    return cases.DIGIT_RUNS_LINE.replace("1" + "2" * 39, "1" + "2" * (n - 1))


def main() -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ogi-hostile-"))
    try:
        files = {
            "six 40-digit numbers on a row (346 B)": ("h40.txt", _digits(40).encode()),
            "six 100-digit numbers on a row": ("h100.txt", _digits(100).encode()),
            "DOCX, 1,000,000 empty paragraphs (under the element limit)":
                ("p1m.docx", cases.docx_bytes(1_000_000)),
            f"DOCX, {DEFAULT_LIMITS.xml_nodes + 1000:,} empty paragraphs":
                ("bomb.docx", cases.docx_bytes(DEFAULT_LIMITS.xml_nodes + 1000)),
            f"HTML, {DEFAULT_LIMITS.xml_nodes + 1000:,} elements":
                ("page.html", cases.html_bytes(DEFAULT_LIMITS.xml_nodes + 1000)),
        }
        print("| case | file size | status | seconds | peak memory (MiB) |")
        print("|---|---:|---|---:|---:|")
        for label, (name, data) in files.items():
            path = folder / name
            path.write_bytes(data)
            run = cases.measured("from toolkit.cli import parse_record\n"
                                 f"r = parse_record({str(path)!r}); print(r['status'])")
            print(f"| {label} | {len(data):,} B | {run.stdout.strip()} | {run.seconds:.1f} | "
                  f"{run.peak_mib:.0f} |")
        if SEED:
            shutil.copy(SEED[0], folder / "good.txt")
        run = cases.measured(
            "from toolkit.store import ingest\n"
            f"s = ingest({str(folder)!r}, {str(folder / 'store')!r}, workers=2, progress=False)\n"
            "print(s.by_status)", timeout=600)
        print(f"\ningest of the folder (the files above and a good report; 2 workers): "
              f"{run.stdout.strip()}, {run.seconds:.1f} s, the ingest process's peak "
              f"{run.peak_mib:.0f} MiB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
