"""Regenerate the golden briefing notebooks in tests/golden/ when a change is intended.

    PYTHONHASHSEED=0 .venv/bin/python scripts/regenerate_goldens.py          # rewrite them
    PYTHONHASHSEED=0 .venv/bin/python scripts/regenerate_goldens.py --check  # and run nbval

The goldens are briefings of a few regions of the bundled corpus (data/corpus). This
ingests that corpus into a temporary store, then renders each golden region with papermill
in a fresh kernel, exactly as nbval re-runs it: the `store` parameter stays empty and
$OGI_STORE names the temporary store, so no path of this machine enters the notebook.
Timings, paths and random cell ids are scrubbed (`toolkit.briefings.scrub`). Review the
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

from toolkit.briefings.jobs import Job, check_adcode  # noqa: E402
from toolkit.briefings.kernel import execute  # noqa: E402
from toolkit.store import ingest  # noqa: E402
from toolkit.store.views import STORE_ENV  # noqa: E402

GOLDEN = REPO / "tests" / "golden"
CORPUS = REPO / "data" / "corpus"
REGIONS = {
    "150300": "乌海市: a city with a government and a county department, two years",
    "511300": "南充市: a city known only through a county-level city (阆中市), GB18030 source",
    "210114": "于洪区: a county whose report (seed 003) has review and litigation cases",
    "350128": "平潭县: a county from an HTML report (2022 template)",
}


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
        if args.check:
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            done = subprocess.run(nbval_command([golden_path(c) for c in codes]), cwd=REPO,
                                  env=env, check=False)
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
