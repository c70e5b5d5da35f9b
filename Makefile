# Two commands for a newcomer (see README): `make run` and `make test`.
# Both create .venv/ (Python 3.11) and install everything the project needs first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint typecheck score clean-store system-deps goldens

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ogi-toolkit)" >/dev/null
	touch $(STAMP)

system-deps:
	bash scripts/install_system_deps.sh

setup: $(STAMP)

run: setup
	$(PY) -m toolkit ingest data/corpus --out data/store
	$(PY) -m toolkit summary data/store
	$(PY) -m toolkit briefings --store data/store --out reports_out
	@echo "Briefings: open reports_out/index.html in a browser"

lint: setup
	$(VENV)/bin/ruff check toolkit tests scripts
	$(VENV)/bin/lint-imports

typecheck: setup
	$(VENV)/bin/mypy toolkit

test: lint typecheck system-deps
	PYTHONHASHSEED=0 $(PY) -m pytest -n 2 -q

goldens: setup
	PYTHONHASHSEED=0 $(PY) scripts/regenerate_goldens.py --check

score: setup
	$(PY) ../shared/tools/score_parse.py ../shared/corpus/seeds,../shared/corpus/dev ../shared/corpus/expected

clean-store:
	rm -rf data/store
