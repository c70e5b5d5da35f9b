"""Benchmark of division lookups: 100,000 body names placed, townships included, on one core.

    .venv/bin/python scripts/benchmark_places.py [--n 100000] [--seed 7] [--out benchmarks/out]

The names mix what reports call themselves: county-level and city-level bodies (as the
regions benchmark draws them, `toolkit.dev.synth_store._bodies`), townships named alone
(万潮镇人民政府; a name several counties share, 城关镇人民政府, stays null), townships with
their county (凯里市万潮镇人民政府), street offices (新华街道办事处), and shared townships with
one line of text naming their county, so the evidence path is timed too. Times are CPU time
of this process (one core), the best of `--rounds` rounds (the name cache emptied before
each); the table is loaded before the clock starts and its loading is timed apart. Writes
OUT/places.md.
"""
from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

SHARES = {"county or city body": 0.55, "township alone": 0.2, "township with its county": 0.1,
          "street office": 0.05, "shared township and a line naming its county": 0.1}


def sample(n: int, seed: int) -> list[tuple[str, str, str]]:
    """(what, name, text) for n bodies."""
    from toolkit.dev.synth_store import _bodies
    from toolkit.places.gazetteer import load_gazetteer, load_townships

    rng = random.Random(seed)
    towns = sorted((t for ts in load_townships().by_name.values() for t in ts),
                   key=lambda t: t.adcode)
    streets = [t for t in towns if t.name.endswith("街道")]
    shared = [t for t in towns if len(load_townships().by_name[t.name]) > 1 and t.county]
    divisions = load_gazetteer().divisions
    counties = _bodies(rng, min(n, 20_000))
    out: list[tuple[str, str, str]] = []
    for what, share in SHARES.items():
        for _ in range(round(n * share)):
            if what == "county or city body":
                out.append((what, rng.choice(counties), ""))
            elif what == "township alone":
                town = rng.choice(towns)
                out.append((what, town.name + "人民政府", ""))
            elif what == "township with its county":
                town = rng.choice([t for t in rng.sample(towns, 5) if t.county] or [towns[0]])
                out.append((what, f"{town.county}{town.name}人民政府", ""))
            elif what == "street office":
                out.append((what, rng.choice(streets).name + "办事处", ""))
            else:
                town = rng.choice(shared)
                county = divisions[town.adcode[:6]].name
                out.append((what, town.name + "人民政府", f"在{county}委、{county}政府的领导下,我镇……"))
    rng.shuffle(out)
    return out[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/out")
    args = parser.parse_args()

    start = time.process_time()
    from toolkit.places.gazetteer import load_gazetteer, load_townships

    load_gazetteer()
    county_load = time.process_time() - start
    load_townships()
    town_load = time.process_time() - start - county_load
    from toolkit.places.regions import _chain_cached, place_body

    names = sample(args.n, args.seed)
    place_body("乌海市人民政府", "电话 0473-3991234")  # libphonenumber's first import
    rounds: list[float] = []
    placed = []
    for _ in range(args.rounds):
        _chain_cached.cache_clear()
        start = time.process_time()
        placed = [place_body(name, text) for _, name, text in names]
        rounds.append(time.process_time() - start)
    seconds = min(rounds)

    kinds = Counter(what for what, _, _ in names)
    with_county: Counter[str] = Counter()
    for (what, _, _), p in zip(names, placed, strict=True):
        if p.adcode and (p.county or p.level != "township"):
            with_county[what] += 1
    lines = [f"# Division lookups (n = {args.n:,}, seed {args.seed})", "",
             f"- load, levels 1–3 (first use): {county_load:.2f} s CPU",
             f"- load, townships (first township looked up): {town_load:.2f} s CPU",
             f"- **{args.n:,} names placed in {seconds:.2f} s CPU** "
             f"({args.n / seconds:,.0f} names/s, one core; best of {len(rounds)} rounds: "
             + ", ".join(f"{r:.2f}" for r in rounds) + " s)", "",
             "| names | count | placed to a county (or their own level) |", "|---|---:|---:|"]
    lines += [f"| {what} | {kinds[what]:,} | {with_county[what]:,} |" for what in SHARES]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "places.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
