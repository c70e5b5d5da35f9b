"""The HTML a reader opens: each briefing exported without code, and the index of all.

Charts are SVG images inside the page: no script, no CDN, the page opens offline. The
markup and the style sheet are files in `templates/` (page.html.j2, index.html.j2,
briefing_body.html.j2 for nbconvert, page.css); this module hands them data. Every string
from the data is escaped once, by the template.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import nbformat
from markupsafe import Markup

from toolkit import __version__
from toolkit.briefings.assets import environment, template_text
from toolkit.briefings.jobs import Rendered, check_adcode, write_json
from toolkit.present.formatting import MARK_FAIL, fmt_change, fmt_count, fmt_rate, fmt_years
from toolkit.spec.vocab import KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

INDEX_FIGURES: tuple[str, ...] = ("requests_received", "disclosure_rate", "refusal_rate",
                                  "review_correction_rate")
"""The key figures the index shows for each region (latest year), in its column order."""
BODY_TEMPLATE = "briefing_body.html.j2"
"""nbconvert's `basic` body (no head, no script) with charts as <img> that carry alt text."""

_EXPORTER: Any = None


def export_html(nb: nbformat.NotebookNode, title: str, running: str = "",
                nav: bool = True) -> str:
    """A self-contained page: outputs only, charts as embedded SVG images, no script or CDN.

    Printed (or made a PDF), every page carries `running` (default: the title) at its top
    and its page number at its foot; `nav` is the link back to the index (screen only).
    """
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            template_name="basic", exclude_input=True, exclude_input_prompt=True,
            exclude_output_prompt=True, template_file=BODY_TEMPLATE,
            extra_loaders=[DictLoader({BODY_TEMPLATE: template_text(BODY_TEMPLATE)})])
    body, _ = _EXPORTER.from_notebook_node(nb)
    return environment().get_template("page.html.j2").render(
        title=title, body=Markup(body), nav=nav, running=Markup(css_string(running or title)))


def css_string(text: str) -> str:
    """`text` as a CSS string literal's content: quotes, backslashes and `<` escaped (so it
    can neither end the string nor the <style> element), line breaks folded."""
    folded = " ".join(str(text).split())
    return "".join(f"\\{ord(c):X} " if c in '"\\<>&' else c for c in folded)


# ---------------------------------------------------------------- index.html

STATUS_LABELS = {"ok": "有数字", "no_usable_data": "无可用数据", "same_as": "同下级地区",
                 "failed": "生成失败"}
"""What each index status says to a reader."""


def index_rows(results: Iterable[Rendered]) -> list[dict[str, Any]]:
    """The index as data (also written as index.json): one row per region.

    `status`: `ok` (a briefing with figures), `no_usable_data` (a briefing that can only
    name the region's unreadable reports), `same_as` (no briefing of its own: every report
    of the region is a report of `same_as`, whose briefing says it all) or `failed`.
    """
    rows = []
    for result in results:
        record = result.record or {}
        region = record.get("region", {})
        latest = record.get("latest_year")
        figures = {f["indicator"]: f for f in record.get("figures", []) if f["year"] == latest}
        status = str(record.get("status", "ok")) if result.status == "ok" else result.status
        rows.append({
            "adcode": result.adcode, "status": status, "error": result.error,
            "name": region.get("name"), "level": region.get("level"), "path": region.get("path"),
            "n_bodies": record.get("n_bodies"), "n_reports": record.get("n_reports"),
            "n_reports_unusable": len(record.get("unusable_reports", [])),
            "years_covered": record.get("years_covered", []), "latest_year": latest,
            "latest_body_mix": record.get("latest_body_mix"),
            "n_reports_failing_checks": record.get("n_reports_failing_checks"),
            "same_as": record.get("same_as"),
            "data_vintage": record.get("data_vintage"),
            "toolkit_version": record.get("toolkit_version"),
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


def change_cell(figure: dict[str, Any] | None) -> tuple[str, str]:
    """A key figure's change from the year before over the bodies of both years:
    '+233.3%(1个机关)', or 不可比 when no body reported both years."""
    if not figure:
        return "—", "num small"
    matched = int(figure.get("n_bodies_matched") or 0)
    if not matched:
        return "不可比", "num small"
    key, unit = ("change_pp", "pp") if figure["is_rate"] else ("yoy_pct", "%")
    if figure.get(key) is None:
        return "—", "num small"
    return f"{fmt_change(figure[key], unit)}({matched}个机关)", "num"


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """An index row as the page shows it: plain text for every cell (the template escapes)."""
    listed = row["status"] in ("ok", "no_usable_data")
    code = check_adcode(row["adcode"]) if listed or row["status"] == "same_as" else row["adcode"]
    level = row["level"]
    same_as = row.get("same_as") or {}
    return {
        "status": row["status"], "adcode": str(code), "name": row["name"] or str(code),
        "level": LEVEL_LABELS.get(level or "", level or "—"), "path": row["path"] or "—",
        "n_bodies": str(row["n_bodies"] if row["n_bodies"] is not None else "—"),
        "years": fmt_years(row["years_covered"], missing="—"),
        "latest": str(row["latest_year"] or "—"), "mix": row.get("latest_body_mix") or "—",
        "received": figure_cell(row["figures"].get("requests_received")),
        "change": change_cell(row["figures"].get("requests_received")),
        "figures": [figure_cell(row["figures"].get(name)) for name in INDEX_FIGURES[1:]],
        "n_failing": str(row["n_reports_failing_checks"] or 0),
        "n_unusable": str(row.get("n_reports_unusable") or 0),
        "same_as": {"adcode": check_adcode(same_as["adcode"]), "name": same_as.get("name", "")}
        if same_as else None,
        "files": [f for f in row.get("files", []) if not f.endswith(".html")],
        "error": row["error"] or "",
    }


def index_html(rows: Sequence[dict[str, Any]], years: str = "", kind: str = "all",
               generated: str = "") -> str:
    """index.html: the regions with figures, those without usable data, those whose
    briefing is a lower region's, failures; the programmers' files in a section of their own."""
    shown = [_shown(row) for row in rows]
    by_status = {s: [r for r in shown if r["status"] == s] for s in STATUS_LABELS}
    vintage = next((r["data_vintage"] for r in rows if r.get("data_vintage")), None) or {}
    version = next((r["toolkit_version"] for r in rows if r.get("toolkit_version")), None)
    return environment().get_template("index.html.j2").render(
        rows=shown, ok=by_status["ok"], empty=by_status["no_usable_data"],
        same=by_status["same_as"], failed=by_status["failed"], labels=STATUS_LABELS,
        years=years, kind=KIND_LABELS.get(kind, kind), small=SMALL_SAMPLE,
        generated=generated or date.today().isoformat(), vintage=vintage.get("date") or "—",
        vintage_basis=vintage.get("basis") or "入库", version=version or __version__)


def write_index(results: Sequence[Rendered], out: Path, years: str = "", kind: str = "all"
                ) -> Path:
    """Write index.html and index.json (the same rows) into `out`."""
    rows = index_rows(results)
    (out / "index.html").write_text(index_html(rows, years, kind), encoding="utf-8")
    write_json({"years": years, "kind": kind, "regions": rows}, out / "index.json")
    return out / "index.html"


__all__ = ["INDEX_FIGURES", "STATUS_LABELS", "change_cell", "css_string", "export_html",
           "figure_cell",
           "index_html", "index_rows", "write_index"]
