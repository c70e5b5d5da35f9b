"""The core stands alone: with every optional dependency refused, `toolkit.parse_report` and
`python -m toolkit parse --json` work (and give what they give with everything installed),
while the store says which extra to install.

A subprocess Python runs with a `sys.meta_path` finder, installed by a `sitecustomize`
before anything else is imported, that refuses the modules of the extras as if they were
not installed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, corpus_dirs
from toolkit.spec.extras import EXTRAS

REFUSED = sorted({"pyarrow", "duckdb", "altair", "ipywidgets", "jupyterlab", "voila",
                  "papermill", "nbconvert", "nbformat", "dask", "distributed", "vl_convert",
                  "tqdm", *(m for modules in EXTRAS.values() for m in modules)})

HOOK = f'''
import sys

REFUSED = frozenset({REFUSED!r})


class RefuseExtras:
    """Refuse the optional dependencies, as if they were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (refused)", name=name)
        return None


sys.meta_path.insert(0, RefuseExtras())
'''

PROBE = '''
import json, sys

refused = sorted(m for m in sys.modules if m.partition(".")[0] in REFUSED)
import toolkit
from toolkit.cli import parse_record

reports = {p: toolkit.parse_report(p) for p in sys.argv[1:-1]}
out = {"loaded_before": refused,
       "records": [parse_record(p) for p in reports],
       "facts": [len(r.facts) for r in reports.values()]}
try:
    toolkit.load(sys.argv[-1])
except ImportError as error:
    out["load_error"] = [type(error).__name__, str(error)]
out["loaded_after"] = sorted({m.partition(".")[0] for m in sys.modules} & REFUSED)
print(json.dumps(out, ensure_ascii=False))
'''


@pytest.fixture(scope="module")
def no_extras(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a Python that cannot import any extra."""
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}


@pytest.fixture(scope="module")
def inputs() -> list[Path]:
    seeds, dev = corpus_dirs()
    return [next(seeds.glob("000_*")), next(dev.glob("*.html"))]


def python(env: dict[str, str] | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=300)


def test_the_hook_refuses_what_is_installed(no_extras: dict[str, str]) -> None:
    done = python(no_extras, "-c", "import duckdb")
    assert done.returncode == 1 and "No module named 'duckdb' (refused)" in done.stderr
    assert python(None, "-c", "import duckdb, pyarrow, altair, papermill").returncode == 0


def test_parse_without_extras(no_extras: dict[str, str], inputs: list[Path],
                              tmp_path: Path) -> None:
    code = f"REFUSED = frozenset({REFUSED!r})\n{PROBE}"
    done = python(no_extras, "-c", code, *map(str, inputs), str(tmp_path))
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    assert out["loaded_before"] == [] and out["loaded_after"] == []
    assert [r["status"] for r in out["records"]] == ["ok", "ok"]
    assert all(out["facts"])
    kind, message = out["load_error"]
    assert kind == "MissingExtra" and "pip install 'ogi-toolkit[store]'" in message


def test_parse_json_without_extras_is_the_same(no_extras: dict[str, str],
                                               inputs: list[Path]) -> None:
    args = ["-m", "toolkit", "parse", "--json", *map(str, inputs)]
    bare, full = python(no_extras, *args), python(None, *args)
    assert bare.returncode == 0, bare.stderr
    records = [json.loads(line) for line in bare.stdout.splitlines()]
    assert [r["status"] for r in records] == ["ok", "ok"]
    assert records[0]["values"]["requests.new_received.total"] == 18
    assert bare.stdout == full.stdout


def test_store_commands_name_the_extra(no_extras: dict[str, str], tmp_path: Path) -> None:
    done = python(no_extras, "-m", "toolkit", "ingest", str(tmp_path), "--out",
                  str(tmp_path / "store"))
    assert done.returncode == 2
    assert "pip install 'ogi-toolkit[store]'" in done.stderr
    assert "Traceback" not in done.stderr


def requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        name = requirement.split(";")[0].split(">")[0].split("=")[0].split("<")[0].strip()
        base, _, extras = name.partition("[")
        if base == "ogi-toolkit":
            continue
        names.add(base.lower())
        names.update(e.strip().lower() for e in extras.rstrip("]").split(",") if e.strip())
    return names


def test_extras_follow_the_folders_and_environment_yml_mirrors_them() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert set(extras) == {*EXTRAS, "dev"}
    core = requirement_names(project["dependencies"])
    assert not core & {"pyarrow", "duckdb", "tqdm", "altair", "papermill", "dask"}
    assert "ogi-toolkit[store,explore,briefings,dask]" in extras["dev"]
    for extra in ("explore", "briefings"):
        assert "ogi-toolkit[store]" in extras[extra]
    conda = {line.strip().lstrip("- ").split("#")[0].strip()
             for line in (REPO / "environment.yml").read_text(encoding="utf-8").splitlines()}
    conda_names = requirement_names(sorted(c for c in conda if c))
    aliases = {"duckdb": "python-duckdb"}
    wanted = core | {n for group in extras.values() for n in requirement_names(group)}
    missing = sorted(n for n in wanted if aliases.get(n, n) not in conda_names)
    assert missing == []
