"""Printable pages: the print style sheet, and PDFs through headless Chromium."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.briefings.test_comparison import pdf_fonts, pdf_text
from tests.conftest import corpus_dirs
from toolkit.briefings.batch import main as briefings_main
from toolkit.briefings.pages import css_string, export_html
from toolkit.briefings.pdf import CHROMIUM_ENV, PdfError, find_chromium, html_to_pdf
from toolkit.store import ingest

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason=(
    "Chromium is not installed: printing to PDF needs it (scripts/install_system_deps.sh)"))
TITLE = "平潭县(350128)政府信息公开年报简报"


@pytest.mark.parametrize(("text", "css"), [
    pytest.param("平潭县", "平潭县", id="plain"),
    pytest.param('a"b', "a\\22 b", id="quote"),
    pytest.param("x</style><script>", "x\\3C /style\\3E \\3C script\\3E ", id="tag"),
    pytest.param("a\\b\nc", "a\\5C b c", id="backslash-newline"),
])
def test_a_running_title_cannot_leave_its_css_string(text: str, css: str) -> None:
    assert css_string(text) == css


def long_page(tmp_path: Path) -> Path:
    """A briefing-like page of several printed pages: a heading, then a long captioned table."""
    rows = "".join(f"<tr><td>第{i}行</td><td>{i * 7}</td></tr>" for i in range(120))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 地区简报\n\n## 关键指标"),
                nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/html": (
                        "<h3>数据质量</h3><div class='ogi-briefing'><table><caption>数据质量:每份"
                        f"可用报告</caption><thead><tr><th>行</th><th>数</th></tr></thead><tbody>"
                        f"{rows}</tbody></table></div>"), "text/plain": "table"})])]
    page = tmp_path / "350128.html"
    page.write_text(export_html(nb, TITLE), encoding="utf-8")
    return page


def test_the_page_carries_the_print_rules(tmp_path: Path) -> None:
    page = long_page(tmp_path).read_text(encoding="utf-8")
    assert f'@top-center{{content:"{TITLE}"}}' in page
    assert "counter(page)" in page and "counter(pages)" in page
    assert "@media print" in page and "nav,a.anchor-link{display:none}" in page
    assert "caption-side:top" in page and "break-inside:avoid" in page


@needs_chromium
def test_a_printed_briefing_names_its_region_and_numbers_every_page(tmp_path: Path) -> None:
    pdf = html_to_pdf(long_page(tmp_path), tmp_path / "350128.pdf")
    pages = pdf_text(pdf).split("\f")
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert TITLE in text, number
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text, number
        assert "全部地区简报" not in text, "no navigation in print"
    first = "".join(pages[0].split())  # a caption as wide as its table wraps
    assert "地区简报" in first and "数据质量:每份可用报告" in first
    assert "第0行" in first, "the caption stays with its table"
    assert all(pdf_fonts(pdf).values())


def test_no_chromium_is_an_error_naming_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() is None
    with pytest.raises(PdfError, match="no Chromium"):
        html_to_pdf(long_page(tmp_path), tmp_path / "x.pdf")


def test_briefings_pdf_without_chromium_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ht_2024.html").write_bytes((corpus_dirs()[1] / "ht_2024.html").read_bytes())
    store = tmp_path / "store"
    ingest(corpus, store, workers=1, progress=False)
    code = briefings_main(["--pdf", "--store", str(store), "--out", str(tmp_path / "out")])
    assert code == 2
    assert capsys.readouterr().err.startswith("error: --pdf needs Chromium")
    assert not (tmp_path / "out").exists(), "nothing is rendered without a way to print it"


@needs_chromium
def test_briefings_pdf_writes_a_pdf_beside_each_briefing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ht_2024.html").write_bytes((corpus_dirs()[1] / "ht_2024.html").read_bytes())
    ingest(corpus, tmp_path / "store", workers=1, progress=False)
    out = tmp_path / "out"
    assert briefings_main(["--region", "350128", "--pdf", "--quiet", "--workers", "1",
                           "--store", str(tmp_path / "store"), "--out", str(out)]) == 0
    pages = pdf_text(out / "350128.pdf").split("\f")
    for number, text in enumerate(pages, start=1):
        assert "平潭县(350128)政府信息公开年报简报" in text
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
    assert "报告来源" in "".join(pages)
