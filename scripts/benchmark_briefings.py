"""Benchmark the briefing batch: N regions of a generated corpus, HTML export included.

    .venv/bin/python scripts/benchmark_briefings.py                 # 300 regions, all cores
    .venv/bin/python scripts/benchmark_briefings.py --regions 40 --baseline 0   # quick look

Builds a synthetic store on real divisions (`toolkit.dev.synth_store`, 5 years per body) in a
temporary folder, renders one briefing per region with `toolkit.briefings.batch.run` (the same
code as `python -m toolkit briefings`: worker processes each reusing one kernel), and, as a
baseline, renders a few with a fresh kernel per notebook (plain papermill). Writes the
numbers to benchmarks/out/briefings.md. The target is at most 1.5 s per briefing amortized.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.analysis.corpus import load  # noqa: E402
from toolkit.briefings.batch import run  # noqa: E402
from toolkit.briefings.jobs import Job  # noqa: E402
from toolkit.briefings.kernel import execute  # noqa: E402
from toolkit.briefings.pages import export_html  # noqa: E402
from toolkit.dev.synth_store import build_store  # noqa: E402

TARGET = 1.5


def choose_regions(store: Path, n: int, seed: int) -> list[str]:
    """`n` regions of every level, drawn with a fixed seed (the same set run to run)."""
    tree = load(store).region_tree().sort_values(["level", "adcode"])
    codes = list(tree["adcode"])
    if n >= len(codes):
        return codes
    return sorted(random.Random(seed).sample(codes, n))


def baseline(store: Path, codes: list[str]) -> list[float]:
    """Seconds per briefing when papermill starts a fresh kernel for every notebook."""
    times = []
    for code in codes:
        started = time.perf_counter()
        nb = execute(Job(code, str(store)))
        export_html(nb, code)
        times.append(time.perf_counter() - started)
    return times


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished descendants (workers and their kernels)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=300)
    parser.add_argument("--reports", type=int, default=3000,
                        help="reports in the generated store (bodies x 5 years)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", type=int, default=3,
                        help="briefings rendered with a fresh kernel each, for comparison")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "out" / "briefings.md"))
    parser.add_argument("--keep", default=None, help="keep the rendered briefings in this folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ogi-bench-") as tmp:
        store = Path(tmp) / "store"
        started = time.perf_counter()
        build_store(store, args.reports, seed=args.seed)
        build_seconds = time.perf_counter() - started
        codes = choose_regions(store, args.regions, args.seed)
        out = Path(args.keep) if args.keep else Path(tmp) / "out"
        load_before = os.getloadavg()

        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        results = run(store, out, regions=codes, workers=args.workers)
        wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        load_after = os.getloadavg()

        ok = [r for r in results if r.status == "ok"]
        worker = [r.seconds for r in ok]
        html_kb = [(out / f"{r.adcode}.html").stat().st_size / 1024 for r in ok]
        fresh = baseline(store, codes[: args.baseline]) if args.baseline else []

    amortized = wall / max(1, len(results))
    lines = [
        "# Briefings benchmark",
        "",
        f"`{' '.join(['scripts/benchmark_briefings.py', *(argv or sys.argv[1:])])}`",
        "",
        f"- machine: {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; load average before/after: "
        f"{load_before[0]:.1f} / {load_after[0]:.1f} (other jobs share this machine)",
        f"- versions: papermill {version('papermill')}, nbclient {version('nbclient')}, "
        f"nbconvert {version('nbconvert')}, altair {version('altair')}, "
        f"vl-convert-python {version('vl-convert-python')}, pandas {version('pandas')}",
        f"- store: {args.reports} generated reports (seed {args.seed}), built in "
        f"{build_seconds:.1f} s (not counted)",
        f"- regions: {len(codes)} (every level), workers: {args.workers} processes, "
        "one reused kernel each",
        "",
        "| measure | value |",
        "|---|---|",
        f"| briefings rendered (ok / failed) | {len(ok)} / {len(results) - len(ok)} |",
        f"| wall time, whole batch (plan, render, HTML, JSON, index) | {wall:.1f} s |",
        f"| **amortized per briefing, wall time / briefings** (target ≤ {TARGET} s) | "
        f"**{amortized:.2f} s** |",
        f"| CPU time of the batch (main, workers, kernels) per briefing | "
        f"{cpu / max(1, len(results)):.2f} s |",
        f"| amortized per briefing if this machine's {os.cpu_count()} cores were ours alone "
        f"(CPU time / cores) | {cpu / max(1, len(results)) / (os.cpu_count() or 1):.2f} s |",
        f"| per briefing inside a worker: mean / median / p90 | "
        f"{statistics.mean(worker):.2f} / {statistics.median(worker):.2f} / "
        f"{percentile(worker, 0.9):.2f} s |" if worker else "| per briefing inside a worker | — |",
        f"| first briefing of a worker (kernel start + imports + store load) | "
        f"{max(worker):.1f} s |" if worker else "| first briefing | — |",
        f"| HTML page size: mean | {statistics.mean(html_kb):.0f} KB |" if html_kb else
        "| HTML page size | — |",
    ]
    if fresh:
        lines.append(f"| baseline: fresh kernel per notebook (papermill default), sequential, "
                     f"{len(fresh)} briefings | {statistics.mean(fresh):.1f} s each |")
    lines += ["", f"Verdict: {'meets' if amortized <= TARGET else 'misses'} the target of "
                  f"{TARGET} s per briefing amortized.", ""]
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if len(ok) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
