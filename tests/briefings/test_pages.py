"""The pages from their template files: escaped once, the style sheets inlined, no network."""
from __future__ import annotations

from typing import Any

import nbformat

from toolkit.briefings import pages
from toolkit.briefings.assets import template_text
from toolkit.briefings.fragments import stylesheet


def _row(**changes: Any) -> dict[str, Any]:
    row = {"adcode": "210114", "status": "ok", "error": None, "name": "于洪区",
           "level": "county", "path": "辽宁省/沈阳市/于洪区", "n_bodies": 1, "n_reports": 1,
           "years_covered": [2019], "latest_year": 2019, "n_reports_failing_checks": 0,
           "figures": {name: None for name in pages.INDEX_FIGURES}, "files": [], "seconds": 0.0}
    return {**row, **changes}


def test_index_escapes_data_once_and_links_by_adcode() -> None:
    rows = [_row(name="A & B <i>"),
            _row(adcode="../x", status="failed", error="ValueError: <script>alert(1)</script> & 'x'")]
    page = pages.index_html(rows, years="2019", kind="government")
    assert "A &amp; B &lt;i&gt;" in page and "&amp;amp;" not in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert '<a href="210114.html">' in page and 'href="../x' not in page
    assert "2 个地区:1 个有可用数字,0 个没有可用数据,1 个生成失败;年份 2019;机关范围:人民政府。" in page
    assert template_text("page.css") in page


def test_index_separates_regions_without_usable_data_and_points_to_a_same_briefing() -> None:
    rows = [_row(), _row(adcode="230000", name="黑龙江省", level="province", path="黑龙江省",
                         status="no_usable_data", n_reports_unusable=2),
            _row(adcode="210000", name="辽宁省", level="province", path="辽宁省",
                 status="same_as", same_as={"adcode": "210114", "name": "于洪区"})]
    page = pages.index_html(rows, generated="2026-01-02")
    assert page.index('href="210114.html">于洪区') < page.index("<h2>没有可用数据的地区") \
        < page.index('href="230000.html"') < page.index("<h2>与下级地区的简报相同")
    assert '<a href="210114.html">于洪区(210114)的简报</a>' in page
    assert 'href="210000.html"' not in page, "a region without its own briefing has no link"
    assert "生成日期 2026-01-02 · 数据截至" in page


def test_index_figures_show_counts_and_marks() -> None:
    figure = {"value": 0.884, "numerator": 38, "denominator": 43, "is_rate": True,
              "is_small": False, "n_reports_failing_checks": 1}
    assert pages.figure_cell(figure) == ("88.4% (38/43) ⚠", "num fails")
    assert pages.figure_cell(None) == ("—", "num small")
    change = {"value": 154, "is_rate": False, "n_bodies_matched": 1, "yoy_pct": -29.357798,
              "change_pp": None}
    assert pages.change_cell(change) == ("-29.4%(1个机关)", "num")
    assert pages.change_cell({**change, "n_bodies_matched": 0, "yoy_pct": None}) == (
        "不可比", "num small")


def test_a_briefing_page_wraps_the_exported_notebook() -> None:
    cell = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "execute_result", {"text/html": "<p>a &amp; b</p>", "text/plain": "a & b"},
        execution_count=1)])
    page = pages.export_html(nbformat.v4.new_notebook(cells=[cell]), "于洪区 <1> & 2")
    assert "<title>于洪区 &lt;1&gt; &amp; 2</title>" in page
    assert "<p>a &amp; b</p>" in page, "the notebook's HTML is not escaped again"
    assert '<a href="index.html">' in page and "<script" not in page


def test_the_briefing_opens_with_its_style_sheet() -> None:
    assert stylesheet() == "<style>\n" + template_text("briefing.css") + "</style>"
    assert ".ogi-briefing table" in stylesheet()
