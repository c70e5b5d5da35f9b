"""The research export: every file holds the store's numbers, under names and labels its
reader (Stata, Excel, R, a Frictionless validator) accepts."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import frictionless
import numpy as np
import openpyxl
import pandas as pd
import pytest

from tests.conftest import REPO, SEED_000, SEED_001, SEED_003, seed_file
from toolkit.analysis.corpus import Corpus, load
from toolkit.present.codebook import FLAG_CODES, flag_value_labels
from toolkit.present.export import FORMATS, ExportError, parse_formats, write_export
from toolkit.spec.fields import CODEBOOK, EXPORT_TABLES
from toolkit.store import ingest

TABLES = list(EXPORT_TABLES)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("in")
    for name in (SEED_000, SEED_001, SEED_003):
        shutil.copy(seed_file(name), root / name)
    shutil.copy(seed_file(SEED_000), root / "copy_of_000.txt")
    (root / "not_a_report.txt").write_text("今天天气很好。\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("store")
    ingest(root, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def corpus(store: Path) -> Corpus:
    return load(store)


@pytest.fixture(scope="module")
def out(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export")
    write_export(store, target)
    return target


@pytest.fixture(scope="module")
def store_facts(corpus: Corpus) -> pd.DataFrame:
    return corpus.con.sql("SELECT report_id, key, value, flag FROM facts").df()


def read(out: Path, table: str, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(out / f"{table}.csv", encoding="utf-8-sig", keep_default_na=False,
                           na_values=[""], dtype={"report_id": str, "adcode": str,
                                                  "region": str, "body_id": str})
    if fmt == "parquet":
        return pd.read_parquet(out / f"{table}.parquet")
    if fmt == "xlsx":
        return pd.read_excel(out / "export.xlsx", sheet_name=table, engine="openpyxl",
                             dtype={"report_id": str, "adcode": str, "region": str})
    frame = pd.read_stata(out / f"{table}.dta", convert_categoricals=False)
    if "flag" in frame.columns:
        names = {code: flag for flag, code in FLAG_CODES.items()}
        frame["flag"] = frame["flag"].map(names)
    return frame.replace("", None)


def by_cell(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[float | None, str | None]]:
    def plain(value: object) -> object:
        return None if value is None or (isinstance(value, float) and np.isnan(value)) else value
    return {(r.report_id, r.key): (plain(r.value), plain(r.flag))
            for r in frame[["report_id", "key", "value", "flag"]].itertuples()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_fact_equals_the_stores(out: Path, store_facts: pd.DataFrame, fmt: str) -> None:
    exported = read(out, "facts", fmt)
    assert len(exported) == len(store_facts) > 500
    assert by_cell(exported) == by_cell(store_facts)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_file_has_the_codebooks_columns(out: Path, fmt: str) -> None:
    book = read(out, "codebook", "parquet")
    for table in TABLES:
        assert list(read(out, table, fmt).columns) == list(book.loc[book["table"] == table,
                                                                    "name"])


def test_panel_holds_the_reports_values_and_indicators(out: Path, corpus: Corpus,
                                                       store_facts: pd.DataFrame) -> None:
    panel = read(out, "panel", "parquet")
    book = read(out, "codebook", "parquet").query("table == 'panel'")
    column_of = dict(zip(book["key"], book["name"], strict=True))
    assert sorted(panel["report_id"]) == sorted(corpus.reports["report_id"])
    assert panel[["body_id", "year"]].duplicated().sum() == 0
    rows = panel.set_index("report_id")
    cells = store_facts[store_facts["report_id"].isin(rows.index)]
    assert len(cells) > 500
    for cell in cells.itertuples():
        got = rows.at[cell.report_id, column_of[cell.key]]
        assert (np.isnan(got) and pd.isna(cell.value)) or got == cell.value, cell
    figures = corpus.indicators()
    for figure in figures.itertuples():
        got = rows.at[figure.report_id, column_of[figure.indicator]]
        assert (np.isnan(got) and pd.isna(figure.value)) or got == pytest.approx(figure.value)


def test_reports_row_per_input_and_panel_marked(out: Path, corpus: Corpus) -> None:
    reports = read(out, "reports", "csv")
    assert sorted(reports["path"]) == sorted(corpus.all_reports["path"])
    assert set(reports["status"]) == {"ok", "duplicate", "failed"}
    assert reports["in_panel"].sum() == len(corpus.reports) == 3


def test_regions_are_the_rollups(out: Path, corpus: Corpus) -> None:
    regions = read(out, "regions", "parquet")
    city = corpus.rollup("city", "government").reset_index()
    mine = regions[(regions["level"] == "city") & (regions["kind"] == "government")]
    merged = mine.merge(city, on=["region", "indicator", "year"], suffixes=("", "_rollup"))
    assert len(merged) == len(city) > 0
    for column in ("numerator", "denominator", "value", "n_bodies", "n_reports"):
        pd.testing.assert_series_equal(merged[column].astype("float64"),
                                       merged[f"{column}_rollup"].astype("float64"),
                                       check_names=False)
    assert set(regions["kind"]) == {"all", "government"}
    assert regions["name"].notna().all()


def test_dta_reopens_with_its_labels(out: Path) -> None:
    book = read(out, "codebook", "parquet")
    with pd.read_stata(out / "panel.dta", iterator=True) as reader:
        labels = reader.variable_labels()
    panel_book = book[book["table"] == "panel"]
    assert labels == dict(zip(panel_book["name"], panel_book["label_zh"], strict=True))
    granted = panel_book.loc[panel_book["key"] == "requests.granted.total", "name"].item()
    assert "予以公开" in labels[granted]
    with pd.read_stata(out / "facts.dta", iterator=True) as reader:
        assert reader.value_labels() == {"flag": flag_value_labels()}
        assert reader.variable_labels()["flag"] == "标记"
    facts = pd.read_stata(out / "facts.dta")
    assert "missing 缺失" in set(facts["flag"].dropna())
    with pd.read_stata(out / "reports.dta", iterator=True) as reader:
        assert reader.data_label == EXPORT_TABLES["reports"].label


def test_xlsx_has_a_sheet_per_table_and_the_codebook(out: Path) -> None:
    book = openpyxl.load_workbook(out / "export.xlsx", read_only=True)
    assert book.sheetnames == TABLES
    header = next(book["codebook"].iter_rows(max_row=1, values_only=True))
    assert list(header) == CODEBOOK.names
    panel_header = next(book["panel"].iter_rows(max_row=1, values_only=True))
    assert "req_granted_total" in panel_header


def test_csv_has_a_bom_and_chinese_intact(out: Path) -> None:
    raw = (out / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "乌海市人民政府" in raw.decode("utf-8-sig")


def test_datapackage_validates_and_describes_every_file(out: Path) -> None:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    files = {r["path"] for r in package["resources"]}
    on_disk = {p.name for p in out.iterdir() if p.name != "datapackage.json"}
    assert files == on_disk
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    facts = next(r for r in package["resources"] if r["name"] == "facts-csv")
    flag = next(f for f in facts["schema"]["fields"] if f["name"] == "flag")
    assert flag["title"] == "标记" and flag["constraints"]["enum"] == list(FLAG_CODES)


def test_a_broken_file_fails_validation(out: Path, tmp_path: Path) -> None:
    """The validation can fail: a fact whose value is not a number is caught."""
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    facts = pd.read_csv(copy / "facts.csv", encoding="utf-8-sig", dtype=str)
    facts.loc[0, "value"] = "七"
    facts.to_csv(copy / "facts.csv", index=False, encoding="utf-8-sig")
    package = frictionless.Package(copy / "datapackage.json")
    report = package.get_resource("facts-csv").validate()
    assert not report.valid
    assert [e.type for task in report.tasks for e in task.errors] == ["type-error"]


def test_names_are_stata_names_never_two_alike(out: Path) -> None:
    book = read(out, "codebook", "parquet")
    for _, names in book.groupby("table")["name"]:
        assert names.str.lower().is_unique
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", n) for n in names)
    assert book.groupby("table")["key"].apply(lambda k: k.is_unique).all()


def test_chosen_formats_only(store: Path, tmp_path: Path) -> None:
    write_export(store, tmp_path, "dta,csv")
    suffixes = {p.suffix for p in tmp_path.iterdir()}
    assert suffixes == {".dta", ".csv", ".json"}


def test_parse_formats() -> None:
    assert parse_formats(None) == FORMATS
    assert parse_formats(" DTA, csv ") == ("csv", "dta")
    with pytest.raises(ExportError, match=r"unknown format 'sav'.*csv, xlsx, dta, parquet"):
        parse_formats("csv,sav")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit", "export", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_cli_bad_input_is_a_clear_error(store: Path, tmp_path: Path) -> None:
    missing = run_cli(str(tmp_path / "nowhere"), "--out", str(tmp_path / "x"))
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: no store at") and "Traceback" not in missing.stderr
    unknown = run_cli(str(store), "--out", str(tmp_path / "y"), "--format", "sav")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: unknown format 'sav'")
    assert not (tmp_path / "y").exists()


def test_cli_writes_the_files(store: Path, tmp_path: Path) -> None:
    done = run_cli(str(store), "--out", str(tmp_path), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "facts" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{t}.csv" for t in TABLES] + ["datapackage.json"])


def test_a_store_without_usable_reports_exports_empty_tables(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "not_a_report.txt").write_text("今天天气很好。\n", encoding="utf-8")
    ingest(root, tmp_path / "store", workers=1, progress=False)
    summary = write_export(tmp_path / "store", tmp_path / "out", "csv,dta")
    assert summary.rows["reports"] == 1
    assert summary.rows["panel"] == summary.rows["facts"] == summary.rows["regions"] == 0
    assert frictionless.validate(tmp_path / "out" / "datapackage.json").valid
    assert len(pd.read_stata(tmp_path / "out" / "panel.dta").columns) > 300


def test_a_string_longer_than_statas_fixed_width_is_a_strl(tmp_path: Path) -> None:
    from toolkit.present.export import _dta

    long = "公开" * 1500
    frame = pd.DataFrame({"raw": [long, None], "flag": ["blank", None]})
    rows = [{"name": "raw", "label_zh": "单元格原文"}, {"name": "flag", "label_zh": "标记"}]
    _dta(frame, tmp_path / "t.dta", rows, "t")
    back = pd.read_stata(tmp_path / "t.dta")
    assert list(back["raw"]) == [long, ""]
    assert list(back["flag"].astype(object).where(back["flag"].notna(), None)) == [
        "blank 空白", None]
