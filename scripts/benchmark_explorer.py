"""Time every explorer interaction on a large generated store (issue 4: under 300 ms each).

    .venv/bin/python scripts/benchmark_explorer.py [--n 100000] [--repeat 12] [--rebuild]

Builds a synthetic store of `--n` reports on real divisions into benchmarks/out/ (kept and
reused unless --rebuild), opens the explorer the way the notebook does, then drives it
through its plain update methods: region, years, body kind, indicator and peer-group
changes, each on the view it changes, plus opening each tab. The SVG cache is off and
remembered query answers are dropped before each step, so every update queries and
renders for real. Prints the results and writes
benchmarks/out/explorer.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.analysis.corpus import load  # noqa: E402
from toolkit.dev.synth_store import build_store  # noqa: E402
from toolkit.present.explore import VIEWS  # noqa: E402
from toolkit.present.widgets import Explorer, Timing  # noqa: E402

BUDGET_MS = 300.0
INDICATORS = ("disclosure_rate", "refusal_rate", "requests_received", "not_held_share",
              "review_correction_rate", "applicant_share_legal_service", "carry_forward_rate")


def _regions(explorer: Explorer, count: int) -> list[str]:
    """Regions at every level, spread over the country (deterministic)."""
    table = explorer.views.corpus.region_table
    picked: list[str] = []
    for level in ("province", "city", "county"):
        codes = sorted(table.loc[table["level"] == level, "adcode"])
        step = max(1, len(codes) // count)
        picked += codes[::step][:count]
    return picked


def _measure(name: str, view: str, explorer: Explorer, steps: list[Callable[[], Timing]]
             ) -> dict[str, object]:
    if explorer.view != view:
        explorer.show_view(view)
    timings = []
    for step in steps:
        explorer.forget()  # cold: no remembered query answers, no SVG or PNG cache
        timings.append(step())
    totals = sorted(t.total_ms for t in timings)
    return {
        "interaction": name, "view": view, "n": len(timings),
        "median_ms": statistics.median(totals),
        "p90_ms": totals[min(len(totals) - 1, round(0.9 * (len(totals) - 1)))],
        "max_ms": totals[-1],
        "query_ms": statistics.median(t.query_ms for t in timings),
        "render_ms": statistics.median(t.render_ms for t in timings),
        "download_ms": statistics.median(t.download_ms for t in timings),
    }


def run(n: int, repeat: int, rebuild: bool, out: Path) -> list[dict[str, object]]:
    store = out / f"store_{n}"
    if rebuild or not (store / "reports").is_dir():
        started = time.perf_counter()
        build_store(store, n_reports=n, seed=0)
        print(f"built {store} in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    corpus = load(store)
    explorer = Explorer(corpus, cache_size=0)
    startup = time.perf_counter() - started
    print(f"explorer ready in {startup:.1f} s ({len(corpus.reports):,} reports after "
          f"one-per-body-year, {len(corpus.region_table):,} regions)", flush=True)
    regions = _regions(explorer, max(2, repeat // 3 + 1))
    low, high = explorer.years.min, explorer.years.max
    spans = [(low, high), (low + 1, high), (low, high - 1), (low + 2, high), (low, high - 2)]
    kinds = ["government", "department", "all"]
    rows = []
    for view in ("trend", "peers"):
        explorer.set_region(regions[0])
        rows.append(_measure("region change", view, explorer, [
            (lambda r=r: explorer.set_region(r)) for r in regions[1:repeat + 1]]))
        rows.append(_measure("years change", view, explorer, [
            (lambda i=i: explorer.set_years(spans[i % len(spans)])) for i in range(1, repeat + 1)]))
        rows.append(_measure("kind change", view, explorer, [
            (lambda i=i: explorer.set_kind(kinds[i % len(kinds)])) for i in range(repeat)]))
        rows.append(_measure("indicator change", view, explorer, [
            (lambda i=i: explorer.set_indicator(INDICATORS[(i + 1) % len(INDICATORS)]))
            for i in range(repeat)]))
    explorer.set_indicator("disclosure_rate")
    groups = ["level", "siblings"]
    rows.append(_measure("peer group change", "peers", explorer, [
        (lambda i=i: explorer.set_peer_group(groups[i % 2])) for i in range(repeat)]))
    for view in [v for v in VIEWS if v != "trend"]:
        steps: list[Callable[[], Timing]] = []
        for region in regions[:max(2, repeat // 2)]:
            def step(region: str = region, view: str = view) -> Timing:
                explorer.show_view("trend")
                explorer.set_region(region)
                return explorer.show_view(view)
            steps.append(step)
        rows.append(_measure("open tab after region change", view, explorer, steps))
    ids = sorted(corpus.reports["report_id"])[:: max(1, len(corpus.reports) // repeat)][:repeat]
    explorer.show_view("quality")
    rows.append(_measure("report drill-down", "quality", explorer, [
        (lambda r=r: explorer.show_report(r)) for r in ids]))
    report(rows, n, len(corpus.reports), startup, out)
    return rows


def report(rows: list[dict[str, object]], n: int, usable: int, startup: float, out: Path) -> None:
    lines = [
        f"# Explorer interaction latency, {n:,} generated reports",
        "",
        f"Store: `toolkit.dev.synth_store.build_store(n_reports={n}, seed=0)` ({usable:,} reports "
        "after one-per-body-year). Each row times `Explorer` update methods (what a widget "
        "change calls): headline + queries + chart, and the SVG render of the visible view "
        "by vl-convert; cold: the SVG cache is off and remembered query answers are dropped "
        "before each step. The download links (PNG, SVG, CSV of the chart on screen) are "
        "rebuilt after the update is shown: their time is the last column, not in the others. "
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        f"Start-up (load the store, build every roll-up, first render): {startup:.1f} s.",
        "",
        "| interaction | view on screen | n | median ms | p90 ms | max ms | query ms (median) "
        "| render ms (median) | under 300 ms | download links ms (median, after) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ok = "yes" if float(row["p90_ms"]) < BUDGET_MS else "no"  # type: ignore[arg-type]
        lines.append(
            f"| {row['interaction']} | {row['view']} | {row['n']} | {row['median_ms']:.0f} | "
            f"{row['p90_ms']:.0f} | {row['max_ms']:.0f} | {row['query_ms']:.0f} | "
            f"{row['render_ms']:.0f} | {ok} | {row['download_ms']:.0f} |")
    text = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "explorer.md").write_text(text, encoding="utf-8")
    print(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="reports to generate")
    parser.add_argument("--repeat", type=int, default=12, help="changes timed per interaction")
    parser.add_argument("--rebuild", action="store_true", help="build the store again")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args(argv)
    run(args.n, args.repeat, args.rebuild, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
