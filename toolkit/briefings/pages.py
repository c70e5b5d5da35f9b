"""The HTML a reader opens: each briefing exported without code, and the index of all.

Charts are SVG images inside the page: no script, no CDN, the page opens offline. The
markup and the style sheet are files in `templates/` (page.html.j2, index.html.j2,
briefing_body.html.j2 for nbconvert, page.css); this module hands them data. Every string
from the data is escaped once, by the template.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat
from markupsafe import Markup

from toolkit.briefings.assets import environment, template_text
from toolkit.briefings.jobs import Rendered, check_adcode, write_json
from toolkit.present.formatting import MARK_FAIL, fmt_count, fmt_rate, fmt_years
from toolkit.spec.vocab import KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

INDEX_FIGURES: tuple[str, ...] = ("requests_received", "disclosure_rate", "refusal_rate",
                                  "review_correction_rate")
"""The key figures the index shows for each region (latest year), in its column order."""
BODY_TEMPLATE = "briefing_body.html.j2"
"""nbconvert's `basic` body (no head, no script) with charts as <img> that carry alt text."""

_EXPORTER: Any = None


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """A self-contained page: outputs only, charts as embedded SVG images, no script or CDN."""
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            template_name="basic", exclude_input=True, exclude_input_prompt=True,
            exclude_output_prompt=True, template_file=BODY_TEMPLATE,
            extra_loaders=[DictLoader({BODY_TEMPLATE: template_text(BODY_TEMPLATE)})])
    body, _ = _EXPORTER.from_notebook_node(nb)
    return environment().get_template("page.html.j2").render(title=title, body=Markup(body))


# ---------------------------------------------------------------- index.html

def index_rows(results: Iterable[Rendered]) -> list[dict[str, Any]]:
    """The index as data (also written as index.json): one row per region."""
    rows = []
    for result in results:
        record = result.record or {}
        region = record.get("region", {})
        latest = record.get("latest_year")
        figures = {f["indicator"]: f for f in record.get("figures", []) if f["year"] == latest}
        rows.append({
            "adcode": result.adcode, "status": result.status, "error": result.error,
            "name": region.get("name"), "level": region.get("level"), "path": region.get("path"),
            "n_bodies": record.get("n_bodies"), "n_reports": record.get("n_reports"),
            "years_covered": record.get("years_covered", []), "latest_year": latest,
            "n_reports_failing_checks": record.get("n_reports_failing_checks"),
            "figures": {name: figures.get(name) for name in INDEX_FIGURES},
            "files": sorted(result.files) if result.status == "ok" else [],
            "seconds": round(result.seconds, 2),
        })
    return rows


def figure_cell(figure: dict[str, Any] | None) -> tuple[str, str]:
    """One key figure of the index as (text, css classes): the rate with its counts, grey
    when small, ⚠ when a report behind it fails a check; a dash when there is none."""
    if not figure or figure.get("value") is None:
        return "—", "num small"
    if figure["is_rate"]:
        text = (f"{fmt_rate(figure['value'])} ({fmt_count(figure['numerator'])}/"
                f"{fmt_count(figure['denominator'])})")
    else:
        text = fmt_count(figure["value"])
    css = "num" + (" small" if figure["is_small"] else "")
    if figure["n_reports_failing_checks"]:
        text += f" {MARK_FAIL}"
        css += " fails"
    return text, css


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """An index row as the page shows it: plain text for every cell (the template escapes)."""
    ok = row["status"] == "ok"
    code = check_adcode(row["adcode"]) if ok else row["adcode"]
    level = row["level"]
    return {
        "ok": ok, "adcode": str(code), "name": row["name"] or (code if ok else "—"),
        "level": LEVEL_LABELS.get(level or "", level or "—"), "path": row["path"] or "—",
        "n_bodies": str(row["n_bodies"] if row["n_bodies"] is not None else "—"),
        "years": fmt_years(row["years_covered"], missing="—"),
        "figures": [figure_cell(row["figures"].get(name)) for name in INDEX_FIGURES],
        "n_failing": str(row["n_reports_failing_checks"] or 0), "error": row["error"] or "",
    }


def index_html(rows: Sequence[dict[str, Any]], years: str = "", kind: str = "all") -> str:
    """index.html: a link to every briefing with its key figures; failures with their error."""
    failed = sum(r["status"] != "ok" for r in rows)
    return environment().get_template("index.html.j2").render(
        rows=[_shown(row) for row in rows], n_ok=len(rows) - failed, n_failed=failed,
        years=years, kind=KIND_LABELS.get(kind, kind), small=SMALL_SAMPLE)


def write_index(results: Sequence[Rendered], out: Path, years: str = "", kind: str = "all"
                ) -> Path:
    """Write index.html and index.json (the same rows) into `out`."""
    rows = index_rows(results)
    (out / "index.html").write_text(index_html(rows, years, kind), encoding="utf-8")
    write_json({"years": years, "kind": kind, "regions": rows}, out / "index.json")
    return out / "index.html"


__all__ = ["INDEX_FIGURES", "export_html", "figure_cell", "index_html", "index_rows",
           "write_index"]
