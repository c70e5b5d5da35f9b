"""The golden briefings pass nbval in strict mode, and the check has teeth.

`pytest --nbval tests/golden` collects the goldens only when asked; this module makes the
normal run (`pytest -n 2 -q`) ask, in a subprocess, against the bundled corpus ingested
into a temporary store ($OGI_STORE, which the goldens' code reads: no path in a notebook).
Then it changes one number in one bundled report and shows nbval failing on exactly the
cells that show that number, while the cells that do not still pass.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.briefings.test_briefings import SEED_003, change_granted_total
from tests.conftest import BUNDLED, REPO
from toolkit.store import ingest
from toolkit.store.views import STORE_ENV

GOLDEN = REPO / "tests" / "golden"
SANITIZE = GOLDEN / "sanitize.cfg"
AFFECTED = GOLDEN / "briefing_210114.ipynb"  # 于洪区 = seed 003 alone


def goldens() -> list[Path]:
    return sorted(GOLDEN.glob("briefing_*.ipynb"))


def nbval(store: Path, *notebooks: Path) -> subprocess.CompletedProcess[str]:
    """`pytest --nbval` (strict, not --nbval-lax) on `notebooks`, reading `store`."""
    env = {**os.environ, STORE_ENV: str(store), "PYTHONHASHSEED": "0"}
    command = [sys.executable, "-m", "pytest", "--nbval", *map(str, notebooks),
               "--nbval-sanitize-with", str(SANITIZE), "--nbval-current-env",
               "-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-rf", "--color=no"]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def code_cells(path: Path) -> list[str]:
    """Source of each code cell, in nbval's numbering (Cell 0, Cell 1, …)."""
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def failed_cells(output: str, path: Path) -> set[int]:
    return {int(n) for n in re.findall(rf"FAILED \S*{re.escape(path.name)}::Cell (\d+)", output)}


def test_goldens_exist_and_were_executed() -> None:
    found = goldens()
    assert len(found) >= 4 and AFFECTED in found
    for path in found:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), f"{path.name} has unexecuted cells"
        assert sum(bool(c.outputs) for c in code) >= 12, f"{path.name} has too few outputs"
        assert "injected-parameters" in [c.get("id") for c in nb.cells]
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:/tmp/|/work/|/home/|/Users/)", text), f"a path in {path.name}"
        assert "start_time" not in text and "duration" not in text, "timings must be scrubbed"


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "store"
    ingest(BUNDLED, out, workers=1, progress=False)
    return out


def test_goldens_pass_nbval_strict_against_the_bundled_corpus(bundled_store: Path) -> None:
    done = nbval(bundled_store, *goldens())
    cells = sum(len(code_cells(p)) for p in goldens())
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert f"{cells} passed" in done.stdout, done.stdout[-2000:]


def test_nbval_fails_on_the_cells_showing_a_changed_number(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(BUNDLED, root)
    change_granted_total(root / "seeds" / SEED_003)  # 予以公开 38 → 39 in 于洪区 2019
    ingest(root, tmp_path / "store", workers=1, progress=False)

    done = nbval(tmp_path / "store", AFFECTED)

    assert done.returncode != 0, "nbval must fail when a figure of the briefing changed"
    failed = failed_cells(done.stdout, AFFECTED)
    source = code_cells(AFFECTED)
    # every cell that shows the number, or the ⚠ of the report that now fails its identities
    affected = ("brief.header()", "brief.key_figures_table()", "brief.trend_table()",
                'brief.composition_table("outcomes"', 'brief.composition_table("refusal_mix"',
                'brief.composition_table("review_counts"', "brief.peers_table()",
                "brief.quality_table()", "brief.failed_checks_table()", "brief.excerpts()")
    want = {i for i, text in enumerate(source) if any(a in text for a in affected)}
    assert len(want) == len(affected)
    assert failed == want, (sorted(failed), sorted(want), done.stdout[-4000:])
    # and what nbval printed is the change itself: 38 → 39 granted, 88.4% → 90.7%
    assert "39 / 43" in done.stdout and "90.7%" in done.stdout and "88.4%" in done.stdout
