"""The explorer's downloads: the chart on screen as PNG and SVG and its table as CSV, offered
as `data:` links that decode to valid files, named from the selection, rebuilt when the
view or the selection changes. On the bundled corpus, ingested into a temporary store."""
from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from toolkit import store
from toolkit.analysis.corpus import Corpus, load
from toolkit.present.downloads import CSV_ENCODING, PNG_MAGIC, Download, file_stem
from toolkit.present.explore import VIEWS, Selection, Views, table_labels
from toolkit.present.widgets import Explorer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("store")
    store.ingest(REPO / "data" / "corpus", out, workers=1, progress=False)
    return load(out)


@pytest.fixture(scope="module")
def explorer(corpus: Corpus) -> Explorer:
    return Explorer(Views(corpus), cache_size=0)


def by_suffix(files: list[Download]) -> dict[str, Download]:
    return {f.filename.rsplit(".", 1)[1]: f for f in files}


def decoded(link: Download) -> bytes:
    prefix, _, data = link.href.partition(";base64,")
    assert prefix == f"data:{link.mime}"
    return base64.b64decode(data)


def read_csv(payload: bytes) -> pd.DataFrame:
    assert payload.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    return pd.read_csv(io.StringIO(payload.decode(CSV_ENCODING)))


def chart_rows(chart: dict, columns: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    """The rows of the chart's datasets that carry `columns` (the points of a trend)."""
    rows = []
    for data in chart["datasets"].values():
        frame = pd.DataFrame(data)
        if set(columns) <= set(frame.columns):
            rows += [tuple(r) for r in frame[columns].itertuples(index=False)]
    return sorted(rows)


def test_first_screen_offers_png_svg_and_csv(explorer: Explorer) -> None:
    files = by_suffix(explorer.files)
    assert sorted(files) == ["csv", "png", "svg"]
    assert {f.filename for f in explorer.files} == {
        f"350128_trend_disclosure_rate_2019-2025.{s}" for s in ("png", "svg", "csv")}
    assert decoded(files["png"])[:8] == PNG_MAGIC
    svg = decoded(files["svg"]).decode("utf-8")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "平潭县 · 公开率" in svg
    page = explorer.downloads.value
    assert page.count("href=\"data:") == 3
    assert 'download="350128_trend_disclosure_rate_2019-2025.png"' in page
    assert "data:image/png;base64," in page


def test_csv_rows_are_the_charts_data(explorer: Explorer) -> None:
    explorer.set_region("350128")
    explorer.show_view("trend")
    table = read_csv(decoded(by_suffix(explorer.files)["csv"]))
    assert {"年度", "数值", "分子", "分母", "机关构成", "同口径机关数"} <= set(table.columns)
    assert table["机关构成"].unique().tolist() == ["县级人民政府 1"]
    chart = explorer.chart("trend").to_dict()
    plotted = chart_rows(chart, ["year", "value", "numerator", "denominator"])
    shown = table.dropna(subset=["数值"])
    rows = sorted(zip(shown["年度"], shown["数值"], shown["分子"], shown["分母"], strict=True))
    assert len(rows) == len(plotted) == 7
    for row, point in zip(rows, plotted, strict=True):
        assert row == pytest.approx(point)


@pytest.mark.parametrize("view", [v for v in VIEWS if v != "trend"])
def test_every_view_downloads_what_it_shows(explorer: Explorer, view: str) -> None:
    explorer.set_region("150000")
    explorer.show_view(view)
    files = by_suffix(explorer.files)
    assert all(view in f.filename for f in explorer.files)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", f.filename) for f in explorer.files)
    assert decoded(files["png"])[:8] == PNG_MAGIC
    assert ET.fromstring(decoded(files["svg"])).tag.endswith("svg")
    table = read_csv(decoded(files["csv"]))
    expected = table_labels(explorer.views.table(view, explorer.selection))  # type: ignore[arg-type]
    assert list(table.columns) == list(expected.columns) and len(table) == len(expected)


def test_links_follow_the_selection(explorer: Explorer) -> None:
    explorer.show_view("trend")
    explorer.set_region("210000")
    before = explorer.downloads.value
    assert "210000_trend_disclosure_rate" in before
    explorer.set_indicator("requests_received")
    assert "210000_trend_requests_received" in explorer.downloads.value
    explorer.set_kind("government")
    assert "210000_trend_requests_received_government_2019-2025.csv" in explorer.downloads.value
    timing = explorer.timings[-1]
    assert timing.download_ms > 0  # rebuilt, timed apart from the update itself
    explorer.set_kind("all")
    explorer.set_indicator("disclosure_rate")


def test_file_names_never_carry_report_text() -> None:
    sel = Selection("350128", (2021, 2021), "department", "refusal_rate", "level", "all")
    assert file_stem(sel, "peers") == "350128_peers_refusal_rate_department_all_level_2021"
    assert file_stem(Selection("../x y"), "trend") == "x-y_trend_disclosure_rate"
