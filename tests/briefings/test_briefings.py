"""Briefings: the figures they show, the guard rails, the batch, its HTML and its JSON.

Fast tests call `toolkit.briefings.content` in this process on stores built in a temporary folder;
the batch tests render real notebooks (papermill, one reused kernel per worker) and a
Dask `LocalCluster`, and compare the outputs with the goldens in tests/golden/.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest

from tests.conftest import BUNDLED, REPO
from toolkit.analysis.indicators import BY_NAME, region_indicators
from toolkit.briefings import batch, fragments, kernel, pages
from toolkit.briefings import content as briefing
from toolkit.briefings.jobs import Job, check_adcode
from toolkit.parse import parse_report
from toolkit.store import ingest

GOLDEN = REPO / "tests" / "golden"
SEED_003 = "003_91a4c20e6918bacb.txt"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# ---------------------------------------------------------------- stores

def copy_corpus(tmp: Path) -> Path:
    root = tmp / "corpus"
    shutil.copytree(BUNDLED, root)
    return root


def change_granted_total(path: Path, new: int = 39) -> None:
    """Seed 003 (于洪区 2019): 予以公开, 总计 column 38 → `new` (breaks the row identity)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"([(（]一[)）]予以公开\s+37\s+1\s+0\s+0\s+0\s+0\s+)38(\s)")
    changed, count = pattern.subn(rf"\g<1>{new}\g<2>", text)
    assert count == 1, "seed 003's 予以公开 row is not where this test expects it"
    path.write_text(changed, encoding="utf-8")


def inject_script(path: Path) -> None:
    """Put markup into seed 003's section 五, as a hostile or broken page might."""
    text = path.read_text(encoding="utf-8")
    marker = "五、存在的主要问题及改进情况"
    assert marker in text
    path.write_text(text.replace(marker, marker + "\n\n" + SCRIPT, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "store"
    ingest(BUNDLED, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus with one number changed and a script injected in seed 003."""
    tmp = tmp_path_factory.mktemp("tampered")
    root = copy_corpus(tmp)
    change_granted_total(root / "seeds" / SEED_003)
    inject_script(root / "seeds" / SEED_003)
    ingest(root, tmp / "store", workers=1, progress=False)
    return tmp / "store"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from toolkit.dev.synth_store import build_store

    return build_store(tmp_path_factory.mktemp("synthetic") / "store", 600, seed=3)


# ---------------------------------------------------------------- small pieces

@pytest.mark.parametrize(("text", "span"), [
    pytest.param("", None, id="empty-all-years"),
    pytest.param("2021", (2021, 2021), id="one-year"),
    pytest.param("2019-2021", (2019, 2021), id="span"),
    pytest.param(" 2019 – 2021 ", (2019, 2021), id="en-dash-and-spaces"),
])
def test_parse_years(text: str, span: tuple[int, int] | None) -> None:
    assert briefing.parse_years(text) == span


@pytest.mark.parametrize("text", ["21", "2021-2019", "2019/2021", "last year"])
def test_parse_years_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        briefing.parse_years(text)


@pytest.mark.parametrize("code", ["15030", "1503000", "../../x", "150300.html", "１５０３００",
                                  "150300\n", "abc123"])
def test_adcodes_that_could_not_name_a_file_are_refused(code: str) -> None:
    if code.strip() == "150300":  # surrounding whitespace is trimmed, not a different name
        assert check_adcode(code) == "150300"
        return
    with pytest.raises(ValueError):
        check_adcode(code)


def test_truncate_cuts_at_a_sentence_end() -> None:
    text = "一是问题甲。" * 30 + "二是问题乙" * 30
    cut = briefing.truncate(text, 100)
    assert cut.endswith("。 …") and len(cut) <= 102
    assert briefing.truncate("短句。") == "短句。"


def test_tables_escape_every_cell_and_keep_a_text_twin() -> None:
    fragment = fragments.table(["a<b>"], [[SCRIPT], [(SCRIPT, 'num" onclick="x')]],
                              caption="<i>c</i>", note="&")
    assert "<script" not in fragment.html and "<img" not in fragment.html
    assert "&lt;script&gt;" in fragment.html and 'onclick="x' not in fragment.html
    assert SCRIPT in fragment.text and repr(fragment) == fragment.text


# ---------------------------------------------------------------- what a briefing says

def test_header_places_the_region_and_lists_what_is_missing(bundled: Path) -> None:
    brief = briefing.Briefing(briefing.load_corpus(bundled), "150300")
    text = brief.header().text
    assert "内蒙古自治区 › 乌海市" in text and "上级: 内蒙古自治区(150000)" in text
    assert "覆盖机关: 2 个(人民政府 1,部门 1" in text
    assert "有可用数字的年份: 2019、2021" in text
    assert "没有可用数字的年份: 2020、2022、2023、2024、2025" in text
    # what the region's figures are made of: a district department, not the city
    assert "最新年份的数字来自: 县级政府部门 1" in text
    coverage = brief.coverage().text.splitlines()
    assert coverage[1] == "机关 | 层级与类型 | 2019 | 2020 | 2021 | 2022 | 2023 | 2024 | 2025"
    assert coverage[2].startswith("乌海市人民政府 | 市级人民政府 | ✓ | 缺")


def test_key_figures_match_the_parsed_report(bundled: Path) -> None:
    """于洪区 = one report (seed 003): the region's figures are that report's numbers."""
    values = parse_report(BUNDLED / "seeds" / SEED_003).values()
    brief = briefing.Briefing(briefing.load_corpus(bundled), "210114")
    figures = brief.key_figures().set_index("indicator")
    processed = values["requests.total_processed.total"]
    assert figures.loc["requests_received", "value"] == values["requests.new_received.total"]
    granted = values["requests.granted.total"] + values["requests.partial.total"]
    assert figures.loc["disclosure_rate", "numerator"] == granted
    assert figures.loc["disclosure_rate", "value"] == pytest.approx(granted / processed)
    table = brief.key_figures_table().text
    assert "公开率(予以公开+部分公开)/办理总数 | 88.4% | 38 / 43" in table
    # 5 review cases: shown with their count, marked, never ranked
    assert "行政复议纠错率 | 80.0% | 4 / 5" in table and "少于30件,不排名" in table


def test_a_figure_from_a_report_failing_a_check_is_marked(bundled: Path, tampered: Path) -> None:
    clean = briefing.Briefing(briefing.load_corpus(bundled), "210114")
    marked = briefing.Briefing(briefing.load_corpus(tampered), "210114")
    labels = tuple(BY_NAME[n].label + " |" for n in briefing.KEY_FIGURES)
    rows = [r for r in clean.key_figures_table().text.splitlines() if r.startswith(labels)]
    assert len(rows) == len(briefing.KEY_FIGURES) and not any("⚠" in r for r in rows)
    table = marked.key_figures_table()
    assert "88.4%" not in table.text and "90.7% ⚠ | 39 / 43" in table.text
    assert 'class="num fails"' in table.html
    assert "未通过勾稽校验的报告: 1 份" in marked.header().text
    assert "⚠" in marked.composition_table("outcomes", "x").text
    failed = marked.failed_checks_table().text.splitlines()
    assert len(failed) > 3 and all("2019" in line for line in failed[2:-1])
    assert "⚠ 该报告未通过勾稽校验" in marked.excerpts().text


def test_report_text_is_escaped(tampered: Path) -> None:
    brief = briefing.Briefing(briefing.load_corpus(tampered), "210114")
    excerpt = brief.excerpts()
    assert SCRIPT in excerpt.text
    assert "<script" not in excerpt.html and "<img" not in excerpt.html
    page = pages.export_html(_notebook_with(excerpt), "t")
    assert "<script" not in page and "&lt;script&gt;alert" in page


def _notebook_with(fragment: fragments.Fragment) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("brief.excerpts()", outputs=[nbformat.v4.new_output(
        "execute_result", {"text/html": fragment.html, "text/plain": fragment.text},
        execution_count=1)])
    return nbformat.v4.new_notebook(cells=[cell])


def test_outputs_carry_no_paths(bundled: Path) -> None:
    brief = briefing.Briefing(briefing.load_corpus(bundled), "150300")
    texts = [brief.quality_table().html, brief.header().html, brief.excerpts().html,
             brief.sources_table().html]
    assert not any(str(bundled) in t or "/work/" in t or str(BUNDLED) in t for t in texts)
    # a store without source URLs names the file, as a last resort
    assert "文件 000_d7151d8ad9dd7d48.txt" in brief.sources_table().text


def test_region_lookups_agree_with_the_corpus_queries(synthetic: Path) -> None:
    """The briefing reads the roll-up once per region; it must say what `Corpus` says."""
    corpus = briefing.load_corpus(synthetic)
    tree = corpus.region_tree()
    for code in list(tree.groupby("level").head(3)["adcode"]):
        brief = briefing.Briefing(corpus, code)
        year = brief.latest_year
        for name in ("requests_received", "disclosure_rate", "review_correction_rate"):
            want = corpus.series(code, name, "all", brief.span)
            got = brief.series(name)[want.columns]
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
            for same_parent in (True, False):
                want = corpus.peers(code, name, year, brief.peer_kind, same_parent, tier="own")
                got = brief.peers(name, year, same_parent)
                columns = ["region", "value", "numerator", "denominator", "is_selected", "name"]
                pd.testing.assert_frame_equal(
                    got[columns].sort_values("region").reset_index(drop=True),
                    want[columns].sort_values("region").reset_index(drop=True),
                    check_dtype=False)


def test_breaks_find_the_carry_forward_failures_crosscheck_finds(synthetic: Path) -> None:
    from toolkit.analysis.crosscheck import carry_forward_chain

    corpus = briefing.load_corpus(synthetic)
    found = 0
    for code in list(corpus.region_tree()["adcode"])[:25]:
        brief = briefing.Briefing(corpus, code)
        mine = brief.breaks()
        chain = carry_forward_chain(brief.reports.dropna(subset=["body_id"]), corpus.wide)
        want = chain[(chain["status"] == "fail") & (chain["column"] == "total")]
        got = mine[mine["kind"] == "结转不衔接"]
        assert sorted(got["years"]) == sorted(f"{a}→{b}" for a, b in
                                              zip(want["year_from"], want["year_to"], strict=True))
        found += len(got)
    assert found > 0, "the synthetic store should have carry-forward breaks"


# ---------------------------------------------------------------- uneven collections

def _figure(record: dict[str, Any], name: str, year: int) -> dict[str, Any]:
    return next(f for f in record["figures"] if f["indicator"] == name and f["year"] == year)


def test_two_bodies_with_no_year_in_common_give_no_change_anywhere(
        disjoint_store: Path, tmp_path: Path) -> None:
    """乌海市人民政府 2019, 乌海市海勃湾区人民政府 2020: the city's "change" would be between two
    different bodies. JSON, briefing and index say 不可比; no number, whatever the counts."""
    brief = briefing.Briefing(briefing.load_corpus(disjoint_store), "150300")
    record = brief.record()
    for name in briefing.KEY_FIGURES:
        figure = _figure(record, name, 2020)
        assert figure["n_bodies_matched"] == 0
        assert figure["yoy_pct"] is None and figure["change_pp"] is None
    table = brief.key_figures_table()
    assert "本年新收申请数 | 43 | 43 | 不可比 | 两年没有共同的机关" in table.text
    assert "不可比" in table.html and "%</td>" not in table.html.split("不可比")[0].split(
        "本年新收申请数")[-1]
    assert "新增 1、退出 1" in brief.trend_table().text
    assert "本年新收申请数 | 不可比" in brief.changes_table().text
    rows = pages.index_rows([batch.Rendered("150300", "ok", record=record)])
    assert pages.change_cell(rows[0]["figures"]["requests_received"]) == ("不可比", "num small")
    # the page a reader opens, rendered by the batch
    out = tmp_path / "out"
    assert batch.main(["--store", str(disjoint_store), "--out", str(out), "--quiet",
                       "--workers", "1", "--region", "150300"]) == 0
    saved = json.loads((out / "150300.json").read_text(encoding="utf-8"))
    assert _figure(saved, "requests_received", 2020)["yoy_pct"] is None
    assert _figure(saved, "disclosure_rate", 2020)["change_pp"] is None
    page = (out / "150300.html").read_text(encoding="utf-8")
    assert "不可比" in page and "+138.9%" not in page and "+238.9%" not in page
    assert "不可比" in (out / "index.html").read_text(encoding="utf-8")


def test_a_change_over_the_one_body_of_both_years_says_so(one_matched_store: Path) -> None:
    """乌海市人民政府 2019 and 2020, 海勃湾区人民政府 2020 only: the change is the
    government's (18 → 18), over 1 body, though the city's total went from 18 to 61."""
    brief = briefing.Briefing(briefing.load_corpus(one_matched_store), "150300")
    figure = _figure(brief.record(), "requests_received", 2020)
    assert (figure["value"], figure["n_bodies"], figure["n_bodies_matched"]) == (61, 2, 1)
    assert figure["yoy_pct"] == 0 and figure["value_prev_matched"] == 18
    # ⚠: the government's report (seed 000 relabelled) states 13 normative documents in its
    # prose and 56 in its table, a failed text_vs_table check
    assert "本年新收申请数 | 61 ⚠ | 61 | +0.0% | 1 个机关:18 → 18" in brief.key_figures_table().text
    assert "本年新收申请数 | +0.0%(1)" in brief.changes_table().text
    row = pages.index_rows([batch.Rendered("150300", "ok", record=brief.record())])[0]
    assert pages.change_cell(row["figures"]["requests_received"]) == ("+0.0%(1个机关)", "num")


def test_the_headline_year_skips_a_year_whose_only_report_is_unreadable(
        unreadable_store: Path) -> None:
    corpus = briefing.load_corpus(unreadable_store)
    brief = briefing.Briefing(corpus, "210114")
    assert brief.latest_year == 2019 and brief.status == "ok"
    header = brief.header().text
    assert "1 份报告无法读取,未计入任何数字" in header
    assert "沈阳市于洪区人民政府 · 2020 · 2020年度于洪区人民政府信息公开工作报告 — 只读出" in header
    assert "关键指标(2019年)" in brief.key_figures_table().text
    assert "✗" in brief.coverage().text  # 2020: a report, not readable
    record = brief.record()
    assert record["latest_year"] == 2019 and len(record["unusable_reports"]) == 1
    # a region whose only report is unreadable: no usable data, shown as such
    alone = briefing.Briefing(corpus, "511381")
    assert alone.status == "no_usable_data" and alone.latest_year is None
    assert "本地区在" in alone.header().text and "没有可用的数字" in alone.header().text
    for empty in (alone.key_figures_table(), alone.trend_table(), alone.peers_table(),
                  alone.quality_table(), alone.excerpts()):
        assert empty.html == "" and empty.text == ""
    assert alone.trend_charts(("requests_received",)) is None
    assert "未计入:只读出" in alone.sources_table().text
    rows = pages.index_rows([batch.Rendered(c, "ok", record=briefing.Briefing(corpus, c).record())
                             for c in ("210114", "511381")])
    assert [r["status"] for r in rows] == ["ok", "no_usable_data"]
    page = pages.index_html(rows)
    assert page.index('href="210114.html"') < page.index("没有可用数据的地区") < page.index(
        'href="511381.html"')
    assert "1 个没有可用数据" in page


def test_peers_fewer_than_the_minimum_are_listed_not_spread(bundled: Path,
                                                            synthetic: Path) -> None:
    from toolkit.spec.vocab import MIN_PEERS_FOR_SPREAD

    few = briefing.Briefing(briefing.load_corpus(bundled), "210114").peers_table().text
    assert "同级地区(2019年)" in few and "P10" not in few and "中位数" not in few
    assert "于洪区(本地区) | 88.4% (38/43)" in few and "平潭县 | 34.8% (8/23)" in few
    assert f"少于{MIN_PEERS_FOR_SPREAD}个,不排名、不给分布,逐一列出" in few
    # a province of one district government is not compared with provinces
    province = briefing.Briefing(briefing.load_corpus(bundled), "210000").peers_table().text
    assert "不作同级比较:本地区没有省级人民政府自己的可用报告" in province
    assert "县级人民政府 1" in province
    corpus = briefing.load_corpus(synthetic)
    own = corpus.reports[(corpus.reports["agency_kind"] == "government")
                         & (corpus.reports["level"] == "county")]
    many = briefing.Briefing(corpus, str(own["adcode"].iloc[0])).peers_table().text
    assert "P10 | 中位数 | P90" in many


def test_sources_give_the_url_and_the_vintage_the_fetch_date_when_the_store_has_them(
        bundled: Path) -> None:
    """A store written from a crawl records each report's `source_url`, `source_title` and
    `fetched_at`: the sources list gives the URL (not the file) and the footer the fetch date."""
    from toolkit.analysis.corpus import load

    corpus = load(bundled)  # a fresh Corpus: the briefings' cached one stays as it is
    frame = corpus.all_reports
    corpus.__dict__["all_reports"] = frame.assign(
        source_url=[f"https://www.example.gov.cn/xxgk/{Path(p).stem}.html" for p in frame["path"]],
        source_title="网页标题", fetched_at="2026-02-03T04:05:06Z")
    brief = briefing.Briefing(corpus, "150300")
    text = brief.sources_table().text
    assert "https://www.example.gov.cn/xxgk/000_d7151d8ad9dd7d48.html" in text
    assert "文件 " not in text
    assert "数据截至 2026-02-03(最近一次抓取)" in brief.footer().text
    assert brief.record()["data_vintage"] == {"date": "2026-02-03", "basis": "抓取"}


def test_the_footer_names_generation_date_data_vintage_and_version(bundled: Path) -> None:
    from toolkit import __version__

    text = briefing.Briefing(briefing.load_corpus(bundled), "150300").footer("2026-01-02").text
    assert text.startswith("生成日期 2026-01-02 · 数据截至 ")
    assert "(最近一次入库)" in text and text.endswith(f"ogi-toolkit {__version__}")


# ---------------------------------------------------------------- the batch

def _outputs(nb: nbformat.NotebookNode) -> dict[str, list[Any]]:
    """Cell id → outputs, without the fields nbval ignores."""
    keep = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("id") != "injected-parameters":
            keep[cell.id] = [{k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
                             for o in cell.outputs]
    return keep


def _sanitized(outputs: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The outputs with tests/golden/sanitize.cfg applied, as nbval compares them."""
    import configparser

    rules = configparser.ConfigParser()
    rules.read(GOLDEN / "sanitize.cfg", encoding="utf-8")
    text = json.dumps(outputs, ensure_ascii=False)
    for section in rules.sections():
        text = re.sub(rules[section]["regex"], rules[section]["replace"], text)
    return json.loads(text)


def _assert_same_as_golden(out: Path, code: str) -> None:
    rendered = _sanitized(_outputs(nbformat.read(out / f"{code}.ipynb", as_version=4)))
    golden = _sanitized(_outputs(nbformat.read(GOLDEN / f"briefing_{code}.ipynb", as_version=4)))
    assert set(golden) <= set(rendered)
    for cell_id, outputs in golden.items():
        assert rendered[cell_id] == outputs, f"{code}: cell {cell_id} differs from the golden"


def _assert_json_matches_direct_computation(store: Path, record: dict[str, Any]) -> None:
    """The saved key figures, read back, equal the indicators computed from the store."""
    corpus = briefing.load_corpus(store)
    code, level = record["region"]["adcode"], record["region"]["level"]
    direct = region_indicators(corpus.wide, corpus.reports.rename(
        columns={"n_checks_failed": "checks_failed"}), level=level)
    direct = direct[(direct["region"] == code) & direct["indicator"].isin(briefing.KEY_FIGURES)]
    saved = {(f["indicator"], f["year"]): f for f in record["figures"]}
    assert len(saved) == len(direct)
    assert (len(saved) > 0) == (record["status"] == "ok")
    for row in direct.to_dict("records"):
        figure = saved[(row["indicator"], int(row["year"]))]
        for key in ("value", "numerator", "denominator"):
            want = row[key]
            if figure[key] is None:
                assert want is None or np.isnan(want), (code, row["indicator"], key)
            else:
                assert figure[key] == pytest.approx(want, abs=5e-7), (code, row["indicator"], key)
        assert (figure["n_bodies"], figure["n_reports"]) == (row["n_bodies"], row["n_reports"])
        assert figure["n_bodies_matched"] == row["n_bodies_matched"]
        for key in ("yoy_pct", "change_pp"):  # like for like, as the analysis computes it
            if figure[key] is None:
                assert np.isnan(row[key]), (code, row["indicator"], key)
            else:
                assert figure[key] == pytest.approx(row[key], abs=5e-5), (code, key)
        assert figure["is_small"] == bool(row["is_small"])
        assert figure["label"] == BY_NAME[row["indicator"]].label


def test_batch_renders_exports_indexes_and_records_failures(bundled: Path, tmp_path: Path) -> None:
    # a variant of the template whose last cell fails for one region, with markup in the error
    template = nbformat.reads(kernel.notebook_template(), as_version=4)
    template.cells.append(nbformat.v4.new_code_cell(
        f'assert region != "511381", {SCRIPT!r}', id="fails-for-511381"))
    variant = tmp_path / "variant.ipynb"
    nbformat.write(template, variant)
    out = tmp_path / "out"
    goldens = ["150300", "511300", "210114", "350128", "230000"]
    argv = ["--store", str(bundled), "--out", str(out), "--workers", "2", "--quiet",
            "--notebook", str(variant), "--region", "999999", "--region", "../../etc",
            *(a for code in [*goldens, "511381"] for a in ("--region", code))]

    assert batch.main(argv) == 1  # some regions failed, the batch still finished

    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    status = {row["adcode"]: (row["status"], row["error"]) for row in index["regions"]}
    assert all(status[c] == ("ok", None) for c in goldens if c != "230000")
    assert status["230000"] == ("no_usable_data", None)  # 黑龙江省: two unreadable reports
    assert status["511381"][0] == "failed" and "AssertionError" in status["511381"][1]
    assert status["999999"][0] == "failed" and status["../../etc"][0] == "failed"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["index.html", "index.json", "511381.ipynb",
                            *(f"{c}.{s}" for c in goldens for s in ("html", "ipynb", "json"))])

    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert" in page
    assert all(f'href="{c}.html"' in page for c in goldens) and "88.4% (38/43)" in page
    assert page.index("没有可用数据的地区") < page.index('href="230000.html"')
    assert page.index('href="210114.html"') < page.index("没有可用数据的地区")
    # the programmers' files sit in their own section, after every region
    assert page.index("数据文件(供程序使用)") < page.index('href="150300.ipynb"')
    for code in goldens:
        html_page = (out / f"{code}.html").read_text(encoding="utf-8")
        assert "<script" not in html_page and "<link" not in html_page
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html_page), "no CDN, no network"
        notebook = (out / f"{code}.ipynb").read_text(encoding="utf-8")
        charts = notebook.count('"image/svg+xml"')
        assert html_page.count('src="data:image/svg+xml;base64,') == charts
        assert (charts >= 3) == (code != "230000")  # nothing to draw without usable figures
        assert "python -m toolkit" not in html_page and ".txt" not in html_page.split(
            "本简报使用和未能使用的报告")[0], "no developer text, no file names up top"
        assert "brief.header()" not in html_page, "input cells are excluded"
        assert str(bundled) not in html_page
        _assert_same_as_golden(out, code)
        record = json.loads((out / f"{code}.json").read_text(encoding="utf-8"))
        _assert_json_matches_direct_computation(bundled, record)


def test_reused_kernel_renders_what_a_fresh_kernel_renders(bundled: Path, tmp_path: Path) -> None:
    """One kernel, two notebooks in a row: the second must not see the first's state.
    A kernel that died is replaced on the next job."""
    jobs = [Job(code, str(bundled)) for code in ("350128", "150300")]
    try:
        results = [batch.render_job(job) for job in jobs]
        assert [r.status for r in results] == ["ok", "ok"]
        assert [r.kernel_reused for r in results] == [0, 1]
        for result in results:
            batch.write_outputs(result, tmp_path)
            _assert_same_as_golden(tmp_path, result.adcode)
        cells = nbformat.read(tmp_path / "150300.ipynb", as_version=4).cells
        counts = [c.execution_count for c in cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), "execution counts restart per notebook"

        live = kernel.session()
        os.kill(live.km.provisioner.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while live.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        again = batch.render_job(jobs[0])
        assert (again.status, again.kernel_reused) == ("ok", 0)
        assert kernel.session() is not live
    finally:
        kernel.close_sessions()


def test_batch_on_a_dask_local_cluster(bundled: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        out = tmp_path / "out"
        code = batch.main(["--store", str(bundled), "--out", str(out), "--quiet",
                               "--scheduler", cluster.scheduler_address,
                               "--region", "150300", "--region", "350128"])
    assert code == 0
    for region in ("150300", "350128"):
        _assert_same_as_golden(out, region)
        record = json.loads((out / f"{region}.json").read_text(encoding="utf-8"))
        _assert_json_matches_direct_computation(bundled, record)
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [r["adcode"] for r in index["regions"]] == ["150300", "350128"]


def test_main_says_what_to_do_without_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                              ) -> None:
    assert batch.main(["--store", str(tmp_path / "nothing"), "--out", str(tmp_path)]) == 2
    assert "`python -m toolkit ingest" in capsys.readouterr().err


def test_plan_orders_levels_and_refuses_bad_codes(bundled: Path) -> None:
    codes, failures = batch.plan(bundled, regions=["350128", "150300", "x/y", "999999"])
    assert codes == ["150300", "350128"]
    assert [f.adcode for f in failures] == ["x/y", "999999"]
    cities, _ = batch.plan(bundled, level="city")
    assert cities[0] == "150300" and all(c.endswith("00") for c in cities)
