"""Fixtures of the collector's tests: real report texts, a PDF and a DOCX made here, a runner."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import corpus_dirs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_texts() -> list[str]:
    """The real reports of the corpus's seeds, read at test time (not copied into the repo)."""
    seeds = sorted(corpus_dirs()[0].glob("*.txt"))
    assert seeds, "no seed reports found"
    return [p.read_text(encoding="utf-8") for p in seeds]


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev extra) builds the PDF fixture")
    pdf = fpdf.FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 10, "Government information disclosure annual report 2020")
    return bytes(pdf.output())


@pytest.fixture(scope="session")
def docx_bytes() -> bytes:
    from toolkit.dev import synth

    data = synth.render(synth.random_report(random.Random(1)), "docx")
    assert isinstance(data, bytes)
    return data


def run_collect(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m toolkit collect ARGS` in a subprocess (Twisted's reactor runs once a process)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "toolkit", "collect", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, env=env)


def popen_collect(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen([sys.executable, "-m", "toolkit", "collect", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
