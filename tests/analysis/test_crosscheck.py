"""Cross-report checks: a real series passes, a planted break fails where it was planted;
republished reports are found, unrelated ones are not; copied prose is told from new prose.

The corpus holds no body with two consecutive years, so the series is built from a real
report: Pingtan 2022 (dev/gh_005, 2021 template) with its normative-document stock from the
page copy of the same report (dev/ht_2022: 88 issued, 55 repealed, 698 in force), and its
2021 and 2023 neighbours derived from it consistently.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.conftest import BUNDLED, corpus_dirs
from toolkit import store
from toolkit.analysis import corpus as corpus_module
from toolkit.analysis.crosscheck import (
    CARRY_OUT,
    DUPLICATE_OUT,
    PROSE_OUT,
    STOCK_OUT,
    carry_forward_chain,
    copied_prose,
    cross_checks,
    duplicate_reports,
    jaccard,
    prose_text,
    regulation_stock_balance,
    shingles,
)
from toolkit.analysis.indicators import APPLICANTS, wide_values, with_presence
from toolkit.parse import parse_report
from toolkit.parse.report import Report

Values = dict[str, Any]
COLUMNS = [*APPLICANTS, "total"]

_cache: dict[str, Report] = {}


def real(name: str) -> Report:
    """A report of the corpus by file name (stem prefix), parsed once per session."""
    if name not in _cache:
        path = next(p for d in corpus_dirs() for p in sorted(d.iterdir()) if p.name.startswith(name))
        _cache[name] = parse_report(path)
    return _cache[name]


def report_id(name: str) -> str:
    return hashlib.sha256(Path(real(name).source).read_bytes()).hexdigest()


def frames(series: dict[str, tuple[int, Values]], body: str = "350128-03c69e6e9784",
           agency: str = "平潭综合实验区管理委员会", presence: bool = True
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """reports and wide tables for report_id -> (year, values), as the store would give them."""
    reports = pd.DataFrame([
        {"report_id": rid, "path": f"/series/{rid}.txt", "status": "ok", "agency": agency,
         "year": year, "template": "2021", "body_id": body}
        for rid, (year, _) in series.items()])
    facts = pd.DataFrame([
        {"report_id": rid, "key": key, "value": np.nan if value is None else float(value)}
        for rid, (_, values) in series.items() for key, value in values.items()])
    wide = wide_values(facts)
    return reports, (with_presence(wide, facts) if presence else wide)


@pytest.fixture(scope="module")
def pingtan_2022() -> Values:
    """The real 2022 report, its ambiguous normative-document cells read from the page copy."""
    values = dict(real("gh_005").values())
    page = real("ht_2022").values()
    for column in ("issued", "repealed", "in_force"):
        key = f"active.normative_docs.{column}"
        assert values[key] is None and page[key] is not None
        values[key] = page[key]
    assert (values["active.normative_docs.issued"], values["active.normative_docs.repealed"],
            values["active.normative_docs.in_force"]) == (88, 55, 698)
    return values


@pytest.fixture(scope="module")
def series(pingtan_2022: Values) -> dict[str, tuple[int, Values]]:
    """2021, 2022 (real) and 2023, each year's opening figures the previous year's closing ones."""
    y2022 = pingtan_2022
    y2021 = dict(y2022)
    for column in COLUMNS:  # what 2022 carried over is what 2021 carried forward
        y2021[f"requests.carried_forward.{column}"] = y2022[f"requests.carried_over.{column}"]
    for row in ("rules", "normative_docs"):  # 2021 stock = 2022 stock - issued + repealed
        y2021[f"active.{row}.in_force"] = (y2022[f"active.{row}.in_force"]
                                           - y2022[f"active.{row}.issued"]
                                           + y2022[f"active.{row}.repealed"])
    y2023 = dict(y2022)
    for column in COLUMNS:
        y2023[f"requests.carried_over.{column}"] = y2022[f"requests.carried_forward.{column}"]
        y2023[f"requests.carried_forward.{column}"] = 2 if column in ("natural_person", "total") else 0
    for row, issued, repealed in (("rules", 2, 0), ("normative_docs", 40, 12)):
        y2023[f"active.{row}.issued"] = issued
        y2023[f"active.{row}.repealed"] = repealed
        y2023[f"active.{row}.in_force"] = y2022[f"active.{row}.in_force"] + issued - repealed
    assert y2021["active.normative_docs.in_force"] == 665
    assert y2023["active.normative_docs.in_force"] == 726
    assert y2021["requests.carried_forward.natural_person"] == 1
    return {"pt2021": (2021, y2021), "pt2022": (2022, y2022), "pt2023": (2023, y2023)}


def stack(*wides: pd.DataFrame) -> pd.DataFrame:
    """Wide tables one under the other, presence masks too (pd.concat cannot merge attrs)."""
    masks = [w.attrs.get("presence") for w in wides]
    out = pd.concat([pd.DataFrame(w, copy=False) for w in wides])
    if all(m is not None for m in masks):
        out.attrs["presence"] = pd.concat(masks).fillna(False).astype(bool)
    return out


def planted(series: dict[str, tuple[int, Values]], rid: str, **changes: Any
            ) -> dict[str, tuple[int, Values]]:
    year, values = series[rid]
    return {**series, rid: (year, {**values, **{k.replace("__", "."): v for k, v in changes.items()}})}


# ------------------------------------------------------------------ identity 5


def test_carry_forward_consistent_series_passes(series: dict[str, tuple[int, Values]]) -> None:
    out = carry_forward_chain(*frames(series))
    assert list(out.columns) == CARRY_OUT
    assert len(out) == 2 * len(COLUMNS)
    assert set(out["status"]) == {"pass"}
    assert out[["year_from", "year_to"]].drop_duplicates().values.tolist() == [[2021, 2022],
                                                                                [2022, 2023]]
    first = out[(out["year_from"] == 2021) & (out["column"] == "natural_person")].iloc[0]
    assert (first["expected"], first["actual"]) == (1, 1)
    assert (first["report_id_from"], first["report_id_to"]) == ("pt2021", "pt2022")
    assert first["agency"] == "平潭综合实验区管理委员会"


def test_carry_forward_catches_planted_break(series: dict[str, tuple[int, Values]]) -> None:
    broken = planted(series, "pt2023", requests__carried_over__natural_person=1)
    out = carry_forward_chain(*frames(broken))
    failed = out[out["status"] == "fail"]
    assert len(failed) == 1
    row = failed.iloc[0]
    assert (row["year_from"], row["year_to"], row["column"]) == (2022, 2023, "natural_person")
    assert (row["expected"], row["actual"], row["difference"]) == (0, 1, 1)
    assert (out["status"] == "pass").sum() == len(out) - 1


def test_carry_forward_null_is_not_checkable_and_gap_has_no_row(
        series: dict[str, tuple[int, Values]]) -> None:
    blank = planted(series, "pt2023", requests__carried_over__commercial=None)
    out = carry_forward_chain(*frames(blank))
    assert out.loc[out["status"] == "not_checkable", ["year_to", "column"]].values.tolist() == [
        [2023, "commercial"]]
    gap = {k: v for k, v in series.items() if k != "pt2022"}
    assert carry_forward_chain(*frames(gap)).empty


def test_carry_forward_without_presence_mask(series: dict[str, tuple[int, Values]]) -> None:
    out = carry_forward_chain(*frames(series, presence=False))
    assert len(out) == 2 * len(COLUMNS) and set(out["status"]) == {"pass"}


def test_carry_forward_other_bodies_do_not_chain(series: dict[str, tuple[int, Values]]) -> None:
    one = {"pt2021": series["pt2021"]}
    other_reports, other_wide = frames({"x2022": series["pt2022"]}, body="999999-other")
    reports, wide = frames(one)
    both = pd.concat([reports, other_reports], ignore_index=True)
    assert carry_forward_chain(both, stack(wide, other_wide)).empty


# ------------------------------------------------------------------ identity 6


def test_regulation_stock_consistent_series_passes(series: dict[str, tuple[int, Values]]) -> None:
    out = regulation_stock_balance(*frames(series))
    assert list(out.columns) == STOCK_OUT
    assert len(out) == 4
    assert set(out["status"]) == {"pass"} and (out["balance"] == 0).all()
    docs = out[(out["row"] == "normative_docs") & (out["year_to"] == 2022)].iloc[0]
    assert (docs["in_force_before"], docs["issued"], docs["repealed"], docs["actual"]) == (
        665, 88, 55, 698)


def test_regulation_stock_catches_planted_break(series: dict[str, tuple[int, Values]]) -> None:
    broken = planted(series, "pt2023", active__normative_docs__in_force=729)
    out = regulation_stock_balance(*frames(broken))
    failed = out[out["status"] == "fail"]
    assert len(failed) == 1
    row = failed.iloc[0]
    assert (row["row"], row["year_from"], row["year_to"]) == ("normative_docs", 2022, 2023)
    assert (row["expected"], row["actual"], row["balance"]) == (726, 729, 3)


def test_regulation_stock_needs_2021_template_and_values(
        series: dict[str, tuple[int, Values]]) -> None:
    reports, wide = frames(series)
    old = reports.assign(template=np.where(reports["year"] == 2023, "2019", "2021"))
    out = regulation_stock_balance(old, wide)
    assert set(out["year_to"]) == {2022}
    ambiguous = {k: v for k, v in series.items()}
    ambiguous["pt2022"] = (2022, real("gh_005").values())  # the file's own ambiguous cells
    out = regulation_stock_balance(*frames(ambiguous))
    docs = out[out["row"] == "normative_docs"]
    assert set(docs["status"]) == {"not_checkable"}
    assert set(out.loc[out["row"] == "rules", "status"]) == {"pass"}


# ------------------------------------------------------------------ duplicates


@pytest.fixture(scope="module")
def parsed_corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeds and the dev reports with full tables, as reports and wide tables."""
    names = ["000_", "001_", "002_", "003_", "004_", "enc_gb18030_001", "gh_005", "ht_2022"]
    rows, facts = [], []
    for name in names:
        report = real(name)
        rid = report_id(name)
        rows.append({"report_id": rid, "path": report.source, "status": report.status,
                     **{k: report.meta[k] for k in ("agency", "year", "template", "body_id")}})
        facts += [{"report_id": rid, "key": k, "value": np.nan if v is None else float(v)}
                  for k, v in report.values().items()]
    frame = pd.DataFrame(facts)
    return pd.DataFrame(rows), with_presence(wide_values(frame), frame)


def groups_of(out: pd.DataFrame, kind: str) -> set[frozenset[str]]:
    chosen = out[out["kind"] == kind]
    return {frozenset(Path(p).name.split("_")[0] if "seeds" in p else Path(p).stem
                      for p in g["path"]) for _, g in chosen.groupby("group_id")}


def test_republished_reports_are_found(parsed_corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    out = duplicate_reports(*parsed_corpus)
    assert list(out.columns) == DUPLICATE_OUT
    # the GB18030 copy of seed 001, and the Pingtan report as a text file and as a web page
    # (where three cells the text file leaves ambiguous are read: still the same report)
    assert groups_of(out, "same_values") == {frozenset({"001", "enc_gb18030_001"}),
                                             frozenset({"gh_005", "ht_2022"})}
    assert groups_of(out, "same_body_year") == set()
    assert out["reason"].str.contains("same agency; same body_id").all()
    assert out.groupby("group_id").size().tolist() == [2, 2]


def test_same_body_year_with_other_values_is_flagged(
        parsed_corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    reports, wide = parsed_corpus
    seed = reports[reports["path"].str.contains("003_")].iloc[0]
    corrected = pd.DataFrame(wide, copy=False).loc[[seed["report_id"]]].rename(
        index={seed["report_id"]: "corrected"})
    corrected["requests.new_received.total"] += 1  # a corrected re-issue of the report
    out = duplicate_reports(pd.concat([reports, seed.to_frame().T.assign(
        report_id="corrected", path="/elsewhere/003_corrected.txt")], ignore_index=True),
        stack(wide, corrected))
    flagged = out[out["kind"] == "same_body_year"]
    assert set(flagged["report_id"]) == {seed["report_id"], "corrected"}
    assert flagged["reason"].str.contains("values differ").all()
    assert len(groups_of(out, "same_values")) == 2


def test_renamed_copy_is_found_and_zero_tables_are_not(
        parsed_corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    reports, wide = parsed_corpus
    seed = reports[reports["path"].str.contains("000_")].iloc[0]
    renamed = seed.to_frame().T.assign(report_id="spam", path="/spam/page.html",
                                       agency="某某娱乐城人民政府", body_id="unplaced-spam")
    copy = pd.DataFrame(wide, copy=False).loc[[seed["report_id"]]].rename(
        index={seed["report_id"]: "spam"})
    zeros = pd.DataFrame(0.0, index=["zero_a", "zero_b"], columns=wide.columns)
    zero_reports = pd.DataFrame([{"report_id": r, "path": f"/z/{r}", "agency": r, "year": 2021,
                                  "body_id": r} for r in zeros.index])
    out = duplicate_reports(pd.concat([reports, renamed, zero_reports], ignore_index=True),
                            stack(wide, copy, zeros))
    spam = out[out["report_id"].isin([seed["report_id"], "spam"])]
    assert len(spam) == 2 and spam["group_id"].nunique() == 1
    assert spam["reason"].str.contains("agencies differ; body_ids differ").all()
    assert not out["report_id"].isin(["zero_a", "zero_b"]).any()


# ------------------------------------------------------------------ copied prose


def sections_of(report_id: str, report: Report, replace: dict[str, str] | None = None
                ) -> list[dict[str, str]]:
    texts = {**report.sections, **(replace or {})}
    return [{"report_id": report_id, "section": k, "text": v} for k, v in texts.items()]


def test_copied_prose() -> None:
    pingtan, other = real("gh_005"), real("000_")
    shifted = {k: v.replace("2022", "2023") for k, v in pingtan.sections.items()}
    reports = pd.DataFrame([
        {"report_id": "a2022", "body_id": "pt", "agency": "平潭", "year": 2022},
        {"report_id": "a2023", "body_id": "pt", "agency": "平潭", "year": 2023},
        {"report_id": "b2022", "body_id": "wh", "agency": "乌海", "year": 2022},
        {"report_id": "b2023", "body_id": "wh", "agency": "乌海", "year": 2023},
    ])
    sections = pd.DataFrame([
        *sections_of("a2022", pingtan, {"other": "无"}),
        *sections_of("a2023", pingtan, {**shifted, "other": "无"}),
        *sections_of("b2022", pingtan),
        *sections_of("b2023", other),
    ])
    out = copied_prose(reports, sections)
    assert list(out.columns) == PROSE_OUT
    got: dict[tuple[str, str], dict[Any, Any]] = {
        (r["body_id"], r["section"]): r for r in out.to_dict("records")}
    assert got[("pt", "overview")]["is_copied"]
    assert got[("pt", "overview")]["similarity"] == pytest.approx(1.0)
    assert got[("pt", "overview")]["chars_from"] > 1000
    assert got[("pt", "problems")]["is_copied"]
    assert not got[("wh", "overview")]["is_copied"]
    assert got[("wh", "overview")]["similarity"] < 0.3
    assert not got[("wh", "problems")]["is_copied"]
    never = got[("pt", "other")]  # "无" on both sides: not judged
    assert pd.isna(never["is_copied"]) and pd.isna(never["similarity"])
    assert (never["chars_from"], never["chars_to"]) == (1, 1)


def test_rewritten_paragraph_lowers_similarity() -> None:
    text = real("gh_005").sections["overview"]
    half = len(text) // 2
    rewritten = text[:half] + real("003_").sections["overview"][:half]
    assert 0.3 < jaccard(shingles(prose_text(text)), shingles(prose_text(rewritten))) < 0.9


def test_page_chrome_is_not_prose() -> None:
    other = real("ht_2022").sections["other"]
    assert "附件下载" in other
    assert prose_text(other) == "2022年,无收取信息处理费情况。"
    assert prose_text("一、 总体情况\n  本机关\t坚持\n关闭\n打印") == "一、总体情况本机关坚持"


# ------------------------------------------------------------------ on a real store


def test_cross_checks_on_a_store(tmp_path: Path) -> None:
    store.ingest(BUNDLED, tmp_path / "store", workers=1, progress=False)
    tables = cross_checks(corpus_module.load(tmp_path / "store"))
    assert list(tables) == ["carry_forward", "regulation_stock", "duplicates", "copied_prose"]
    for name, columns in (("carry_forward", CARRY_OUT), ("regulation_stock", STOCK_OUT),
                          ("duplicates", DUPLICATE_OUT), ("copied_prose", PROSE_OUT)):
        assert list(tables[name].columns) == columns, name
    # one_per_body_year keeps one of each pair; the duplicate check still sees both
    names = {Path(p).name for p in tables["duplicates"]["path"]}
    assert {"enc_gb18030_001.txt", "gh_005.txt", "ht_2022.html"} <= names
    assert tables["duplicates"]["group_id"].nunique() == 2
