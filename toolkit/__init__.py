"""Toolkit for China's 政府信息公开工作年度报告: parse, store, explore, brief.

    >>> import toolkit
    >>> report = toolkit.parse_report("data/corpus/seeds/000_d7151d8ad9dd7d48.txt")
    >>> report.facts.head()
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "__version__", "load", "parse_report", "parse_text"]

if TYPE_CHECKING:
    from toolkit.analysis.corpus import load
    from toolkit.parse import parse_report, parse_text
    from toolkit.parse.report import Report


def __getattr__(name: str) -> Any:
    """Import lazily so `python -m toolkit` starts fast and workers stay light."""
    if name in ("parse_report", "parse_text"):
        from toolkit import parse

        return getattr(parse, name)
    if name == "load":
        from toolkit.analysis.corpus import load

        return load
    if name == "Report":
        from toolkit.parse.report import Report

        return Report
    raise AttributeError(name)
