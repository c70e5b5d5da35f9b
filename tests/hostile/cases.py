"""Hostile inputs, generated (never committed), and parse functions that misbehave on cue.

The parse functions live at module level so worker processes run them as they are; a
marker in a file's bytes chooses the misbehaviour, every other file parses as a report.
"""
from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

from toolkit.parse.report import Fact, Report

REPO = Path(__file__).resolve().parents[2]
DIGIT_RUNS_LINE = ("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量"
                   + " ".join(["1" + "2" * 39] * 6) + "\n")
"""Six 40-digit numbers on one requests row: once hours of cutting digits (issue 17, 1)."""

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                  b'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
                  b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/><Override '
                  b'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats'
                  b'-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
         b'://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="word/document.xml"/></Relationships>')


def docx_bytes(paragraphs: int, text: str = "") -> bytes:
    """A .docx of `paragraphs` paragraphs (empty ones compress to almost nothing)."""
    body = (f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode() if text else b"")
    body += b"<w:p/>" * paragraphs
    document = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                b'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body
                + b"</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def html_bytes(elements: int) -> bytes:
    return b"<html><body>" + b"<b>1</b>" * elements + b"</body></html>"


class Measured(NamedTuple):
    seconds: float
    peak_mib: float
    stdout: str
    returncode: int


def measured(code: str, timeout: float = 120) -> Measured:
    """Run `code` in a fresh interpreter: its wall time and its peak memory (max RSS, read
    by the interpreter itself at the end)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport resource\nprint('PEAK_KIB', "
         "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
        cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)
    lines = done.stdout.splitlines()
    peak = next((int(line.split()[1]) for line in lines if line.startswith("PEAK_KIB")), -1)
    return Measured(time.perf_counter() - started, peak / 1024,
                    "\n".join(line for line in lines if not line.startswith("PEAK_KIB")),
                    done.returncode)


def _report(path: Path, data: bytes) -> Report:
    return Report(source=str(path), status="ok", meta={"title": path.stem, "year": "2022"},
                  fact_list=[Fact("t", "r", "c", len(data), None, "行", str(len(data)), 0)])


def misbehaving_parse(path: Path, data: bytes | None = None) -> Report:
    """A parse that takes the bytes the worker read; SLEEP hangs, HOG eats memory."""
    data = path.read_bytes() if data is None else data
    if b"SLEEP" in data:
        time.sleep(3600)
    if b"HOG" in data:
        hog = bytearray(8 * 2**30)  # far past any memory limit a test sets
        del hog
    return _report(path, data)


def slow_parse(path: Path, data: bytes | None = None) -> Report:
    """Every file takes a minute: the kill-the-parent test stops the ingest meanwhile."""
    time.sleep(60)
    return _report(path, data or b"")
