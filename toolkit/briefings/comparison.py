"""`python -m toolkit compare BODY --years Y1 Y2`: one body's two reports side by side, as a page.

The notebook `compare.ipynb` (package data, like the briefing) opens the comparison with
`open_comparison` and displays what `toolkit.present.comparison.ComparisonView` returns;
`render` executes it with papermill in a fresh kernel and exports it to an offline HTML
page (and with `pdf`, a PDF through headless Chromium). Files are named from the body_id
and the years, never from report text: `compare_350128-03c69e6e9784_2023-2024.html`.

Bad input is refused before a kernel starts, with a message saying what to give instead
(`CompareError`: unknown body, one year only, years reversed, a year without a report).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import nbformat

from toolkit.analysis.compare import CompareError, body_reports, compare_in_store, pick_years
from toolkit.briefings.content import load_corpus, setup
from toolkit.briefings.kernel import execute_fresh
from toolkit.briefings.pages import export_html
from toolkit.briefings.pdf import PdfError, find_chromium, html_to_pdf
from toolkit.present.comparison import ComparisonView
from toolkit.spec.errors import ToolkitError
from toolkit.spec.vocab import KINDS
from toolkit.store.views import resolve_store

NOTEBOOK = "compare.ipynb"
SAFE_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,80}$")
"""What a body_id must look like to name a file (the store's are `350128-03c69e6e9784`)."""


def notebook_template() -> str:
    """The comparison notebook's JSON, read from the installed package."""
    return (resources.files("toolkit.briefings") / NOTEBOOK).read_text(encoding="utf-8")


def open_comparison(body: str, year_from: int, year_to: int, store: str = "",
                    kind: str = "") -> ComparisonView:
    """The notebook's entry point: its parameters in, the page's sections out."""
    setup()
    corpus = load_corpus(resolve_store(store or None))
    comparison = compare_in_store(corpus, str(body), int(year_from), int(year_to),
                                  kind or None)
    adcode = comparison.later.meta.get("adcode")
    region = ""
    if isinstance(adcode, str) and adcode:
        try:
            region = corpus.region(adcode).path
        except KeyError:
            region = ""
    return ComparisonView(comparison, region)


@dataclass(frozen=True)
class Planned:
    """A comparison that can be made: the body's id and the two years, checked."""

    body_id: str
    year_from: int
    year_to: int

    @property
    def stem(self) -> str:
        return f"compare_{self.body_id}_{self.year_from}-{self.year_to}"


def plan(store: str | Path, body: str, year_from: int, year_to: int, kind: str = ""
         ) -> Planned:
    """Check the request against the store before any kernel starts; `CompareError` if bad."""
    corpus = load_corpus(store)
    reports = body_reports(corpus, str(body), kind or None)
    first, _ = pick_years(reports, year_from, year_to)
    body_id = str(first["body_id"])
    if not SAFE_NAME.fullmatch(body_id):
        raise CompareError(f"body_id {body_id!r} cannot name a file")
    return Planned(body_id, int(year_from), int(year_to))


def render(store: str | Path, planned: Planned, out: str | Path, pdf: bool = False
           ) -> list[Path]:
    """Execute the notebook, write `<stem>.ipynb` and `<stem>.html` (and `.pdf`) into `out`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nb = execute_fresh(notebook_template(), {
        "body": planned.body_id, "year_from": planned.year_from, "year_to": planned.year_to,
        "store": str(Path(store).resolve()), "kind": ""})
    view = open_comparison(planned.body_id, planned.year_from, planned.year_to, str(store))
    running = " · ".join(p for p in (view.region.split(" › ")[-1] if view.region else "",
                                     view.title) if p)
    page = export_html(nb, view.title, running=running, nav=False)
    written = []
    for suffix, data in ((".ipynb", nbformat.writes(nb)), (".html", page)):
        target = out / f"{planned.stem}{suffix}"
        target.write_text(data, encoding="utf-8")
        written.append(target)
    if pdf:
        written.append(html_to_pdf(written[-1], out / f"{planned.stem}.pdf"))
    return written


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m toolkit compare",
        description="Compare one body's reports of two years: reused prose, table changes, "
                    "checks, carry-over; an offline HTML page (and PDF).")
    parser.add_argument("body", help="a body_id (350128-03c69e6e9784), or a six-digit adcode "
                                     "with --kind")
    parser.add_argument("--years", nargs=2, type=int, required=True, metavar=("Y1", "Y2"),
                        help="the earlier year, then the later")
    parser.add_argument("--kind", default="", choices=["", *(str(k) for k in KINDS)],
                        help="with an adcode: the body's kind (government or department)")
    parser.add_argument("--store", default=None,
                        help="store written by `ingest` (default: $OGI_STORE, else data/store)")
    parser.add_argument("--out", default="reports_out", help="output folder (default reports_out)")
    parser.add_argument("--pdf", action="store_true", help="also write a PDF (headless Chromium)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """0 when the page was written; 2 for a request that cannot be met (the message says why)."""
    args = build_parser().parse_args(argv)
    try:
        store = resolve_store(args.store)
        planned = plan(store, args.body, args.years[0], args.years[1], args.kind)
        if args.pdf and find_chromium() is None:
            raise PdfError("--pdf needs Chromium: install Debian's chromium "
                           "(scripts/install_system_deps.sh) or set $OGI_CHROMIUM")
        written = render(store, planned, args.out, pdf=args.pdf)
    except ToolkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


__all__ = ["NOTEBOOK", "Planned", "main", "notebook_template", "open_comparison", "plan",
           "render"]
