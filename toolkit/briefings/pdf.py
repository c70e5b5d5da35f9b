"""Pages to PDF with headless Chromium: the printable briefings and comparisons.

Chromium prints the page as a reader's browser would, with the print style sheet
(templates/print.css: the running title and page numbers in @page margin boxes, captions
kept with their tables) and the CJK fonts of the machine (fonts-noto-cjk), embedded in the
PDF. The binary is found as NOTES.md says: `chromium` on the PATH (Debian's package), or
the path in $OGI_CHROMIUM.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from toolkit.spec.errors import ToolkitError

CHROMIUM_ENV = "OGI_CHROMIUM"
CANDIDATES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome",
                               "google-chrome-stable")
TIMEOUT_SECONDS = 180
FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--run-all-compositor-stages-before-draw")
"""`--no-pdf-header-footer` drops Chromium's own date/URL lines: the pages' @page boxes say
what every page carries."""


class PdfError(ToolkitError):
    """A PDF could not be written: no Chromium, or Chromium failed on the page."""


def find_chromium() -> str | None:
    """The Chromium binary: $OGI_CHROMIUM, else the first of `CANDIDATES` on the PATH."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given if Path(given).exists() else shutil.which(given)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str | Path, pdf: str | Path, chromium: str | None = None) -> Path:
    """Print the page `html` (a file) to `pdf`; raises `PdfError` naming the page and why."""
    source, target = Path(html).resolve(), Path(pdf).resolve()
    binary = chromium or find_chromium()
    if binary is None:
        raise PdfError(f"{source}: no Chromium to print with; install Debian's chromium "
                       f"(scripts/install_system_deps.sh) or set ${CHROMIUM_ENV}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="ogi-chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={partial}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as error:
            raise PdfError(f"{source}: Chromium took longer than {TIMEOUT_SECONDS} s") from error
    if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PdfError(f"{source}: Chromium did not print a PDF (exit {done.returncode}: "
                       f"{tail[0]})")
    partial.replace(target)
    return target


def pdfs_for(pages: Sequence[Path], chromium: str | None = None) -> list[Path]:
    """A PDF beside each page (`x.html` → `x.pdf`)."""
    return [html_to_pdf(page, page.with_suffix(".pdf"), chromium) for page in pages]


__all__ = ["CHROMIUM_ENV", "PdfError", "find_chromium", "html_to_pdf", "pdfs_for"]
