"""The optional parts of the toolkit and what each needs: the extras of `pip install`.

`pip install ogi-toolkit` gives what reading and parsing need (`toolkit.spec`, `read`,
`parse`, `places`): `parse_report` and `python -m toolkit parse` work with nothing more. The
store, the explorer, the briefings and the Dask batch each need an extra (pyproject.toml,
`[project.optional-dependencies]`); `require` turns a missing one into an error that says
which extra to install, where the part is first imported.
"""
from __future__ import annotations

import importlib

from toolkit.spec.errors import ToolkitError

EXTRAS: dict[str, tuple[str, ...]] = {
    "store": ("pyarrow", "duckdb", "tqdm"),
    "explore": ("altair", "vl_convert", "ipywidgets", "fontTools"),
    "briefings": ("papermill", "nbconvert", "nbformat", "jinja2", "altair", "vl_convert"),
    "dask": ("dask", "distributed"),
    "collect": ("scrapy", "warcio"),
    "export": ("openpyxl", "frictionless"),
}
"""The modules (import names) each extra provides that the toolkit imports."""


class MissingExtra(ToolkitError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(extra: str) -> None:
    """Import the modules of `extra`, or raise `MissingExtra` saying what to install."""
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise MissingExtra(
                f"this part of the toolkit needs {module!r}, from the optional {extra!r} "
                f"dependencies: pip install 'ogi-toolkit[{extra}]'") from error
