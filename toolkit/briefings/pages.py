"""The HTML a reader opens: each briefing exported without code, and the index of all.

Charts are SVG images inside the page: no script, no CDN, the page opens offline. Every
string from the data is escaped.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat

from toolkit.briefings.jobs import Rendered, check_adcode, write_json
from toolkit.present.formatting import fmt_count, fmt_rate
from toolkit.spec.vocab import KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

_EXPORTER: Any = None


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """A self-contained page: outputs only, charts as embedded SVG images, no script or CDN."""
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(template_name="basic", exclude_input=True,
                                 exclude_input_prompt=True, exclude_output_prompt=True,
                                 extra_loaders=[DictLoader({"briefing.html.j2": BODY_TEMPLATE})],
                                 template_file="briefing.html.j2")
    body, _ = _EXPORTER.from_notebook_node(nb)
    return PAGE.format(title=html.escape(title), css=PAGE_CSS, body=body)


BODY_TEMPLATE = """{%- extends 'classic/base.html.j2' -%}
{% block data_svg scoped -%}
<div class="output_svg output_subarea {{ extra_class }}">
<img alt="图表(数字见上表) chart: the figures are in the table above"
 src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}">
</div>
{%- endblock data_svg %}
"""
"""nbconvert's `basic` body (no head, no script) with charts as <img> that carry alt text."""

PAGE_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:980px;
 margin:1.5em auto;padding:0 1em;color:#1f2328;line-height:1.5}
img{max-width:100%}
.prompt,.input_prompt,.output_prompt{display:none}
.output_subarea{margin:.2em 0}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f3f5f7}
td.num{text-align:right}
.fails{background:#fde8e6}
.small{color:#8a8a8a}
.note{color:#555;font-size:12px}
nav{font-size:13px;margin-bottom:1em}
a.anchor-link{display:none}
"""

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<nav><a href="index.html">← 全部简报 (index)</a></nav>
{body}
</body>
</html>
"""


# ---------------------------------------------------------------- index.html

def index_rows(results: Iterable[Rendered]) -> list[dict[str, Any]]:
    """The index as data (also written as index.json): one row per region."""
    from toolkit.briefings.content import INDEX_FIGURES

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


def _figure_cell(figure: dict[str, Any] | None) -> str:
    if not figure or figure.get("value") is None:
        return '<td class="num small">—</td>'
    if figure["is_rate"]:
        text = (f"{fmt_rate(figure['value'])} ({fmt_count(figure['numerator'])}/"
                f"{fmt_count(figure['denominator'])})")
    else:
        text = fmt_count(figure["value"])
    css = "num" + (" small" if figure["is_small"] else "")
    if figure["n_reports_failing_checks"]:
        text += " ⚠"
        css += " fails"
    return f'<td class="{css}">{html.escape(text)}</td>'


def index_html(rows: Sequence[dict[str, Any]], years: str = "", kind: str = "all") -> str:
    """index.html: a link to every briefing with its key figures; failures with their error."""
    from toolkit.briefings.content import INDEX_FIGURES

    e = html.escape
    body = []
    for row in rows:
        code = check_adcode(row["adcode"]) if row["status"] == "ok" else row["adcode"]
        if row["status"] == "ok":
            name = f'<a href="{e(code)}.html">{e(row["name"] or code)}</a>'
            status = f'ok · <a href="{e(code)}.ipynb">ipynb</a> · <a href="{e(code)}.json">json</a>'
        else:
            name = e(row["name"] or "—")
            status = f'<span class="fails">失败 failed: {e(row["error"] or "")}</span>'
        cells = [
            f"<td>{name}</td>", f"<td>{e(str(code))}</td>",
            f"<td>{e(LEVEL_LABELS.get(row['level'] or '', row['level'] or '—'))}</td>",
            f"<td>{e(row['path'] or '—')}</td>",
            f'<td class="num">{e(str(row["n_bodies"] if row["n_bodies"] is not None else "—"))}</td>',
            f"<td>{e('、'.join(map(str, row['years_covered'])) or '—')}</td>",
            *(_figure_cell(row["figures"].get(n)) for n in INDEX_FIGURES),
            f'<td class="num">{e(str(row["n_reports_failing_checks"] or 0))}</td>',
            f"<td>{status}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    failed = sum(r["status"] != "ok" for r in rows)
    scope = f"年份 {e(years)}" if years else "语料全部年份"
    head = ("<tr><th>地区</th><th>代码</th><th>层级</th><th>位置</th><th>机关</th><th>有报告的年份</th>"
            "<th>新收申请(最新年)</th><th>公开率</th><th>不予公开率</th><th>复议纠错率</th>"
            "<th>未通过校验的报告</th><th>状态</th></tr>")
    summary = (f"<p>{len(rows)} 个地区,{len(rows) - failed} 份简报,{failed} 个失败;{scope};"
               f"机关范围:{e(KIND_LABELS.get(kind, kind))}。数字为各地区最新有报告年份;括号内为分子/分母件数;"
               f"灰色 = 分母少于{SMALL_SAMPLE}件(不排名);⚠ = 含未通过勾稽校验的报告。</p>")
    return INDEX_PAGE.format(css=PAGE_CSS, summary=summary, head=head, rows="\n".join(body))


INDEX_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>政府信息公开工作年度报告 · 地区简报</title>
<style>{css} body{{max-width:1400px}} td:nth-child(2),td:nth-child(3){{white-space:nowrap}}</style>
</head>
<body>
<h1>政府信息公开工作年度报告 · 地区简报</h1>
{summary}
<table>
<thead>{head}</thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def write_index(results: Sequence[Rendered], out: Path, years: str = "", kind: str = "all"
                ) -> Path:
    """Write index.html and index.json (the same rows) into `out`."""
    rows = index_rows(results)
    (out / "index.html").write_text(index_html(rows, years, kind), encoding="utf-8")
    write_json({"years": years, "kind": kind, "regions": rows}, out / "index.json")
    return out / "index.html"

