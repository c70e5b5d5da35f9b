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


# ------------------------------------------------------------------ uneven stores
# Stores a real collection looks like: bodies that report some years and not others, a
# city's government next to a district's, a report that cannot be read. Built from copies
# of the real seed files; where a case needs a body or a year the corpus lacks, a copy is
# relabelled (its names and years replaced) and says so in its name.

SEED_000 = "000_d7151d8ad9dd7d48.txt"  # 乌海市人民政府 2019 (18 requests)
SEED_001 = "001_7fde0e398f6b93fa.txt"  # 阆中市人民政府 2020 (14 requests)
SEED_003 = "003_91a4c20e6918bacb.txt"  # 沈阳市于洪区人民政府 2019 (43 requests)
TO_2020 = (("2020", "2021"), ("2019", "2020"))
"""A 2019 report as if for 2020: every year one later (its publication date too)."""
YUHONG_AS_HAIBOWAN = (*TO_2020, ("沈阳市", "乌海市"), ("于洪区", "海勃湾区"),
                      ("辽宁省", "内蒙古自治区"))
"""Seed 003 as 乌海市海勃湾区人民政府's 2020 report: another body of 乌海市, one year later."""


def seed_file(name: str) -> Path:
    return next(p for d in corpus_dirs() for p in d.glob(name))


def relabelled(name: str, target: Path, replacements: tuple[tuple[str, str], ...],
               keep_chars: int | None = None) -> Path:
    """A copy of a seed with `replacements` applied in order (and cut to its first
    `keep_chars` characters, as a page cut off mid-report is)."""
    text = seed_file(name).read_text(encoding="utf-8")
    for old, new in replacements:
        text = text.replace(old, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text[:keep_chars] if keep_chars else text, encoding="utf-8")
    return target


def copied(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(seed_file(name).read_bytes())
    return target


def ingested(corpus: Path, store: Path) -> Path:
    from toolkit.store import ingest

    ingest(corpus, store, workers=1, progress=False)
    return store


@pytest.fixture(scope="session")
def disjoint_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """乌海市: its government's 2019 report and 海勃湾区人民政府's 2020 one, no body in both."""
    tmp = tmp_path_factory.mktemp("disjoint")
    copied(SEED_000, tmp / "corpus")
    relabelled(SEED_003, tmp / "corpus" / "haibowan_2020_from_seed_003.txt", YUHONG_AS_HAIBOWAN)
    return ingested(tmp / "corpus", tmp / "store")


@pytest.fixture(scope="session")
def one_matched_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """乌海市: its government reports 2019 and 2020, 海勃湾区人民政府 only 2020."""
    tmp = tmp_path_factory.mktemp("one-matched")
    copied(SEED_000, tmp / "corpus")
    relabelled(SEED_000, tmp / "corpus" / "wuhai_2020_from_seed_000.txt", TO_2020)
    relabelled(SEED_003, tmp / "corpus" / "haibowan_2020_from_seed_003.txt", YUHONG_AS_HAIBOWAN)
    return ingested(tmp / "corpus", tmp / "store")


@pytest.fixture(scope="session")
def unreadable_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """于洪区: a usable 2019 report and a 2020 one cut off after 2,000 characters (20% of its
    cells read, its 新收 43 among them); 阆中市: only a cut-off 2020 report (22% read)."""
    tmp = tmp_path_factory.mktemp("unreadable")
    copied(SEED_003, tmp / "corpus")
    relabelled(SEED_003, tmp / "corpus" / "yuhong_2020_cut_from_seed_003.txt", TO_2020,
               keep_chars=2000)
    relabelled(SEED_001, tmp / "corpus" / "langzhong_2020_cut_from_seed_001.txt", (),
               keep_chars=2500)
    return ingested(tmp / "corpus", tmp / "store")


@pytest.fixture(scope="session")
def bundled_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus (data/corpus) ingested into a temporary store."""
    return ingested(BUNDLED, tmp_path_factory.mktemp("bundled") / "store")
