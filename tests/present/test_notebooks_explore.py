"""The explorer and teaching-lab notebooks run clean on the bundled corpus; the lab's
exercises check answers correctly; notebooks are committed without outputs; the data
dictionary matches the package.

Notebooks run through papermill with the kernel `python3` (`make setup` registers it) and
a store built once per session from data/corpus, passed as the `store` parameter.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from toolkit import store
from toolkit.analysis.corpus import Corpus, load
from toolkit.present.teaching import Lab

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
OURS = ("explore.ipynb", "teaching_lab.ipynb")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store")
    store.ingest(REPO / "data" / "corpus", out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def corpus(store_dir: Path) -> Corpus:
    return load(store_dir)


def run_notebook(name: str, out_dir: Path, **parameters: Any) -> nbformat.NotebookNode:
    import papermill

    output = out_dir / name
    papermill.execute_notebook(str(NOTEBOOKS / name), str(output), parameters=parameters,
                               kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False)
    return nbformat.read(output, as_version=4)


def outputs(nb: nbformat.NotebookNode, cell_id: str) -> str:
    """Everything a cell printed or displayed, as text (errors included)."""
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return json.dumps(cell.get("outputs", []), ensure_ascii=False)


def test_explore_notebook_runs_and_exports(store_dir: Path, tmp_path: Path) -> None:
    nb = run_notebook("explore.ipynb", tmp_path, store=str(store_dir), region="210000",
                      export_dir=str(tmp_path / "exports"))
    shown = outputs(nb, "explorer")
    assert "application/vnd.jupyter.widget-view+json" in shown
    assert '"output_type": "error"' not in json.dumps([c.get("outputs") for c in nb.cells
                                                       if c.cell_type == "code"])
    png = tmp_path / "exports" / "trend.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "辽宁省 · 公开率" in (tmp_path / "exports" / "trend.svg").read_text(encoding="utf-8")


def test_teaching_lab_runs_and_agrees_with_the_toolkit(store_dir: Path, corpus: Corpus,
                                                      tmp_path: Path) -> None:
    nb = run_notebook("teaching_lab.ipynb", tmp_path, store=str(store_dir))
    lab = Lab(corpus)
    rate = f"{lab.solution(2):.1%}"
    assert f"= {rate}" in outputs(nb, "rate-hand")  # by hand ...
    value = lab.indicator("disclosure_rate")["value"]  # ... and with toolkit (as pandas prints it)
    assert str(value) in outputs(nb, "rate-toolkit") or f"{value:.6f}" in outputs(nb, "rate-toolkit")
    assert "holds: True" in outputs(nb, "identity-hand")
    assert "尚未作答" in outputs(nb, "exercise-1")
    assert "0/8" in outputs(nb, "score")
    assert "image/svg+xml" in outputs(nb, "compare-chart")


@pytest.mark.parametrize("name", OURS)
def test_notebooks_are_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and "store = " in parameters[0].source


# ---------------------------------------------------------------------------- the lab's checker

@pytest.fixture(scope="module")
def lab(corpus: Corpus) -> Lab:
    return Lab(corpus)


def test_lab_picks_a_fully_parsed_example_and_a_comparable_pair(lab: Lab) -> None:
    meta = lab.report_meta()
    assert meta["status"] == "ok"
    assert (lab.checks()["status"] != "fail").all()
    assert lab.region_a != lab.region_b
    assert set(lab.compare()["year"]) == {lab.year}


@pytest.mark.parametrize("number", range(1, 9))
def test_each_exercise_accepts_its_answer_and_rejects_a_wrong_one(lab: Lab, number: int) -> None:
    right = lab.solution(number)
    assert lab.is_correct(number, right)
    if isinstance(right, bool):
        wrong: Any = not right
    elif isinstance(right, tuple):
        wrong = (right[0] + 1, right[1])
    elif isinstance(right, str):
        wrong = "000000"
    else:
        wrong = right + 1
    assert not lab.is_correct(number, wrong)
    assert not lab.is_correct(number, ...)


def test_rates_are_checked_with_a_tolerance(lab: Lab) -> None:
    rate = lab.solution(2)
    assert lab.is_correct(2, round(rate, 3))
    assert not lab.is_correct(2, rate * 100)  # a percentage, not a fraction


def test_check_prints_a_verdict_and_score_counts_it(lab: Lab, capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    lab.results.clear()
    lab.check(1, lab.solution(1))
    lab.check(2, 0.0)
    lab.check(3, ...)
    lab.score()
    printed = capsys.readouterr().out
    assert "练习1: ✓" in printed and "练习2: ✗" in printed and "Hint" in printed
    assert "练习3: 尚未作答" in printed
    assert "1/8" in printed


# ---------------------------------------------------------------------------- data dictionary

def test_data_dictionary_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("make_data_dictionary",
                                                  REPO / "scripts" / "make_data_dictionary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (REPO / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == module.render(), "run scripts/make_data_dictionary.py"
    for indicator in ("disclosure_rate", "公开率", "requests.granted.natural_person", "予以公开",
                      "`redacted`", "`balance`"):
        assert indicator in committed
