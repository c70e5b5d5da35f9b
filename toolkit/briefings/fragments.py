"""The pieces a briefing is made of: escaped HTML fragments with a plain-text twin.

The fragments themselves (`Fragment`, `table`, `paragraphs`, …) live in
`toolkit.present.fragments`, so the explorer can show them too; this module adds the
briefing's style sheet: `stylesheet()` is the <style> element the briefing opens with
(templates/briefing.css).
"""
from __future__ import annotations

from toolkit.briefings.assets import template_text
from toolkit.present.fragments import EMPTY, Cell, Fragment, esc, heading, join, paragraphs, table

BRIEFING_CSS = template_text("briefing.css")
"""The classes of the fragments (.ogi-briefing tables, notes, excerpts)."""


def stylesheet() -> str:
    """The fragments' <style> element (the briefing's first output carries it)."""
    return f"<style>\n{BRIEFING_CSS}</style>"


__all__ = ["BRIEFING_CSS", "EMPTY", "Cell", "Fragment", "esc", "heading", "join", "paragraphs",
           "stylesheet", "table"]
