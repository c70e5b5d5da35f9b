"""Escaped HTML fragments with a plain-text twin: what notebooks and the explorer display.

A `Fragment` is HTML for the page and text for the notebook's text/plain output, which
nbval compares too (a failing golden then prints readable lines rather than markup).
`table` and `paragraphs` escape every value they are given, so report text can never
become markup. The briefings (`toolkit.briefings.fragments` adds their style sheet) and the
year-over-year comparison (`toolkit.present.comparison`) are made of them.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.present.formatting import fmt_text


@dataclass(frozen=True)
class Fragment:
    """Escaped HTML for the notebook and the export, with a plain-text twin.

    The twin is what `repr` (and so the notebook's text/plain output) shows: nbval compares
    it too, and a failing comparison then prints readable lines rather than markup.
    """

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)


def esc(value: Any) -> str:
    """Any value as escaped HTML text (None and NaN as a dash)."""
    return html.escape(fmt_text(value), quote=True)


Cell = str | tuple[str, str]
"""A table cell: its text, or (text, css classes) such as ('12.5%', 'num small')."""


def table(columns: Sequence[str], rows: Iterable[Sequence[Cell]], caption: str = "",
          note: str = "") -> Fragment:
    """An HTML table with every cell escaped, and its plain-text twin."""
    rows = [list(r) for r in rows]
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    lines = [" | ".join(columns)]
    for row in rows:
        cells = []
        texts = []
        for cell in row:
            text, css = (cell, "") if isinstance(cell, str) else cell
            cells.append(f'<td class="{esc(css)}">{esc(text)}</td>' if css else
                         f"<td>{esc(text)}</td>")
            texts.append(text)
        body.append("<tr>" + "".join(cells) + "</tr>")
        lines.append(" | ".join(texts))
    if not rows:
        body.append(f'<tr><td colspan="{len(columns)}" class="note">(无)</td></tr>')
        lines.append("(无)")
    title = f"<caption>{esc(caption)}</caption>" if caption else ""
    foot = f'<p class="note">{esc(note)}</p>' if note else ""
    markup = (f'<div class="ogi-briefing"><table>{title}<thead><tr>{head}</tr></thead>'
              f"<tbody>{''.join(body)}</tbody></table>{foot}</div>")
    text = "\n".join(([caption] if caption else []) + lines + ([note] if note else []))
    return Fragment(markup, text)


def paragraphs(lines: Iterable[str], css: str = "") -> Fragment:
    """Escaped paragraphs (a list of facts or a note)."""
    lines = list(lines)
    attr = f' class="{esc(css)}"' if css else ""
    markup = "".join(f"<p{attr}>{esc(line)}</p>" for line in lines)
    return Fragment(f'<div class="ogi-briefing">{markup}</div>', "\n".join(lines))


EMPTY = Fragment("", "")
"""A section with nothing to show (a region without usable figures): renders as nothing."""


def heading(text: str) -> Fragment:
    """A section heading, at the head of the section's first output (so a section with
    nothing to show leaves no heading behind)."""
    return Fragment(f'<h3 class="ogi-section">{esc(text)}</h3>', f"## {text}")


def join(*parts: Fragment) -> Fragment:
    """Several fragments as one output, in order (empty ones left out)."""
    kept = [p for p in parts if p.html or p.text]
    return Fragment("".join(p.html for p in kept), "\n".join(p.text for p in kept if p.text))


__all__ = ["EMPTY", "Cell", "Fragment", "esc", "heading", "join", "paragraphs", "table"]
