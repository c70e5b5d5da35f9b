"""Benchmark for the regions issue: placing 100,000 body names, rolling up every indicator
at every level, and the query latencies the explorer and briefings depend on.

    .venv/bin/python scripts/benchmark_regions.py [--n 100000] [--out benchmarks/out]

Builds (or reuses) a synthetic store on real divisions in OUT/store-N and writes the
results to OUT/regions.md.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from toolkit.analysis.corpus import load
from toolkit.dev.synth_store import _bodies, build_store
from toolkit.places.regions import place_body
from toolkit.spec.vocab import KINDS, REGION_LEVELS


def timed(fn, repeat: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = None
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - start) / repeat, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--out", default="benchmarks/out")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# Regions benchmark (n = {args.n:,})", ""]

    rng = random.Random(7)
    distinct = _bodies(rng, min(args.n, 20_000))
    names = [rng.choice(distinct) for _ in range(args.n)]
    place_body(names[0])
    seconds, placed = timed(lambda: [place_body(n) for n in names])
    resolved = sum(1 for p in placed if p.adcode)  # type: ignore[union-attr]
    lines.append(f"- region resolution: {args.n:,} body names in {seconds:.1f} s "
                 f"({args.n / seconds:,.0f} names/s), {resolved:,} placed")

    store = out / f"store-{args.n}"
    if not (store / "reports").is_dir():
        seconds, _ = timed(lambda: build_store(store, args.n, seed=0))
        lines.append(f"- synthetic store built in {seconds:.1f} s")
    corpus = load(store)
    seconds, _ = timed(lambda: (corpus.reports, corpus.wide, corpus.count_matrices))
    lines.append(f"- load: reports + values + per-report counts in {seconds:.1f} s "
                 f"({len(corpus.reports):,} reports)")
    seconds, _ = timed(lambda: corpus.region_tree())
    lines.append(f"- region tree: {seconds:.2f} s ({len(corpus.region_tree()):,} regions)")
    total = 0.0
    for level in REGION_LEVELS:
        for kind in KINDS:
            seconds, _ = timed(lambda level=level, kind=kind: corpus.rollup(level, kind))
            total += seconds
    lines.append(f"- indicators for all regions at all levels and kinds (9 roll-ups): {total:.1f} s")
    seconds, _ = timed(lambda: (corpus.warm(), corpus.quality))
    lines.append(f"- query indexes (regions, members per level) and quality table: {seconds:.1f} s "
                 "(once per session; `Corpus.warm()`)")
    from toolkit.analysis.crosscheck import cross_checks

    seconds, found = timed(lambda: cross_checks(corpus))
    sizes = ", ".join(f"{name} {len(frame):,} rows"
                      for name, frame in found.items())  # type: ignore[attr-defined]
    lines.append(f"- cross-report checks (carry-forward, stock balance, duplicates, copied prose): "
                 f"{seconds:.1f} s ({sizes})")

    tree = corpus.region_tree()
    pick = random.Random(3)
    samples = {level: list(tree[tree["level"] == level]["adcode"]) for level in REGION_LEVELS}
    latencies: dict[str, list[float]] = {"series": [], "peers": [], "composition": [],
                                         "reports_in": []}
    for _ in range(50):
        level = pick.choice(REGION_LEVELS)
        code = pick.choice(samples[level])
        queries = {
            "series": lambda c=code: corpus.series(c, "disclosure_rate"),
            "peers": lambda c=code: corpus.peers(c, "disclosure_rate", 2022),
            "composition": lambda c=code: corpus.composition(c, "outcomes"),
            "reports_in": lambda c=code: corpus.reports_in(c),
        }
        for name, query in queries.items():
            latencies[name].append(timed(query)[0])
    lines += ["", "| query | median ms | p95 ms | max ms |", "|---|---|---|---|"]
    for name, values in latencies.items():
        values.sort()
        lines.append(f"| {name} | {statistics.median(values) * 1000:.1f} | "
                     f"{values[int(len(values) * 0.95) - 1] * 1000:.1f} | {values[-1] * 1000:.1f} |")
    text = "\n".join(lines) + "\n"
    (out / "regions.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
