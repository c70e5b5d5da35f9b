"""The explorer and teaching-lab notebooks run clean on the bundled corpus (the lab also on a
store of one report, and with its instructor notes); notebooks are committed without
outputs; the data dictionary matches the package. The lab's exercises: test_teaching.py.

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


def test_explore_notebook_shows_no_python_to_readers() -> None:
    """Voilà shows markdown to people who do not code: no Python calls there (the
    `export_dir` parameter is for scripts, and README documents it)."""
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "explorer.export" not in prose and "explorer.chart" not in prose and "`" not in prose
    assert "下载" in prose and "不可比" in prose


def test_explore_notebook_opens_on_the_default_region(store_dir: Path, tmp_path: Path) -> None:
    nb = run_notebook("explore.ipynb", tmp_path, store=str(store_dir))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert '"output_type": "error"' not in json.dumps([c.get("outputs") for c in code])
    assert not (tmp_path / "exports").exists()


def test_teaching_lab_runs_and_agrees_with_the_toolkit(store_dir: Path, corpus: Corpus,
                                                      tmp_path: Path) -> None:
    nb = run_notebook("teaching_lab.ipynb", tmp_path, store=str(store_dir))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert '"output_type": "error"' not in json.dumps([c.get("outputs") for c in code])
    lab = Lab(corpus)
    grid = lab.section_three()
    rate = (grid.loc["granted", "total"] + grid.loc["partial", "total"]) \
        / grid.loc["total_processed", "total"]
    assert f"= {rate:.1%}" in outputs(nb, "rate-hand")  # by hand ...
    value = lab.indicator("disclosure_rate")["value"]  # ... and with toolkit (as pandas prints it)
    assert str(value) in outputs(nb, "rate-toolkit") or f"{value:.6f}" in outputs(nb, "rate-toolkit")
    assert "holds: True" in outputs(nb, "identity-hand")
    assert "尚未作答" in outputs(nb, "exercise-1")
    assert lab.prompt(1).splitlines()[0] in outputs(nb, "exercise-1")
    assert f"0/{len(lab.exercises)}" in outputs(nb, "score")
    assert "image/svg+xml" in outputs(nb, "compare-chart")
    assert "五、存在的主要问题及改进情况" in outputs(nb, "section-five")
    # the solutions stay hidden unless the instructor asks for them
    hidden = outputs(nb, "instructor")
    assert "instructor = True" in hidden and "how:" not in hidden


def test_teaching_lab_prints_the_instructor_notes_when_asked(store_dir: Path, corpus: Corpus,
                                                            tmp_path: Path) -> None:
    nb = run_notebook("teaching_lab.ipynb", tmp_path, store=str(store_dir), instructor=True)
    notes = outputs(nb, "instructor")
    lab = Lab(corpus)
    for number in lab.exercises:
        assert f"Exercise {number} (" in notes
    assert "how:" in notes and "Part 7 (7 min)" in notes


def test_teaching_lab_runs_on_a_store_of_one_report(tmp_path: Path) -> None:
    """A store that lacks what exercises need: the lab says so and still runs to the end."""
    corpus_dir = tmp_path / "corpus" / "seeds"
    corpus_dir.mkdir(parents=True)
    seed = next((REPO / "data" / "corpus" / "seeds").glob("000_*"))
    (corpus_dir / seed.name).write_bytes(seed.read_bytes())
    store.ingest(tmp_path / "corpus", tmp_path / "store", workers=1, progress=False)
    nb = run_notebook("teaching_lab.ipynb", tmp_path, store=str(tmp_path / "store"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert '"output_type": "error"' not in json.dumps([c.get("outputs") for c in code])
    assert "consecutive years" in outputs(nb, "panel")
    assert "no pair to compare" in outputs(nb, "pair")


@pytest.mark.parametrize("name", OURS)
def test_notebooks_are_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and "store = " in parameters[0].source


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
