"""PDF in the bench: reports/s per core, each parse checked exactly, and the full parse set
beside PDFium's bare extraction (text and every character's box) of the same file.

The PDFs are made the way publishers make them, from generated reports (`toolkit.dev.synth`)
whose values are known: exported by LibreOffice from DOCX (ruled tables, and the same with
no borders: tables across pages, labels wrapped in narrow columns), printed by Chromium from
HTML (ruled and borderless), and scanned-looking ones (a page rendered to an image, no text
layer), plus the committed Office fixtures (tests/fixtures/office) with their expected
values. Made once per (n, seed) under the bench's output folder, never committed; a kind
whose tool (soffice, chromium) is missing is skipped and said so.
"""
from __future__ import annotations

import contextlib
import gc
import io
import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.dev import synth

OFFICE_KINDS = ("office_ruled", "office_borderless")
KINDS = (*OFFICE_KINDS, "chromium_ruled", "chromium_borderless", "scanned", "fixture")
RATE_TARGET = 25.0
"""Reports/s per core on office-exported PDFs."""
RATIO_TARGET = 3.0
"""Full parse CPU over PDFium's bare extraction of the same file."""
NO_TEXT = "no text layer"
FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "office"


@dataclass
class Sample:
    kind: str
    path: Path
    values: dict[str, Any] | None
    """What a right parse reads; None where the right outcome is the no-text-layer error."""


@dataclass
class KindResult:
    kind: str
    files: int = 0
    pages: int = 0
    full: list[float] = field(default_factory=list)
    """CPU seconds of `parse_report` over the kind's files, per round."""
    bare: list[float] = field(default_factory=list)
    """CPU seconds of PDFium's bare text and character-box extraction, per round."""
    reference: float = 0.0
    """CPU seconds of the pdfplumber reference reading and parse, one round."""
    exact: int = 0
    found: int = 0
    expected: int = 0
    wrong_numbers: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def rate(self) -> float:
        best: float = min(self.full, default=0.0)
        return self.files / best if best else 0.0

    def ratio(self) -> float:
        best: float = min(self.bare, default=0.0)
        return min(self.full, default=0.0) / best if best else 0.0


# ---------------------------------------------------------------- making the PDFs

def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _borderless_docx(data: bytes) -> bytes:
    """The same DOCX with every table border removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w",
                                                                   zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "word/document.xml":
                body = body.replace(b'w:val="single"', b'w:val="nil"')
            dst.writestr(item, body)
    return out.getvalue()


def _borderless_html(html: str) -> str:
    html = html.replace("td { border: 1px solid #000; }", "td { padding: 2px 8px; }")
    return html.replace(' border="1"', ' border="0"')


def _office(soffice: str, docs: dict[Path, bytes], out: Path) -> None:
    """DOCX to PDF, all in one LibreOffice run (a fresh profile, so nothing else interferes)."""
    with tempfile.TemporaryDirectory(prefix="bench-soffice-") as work:
        for path, data in docs.items():
            (Path(work) / f"{path.stem}.docx").write_bytes(data)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/profile",
                        "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out),
                        *sorted(str(p) for p in Path(work).glob("*.docx"))],
                       check=True, capture_output=True, timeout=600)


def _print(chromium: str, html: str, pdf: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-chromium-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        f"--user-data-dir={work}/profile", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def _scan(source: Path, pdf: Path) -> None:
    """A scanned-looking PDF: the source's pages rendered to images, no text layer."""
    import pypdfium2

    document = pypdfium2.PdfDocument(source)
    try:
        images = [page.render(scale=1).to_pil().convert("L") for page in document]
    finally:
        document.close()
    images[0].save(pdf, "PDF", save_all=True, append_images=images[1:], resolution=72)


def make_samples(directory: Path, n: int, seed: int) -> tuple[list[Sample], list[str]]:
    """`n` PDFs of each generated kind (kept in `directory` for the next run) and the
    fixtures; and notes on the kinds that could not be made here."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / "manifest.json"
    wanted = {"n": n, "seed": seed, "kinds": list(KINDS)}
    reports = [synth.random_report(random.Random(f"pdf:{seed}:{i}")) for i in range(n)]
    names = {kind: [directory / f"{kind}_{i:04d}_{r.version}.pdf" for i, r in enumerate(reports)]
             for kind in KINDS if kind != "fixture"}
    notes: list[str] = []
    fresh = manifest.is_file() and json.loads(manifest.read_text("utf-8")) == wanted
    soffice, chromium = _soffice(), _chromium()
    if not fresh:
        for p in directory.glob("*.pdf"):
            p.unlink()
        if soffice:
            docs: dict[Path, bytes] = {}
            for report, ruled, bare in zip(reports, names["office_ruled"],
                                           names["office_borderless"], strict=True):
                data = synth.render(report, "docx")
                assert isinstance(data, bytes)
                docs[ruled], docs[bare] = data, _borderless_docx(data)
            _office(soffice, docs, directory)
        if chromium:
            for report, ruled, bare in zip(reports, names["chromium_ruled"],
                                           names["chromium_borderless"], strict=True):
                html = str(synth.render(report, "html"))
                _print(chromium, html, ruled)
                _print(chromium, _borderless_html(html), bare)
        for source, scanned in zip(names["office_ruled"] if soffice else names["chromium_ruled"],
                                   names["scanned"], strict=True):
            if source.is_file():
                _scan(source, scanned)
        manifest.write_text(json.dumps(wanted), encoding="utf-8")
    if not soffice:
        notes.append("office kinds skipped: LibreOffice (soffice) not installed")
    if not chromium:
        notes.append("Chromium kinds skipped: chromium not installed")
    samples = [Sample(kind, path, None if kind == "scanned" else dict(report.values))
               for kind, paths in names.items() for path, report in zip(paths, reports,
                                                                         strict=True)
               if path.is_file()]
    for pdf in sorted(FIXTURES.glob("*.pdf")):
        expected = json.loads(pdf.with_suffix(".json").read_text("utf-8"))
        samples.append(Sample("fixture", pdf, expected["values"]))
    return samples, notes


# ---------------------------------------------------------------- measuring

def bare_extraction(data: bytes) -> int:
    """PDFium's text and every character's box, nothing else: the floor a PDF parse stands on."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    chars = 0
    try:
        for page in document:
            textpage = page.get_textpage()
            textpage.get_text_range()
            for i in range(textpage.count_chars()):
                textpage.get_charbox(i, loose=True)
                chars += 1
            textpage.close()
            page.close()
    finally:
        document.close()
    return chars


def _pages(data: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def _check(sample: Sample, parse: Callable[[Path], Any]) -> tuple[str, bool, int, int]:
    """(outcome, exact, wrong numbers, values found) of one parse."""
    from toolkit.spec.errors import ReadError

    try:
        values = parse(sample.path).values()
    except ReadError as error:
        outcome = "no text layer" if NO_TEXT in error.reason else "read error"
        return outcome, sample.values is None and outcome == "no text layer", 0, 0
    if sample.values is None:
        return "parsed", False, 0, 0
    wrong = sum(1 for k, v in values.items()
                if v is not None and k in sample.values and sample.values[k] is not None
                and float(v) != float(sample.values[k]))
    wrong += sum(1 for k, v in values.items() if v is not None and k in sample.values
                 and sample.values[k] is None)
    found = sum(1 for k, v in sample.values.items()
                if v is not None and values.get(k) is not None and float(values[k]) == float(v))
    exact = found == sum(v is not None for v in sample.values.values())
    return "parsed", exact and wrong == 0, wrong, found


def _reference(path: Path) -> Any:
    from toolkit.parse.pipeline import parse_text
    from toolkit.read.pdf import read_pdf

    document = read_pdf(path, path.read_bytes(), "pdfplumber")
    return parse_text(document.text, source=str(path), hints=document.hints)


def measure(samples: list[Sample], rounds: int, reference: bool = True) -> list[KindResult]:
    """Every kind timed `rounds` times, full parse and bare extraction alternating per file
    (so a slow spell of the shared machine falls on both), CPU time of this process."""
    from toolkit.parse import parse_report
    from toolkit.spec.errors import ReadError

    by_kind: dict[str, list[Sample]] = {}
    for s in samples:
        by_kind.setdefault(s.kind, []).append(s)
    results = {k: KindResult(k, len(v)) for k, v in by_kind.items()}
    data = {s.path: s.path.read_bytes() for s in samples}
    if samples:
        _check(samples[0], parse_report)  # warm: templates, fonts, imports
    cpu = time.process_time
    for kind, group in by_kind.items():
        result = results[kind]
        result.pages = sum(_pages(data[s.path]) for s in group)
        for s in group:
            outcome, exact, wrong, found = _check(s, parse_report)
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
            result.exact += exact
            result.found += found
            result.expected += sum(v is not None for v in (s.values or {}).values())
            result.wrong_numbers += wrong
    for _ in range(rounds):
        for kind, group in by_kind.items():
            result = results[kind]
            gc.collect()
            full = bare = 0.0
            for s in group:
                started = cpu()
                with contextlib.suppress(ReadError):
                    parse_report(s.path)
                full += cpu() - started
                started = cpu()
                bare_extraction(data[s.path])
                bare += cpu() - started
            result.full.append(full)
            result.bare.append(bare)
    if reference:
        for kind, group in by_kind.items():
            started = cpu()
            for s in group:
                with contextlib.suppress(ReadError):
                    _reference(s.path)
            results[kind].reference = cpu() - started
    return [results[k] for k in KINDS if k in results]


def report(results: list[KindResult], n: int, seed: int, rounds: int,
           notes: list[str]) -> str:
    lines = [
        f"## PDF parse, one core (target on office-exported PDFs: >= {RATE_TARGET:.0f} "
        f"reports/s, full parse <= {RATIO_TARGET:.0f}x PDFium's bare extraction)", "",
        f"`--pdf-n {n}` (generated PDFs per kind), seed {seed}, best of {rounds} rounds, CPU "
        "time. `bare`: PDFium opens the file, and for every page its text and every "
        "character's loose box, nothing more. `pdfplumber`: the reference reading "
        "(`read_pdf(..., 'pdfplumber')`) and the same parse, one round, for comparison.", "",
        "| kind | files | pages | reports/s (CPU) | ms/report | bare ms/report | full / bare "
        "| pdfplumber ms/report | speed-up | exact files | values found | wrong numbers "
        "| outcomes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        full_ms = 1000 * min(r.full) / r.files
        bare_ms = 1000 * min(r.bare) / r.files
        ref_ms = 1000 * r.reference / r.files
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items()))
        lines.append(
            f"| {r.kind} | {r.files} | {r.pages} | {r.rate():,.1f} | {full_ms:.1f} | "
            f"{bare_ms:.1f} | {r.ratio():.1f}x | {ref_ms:.0f} | "
            f"{ref_ms / full_ms if full_ms else 0:.0f}x | {r.exact}/{r.files} | "
            f"{r.found / r.expected if r.expected else 1:.1%} | {r.wrong_numbers} | "
            f"{outcomes} |")
    office = [r for r in results if r.kind in OFFICE_KINDS]
    if office:
        files = sum(r.files for r in office)
        full = sum(min(r.full) for r in office)
        bare = sum(min(r.bare) for r in office)
        rate, ratio = files / full, full / bare
        verdict = "met" if rate >= RATE_TARGET and ratio <= RATIO_TARGET else "MISSED"
        lines += ["", f"Office-exported PDFs: **{rate:,.1f} reports/s per core**, full parse "
                      f"**{ratio:.1f}x** bare extraction: target {verdict}."]
    if notes:
        lines += ["", *(f"Note: {note}." for note in notes)]
    return "\n".join(lines)


def run(out: Path, n: int, seed: int, rounds: int) -> str:
    samples, notes = make_samples(out / f"pdf-corpus-n{n}-s{seed}", n, seed)
    results = measure(samples, rounds)
    return report(results, n, seed, rounds, notes) + "\n" + _median_note(results)


def _median_note(results: list[KindResult]) -> str:
    office = [r for r in results if r.kind in OFFICE_KINDS and len(r.full) > 1]
    if not office:
        return ""
    files = sum(r.files for r in office)
    median = statistics.median(sum(r.full[i] for r in office) for i in range(len(office[0].full)))
    return f"\nMedian round on office-exported PDFs: {files / median:,.1f} reports/s per core.\n"
