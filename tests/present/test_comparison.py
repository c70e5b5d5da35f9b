"""The comparison as shown: the same store gives the same bytes; the explorer's 两年对照 tab."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BUNDLED
from toolkit.analysis.compare import compare_in_store
from toolkit.analysis.corpus import Corpus, load
from toolkit.present.comparison import REUSED_TAG, ComparisonView
from toolkit.present.explore import VIEWS
from toolkit.present.widgets import COMPARE_TAB, Explorer
from toolkit.store import ingest

PINGTAN = "350128-03c69e6e9784"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("store")
    ingest(BUNDLED, out, workers=1, progress=False)
    return load(out)


def test_the_same_reports_give_the_same_bytes_wherever_they_lie(corpus: Corpus, tmp_path: Path
                                                                 ) -> None:
    elsewhere = tmp_path / "elsewhere" / "corpus"
    shutil.copytree(BUNDLED / "dev", elsewhere)
    ingest(elsewhere, tmp_path / "store", workers=1, progress=False)
    other = load(tmp_path / "store")
    first = ComparisonView(compare_in_store(corpus, PINGTAN, 2023, 2024), "福建省/福州市/平潭县")
    second = ComparisonView(compare_in_store(other, PINGTAN, 2023, 2024), "福建省/福州市/平潭县")
    assert first.html() == second.html()
    assert [p.text for p in first.parts()] == [p.text for p in second.parts()]


def test_the_text_twin_marks_what_the_page_highlights(corpus: Corpus) -> None:
    view = ComparisonView(compare_in_store(corpus, PINGTAN, 2023, 2024))
    sections = view.sections()
    reused = [s for p in view.comparison.sections for s in p.sentences_to if s.reused]
    assert sections.html.count('<mark class="reused">') == len(reused) > 0
    assert sections.text.count(REUSED_TAG) == len(reused)


def test_report_text_is_escaped(corpus: Corpus) -> None:
    comparison = compare_in_store(corpus, PINGTAN, 2023, 2024)
    comparison.later.meta["title"] = "<script>alert(1)</script>"
    page = ComparisonView(comparison).html()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_explorer_tab_compares_the_body_with_most_years(corpus: Corpus) -> None:
    explorer = Explorer(corpus, adcode="350128", warm=False, cache_size=0)
    assert explorer.tabs.titles[-1] == COMPARE_TAB
    explorer.show_compare()
    assert explorer.tabs.selected_index == len(VIEWS)
    assert explorer.compare_body.value == PINGTAN
    assert (explorer.compare_from.value, explorer.compare_to.value) == (2024, 2025)
    assert "2024年与2025年" in explorer.compare_panel.value
    explorer.compare_from.value = 2019  # a reader picks other years
    assert "2019年与2025年" in explorer.compare_panel.value
    assert "不相邻" in explorer.compare_panel.value
    assert explorer.view in VIEWS  # the chart views and downloads are not disturbed


def test_the_tab_says_so_when_no_body_has_two_years(corpus: Corpus) -> None:
    explorer = Explorer(corpus, adcode="150300", warm=False, cache_size=0)
    explorer.show_compare()
    assert explorer.compare_body.options == ()
    assert "没有哪个机关有两年以上" in explorer.compare_panel.value
