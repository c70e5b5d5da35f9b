"""The division table: what it holds, where it came from, renames, and that it loads lazily."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from importlib import resources
from types import ModuleType

import pytest

from tests.conftest import REPO
from toolkit.places.gazetteer import (
    current_code,
    load_gazetteer,
    load_townships,
    renames,
    table_rows,
)
from toolkit.places.regions import place_body


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_divisions",
                                                  REPO / "scripts" / "make_divisions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_metadata_names_source_version_and_license() -> None:
    text = (resources.files("toolkit.places") / "divisions.toml").read_text(encoding="utf-8")
    meta = tomllib.loads(text)
    assert (meta["source"]["package"], meta["source"]["version"]) == ("china-division", "2.7.0")
    assert meta["source"]["license"] == "MIT" and meta["source"]["integrity"].startswith("sha512-")
    assert meta["source"]["data_as_of"] == "2023-06-30"
    size = (resources.files("toolkit.places") / "divisions.csv.gz").read_bytes()
    assert meta["files"]["divisions"]["bytes"] == len(size)
    levels = {f"level{n}": sum(1 for r in table_rows() if r.level == n) for n in (1, 2, 3, 4)}
    assert meta["rows"] == levels


def test_table_holds_four_levels_each_under_its_parent() -> None:
    rows = table_rows()
    codes = {r.code: r for r in rows}
    assert sum(1 for r in rows if r.level == 4) == 41_352
    for row in rows:
        if row.level > 1:
            assert codes[row.parent].level < row.level, row
            assert row.code.startswith(row.parent[:2]), row
        assert row.seen_from <= row.seen_to and {row.seen_from, row.seen_to} <= {2021, 2023}
    # the table is ordered by level, so the county-level gazetteer reads a prefix of it
    assert [r.level for r in rows] == sorted(r.level for r in rows)
    assert table_rows(3) == tuple(r for r in rows if r.level <= 3)


def test_a_township_is_in_its_county() -> None:
    (town,) = load_townships().lookup("万潮镇")
    assert (town.adcode, town.province, town.city, town.county) == (
        "522601106", "贵州省", "黔东南苗族侗族自治州", "凯里市")
    assert len(load_townships().lookup("城关镇")) == 88
    assert load_townships().lookup("新华街道办事处") == load_townships().lookup("新华街道")


def test_a_town_of_a_city_without_counties_has_no_county() -> None:
    (town,) = load_townships().lookup("石碣镇")
    assert (town.city, town.county, town.adcode[:6]) == ("东莞市", None, "441900")
    p = place_body("石碣镇人民政府")
    assert (p.city, p.county, p.adcode, p.level) == ("东莞市", None, "441900", "township")


@pytest.mark.parametrize(("old", "new"), [
    ("滦县人民政府", "滦州市人民政府"),  # a county became a county-level city: new code
    ("肥乡县财政局", "肥乡区财政局"),  # a county became a district
    ("邢台市桥东区人民政府", "邢台市襄都区人民政府"),  # renamed under the same code
    ("辛集市人民政府", "辛集市人民政府"),
])
def test_a_renamed_county_keeps_its_body_id(old: str, new: str) -> None:
    before, after = place_body(old), place_body(new)
    assert before.adcode and after.adcode and before.reason is None and after.reason is None
    assert before.body_id == after.body_id
    assert before.body_id is not None and before.body_id.startswith(current_code(after.adcode))


def test_a_county_merged_away_keeps_its_own_id() -> None:
    """大同县 became 云州区, but by no name the data can prove: it is not mapped."""
    assert "140227" not in renames()
    assert place_body("大同县人民政府").body_id != place_body("大同市云州区人民政府").body_id


def test_a_name_moved_to_a_new_code_is_not_ambiguous() -> None:
    p = place_body("定州市人民政府")  # 139001 in cpca's table, 130682 in 2023
    assert (p.adcode, p.city, p.reason) == ("130682", "保定市", None)
    assert [d.adcode for d in load_gazetteer().lookup("定州市")] == ["130682"]


def test_renames_are_one_to_one_within_a_province() -> None:
    mapped = renames()
    assert len(set(mapped.values())) == len(mapped)
    assert all(old[:2] == new[:2] for old, new in mapped.items())
    assert mapped["130223"] == "130284" and current_code("150302") == "150302"


def test_rename_rules_map_only_what_the_data_proves() -> None:
    script = _script()
    old = [("130200", "唐山市", 2, "130000"), ("130223", "滦县", 3, "130200"),
           ("140227", "大同县", 3, "140200"), ("141001", "城区", 3, "141000"),
           ("141002", "城区甲", 3, "141000"), ("139001", "定州市", 3, "130000")]
    new = [("130200", "唐山市", 2, "130000"), ("130284", "滦州市", 3, "130200"),
           ("140215", "云州区", 3, "140200"), ("141003", "城区乙", 3, "141000"),
           ("130682", "定州市", 3, "130600")]
    found = {row[0]: (row[2], row[4]) for row in script.renames(old, new)}
    assert found == {"130223": ("130284", "same name root in the same city"),
                     "139001": ("130682", "same name")}


def test_division_table_loads_lazily() -> None:
    """Placing a county-level body reads levels 1–3 only; the townships wait for a township."""
    code = ("from toolkit.places.regions import place_body\n"
            "from toolkit.places.gazetteer import load_townships\n"
            "place_body('乌海市海勃湾区发展和改革委员会')\n"
            "print(load_townships.cache_info().currsize)\n"
            "place_body('万潮镇人民政府')\n"
            "print(load_townships.cache_info().currsize)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split() == ["0", "1"]
