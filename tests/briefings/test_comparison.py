"""`python -m toolkit compare`: the page, its PDF, its golden, and the requests it refuses."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.briefings.test_golden_guard import GOLDEN, code_cells, nbval
from tests.conftest import BUNDLED
from toolkit.briefings.comparison import main
from toolkit.briefings.pdf import find_chromium
from toolkit.store import ingest

PINGTAN = "350128-03c69e6e9784"
ONE_YEAR = "150300-806f4eb7b23a"  # 乌海市人民政府: 2019 only


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "store"
    ingest(BUNDLED, out, workers=1, progress=False)
    return out


def compare_goldens() -> list[Path]:
    return sorted(GOLDEN.glob("compare_*.ipynb"))


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["no-such-body", "--years", "2023", "2024"], "unknown body", id="unknown"),
    pytest.param([ONE_YEAR, "--years", "2019", "2020"], "one year only", id="one-year"),
    pytest.param([PINGTAN, "--years", "2024", "2023"], "years reversed", id="reversed"),
    pytest.param([PINGTAN, "--years", "2010", "2024"], "no usable report for 2010",
                 id="year-missing"),
])
def test_bad_requests_exit_2_with_an_error_line(bundled_store: Path, capsys: pytest.CaptureFixture[str],
                                                args: list[str], message: str) -> None:
    code = main([*args, "--store", str(bundled_store), "--out", str(bundled_store.parent / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err, err
    assert not (bundled_store.parent / "x").exists(), "nothing is written for a bad request"


def test_a_missing_store_is_an_error_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    assert main([PINGTAN, "--years", "2023", "2024", "--store", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_page_and_its_pdf(bundled_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main([PINGTAN, "--years", "2023", "2024", "--store", str(bundled_store),
                 "--out", str(out), *(["--pdf"] if find_chromium() else [])]) == 0
    stem = f"compare_{PINGTAN}_2023-2024"
    page = (out / f"{stem}.html").read_text(encoding="utf-8")
    assert '<mark class="reused">' in page and "<script" not in page
    assert "平潭综合实验区管理委员会 2023年与2024年政府信息公开工作年度报告对照" in page
    for heading in ("沿用上年文字", "两年报告逐部分对照", "表格数值及其变化", "两年之间的衔接",
                    "正文所述数字与表格核对", "报告来源"):
        assert heading in page
    assert "ht_2023.html" in page and not re.search(r"(?:/tmp/|/work/|/home/)", page)
    assert "@page" in page and "break-inside:avoid" in page and "<nav>" not in page
    if not find_chromium():
        pytest.skip("Chromium is not installed: the PDF half of this test needs it "
                    "(scripts/install_system_deps.sh)")
    pdf = out / f"{stem}.pdf"
    text = pdf_text(pdf)
    assert "两年之间的衔接" in text and "沿用上年文字" in text
    pages = text.split("\f")
    assert len(pages) > 3
    for number, content in enumerate(pages, start=1):  # the running header and the number
        assert "平潭县 · 平潭综合实验区管理委员会" in content, number
        assert f"第 {number} 页 / 共 {len(pages)} 页" in content, number
    fonts = pdf_fonts(pdf)
    assert fonts and all(embedded for embedded in fonts.values()), fonts


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Every font of the PDF and whether its glyphs are inside the file: a Type3 font (its
    glyphs are drawings in the PDF: Chromium's Skia writes the CFF-flavoured Noto CJK so)
    or a font with a FontFile, FontFile2 or FontFile3 stream."""
    import pdfplumber
    from pdfminer.pdftypes import resolve1

    found: dict[str, bool] = {}
    with pdfplumber.open(path) as document:
        for page in document.pages:
            for ref in resolve1(resolve1(page.page_obj.resources).get("Font", {})).values():
                font = resolve1(ref)
                name = str(font.get("BaseFont") or font.get("Name") or ref)
                subtype = font.get("Subtype")
                if getattr(subtype, "name", subtype) == "Type3":
                    found[name] = True
                    continue
                descriptor = font
                if "DescendantFonts" in font:
                    descriptor = resolve1(resolve1(font["DescendantFonts"])[0])
                descriptor = resolve1(descriptor.get("FontDescriptor")) or {}
                found[name] = any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3"))
    return found


def pdf_text(path: Path) -> str:
    """The PDF's text layer, pages separated by a form feed."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "\f".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_comparison_goldens_pass_nbval_strict(bundled_store: Path) -> None:
    found = compare_goldens()
    assert found, "tests/golden holds at least one comparison"
    done = nbval(bundled_store, *found)
    cells = sum(len(code_cells(p)) for p in found)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert f"{cells} passed" in done.stdout, done.stdout[-2000:]


def test_nbval_fails_when_a_reused_sentence_is_rewritten(tmp_path: Path) -> None:
    """The golden has teeth: a sentence of 2024 that was last year's, rewritten, changes
    the reuse cells (header, reuse table, the sections) and nothing else."""
    import shutil

    root = tmp_path / "corpus"
    shutil.copytree(BUNDLED, root)
    page = root / "dev" / "ht_2024.html"
    text = page.read_text(encoding="utf-8")
    old = "2024年，无收取信息处理费情况。"
    assert old in text
    page.write_text(text.replace(old, "本年度依申请公开工作未向申请人收取任何费用。"), encoding="utf-8")
    ingest(root, tmp_path / "store", workers=1, progress=False)
    golden = GOLDEN / f"compare_{PINGTAN}_2023-2024.ipynb"
    done = nbval(tmp_path / "store", golden)
    assert done.returncode != 0
    failed = {int(n) for n in re.findall(rf"FAILED \S*{re.escape(golden.name)}::Cell (\d+)",
                                         done.stdout)}
    source = code_cells(golden)
    want = {i for i, s in enumerate(source)
            if any(a in s for a in ("page.header()", "page.reuse_table()", "page.sections()",
                                    "page.checks_tables()"))}
    assert failed == want, (sorted(failed), sorted(want), done.stdout[-3000:])
