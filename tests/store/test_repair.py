"""The store's cross-year repair (toolkit.store.repair) on a real body over two years and on
generated pairs: what an identity with the other year decides is restored exactly, with its
provenance; what it does not decide stays as parsed; never a wrong number."""
from __future__ import annotations

import dataclasses
import gzip
import html
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import BUNDLED, REPO
from toolkit.analysis.corpus import load
from toolkit.analysis.crosscheck import cross_checks
from toolkit.dev.synth import SyntheticReport, random_report, render
from toolkit.parse import parse_text
from toolkit.store import ingest, open_store
from toolkit.store.repair import find_repairs

SERIES = REPO / "tests" / "fixtures" / "series"
HT_2022 = BUNDLED / "dev" / "ht_2022.html"
TEXT_2022 = BUNDLED / "dev" / "gh_005.txt"
"""The 2022 report as text copied from its page: section 二's 行政规范性文件 run together."""
EXPECTED_2022 = json.loads((REPO / "data" / "expected" / "ht_2022.json").read_text("utf-8"))
NORMATIVE = [f"active.normative_docs.{c}" for c in ("issued", "repealed", "in_force")]


def ht_2021() -> str:
    return gzip.decompress((SERIES / "ht_2021.html.gz").read_bytes()).decode("utf-8")


def build(tmp_path: Path, files: dict[str, str | bytes], name: str = "store") -> Path:
    """Write `files` into a folder and ingest it; the store's folder."""
    root = tmp_path / "in"
    root.mkdir(exist_ok=True)
    for old in root.iterdir():
        if old.name not in files:
            old.unlink()
    for file, content in files.items():
        path = root / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    out = tmp_path / name
    ingest(root, out, workers=1, progress=False)
    return out


def query(store: Path, sql: str) -> pd.DataFrame:
    con = open_store(store)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def facts_of(store: Path, file: str, view: str = "facts") -> pd.DataFrame:
    return query(store, f"SELECT f.* FROM {view} AS f JOIN reports USING (report_id) "
                        f"WHERE path LIKE '%/{file}'").set_index("key")


def report_id(store: Path, file: str) -> str:
    return str(query(store, f"SELECT report_id FROM reports WHERE path LIKE '%/{file}'")
               .iloc[0, 0])


# ---------------------------------------------------------------- editing a real page

def edit_row(page: str, label: str, edit: Callable[[list[str]], list[str]]) -> str:
    """`page` with the value cells of the table row labelled `label` (its last occurrence:
    the table, not the prose) replaced by `edit(their texts)`, one plain <td> each; the
    label cell is kept as the publisher wrote it."""
    at = [m.start() for m in re.finditer(re.escape(label), page)][-1]
    start, end = page.rfind("<tr", 0, at), page.index("</tr>", at)
    row = page[start:end]
    cells = re.findall(r"<td\b.*?</td>", row, flags=re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", c)).replace("\xa0", " ").strip()
             for c in cells[1:]]
    head = row[:row.index(cells[0]) + len(cells[0])]
    new = "".join(f"<td>{t or '&nbsp;'}</td>" for t in edit(texts))
    return page[:start] + head + new + page[end:]


def run_together(texts: list[str]) -> list[str]:
    """One cell holding the row's digits with nothing between them."""
    return ["".join(texts)]


def blank(*positions: int) -> Callable[[list[str]], list[str]]:
    return lambda texts: ["" if i in positions else t for i, t in enumerate(texts)]


# ---------------------------------------------------------------- the real series

@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ht_2021 (the page) and gh_005 (2022, the page's text: 8855698 run together)."""
    tmp = tmp_path_factory.mktemp("real")
    return build(tmp, {"ht_2021.html": ht_2021(), "gh_005.txt": TEXT_2022.read_text("utf-8")})


def test_real_run_together_row_is_restored_by_the_year_before(real_store: Path) -> None:
    parsed = facts_of(real_store, "gh_005.txt", "facts_parsed")
    assert set(parsed.loc[NORMATIVE, "flag"]) == {"ambiguous"}
    assert set(parsed.loc[NORMATIVE, "raw"]) == {"8855698"}
    facts = facts_of(real_store, "gh_005.txt")
    assert list(facts.loc[NORMATIVE, "value"]) == [88, 55, 698]
    assert set(facts.loc[NORMATIVE, "flag"]) == {"resolved_cross_year"}
    # every value of the report is the one read by hand from its page: zero wrong numbers
    wrong = {k: (v, facts.loc[k, "value"]) for k, v in EXPECTED_2022["values"].items()
             if v is not None and facts.loc[k, "value"] != v}
    assert wrong == {}
    repairs = query(real_store, "SELECT * FROM repairs ORDER BY key").set_index("key")
    assert list(repairs.index) == sorted(NORMATIVE)
    assert set(repairs["flag_before"]) == {"ambiguous"}
    assert set(repairs["identity"]) == {"regulation_stock_balance"}
    assert set(repairs["report_id"]) == {report_id(real_store, "gh_005.txt")}
    assert set(repairs["other_report_id"]) == {report_id(real_store, "ht_2021.html")}
    assert set(repairs["evidence"]) == {"active.normative_docs.in_force=665"}
    assert set(repairs["n_readings"]) == {15}
    assert "88, 55, 698" in repairs["reason"].iloc[0]


def test_checks_do_not_count_the_repaired_pair_as_evidence(real_store: Path) -> None:
    stock = cross_checks(load(real_store))["regulation_stock"].set_index("row")
    repaired = stock.loc["normative_docs"]
    assert (repaired["status"], bool(repaired["is_repaired"])) == ("not_checkable", True)
    assert (repaired["in_force_before"], repaired["expected"], repaired["actual"]) == (
        665, 698, 698)
    assert (stock.loc["rules", "status"], bool(stock.loc["rules", "is_repaired"])) == (
        "pass", False)


def test_two_readings_left_stay_ambiguous(tmp_path: Path) -> None:
    """2021's row run together as 693665: with 2022's 698 − 88 + 55 = 665 both 69|3|665 and
    6|93|665 remain, so nothing is decided (not even in_force, which both agree on)."""
    page = edit_row(ht_2021(), "行政规范性文件", run_together)
    store = build(tmp_path, {"ht_2021.html": page, "ht_2022.html": HT_2022.read_bytes()})
    facts = facts_of(store, "ht_2021.html")
    assert set(facts.loc[NORMATIVE, "flag"]) == {"ambiguous"}
    assert facts.loc[NORMATIVE, "value"].isna().all()
    assert set(facts.loc[NORMATIVE, "raw"]) == {"693665"}
    assert query(store, "SELECT count(*) FROM repairs").iloc[0, 0] == 0


def test_mutated_row_of_the_later_year_is_restored(tmp_path: Path) -> None:
    """The 2022 page with its own 行政规范性文件 cells glued into one: the same answer as
    the crawler's text copy, from the page's own cells."""
    page = edit_row(HT_2022.read_text("utf-8"), "行政规范性文件", run_together)
    store = build(tmp_path, {"ht_2021.html": ht_2021(), "ht_2022.html": page})
    assert set(facts_of(store, "ht_2022.html", "facts_parsed").loc[NORMATIVE, "flag"]) == {
        "ambiguous"}
    facts = facts_of(store, "ht_2022.html")
    assert list(facts.loc[NORMATIVE, "value"]) == [88, 55, 698]


def test_blanks_become_zero_only_where_the_identity_says_zero(tmp_path: Path) -> None:
    """2022's carried_over natural_person (2021 carried forward 1) and commercial (0) blank,
    2021's carried_forward research (2022 carried over 0) blank, 2022's rules issued blank
    (in_force 0 = 0 + issued − 0)."""
    later = edit_row(HT_2022.read_text("utf-8"), "上年结转政府信息公开申请数量", blank(0, 1))
    later = edit_row(later, ">规章<", blank(0))
    earlier = edit_row(ht_2021(), "结转下年度继续办理", blank(2))
    store = build(tmp_path, {"ht_2021.html": earlier, "ht_2022.html": later})
    new, old = facts_of(store, "ht_2022.html"), facts_of(store, "ht_2021.html")
    parsed = facts_of(store, "ht_2022.html", "facts_parsed")
    for key in ("requests.carried_over.natural_person", "requests.carried_over.commercial",
                "active.rules.issued"):
        assert parsed.loc[key, "flag"] == "blank"
    assert (new.loc["requests.carried_over.commercial", "value"],
            new.loc["requests.carried_over.commercial", "flag"]) == (0, "resolved_cross_year")
    assert (new.loc["active.rules.issued", "value"],
            new.loc["active.rules.issued", "flag"]) == (0, "resolved_cross_year")
    assert (old.loc["requests.carried_forward.research", "value"],
            old.loc["requests.carried_forward.research", "flag"]) == (0, "resolved_cross_year")
    # the identity says 1: a blank never becomes another number
    assert pd.isna(new.loc["requests.carried_over.natural_person", "value"])
    assert new.loc["requests.carried_over.natural_person", "flag"] == "blank"
    repairs = query(store, "SELECT key, flag_before, identity, evidence FROM repairs "
                           "ORDER BY key").values.tolist()
    assert repairs == [
        ["active.rules.issued", "blank", "regulation_stock_balance",
         "active.rules.in_force=0;active.rules.repealed=0,active.rules.in_force=0"],
        ["requests.carried_forward.research", "blank", "carry_forward_chain",
         "requests.carried_over.research=0"],
        ["requests.carried_over.commercial", "blank", "carry_forward_chain",
         "requests.carried_forward.commercial=0"],
    ]
    carry = cross_checks(load(store))["carry_forward"].set_index("column")
    assert (carry.loc["commercial", "status"], bool(carry.loc["commercial", "is_repaired"])) == (
        "not_checkable", True)
    assert (carry.loc["research", "status"], bool(carry.loc["research", "is_repaired"])) == (
        "not_checkable", True)
    assert carry.loc["natural_person", "status"] == "not_checkable"  # still blank
    assert (carry.loc["total", "status"], bool(carry.loc["total", "is_repaired"])) == (
        "pass", False)


def test_a_pair_that_breaks_identity_5_decides_no_blank(tmp_path: Path) -> None:
    """2022 carries over 9 (not 2021's 1) on total: the pair breaks the identity, so its 0s
    are no evidence for the blank commercial cell."""
    later = edit_row(HT_2022.read_text("utf-8"), "上年结转政府信息公开申请数量",
                     lambda t: [t[0], "", *t[2:6], "9"])
    store = build(tmp_path, {"ht_2021.html": ht_2021(), "ht_2022.html": later})
    assert facts_of(store, "ht_2022.html").loc["requests.carried_over.commercial", "flag"] == (
        "blank")
    assert query(store, "SELECT count(*) FROM repairs").iloc[0, 0] == 0


def test_reingest_follows_the_other_year(tmp_path: Path) -> None:
    """Replace 2021 by a copy whose in_force says 666: no reading of 8855698 fits, the repair
    is undone; put the real 2021 back: it is made again. An unchanged run writes nothing."""
    text = TEXT_2022.read_text("utf-8")
    store = build(tmp_path, {"ht_2021.html": ht_2021(), "gh_005.txt": text})
    assert list(facts_of(store, "gh_005.txt").loc[NORMATIVE, "value"]) == [88, 55, 698]
    before = (store / "repairs.parquet").stat().st_mtime_ns
    build(tmp_path, {"ht_2021.html": ht_2021(), "gh_005.txt": text})
    assert (store / "repairs.parquet").stat().st_mtime_ns == before

    other = edit_row(ht_2021(), "行政规范性文件", lambda t: [t[0], t[1], "666"])
    build(tmp_path, {"ht_2021.html": other, "gh_005.txt": text})
    facts = facts_of(store, "gh_005.txt")
    assert set(facts.loc[NORMATIVE, "flag"]) == {"ambiguous"}
    assert facts.loc[NORMATIVE, "value"].isna().all()
    assert query(store, "SELECT count(*) FROM repairs").iloc[0, 0] == 0
    assert facts_of(store, "ht_2021.html").loc["active.normative_docs.in_force", "value"] == 666

    build(tmp_path, {"ht_2021.html": ht_2021(), "gh_005.txt": text})
    assert list(facts_of(store, "gh_005.txt").loc[NORMATIVE, "value"]) == [88, 55, 698]
    with duckdb.connect(str(store / "corpus.duckdb"), read_only=True,
                         config={"file_search_path": str(store)}) as con:
        assert con.execute("SELECT count(*) FROM facts WHERE flag = 'resolved_cross_year'"
                           ).fetchone() == (3,)


# ---------------------------------------------------------------- generated pairs

CITIES = (("乌海市", "海勃湾区"), ("武汉市", "洪山区"), ("广州市", "天河区"), ("成都市", "武侯区"),
          ("杭州市", "西湖区"), ("长沙市", "岳麓区"), ("宁波市", "鄞州区"), ("洛阳市", "洛龙区"))
BODIES = ("教育局", "公安局", "民政局", "司法局", "财政局", "水利局", "商务局", "审计局", "统计局")
CARRY_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service",
                 "other_org", "total")
LABELS = {("requests", "carried_over"): "二、上年结转政府信息公开申请数量",
          ("requests", "carried_forward"): "四、结转下年度继续办理",
          ("active", "normative_docs"): "行政规范性文件"}


def _pair(rng: random.Random, agency: str, version: str, year: int
          ) -> tuple[SyntheticReport, SyntheticReport]:
    """Two consecutive years of one body whose identities 5 and 6 hold (and 1–4 each year),
    carrying forward more than the generator's usual handful (digits to run together)."""
    while True:
        first, second = random_report(rng, version), random_report(rng, version)
        carried = dict(first.values)
        forward = {c: rng.choice((0, 0, rng.randint(1, 30))) for c in CARRY_COLUMNS[1:-1]}
        forward |= {"natural_person": rng.randint(5, 120)}
        forward["total"] = sum(forward.values())
        for column, value in forward.items():
            carried[f"requests.carried_forward.{column}"] = value
            carried[f"requests.new_received.{column}"] = (
                carried[f"requests.total_processed.{column}"] + value
                - carried[f"requests.carried_over.{column}"])
        first = dataclasses.replace(first, values=carried)
        values = dict(second.values)
        for column in CARRY_COLUMNS:
            values[f"requests.carried_over.{column}"] = first.values[
                f"requests.carried_forward.{column}"]
            values[f"requests.new_received.{column}"] = (
                values[f"requests.total_processed.{column}"]
                + values[f"requests.carried_forward.{column}"]
                - values[f"requests.carried_over.{column}"])
        if version == "2021":
            for row in ("rules", "normative_docs"):
                values[f"active.{row}.in_force"] = (
                    first.values[f"active.{row}.in_force"] + values[f"active.{row}.issued"]
                    - values[f"active.{row}.repealed"])
        if all(v >= 0 for k, v in values.items() if not k.endswith(".change")):
            break
    return (dataclasses.replace(first, agency=agency, year=year, published=f"{year + 1}-02-01"),
            dataclasses.replace(second, agency=agency, year=year + 1, values=values,
                                published=f"{year + 2}-02-01"))


def _glued(report: SyntheticReport, table: str, row: str) -> str:
    """The report as text, one cell a line, with `row`'s numbers on one line run together."""
    lines = str(render(report, "lines")).split("\n")
    at = lines.index(LABELS[(table, row)])
    width = sum(k.startswith(f"{table}.{row}.") for k in report.values)
    return "\n".join([*lines[:at + 1], "".join(lines[at + 1:at + 1 + width]),
                      *lines[at + 1 + width:]])


CASES = [  # (version, the year whose row is glued, table, row)
    ("2019", 1, "requests", "carried_over"),
    ("2021", 0, "requests", "carried_forward"),
    ("2021", 1, "active", "normative_docs"),
]


PER_CASE = 10


def _cut_several_ways(text: str, table: str, row: str) -> bool:
    return any(f.flag == "ambiguous" for f in parse_text(text).fact_list
               if (f.table, f.row) == (table, row))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, dict[str, tuple[SyntheticReport, str, str]]]:
    """Pairs of generated reports in one store, one row of one year run together so that
    the parser cuts it several ways (pairs whose glued row cuts one way are drawn again)."""
    rng = random.Random(20261207)
    files: dict[str, str | bytes] = {}
    truth: dict[str, tuple[SyntheticReport, str, str]] = {}
    agencies = iter(f"{city}{county}{body}" for city, county in CITIES for body in BODIES)
    for case, (version, glued, table, row) in enumerate(CASES):
        for n in range(PER_CASE):
            agency = next(agencies)
            for _ in range(500):
                pair = _pair(rng, agency, version, 2019 if version == "2019" else 2021)
                text = _glued(pair[glued], table, row)
                if _cut_several_ways(text, table, row):
                    break
            else:
                raise AssertionError(f"no pair of case {CASES[case]} cuts several ways")
            for index, report in enumerate(pair):
                name = f"{case}{n:02d}_{report.year}.txt"
                files[name] = text if index == glued else str(render(report, "lines"))
                truth[name] = (report, *((table, row) if index == glued else ("", "")))
    store = build(tmp_path_factory.mktemp("generated"), files)
    return store, truth


def test_generated_pairs_are_restored_and_never_wrong(
        generated: tuple[Path, dict[str, tuple[SyntheticReport, str, str]]]) -> None:
    store, truth = generated
    facts = query(store, "SELECT path, key, value, flag FROM facts JOIN reports "
                         "USING (report_id)")
    parsed = query(store, "SELECT path, key, flag FROM facts_parsed JOIN reports "
                          "USING (report_id)")
    facts["file"], parsed["file"] = (f["path"].str.rsplit("/", n=1).str[-1]
                                     for f in (facts, parsed))
    wrong: list[tuple[str, str, float, float]] = []
    restored: dict[str, int] = {}
    for file, group in facts.groupby("file"):
        report, table, row = truth[str(file)]
        for key, value in zip(group["key"], group["value"], strict=True):
            if not pd.isna(value) and value != report.values[key]:
                wrong.append((str(file), key, value, report.values[key]))
        if table:
            mine = parsed[(parsed["file"] == file)
                          & parsed["key"].str.startswith(f"{table}.{row}.")]
            assert (mine["flag"] == "ambiguous").any()
            done = group[group["key"].str.startswith(f"{table}.{row}.")]
            # a row is decided whole or not at all
            decided = done["flag"] == "resolved_cross_year"
            assert set(done.loc[~decided, "flag"].dropna()) <= {"ambiguous"}
            if decided.any():
                assert done["value"].notna().all()
            restored[f"{table}.{row}"] = restored.get(f"{table}.{row}", 0) + decided.any()
    assert wrong == []
    # carried_over decided by the year before, carried_forward by the year after, a stock
    # row by the year before (these draws: every one; a row two readings fit would stay)
    for row in ("requests.carried_over", "requests.carried_forward", "active.normative_docs"):
        assert restored[row] >= PER_CASE * 3 // 4, restored


def test_generated_repairs_say_how(
        generated: tuple[Path, dict[str, tuple[SyntheticReport, str, str]]]) -> None:
    store, _ = generated
    repairs = query(store, "SELECT r.*, a.year AS year, b.year AS other_year, "
                           "a.body_id = b.body_id AS same_body FROM repairs r "
                           "JOIN reports a USING (report_id) "
                           "JOIN reports b ON b.report_id = r.other_report_id")
    assert len(repairs)
    assert repairs["same_body"].all()
    assert ((repairs["year"] - repairs["other_year"]).abs() == 1).all()
    by_row = repairs["key"].str.rsplit(".", n=1).str[0]
    assert set(repairs.loc[by_row.str.startswith("requests."), "identity"]) == {
        "carry_forward_chain"}
    assert set(repairs.loc[by_row.str.startswith("active."), "identity"]) == {
        "regulation_stock_balance"}
    assert (repairs["n_readings"] > 1).all()
    assert set(repairs["flag_before"]) == {"ambiguous"}


# ---------------------------------------------------------------- the rules, on hand-made facts

COLUMNS = {"requests": CARRY_COLUMNS, "active": ("issued", "repealed", "in_force")}


def _facts(report: str, table: str, row: str, cells: list[float | str | None]
           ) -> list[dict[str, object]]:
    """A row's facts: a number (read as printed), None (blank), `(略)` (flagged) or a run of
    digits (the row's ambiguous cells, as the parser leaves them)."""
    out: list[dict[str, object]] = []
    for column, cell in zip(COLUMNS[table], cells, strict=True):
        value, flag, raw = (cell, None, str(cell)) if isinstance(cell, int) else (
            (None, "blank", "") if cell is None else
            (None, "redacted", cell) if cell == "(略)" else (None, "ambiguous", cell))
        out.append({"report_id": report, "key": f"{table}.{row}.{column}", "table": table,
                    "row": row, "column": column, "value": value, "flag": flag, "raw": raw})
    return out


def _reports(*years: int) -> pd.DataFrame:
    return pd.DataFrame({"report_id": [f"r{y}" for y in years], "body_id": "b",
                         "year": list(years), "template": "2021", "status": "ok",
                         "n_values": 100, "path": [f"{y}.txt" for y in years],
                         "agency": "某局"})


def test_two_decisions_that_disagree_cancel() -> None:
    """8855698 in 2022: 2021's in_force 665 leaves 88|55|698, 2023's 55700 − 2 + 0 leaves
    8|8|55698. One of the two years breaks the identity; nothing says which."""
    facts = pd.DataFrame(_facts("r2021", "active", "normative_docs", [1, 0, 665])
                         + _facts("r2022", "active", "normative_docs", ["8855698"] * 3)
                         + _facts("r2023", "active", "normative_docs", [2, 0, 55700]))
    assert find_repairs(_reports(2021, 2022, 2023), facts).empty
    alone = facts[facts["report_id"] != "r2023"]
    assert list(find_repairs(_reports(2021, 2022), alone)["value"]) == [698, 88, 55]


def test_flagged_evidence_decides_nothing() -> None:
    """The other year's cell must be read as printed: a redacted or blank cell is no
    evidence, and neither is a value the repair itself decided (it reads the parse)."""
    zeros: list[float | str | None] = [0] * 7
    facts = pd.DataFrame(
        _facts("r2021", "requests", "carried_forward", [*zeros[:6], "(略)"])
        + _facts("r2022", "requests", "carried_over", [*zeros[:6], None]))
    assert find_repairs(_reports(2021, 2022), facts).empty


def test_a_row_that_does_not_cut_back_to_its_parse_is_left_alone() -> None:
    """110000011 cuts as 11|0|…|11 or 1|10|0|…|11, so research is 0 in every cut: a parse
    that says research 5 is not the parse of this text (or not laid out as the template
    says), and the store does not second-guess it."""
    run = "110000011"
    good = [run, run, 0, 0, 0, 0, 11]
    before = _facts("r2021", "requests", "carried_forward", [11, 0, 0, 0, 0, 0, 11])
    decided = find_repairs(_reports(2021, 2022), pd.DataFrame(
        before + _facts("r2022", "requests", "carried_over", good)))
    assert list(decided["value"]) == [0, 11]
    assert list(decided["n_readings"]) == [2, 2]
    odd = pd.DataFrame(before + _facts("r2022", "requests", "carried_over",
                                       [run, run, 5, 0, 0, 0, 11]))
    assert find_repairs(_reports(2021, 2022), odd).empty
