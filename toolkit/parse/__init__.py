"""Text to a parsed report: normalise → sections → tokens → labels → tables → values → checks,
plus the metadata; `parse_report` and `parse_text` are the entry points."""
from toolkit.parse.pipeline import parse_report, parse_text

__all__ = ["parse_report", "parse_text"]
