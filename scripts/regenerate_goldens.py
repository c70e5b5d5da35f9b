"""Regenerate the golden briefing and comparison notebooks in tests/golden/ when a change is intended.

    PYTHONHASHSEED=0 .venv/bin/python scripts/regenerate_goldens.py          # rewrite them
    PYTHONHASHSEED=0 .venv/bin/python scripts/regenerate_goldens.py --check  # and run nbval

The goldens are briefings of a few regions of the bundled corpus (data/corpus), and
comparisons of one body's two years (`compare_*.ipynb`, `toolkit/briefings/compare.ipynb`). This
ingests that corpus into a temporary store, then renders each golden region with papermill
in a fresh kernel, exactly as nbval re-runs it: the `store` parameter stays empty and
$OGI_STORE names the temporary store, so no path of this machine enters the notebook.
Timings, paths and random cell ids are scrubbed (`toolkit.briefings.kernel.scrub`). Review the
diff before committing: every changed output is a changed briefing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402

from toolkit.briefings.comparison import notebook_template as compare_template  # noqa: E402
from toolkit.briefings.jobs import Job, check_adcode  # noqa: E402
from toolkit.briefings.kernel import execute, execute_fresh  # noqa: E402
from toolkit.store import ingest  # noqa: E402
from toolkit.store.views import STORE_ENV  # noqa: E402

GOLDEN = REPO / "tests" / "golden"
CORPUS = REPO / "data" / "corpus"
REGIONS = {
    "150300": "乌海市: a city's government (2019) and a district department (2021): two bodies, "
              "no year in common, so no change between years (不可比)",
    "511300": "南充市: a city known only through a county-level city (阆中市), GB18030 source",
    "210114": "于洪区: a county whose report (seed 003) has review and litigation cases",
    "350128": "平潭县: one body over seven consecutive years (HTML pages, 2019 and 2021 "
              "templates): like-for-like changes every year, carry-forward checked",
    "230000": "黑龙江省: a province whose two reports cannot be used (no usable data)",
}


COMPARISONS = {
    ("350128-03c69e6e9784", 2023, 2024): "平潭 2023 → 2024: the 2021 template both years, "
    "section 五 rewritten, the tables' rows reused, a prose-vs-table failure in 2023 and a "
    "broken stock of normative documents between the years",
}


def compare_path(body: str, year_from: int, year_to: int) -> Path:
    return GOLDEN / f"compare_{body}_{year_from}-{year_to}.ipynb"


def golden_path(adcode: str) -> Path:
    return GOLDEN / f"briefing_{check_adcode(adcode)}.ipynb"


def nbval_command(paths: list[Path]) -> list[str]:
    """The strict nbval run the test suite makes (tests/briefings/test_golden_guard.py)."""
    return [sys.executable, "-m", "pytest", "--nbval", *map(str, paths),
            "--nbval-sanitize-with", str(GOLDEN / "sanitize.cfg"), "--nbval-current-env",
            "-p", "no:cacheprovider", "-q"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", action="append", default=[],
                        help="regenerate only this adcode (repeatable)")
    parser.add_argument("--check", action="store_true", help="run nbval on the goldens after")
    parser.add_argument("--no-compare", action="store_true",
                        help="leave the comparison goldens alone")
    args = parser.parse_args(argv)
    if os.environ.get("PYTHONHASHSEED") != "0":
        print("note: run with PYTHONHASHSEED=0 (as the tests do)", file=sys.stderr)
    codes = args.region or list(REGIONS)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ogi-goldens-") as tmp:
        store = Path(tmp) / "store"
        ingest(CORPUS, store, progress=False)
        os.environ[STORE_ENV] = str(store)  # the kernels papermill starts inherit it
        for code in codes:
            nb = execute(Job(code, store=""))
            nb.metadata["golden"] = {"region": code, "why": REGIONS.get(code, ""),
                                     "regenerate": "scripts/regenerate_goldens.py"}
            nbformat.write(nb, golden_path(code))
            print(f"wrote {golden_path(code).relative_to(REPO)}")
        compared = [] if args.no_compare or args.region else list(COMPARISONS)
        for body, year_from, year_to in compared:
            nb = execute_fresh(compare_template(), {"body": body, "year_from": year_from,
                                                    "year_to": year_to, "store": "", "kind": ""})
            nb.metadata["golden"] = {"comparison": f"{body} {year_from}-{year_to}",
                                     "why": COMPARISONS[(body, year_from, year_to)],
                                     "regenerate": "scripts/regenerate_goldens.py"}
            target = compare_path(body, year_from, year_to)
            nbformat.write(nb, target)
            print(f"wrote {target.relative_to(REPO)}")
        if args.check:
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            paths = [golden_path(c) for c in codes] + [compare_path(*c) for c in compared]
            done = subprocess.run(nbval_command(paths), cwd=REPO, env=env, check=False)
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
