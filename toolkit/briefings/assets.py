"""The files in `toolkit/briefings/templates/`: page templates and style sheets.

They are package data, read through `importlib.resources`, so an installed wheel finds
them as a checkout does. `environment()` renders the pages (`page.html.j2`, `index.html.j2`)
with autoescaping on: a value is escaped once, by the template, unless it is already
markup (`markupsafe.Markup`, such as the HTML nbconvert exports).
"""
from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2

PACKAGE = "toolkit.briefings"
FOLDER = "templates"


def template_text(name: str) -> str:
    """The text of one file of the templates folder (UTF-8)."""
    return (resources.files(PACKAGE) / FOLDER / name).read_text(encoding="utf-8")


def _source(name: str) -> str | None:
    try:
        return template_text(name)
    except FileNotFoundError:
        return None  # Jinja raises TemplateNotFound


@cache
def environment() -> jinja2.Environment:
    """Jinja for the pages: autoescape on, a template's last newline kept (as the files end)."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_source), autoescape=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)


__all__ = ["environment", "template_text"]
