"""Benchmark of the research export: building the tables and writing each format, on a
synthetic store of N reports on real divisions.

    .venv/bin/python scripts/benchmark_export.py [--n 2000] [--formats csv,dta,parquet,xlsx]
                                                 [--out benchmarks/out]

Builds (or reuses) the store in OUT/store-N and writes the files to OUT/export-N and the
results to OUT/export.md.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from toolkit.analysis.corpus import load
from toolkit.dev.synth_store import build_store
from toolkit.present import export


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--formats", default=",".join(export.FORMATS))
    parser.add_argument("--out", default="benchmarks/out")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    store = out / f"store-{args.n}"
    if not (store / "reports").is_dir():
        build_store(store, args.n, seed=0)
    target = out / f"export-{args.n}"
    target.mkdir(exist_ok=True)

    start = time.perf_counter()
    built = export.export_tables(load(store))
    seconds = time.perf_counter() - start
    rows = ", ".join(f"{name} {len(frame):,}" for name, frame in built.tables.items())
    lines = [f"# Export benchmark (n = {args.n:,} reports)", "",
             f"- tables built in {seconds:.1f} s ({rows} rows)"]
    for fmt in export.parse_formats(args.formats):
        start = time.perf_counter()
        export.write_export(store, target / fmt, fmt)
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (target / fmt).iterdir())
        lines.append(f"- `--format {fmt}`: {seconds:.1f} s in all (tables built again), "
                     f"{size / 2**20:.1f} MiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"- peak memory of the process: {peak:,.0f} MiB")
    text = "\n".join(lines) + "\n"
    (out / "export.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
