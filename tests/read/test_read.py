"""Tests for toolkit.read: every format comes back as the same kind of text.

Fixtures are built in tmp_path from the real seed report, so encodings and formats are
compared against one known text.
"""

from __future__ import annotations

import codecs
import io
import os
import random
import re
import stat
import subprocess
import zipfile
from collections.abc import Callable
from email import charset as email_charset
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pypdfium2
import pytest

from tests.conftest import corpus_dirs
from toolkit.dev import synth
from toolkit.parse import parse_report
from toolkit.read import (
    Document,
    decode_bytes,
    html_tables,
    html_to_text,
    read_document,
    sniff,
    word,
)
from toolkit.read import html as read_html
from toolkit.spec.errors import ReadError, UnsupportedFormat

SEED = corpus_dirs()[0] / "000_d7151d8ad9dd7d48.txt"
HT_2022 = corpus_dirs()[1] / "ht_2022.html"


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed report not found at {SEED} (corpus absent)")
    return SEED.read_text(encoding="utf-8")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("codec", "prefix", "expected_encoding"),
    [
        pytest.param("utf-8", b"", "utf-8", id="utf-8"),
        pytest.param("utf-8", codecs.BOM_UTF8, "utf-8-sig", id="utf-8-bom"),
        pytest.param("gb18030", b"", "gb18030", id="gb18030"),
        pytest.param("gbk", b"", "gb18030", id="gbk"),
        pytest.param("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le", id="utf-16-le-bom"),
        pytest.param("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be", id="utf-16-be-bom"),
        pytest.param("utf-16-le", b"", "utf-16-le", id="utf-16-le-no-bom"),
        pytest.param("utf-16-be", b"", "utf-16-be", id="utf-16-be-no-bom"),
    ],
)
def test_text_encodings_give_identical_text(
    tmp_path: Path, seed_text: str, codec: str, prefix: bytes, expected_encoding: str
) -> None:
    path = _write(tmp_path, "report.txt", prefix + seed_text.encode(codec))
    doc = read_document(path)
    assert doc.text == seed_text
    assert doc.kind == "text"
    assert doc.encoding == expected_encoding
    assert doc.hints == {}
    assert doc.path == str(path)


def test_crlf_and_cr_become_lf_and_blank_lines_survive(tmp_path: Path, seed_text: str) -> None:
    assert "\n  \n" in seed_text, "seed should hold whitespace-only lines"
    crlf = _write(tmp_path, "crlf.txt", seed_text.replace("\n", "\r\n").encode("utf-8"))
    cr = _write(tmp_path, "cr.txt", seed_text.replace("\n", "\r").encode("gb18030"))
    assert read_document(crlf).text == seed_text
    assert read_document(cr).text == seed_text


def test_unknown_suffix_that_decodes_is_text(tmp_path: Path, seed_text: str) -> None:
    doc = read_document(_write(tmp_path, "report.dat", seed_text.encode("gb18030")))
    assert (doc.kind, doc.text) == ("text", seed_text)


def test_utf8_cut_inside_last_character_is_still_utf8(tmp_path: Path, seed_text: str) -> None:
    data = (seed_text + "报告").encode("utf-8")[:-1]
    doc = read_document(_write(tmp_path, "cut.txt", data))
    assert doc.encoding == "utf-8"
    assert doc.text == seed_text + "报"


def test_decode_bytes_returns_text_and_codec() -> None:
    assert decode_bytes("政府信息公开".encode("gbk")) == ("政府信息公开", "gb18030")
    assert decode_bytes(b"abc 123") == ("abc 123", "utf-8")
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(bytes(range(256)) * 8)


@pytest.mark.parametrize(
    "data",
    [pytest.param(b"", id="zero-bytes"), pytest.param(b" \n\t\r\n  \n", id="whitespace")],
)
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError, match="empty file"):
        read_document(_write(tmp_path, "empty.txt", data))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(4096), id="random"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64), id="png"),
        pytest.param(b"\x00" * 64, id="nuls"),
        pytest.param(bytes(range(32)) * 20, id="control-chars"),
    ],
)
def test_binary_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError, match="binary file, not text") as info:
        read_document(_write(tmp_path, "blob.txt", data))
    assert info.value.path.endswith("blob.txt")


def test_too_large(tmp_path: Path, seed_text: str) -> None:
    path = _write(tmp_path, "big.txt", seed_text.encode("utf-8"))
    with pytest.raises(ReadError, match=r"file too large \(.* > 1\.0 KB limit\)"):
        read_document(path, max_bytes=1000)
    assert sniff._too_large(52_400_000, 20_000_000) == "file too large (52.4 MB > 20.0 MB limit)"


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="Is a directory"):
        read_document(tmp_path)
    with pytest.raises(ReadError, match="No such file"):
        read_document(tmp_path / "missing.txt")


def test_unreadable_file(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "locked.txt", seed_text.encode("utf-8"))
    path.chmod(0)
    try:
        if os.geteuid() == 0:
            # root reads through chmod 000, so make open() fail the way it would for a user.
            def denied(*args: object, **kwargs: object) -> None:
                raise PermissionError(13, "Permission denied", str(path))

            monkeypatch.setattr(sniff, "open", denied, raising=False)
        with pytest.raises(ReadError, match="Permission denied"):
            read_document(path)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


# --------------------------------------------------------------------------- HTML

SMALL_HTML = """<!DOCTYPE html>
<html><head><title> 某市 2022年
 年度报告 </title>
<meta name="PubDate" content="2023-02-20 15:07"><meta name="ArticleTitle" content="年度报告">
<script>var leaked = "script code";</script><style>.x { color: red }</style></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/gk">政务公开</a></div>
<!-- comment text -->
<p>一、总体情况</p><p>  本年度<span>共</span>公开<b>12</b>条。<br>第二行</p>
<noscript>noscript text</noscript>
<table border="1">
<tr><td colspan="2" rowspan="2"><p>结</p><p>果</p><p>纠</p><p>正</p></td><th colspan="2">申请人</th></tr>
<tr><td><p>商业</p>
<p>企业</p></td><td>科研<br>机构</td></tr>
<tr><td>一、本年新收</td><td>&nbsp;</td><td>&nbsp;71&nbsp;</td><td>  3 </td></tr>
<tr><td>内表</td><td><table><tr><td>in 1</td><td>in 2</td></tr></table>外</td>
<td>a  b</td><td>4</td></tr>
</table>
<script>document.write("more script code")</script>
<p>二、主动公开</p>
</body></html>"""

SMALL_HTML_TEXT = """\
首页 > 政务公开
一、总体情况
本年度共公开12条。
第二行
结果纠正 | 申请人
商业企业 | 科研机构
一、本年新收 |  | 71 | 3
内表 | 外 | a b | 4
in 1 | in 2
二、主动公开"""


def test_html_to_text_small_table() -> None:
    text = html_to_text(SMALL_HTML)
    assert text == SMALL_HTML_TEXT
    assert "script code" not in text
    assert "noscript" not in text
    assert "comment text" not in text
    assert "color" not in text


def test_html_tables_resolves_spans() -> None:
    outer, inner = html_tables(SMALL_HTML)
    assert outer == [
        ["结果纠正", "结果纠正", "申请人", "申请人"],
        ["结果纠正", "结果纠正", "商业企业", "科研机构"],
        ["一、本年新收", "", "71", "3"],
        ["内表", "外", "a b", "4"],
    ]
    assert inner == [["in 1", "in 2"]]


def test_html_tables_clamps_bad_spans() -> None:
    grid = html_tables(
        "<table><tr><td rowspan=9>a</td><td colspan=x>b</td></tr>"
        "<tr><td>c</td><td>d</td></tr></table>"
    )
    assert grid == [[["a", "b", ""], ["a", "c", "d"]]]


def test_read_html_document_hints(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "page.htm", SMALL_HTML.encode("utf-8")))
    assert doc.kind == "html"
    assert doc.encoding == "utf-8"
    assert doc.text == SMALL_HTML_TEXT
    assert doc.hints == {
        "html_title": "某市 2022年 年度报告",
        "meta_published": "2023-02-20 15:07",
        "meta_title": "年度报告",
    }


def test_gbk_html_uses_meta_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>年报</title></head><body><table><tr><td>行政许可</td><td>10690</td></tr>"
        "</table></body></html>"
    )
    doc = read_document(_write(tmp_path, "gbk.shtml", html.encode("gbk")))
    assert (doc.kind, doc.encoding, doc.text) == ("html", "gb18030", "行政许可 | 10690")
    assert doc.hints["html_title"] == "年报"


def test_utf8_page_with_stale_gbk_meta(tmp_path: Path) -> None:
    html = '<html><head><meta charset="gbk"></head><body><p>政府信息公开</p></body></html>'
    doc = read_document(_write(tmp_path, "stale.html", html.encode("utf-8")))
    assert (doc.encoding, doc.text) == ("utf-8", "政府信息公开")


def test_txt_that_is_html_is_read_as_html(tmp_path: Path) -> None:
    data = "\n  <!DOCTYPE html><html><body><p>正文</p><script>x=1</script></body></html>"
    doc = read_document(_write(tmp_path, "page.txt", data.encode("gb18030")))
    assert (doc.kind, doc.text) == ("html", "正文")


def test_broken_html_is_survived() -> None:
    style = "x" * 200_000
    html = (
        f'<div style="{style}" title="a\nb\r\nc"><p>开头<td>孤立单元格'
        "<table><tr><td>a<td>b<tr><td>c</table>"
        + "<font>" * 3000
        + "深处<p>中文\n换行</p><p>Latin\nwords</p>"
    )
    text = html_to_text(html)
    assert text.splitlines()[:4] == ["开头", "孤立单元格", "a | b", "c"]
    assert "中文换行" in text
    assert "Latin words" in text
    assert html_to_text("") == ""
    assert html_to_text("<!-- only a comment -->") == ""


def test_pre_keeps_its_line_breaks() -> None:
    assert html_to_text("<pre>a\n  b</pre><p>x\ny</p>") == "a\nb\nx y"


def test_empty_cells_and_empty_rows() -> None:
    html = (
        "<table><tr><td>a</td><td>&nbsp;</td><td>\u3000 </td><td>c</td></tr>"
        "<tr><td>&nbsp;</td></tr><tr></tr></table>"
    )
    assert html_to_text(html) == "a |  |  | c\n"


def test_real_page_ht_2022(tmp_path: Path) -> None:
    if not HT_2022.exists():
        pytest.skip(f"{HT_2022} not found (corpus absent)")
    doc = read_document(HT_2022)
    lines = doc.text.splitlines()
    assert doc.kind == "html"
    assert doc.encoding == "utf-8"
    assert doc.hints["meta_published"] == "2023-02-20 15:07"
    assert doc.hints["meta_title"] == "平潭综合实验区2022年度政府信息公开工作年度报告"
    for expected in [
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
        "行政规范性文件 | 88 | 55 | 698",
        "行政许可 | 10690",
        "行政事业性收费 | 9116.36",
        "自然人 | 法人或其他组织 | 总计",
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他",
        "一、本年新收政府信息公开申请数量 | 71 | 3 | 0 | 0 | 0 | 0 | 74",
        "三、本年度办理结果 | （一）予以公开 | 21 | 0 | 0 | 0 | 0 | 0 | 21",
        "2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
        "（七）总计 | 72 | 3 | 0 | 0 | 0 | 0 | 75",
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉",
        "0 | 1 | 1 | 0 | 2 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0",
        "六、其他需要报告的事项",
    ]:
        assert expected in lines, expected
    for code in ("function", "var ", "$(", "document.", "{", "\xa0"):
        assert code not in doc.text, code

    grids = html_tables(HT_2022.read_text(encoding="utf-8"))
    assert [len(g) for g in grids] == [14, 28, 4]
    assert {len(row) for g in grids for row in g} == {4, 10, 15}
    assert grids[1][3][:4] == ["一、本年新收政府信息公开申请数量"] * 3 + ["71"]
    assert grids[2][2][5:10] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


# --------------------------------------------------------------------------- DOCX


def _make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（一）项"
    for i, label in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        t.cell(1, i).text = label
    t.cell(1, 0).add_paragraph("（续）")
    t.cell(2, 0).merge(t.cell(3, 0)).text = "行政规范性文件"
    for i, value in enumerate(["88", "55", "698"]):
        t.cell(2, i + 1).text = value
    t.cell(3, 1).text = " 1 "
    t.cell(3, 3).text = "3"
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    d.save(str(path))


def test_docx_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    _make_docx(path)
    doc = read_document(path)
    assert (doc.kind, doc.encoding) == ("docx", None)
    assert doc.text.splitlines() == [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容（续） | 本年制发件数 | 本年废止件数 | 现行有效件数",
        "行政规范性文件 | 88 | 55 | 698",
        "1 |  | 3",
        "三、收到和处理政府信息公开申请情况",
    ]


def _generated_docx(path: Path, report: synth.SyntheticReport,
                    edit: Callable[[str], str]) -> Path:
    """A generated report as .docx, its word/document.xml passed through `edit`."""
    content = synth.render(report, "docx")
    assert isinstance(content, bytes)
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = edit(data.decode()).encode()
            target.writestr(item, data)
    return path


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_docx_whose_headings_word_numbered_parses_back(tmp_path: Path, version: str) -> None:
    """Word's list numbering keeps 一、 … 六、 out of the document's text."""
    numbered = re.compile(r"<w:t>[一二三四五六]、(总体情况|主动公开|收到和处理|政府信息公开行政复议|存在|其他需要)")

    def unnumber(xml: str) -> str:
        xml, count = numbered.subn(r"<w:t>\1", xml)
        assert count == 6
        return xml

    report = synth.random_report(random.Random(300), version=version)
    parsed = parse_report(_generated_docx(tmp_path / "report.docx", report, unnumber))
    assert parsed.values() == report.values
    assert list(parsed.sections) == ["overview", "active", "requests", "review", "problems", "other"]
    assert parsed.status == "ok"


def test_docx_set_in_a_layout_table_parses_back(tmp_path: Path) -> None:
    """A Word file whose whole body sits in a one-cell frame table."""

    def frame(xml: str) -> str:
        start, end = xml.index("<w:body>") + len("<w:body>"), xml.rindex("<w:sectPr")
        return (xml[:start] + "<w:tbl><w:tr><w:tc>" + xml[start:end]
                + "<w:p/></w:tc></w:tr></w:tbl>" + xml[end:])

    report = synth.random_report(random.Random(7))
    parsed = parse_report(_generated_docx(tmp_path / "framed.docx", report, frame))
    assert parsed.values() == report.values
    assert parsed.status == "ok"


def test_ofd_is_named_as_such(tmp_path: Path) -> None:
    """China's fixed-layout format (a zip with OFD.xml): a clear unsupported status."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    with pytest.raises(UnsupportedFormat, match="OFD"):
        read_document(_write(tmp_path, "report.zip", buffer.getvalue()))


def test_corrupt_docx_and_foreign_zip(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    _make_docx(good)
    with pytest.raises(ReadError, match="docx"):
        read_document(_write(tmp_path, "cut.docx", good.read_bytes()[:400]))
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "x,y\n")
    with pytest.raises(UnsupportedFormat, match=r"not a \.docx"):
        read_document(archive)


# --------------------------------------------------------------------------- PDF


def _make_text_pdf(path: Path) -> None:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev extra) builds the PDF fixtures")
    pdf = fpdf.FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 10, "Annual report 2022", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "Section 2", new_x="LMARGIN", new_y="NEXT")
    for row in [
        ["Item", "Issued", "Repealed", "Valid"],
        ["Rules", "0", "0", "0"],
        ["Normative", "88", "55", "698"],
    ]:
        for value in row:
            pdf.cell(40, 8, value, border=1)
        pdf.ln()
    pdf.cell(80, 8, "Licensing", border=1)
    pdf.cell(80, 8, "10690", border=1)
    pdf.ln()
    pdf.cell(0, 8, "Text after the table.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-20)
    pdf.cell(0, 8, "- 1 -", align="C")
    pdf.add_page()
    pdf.cell(0, 8, "Page two.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-20)
    pdf.cell(0, 8, "- 2 -", align="C")
    pdf.output(str(path))


def test_pdf_tables_become_pipe_lines(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    _make_text_pdf(path)
    doc = read_document(path)
    assert (doc.kind, doc.encoding) == ("pdf", None)
    assert doc.text.splitlines() == [
        "Annual report 2022",
        "Section 2",
        "Item | Issued | Repealed | Valid",
        "Rules | 0 | 0 | 0",
        "Normative | 88 | 55 | 698",
        "Licensing | 10690",
        "Text after the table.",
        "Page two.",
    ]


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev extra) builds the PDF fixtures")
    from PIL import Image

    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (60, 80), (240, 240, 240)), x=10, y=10, w=100)
    pdf.rect(20, 150, 50, 20, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(ReadError, match="text layer"):
        read_document(path)


def test_corrupt_pdf(tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    _make_text_pdf(good)
    with pytest.raises(ReadError, match="PDF"):
        read_document(_write(tmp_path, "cut.pdf", good.read_bytes()[:500]))


def test_content_beats_suffix(tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    _make_text_pdf(good)
    assert read_document(_write(tmp_path, "download.bin", good.read_bytes())).kind == "pdf"
    page = "<html><body><p>404 页面不存在</p></body></html>".encode()
    doc = read_document(_write(tmp_path, "report.pdf", page))
    assert (doc.kind, doc.text) == ("html", "404 页面不存在")


def test_an_article_set_in_a_layout_table_keeps_its_order() -> None:
    prose = "本年度,本机关坚持以公开为常态、不公开为例外,认真落实各项工作要求。"
    page = ("<html><body><table><tr><td>首页</td><td><p>一、总体情况</p><p>{prose}</p>"
            "<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p></td></tr></table></body></html>")
    assert html_to_text(page.format(prose=prose)).split("\n") == [
        "首页", "一、总体情况", prose, "二、主动公开政府信息情况", "规章 | 0",
        "三、收到和处理政府信息公开申请情况"]
    # A data cell with a small table nested beside a word stays one row, as SMALL_HTML shows.
    assert html_to_text(page.format(prose="正文")).split("\n")[0].startswith("首页 | 一、总体情况")


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_report_inside_a_layout_table_parses_back(tmp_path: Path, version: str) -> None:
    report = synth.random_report(random.Random(6), version=version)
    page = str(synth.render(report, "html"))
    wrapped = page.replace("<body>", "<body><table><tr><td>", 1).replace(
        "</body>", "</td></tr></table></body>", 1)
    parsed = parse_report(_write(tmp_path, "page.html", wrapped.encode()))
    assert parsed.values() == report.values
    assert parsed.meta["template"] == version


@pytest.mark.parametrize(("charset", "transfer"), [("utf-8", "base64"), ("gb2312", "qp")])
def test_web_page_saved_as_one_file_parses_back(tmp_path: Path, charset: str,
                                                transfer: str) -> None:
    """A page saved as .mht: MIME headers, the page base64 or quoted-printable encoded."""
    report = synth.random_report(random.Random(5))
    page = str(synth.render(report, "html")).replace('charset="utf-8"', f'charset="{charset}"')
    encoding = email_charset.Charset(charset)
    encoding.body_encoding = email_charset.QP if transfer == "qp" else email_charset.BASE64
    archive = MIMEMultipart("related")
    archive["MIME-Version"] = "1.0"
    archive.attach(MIMEText(page, "html", encoding))
    saved = _write(tmp_path, "page.bin", archive.as_bytes())  # found by content, not suffix
    parsed = parse_report(saved)
    assert parsed.values() == report.values
    assert parsed.meta["title"] == parse_report(_write(tmp_path, "page.html", page.encode(
        "gb18030" if charset == "gb2312" else charset))).meta["title"]


def test_mhtml_without_a_page_is_a_clear_error(tmp_path: Path) -> None:
    archive = MIMEMultipart("related")
    archive.attach(MIMEText("just text", "plain", "utf-8"))
    with pytest.raises(ReadError, match="no HTML page"):
        read_document(_write(tmp_path, "page.mht", archive.as_bytes()))


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed (scripts/install_system_deps.sh)")
@pytest.mark.parametrize(("version", "ruled"), [("2019", True), ("2021", True), ("2019", False)])
def test_report_printed_to_pdf_by_a_browser_parses_back(tmp_path: Path, version: str,
                                                        ruled: bool) -> None:
    """A generated page printed by Chromium: CJK fonts whose glyphs map to radicals
    (⼈⺠ for 人民), a long title wrapped over two lines, tables split across pages; without
    rules, table rows come out as text lines whose long labels wrap around their cells."""
    report = synth.random_report(random.Random(2), version=version)
    html = str(synth.render(report, "html"))
    if not ruled:
        html = html.replace("td { border: 1px solid #000; }", "td { padding: 2px 8px; }")
        html = html.replace(' border="1"', ' border="0"')
        assert "solid" not in html and 'border="1"' not in html
    page = _write(tmp_path, "report.html", html.encode())
    pdf = tmp_path / "report.pdf"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    from_page, from_pdf = parse_report(page), parse_report(pdf)
    assert from_pdf.values() == report.values
    for key in ("title", "agency", "year", "published", "template"):
        assert from_pdf.meta[key] == from_page.meta[key], key
    # The same PDF as a scraper's .txt: PDFium's text, labels wrapped over lines.
    document = pypdfium2.PdfDocument(pdf)
    text = "\n".join(pdf_page.get_textpage().get_text_range() for pdf_page in document)
    document.close()
    from_text = parse_report(_write(tmp_path, "report.txt", text.encode()))
    assert from_text.values() == report.values
    assert from_text.meta["agency"] == from_page.meta["agency"]


# --------------------------------------------------------------------------- DOC

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_doc_without_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word.shutil, "which", lambda name: None)
    with pytest.raises(UnsupportedFormat, match="LibreOffice or antiword"):
        read_document(_write(tmp_path, "old.doc", OLE_MAGIC + bytes(1024)))


def test_doc_with_antiword(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "antiword"
    fake.write_text(
        "#!/bin/sh\n"
        "printf '一、总体情况\\n|信息内容  |本年制发件数 |\\n|规章      |0            |\\n'\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    doc = read_document(_write(tmp_path, "old.doc", OLE_MAGIC + bytes(1024)))
    assert (doc.kind, doc.text) == ("doc", "一、总体情况\n信息内容 | 本年制发件数\n规章 | 0")


def test_document_is_frozen_and_hashable() -> None:
    doc = Document("a.txt", "x", "text", "utf-8", {"k": "v"})
    with pytest.raises(AttributeError):
        doc.text = "y"  # type: ignore[misc]
    assert hash(doc) == hash(Document("a.txt", "x", "text", "utf-8", {}))


_TABLES = [
    "<table><tr><td>项目</td><td>数量</td></tr><tr><td>新收</td><td> 12 </td></tr></table>",
    "<table><tbody><tr><th>结<p>果</p>纠<br>正</th><td>&nbsp;</td><td>\u3000</td></tr>"
    "<tr></tr><tr><td><span>本年</span>\n新收</td><td><b>3</b></td></tr></tbody></table>",
    "<table><tr><td>政府信\n息公开</td><td>a  b\tc</td></tr><tr><td></td></tr></table>",
    "<table><tr><td> a <p> b </p> c </td><td>1&nbsp;<br>2 3</td><td><p> </p></td></tr></table>",
    # irregular: caption, text outside cells, a wrapper between row and cells
    "<table><caption>表一</caption><tr><td>1</td></tr>说明<tr><td>2</td></tr></table>",
    "<table><tr><font><td>1</td></font><td>2</td></tr></table>",
]


@pytest.mark.parametrize(("markup", "regular"), list(zip(_TABLES, [True, True, True, True, False, False],
                                                          strict=True)))
def test_one_pass_table_reading_matches_cell_by_cell_reading(markup: str, regular: bool) -> None:
    table = next(read_html._parse_html(f"<html><body>{markup}</body></html>").iter("table"))
    assert bool(read_html._IRREGULAR(table)) is not regular
    if regular:
        assert read_html._regular_table_lines(table) == read_html._marked_table_lines(table)
    assert read_html._table_lines(table)


def test_one_pass_table_reading_matches_on_real_pages() -> None:
    pages = [p for d in corpus_dirs() for p in sorted(d.glob("*.htm*"))]
    regular = 0
    for page in pages:
        doc = read_document(page)
        root = read_html._parse_html(read_html.decode_html(page.read_bytes())[0])
        for table in root.iter("table"):
            if read_html._is_simple(table) and not read_html._IRREGULAR(table):
                regular += 1
                assert read_html._regular_table_lines(table) == read_html._marked_table_lines(table)
        assert doc.text
    assert regular > 0
