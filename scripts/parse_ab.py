"""Parse speed of this checkout against an earlier commit, on the same files, alternating.

    .venv/bin/python scripts/parse_ab.py --base b91bbf1 [--n 400] [--runs 3] [FOLDER ...]

Checks the base commit out in a temporary git worktree, writes `--n` generated reports (every
layout of the bench mix, from this checkout's generator) and parses them, plus any FOLDERs given
(e.g. the real corpus), in fresh processes that alternate base, head, base, head… so a busy
machine slows both alike. CPU time per file is what is compared (wall time on a shared
machine says little). Used for the "parse speed within 10%" targets in BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_TIMER = """
import sys, time, pathlib
sys.path.insert(0, '.')
from toolkit.parse import parse_report
files = sorted(p for d in sys.argv[2:] for p in pathlib.Path(d).rglob('*')
               if p.is_file() and p.suffix != '.json')
for f in files[:20]:
    parse_report(f)
rounds = int(sys.argv[1])
start = time.process_time()
for _ in range(rounds):
    for f in files:
        try:
            parse_report(f)
        except Exception:
            pass
print(1000 * (time.process_time() - start) / rounds / len(files))
"""


def _ms_per_file(checkout: Path, folders: list[str], rounds: int) -> float:
    out = subprocess.run([sys.executable, "-c", _TIMER, str(rounds), *folders], cwd=checkout,
                         check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--n", type=int, default=400, help="generated reports (0: none)")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each side")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the files per run")
    parser.add_argument("folders", nargs="*", help="more folders of reports to parse")
    args = parser.parse_args()

    from toolkit.dev import synth

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base],
                       cwd=REPO, check=True)
        try:
            folders = list(args.folders)
            if args.n:
                corpus = Path(tmp) / "corpus"
                synth.write_corpus(corpus, args.n, 7, synth.LAYOUTS,
                                   [synth.BENCH_MIX[layout] for layout in synth.LAYOUTS])
                folders.append(str(corpus))
            times: dict[str, list[float]] = {"base": [], "head": []}
            for _ in range(args.runs):
                times["base"].append(_ms_per_file(base, folders, args.rounds))
                times["head"].append(_ms_per_file(REPO, folders, args.rounds))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO,
                           check=False)
    base_ms, head_ms = (statistics.median(times[side]) for side in ("base", "head"))
    print(f"base {args.base}: {base_ms:.3f} ms/file CPU (runs {times['base']})")
    print(f"head: {head_ms:.3f} ms/file CPU (runs {times['head']})")
    print(f"head vs base: {100 * (head_ms / base_ms - 1):+.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
