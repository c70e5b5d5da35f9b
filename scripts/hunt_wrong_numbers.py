"""Hunt for wrong numbers: parse many generated pages, in every layout and shape, whole or cut.

    .venv/bin/python scripts/hunt_wrong_numbers.py --n 6000 [--start 0] [--cut 0.3]

Each page is a generated report (`toolkit.dev.synth`) in one layout (in turn), printed with
one shape drawn at random (`toolkit.dev.variants`: blank zeros or totals, HTML without row
tags, a garbled or an unknown row, a row whose numbers slipped under the next label), and
cut at a random point inside its tables for a share of pages (a crawler's preview). A
value is wrong when it is a number and not the one generated (for a lost row: any number
that is not the truth). Prints every wrong value and a count per shape; exits 1 if any.

A row whose numbers slipped under the next row's label is caught only through the prose
(the self-check, `toolkit.parse.selfcheck`), so that shape is drawn for rows the generated
prose states a nonzero number for. When the page is cut inside the receiving row, its
total is cut off with it; the prose's claim for that total still bounds the parts read
(counts cannot add up to more than their total), which is what catches those pages:
before that bound, seeds 0-11,999 read 7 wrong values, all of this shape; with it, seeds
0-31,999 read none.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.dev import synth
from toolkit.dev.variants import ROW_TAGS, Variant
from toolkit.parse import parse_text
from toolkit.spec.errors import NotAReport

LAYOUTS = ("lines", "paragraphs", "pipes", "pipe_cells", "markdown", "html", "runtogether",
           "converter_md")


def _variant(rng: random.Random, report: synth.SyntheticReport, layout: str) -> tuple[str, Variant]:
    rows = synth.rows_of(report)
    draw = rng.random()
    if draw < 0.3:
        return "blanks", Variant(blank_zeros=rng.random() < 0.5, blank_totals=rng.random() < 0.5,
                                 row_tags=rng.choice(ROW_TAGS))
    if draw < 0.45:
        return "garbled row", Variant(garble=rng.choice(rows))
    if draw < 0.6:
        row = rng.choice([r for r in synth.insertable_rows(report) if r != rows[0]])
        unprinted = rows[rows.index(row) - 1] if rng.random() < 0.5 and layout in (
            "lines", "paragraphs", "pipes", "pipe_cells", "runtogether") else None
        return "unknown row", Variant(insert_before=row, unprinted=unprinted)
    if draw < 0.75:
        claimed = [r for r in ("requests.new_received", "requests.granted")
                   if report.values[r + ".total"]]
        if claimed:
            return "shifted row", Variant(shift_row=rng.choice(claimed))
    return "plain", Variant()


def _cut(page: str, rng: random.Random) -> str:
    start, end = page.index("二、主动公开"), page.index("五、存在")
    page = page[: start + int((end - start) * rng.random())]
    return page[:-1] if page.endswith(".") else page


def hunt(n: int, start: int, cut_share: float) -> int:
    from toolkit.read import html_to_text

    wrong: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    values_read = 0
    for seed in range(start, start + n):
        rng = random.Random(seed * 7919)
        layout = LAYOUTS[seed % len(LAYOUTS)]
        report = synth.random_report(rng, rng.choice(("2019", "2021")),
                                     single_digit=layout == "runtogether")
        shape, variant = _variant(rng, report, layout)
        page = synth.render(report, layout, variant)
        assert isinstance(page, str)
        cut = rng.random() < cut_share
        if cut:
            page = _cut(page, rng)
            shape += ", cut"
        try:
            parsed = parse_text(html_to_text(page) if layout == "html" else page)
        except NotAReport:
            continue
        pages[shape] += 1
        truth, _, lost = synth.expected(report, variant)
        for key, value in parsed.values().items():
            if value is None:
                continue
            values_read += 1
            right = report.values.get(key) if key in lost else truth.get(key)
            if value != right:
                wrong[shape] += 1
                print(f"WRONG seed {seed} {layout} {report.version} {variant} {key}: read "
                      f"{value}, generated {right}")
    for shape in sorted(pages):
        print(f"{shape:24s} {pages[shape]:6d} pages {wrong[shape]:6d} wrong values")
    print(f"{sum(pages.values())} pages, {values_read} values read, {sum(wrong.values())} wrong")
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--cut", type=float, default=0.3, help="share of pages cut")
    args = parser.parse_args(argv)
    return hunt(args.n, args.start, args.cut)


if __name__ == "__main__":
    sys.exit(main())
