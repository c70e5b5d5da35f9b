"""Real Office files, made as publishers make them (tests/fixtures/office/README.md): each
parses to the values, flags and metadata of its expected JSON, with zero wrong numbers.

The comparison is score_parse's: a key left out of the expected file is not judged; a
number where the truth is another number or no number is a wrong number.
"""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from toolkit import parse_report
from toolkit.read import read_document

OFFICE = REPO / "tests" / "fixtures" / "office"
FIXTURES = sorted(p for p in OFFICE.iterdir() if p.suffix in (".docx", ".pdf", ".doc"))
META_KEYS = ("title", "agency", "year", "template", "province", "city", "county", "level",
             "agency_kind", "published")
CONVERTERS = ("antiword", "soffice", "libreoffice")


def _same(got: Any, want: Any) -> bool:
    if got is None or want is None:
        return got is None and want is None
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return math.isclose(float(got), float(want), rel_tol=1e-6, abs_tol=1e-6)
    return str(got).strip() == str(want).strip()


def misses(path: Path) -> tuple[list[str], list[str]]:
    """(every miss, the wrong numbers among them) of `path` against its expected JSON."""
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    record = parse_report(path).to_record()
    values, flags, meta = record["values"], record["flags"], record["meta"]
    missed, wrong = [], []
    for key, want in expected["flags"].items():
        if flags.get(key) != want:
            missed.append(f"flag {key}: want {want!r} got {flags.get(key)!r}")
            if values.get(key) is not None:
                wrong.append(key)
    for key, want in expected["values"].items():
        if key not in values or not _same(values[key], want):
            missed.append(f"{key}: want {want!r} got {values.get(key, '<absent>')!r}")
            if values.get(key) is not None:
                wrong.append(key)
    for key in META_KEYS:
        if key in expected["meta"] and not _same(meta.get(key), expected["meta"][key]):
            missed.append(f"meta.{key}: want {expected['meta'][key]!r} got {meta.get(key)!r}")
    return missed, wrong


def test_every_fixture_has_its_expected_file_and_stays_small() -> None:
    assert {p.suffix for p in FIXTURES} == {".docx", ".pdf", ".doc"}
    for path in FIXTURES:
        assert path.with_suffix(".json").is_file(), path.name
        assert path.stat().st_size < 110_000, path.name


@pytest.mark.parametrize("path", [p for p in FIXTURES if p.suffix != ".doc"],
                         ids=lambda p: p.name)
def test_office_file_parses_to_its_expected_values(path: Path) -> None:
    missed, wrong = misses(path)
    assert wrong == []
    assert missed == []


def test_legacy_doc_parses_to_its_expected_values() -> None:
    """The .doc reader for real: antiword first, LibreOffice second (CI installs antiword)."""
    if not any(shutil.which(c) for c in CONVERTERS):
        pytest.skip("no .doc converter on PATH (antiword or LibreOffice): "
                    "scripts/install_system_deps.sh installs antiword")
    path = OFFICE / "libreoffice_word97.doc"
    missed, wrong = misses(path)
    assert wrong == []
    assert missed == []


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice is not installed (CI does not need it)")
def test_legacy_doc_through_libreoffice_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's second route (antiword hidden): LibreOffice converts to .docx, whose
    list numbers the .docx reader shows (antiword prints none: its headings have no 一、)."""
    real = shutil.which
    monkeypatch.setattr("toolkit.read.word.shutil.which",
                        lambda name: None if name == "antiword" else real(name))
    path = OFFICE / "libreoffice_word97.doc"
    assert "\n一、总体情况\n" in read_document(path).text
    missed, wrong = misses(path)
    assert wrong == []
    assert missed == []


def test_docx_heading_numbers_come_from_word_numbering() -> None:
    """The numerals are no part of the document's text: the reader renders Word's list
    numbering (linked to the Heading 1 style here) as Word shows it."""
    text = read_document(OFFICE / "word_numbered_frame.docx").text
    lines = text.splitlines()
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                    "六、其他需要报告的事项"):
        assert heading in lines


@pytest.mark.parametrize(("n", "fmt", "shown"), [
    (1, "chineseCountingThousand", "一"), (10, "chineseCounting", "十"),
    (12, "chineseCounting", "十二"), (20, "chineseCounting", "二十"),
    (105, "chineseCountingThousand", "一百零五"), (110, "chineseCounting", "一百一十"),
    (3, "ideographTraditional", "丙"), (2, "chineseLegalSimplified", "贰"),
    (4, "upperRoman", "IV"), (28, "lowerLetter", "bb"), (7, "decimal", "7"),
    (3, "decimalEnclosedCircle", "③"), (12, "decimalFullWidth", "１２"),
])
def test_word_list_numbers_as_word_prints_them(n: int, fmt: str, shown: str) -> None:
    from toolkit.read.word import _number_text

    assert _number_text(n, fmt) == shown
