"""Shared fixtures: where the real reports and their expected parses live."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run: a suite that passes or fails by luck
# tells nobody anything. Explore new examples with HYPOTHESIS_PROFILE=explore.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
BUNDLED = REPO / "data" / "corpus"


def corpus_dirs() -> list[Path]:
    """Report folders: the shared corpus when present (new cases join), else the bundled copy."""
    root = SHARED if SHARED.is_dir() else BUNDLED
    return [root / "seeds", root / "dev"]


def expected_dir() -> Path:
    shared = SHARED / "expected"
    return shared if shared.is_dir() else REPO / "data" / "expected"


def expected_cases() -> list[tuple[Path, dict[str, Any]]]:
    """(report file, expected parse) for every expected file that has a report."""
    files = {p.stem: p for d in corpus_dirs() if d.is_dir() for p in d.iterdir()}
    cases = []
    for path in sorted(expected_dir().glob("*.json")):
        if path.stem in files:
            cases.append((files[path.stem], json.loads(path.read_text(encoding="utf-8"))))
    return cases


@pytest.fixture(scope="session")
def seed_000() -> Path:
    return next(p for d in corpus_dirs() for p in d.glob("000_*"))
