"""China's administrative divisions, from the table shipped in this package.

`divisions.csv.gz` (written by `scripts/make_divisions.py`; source, version and license in
`divisions.toml`) holds the statistics bureau's divisions of 2023-06-30 down to the
townships, and the provinces, cities and counties of the table cpca ships (taken as 2021), each
name with the snapshot years that list it. A county renamed since (滦县 → 滦州市) keeps its
old name here, so an older report still places, and `renames.csv` says which code replaced
it (`current_code`), so a body keeps one id across the rename.

We index every candidate for a name (朝阳区 is in Beijing and in Changchun) rather than use an
address matcher, to decide between them on evidence. The table is read once, when first
needed; the townships (41,000 names) only when a township is looked up.
"""
from __future__ import annotations

import csv
import gzip
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

from toolkit.spec.vocab import Level

MUNICIPALITIES = ("11", "12", "31", "50")
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


DIVISIONS_FILE = "divisions.csv.gz"
RENAMES_FILE = "renames.csv"
_LEVELS = {1: Level.PROVINCE, 2: Level.CITY, 3: Level.COUNTY, 4: Level.TOWNSHIP}


class TableRow(NamedTuple):
    """One row of `divisions.csv.gz`: a division under one name, and the snapshot years
    (2021: cpca's table; 2023: the statistics bureau's) that list it so."""

    code: str
    name: str
    level: int
    parent: str
    seen_from: int
    seen_to: int


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: Level
    province: str
    city: str | None
    county: str | None

    @property
    def parent_names(self) -> tuple[str, ...]:
        """The names of the divisions above this one (a township's county included)."""
        return tuple(n for n in (self.province, self.city, self.county) if n and n != self.name)

    def contains(self, other: Division) -> bool:
        """`other` lies inside this division (and is not this division)."""
        if other.adcode == self.adcode:
            return False
        if self.level == Level.PROVINCE:
            return other.adcode[:2] == self.adcode[:2]
        if self.level == Level.CITY:
            return other.adcode[:4] == self.adcode[:4]
        if self.level == Level.COUNTY:
            return len(other.adcode) > 6 and other.adcode[:6] == self.adcode
        return False


def cpca_table_path() -> Path:
    """cpca's division table: the 2021 snapshot `scripts/make_divisions.py` reads."""
    spec = find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca package is needed for its division table: pip install cpca")
    return Path(spec.origin).parent / "resources" / "adcodes.csv"


def _nations(folder: Path) -> list[str]:
    path = folder / "56_nations.csv"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def short_form(name: str, nations: Iterable[str]) -> str | None:
    """Everyday short form of an autonomous unit: 积石山保安族东乡族撒拉族自治县 → 积石山县."""
    for suffix, short in (("自治县", "县"), ("自治州", "州"), ("自治旗", "旗")):
        if name.endswith(suffix):
            cut = min((name.find(n) for n in nations if n and name.find(n) > 0), default=-1)
            if cut > 1:
                return name[:cut] + short
    return None


def is_statistical_zone(code: str) -> bool:
    """County-level codes 7x are the statistics bureau's development zones, not GB/T 2260."""
    return len(code) == 6 and code[4] == "7"


class Hierarchy:
    """Names of the divisions above a code, by the table's parent links (current names)."""

    def __init__(self, rows: Iterable[TableRow]) -> None:
        self.current: dict[str, TableRow] = {}
        for row in rows:
            known = self.current.get(row.code)
            if known is None or row.seen_to > known.seen_to:
                self.current[row.code] = row

    def division(self, row: TableRow) -> Division:
        level = _LEVELS[row.level]
        parents = self._ancestors(row)
        province = parents.get(1, row.name if row.level == 1 else "")
        city = parents.get(2, row.name if row.level == 2 else None)
        county = parents.get(3, row.name if row.level == 3 else None)
        return Division(row.code, row.name, level, province, city,
                        county if row.level >= 3 else None)

    def _ancestors(self, row: TableRow) -> dict[int, str]:
        found: dict[int, str] = {}
        parent = self.current.get(row.parent)
        while parent is not None:
            found[parent.level] = parent.name
            parent = self.current.get(parent.parent)
        return found


class Gazetteer:
    """Name → divisions index (provinces, cities, counties) with the hierarchy of each."""

    def __init__(self, rows: Iterable[TableRow], nations: Iterable[str],
                 superseded: Iterable[str] = ()) -> None:
        """`superseded`: old codes whose name lives on under a new code (定州市 139001 →
        130682); the name is looked up as the new one only."""
        rows = [r for r in rows if r.level <= 3 and not is_statistical_zone(r.code)]
        hierarchy = Hierarchy(rows)
        self.divisions: dict[str, Division] = {
            code: hierarchy.division(row) for code, row in hierarchy.current.items()}
        skip = set(superseded)
        nations = tuple(nations)
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for row in rows:
            if row.code in skip:
                continue
            division = hierarchy.division(row)
            self.by_name[division.name].append(division)
            short = short_form(division.name, nations)
            if short and short != division.name:
                self.by_name[short].append(division)
        ordered = sorted(self.by_name, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(n) for n in ordered))
        self._lengths = sorted({len(n) for n in self.by_name}, reverse=True)

    def lookup(self, name: str) -> list[Division]:
        return list(self.by_name.get(name, ()))

    def mentions(self, text: str) -> Counter[str]:
        """How often each division name (or short form) occurs in `text`, by adcode."""
        counts: Counter[str] = Counter()
        for match in self._pattern.finditer(text):
            for division in self.by_name[match.group()]:
                counts[division.adcode] += 1
        return counts

    def names_in(self, text: str) -> Counter[str]:
        return Counter(m.group() for m in self._pattern.finditer(text))

    def leading(self, text: str) -> str | None:
        """The division name `text` starts with (longest), if any."""
        for size in self._lengths:
            if size <= len(text) and text[:size] in self.by_name:
                return text[:size]
        return None


class Townships:
    """Township name → the townships (乡, 镇, 街道, 苏木…) of that name, each a Division whose
    adcode is its nine-digit code and whose `county` is its county (None for a town directly
    under a city, 东莞市's, or under a development zone)."""

    def __init__(self, rows: Iterable[TableRow]) -> None:
        rows = list(rows)
        hierarchy = Hierarchy(rows)
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for row in rows:
            if row.level != 4:
                continue
            town = hierarchy.division(row)
            if is_statistical_zone(row.parent):
                town = Division(town.adcode, town.name, town.level, town.province, town.city, None)
            self.by_name[town.name].append(town)

    def lookup(self, name: str) -> list[Division]:
        """Townships called `name`; a 街道办事处 is looked up as its 街道."""
        if name.endswith("办事处") and name[:-3].endswith("街道"):
            name = name[:-3]
        return list(self.by_name.get(name, ()))


@cache
def _table_lines() -> tuple[str, ...]:
    data = (resources.files("toolkit.places") / DIVISIONS_FILE).read_bytes()
    return tuple(gzip.decompress(data).decode("utf-8").splitlines()[1:])


def _rows(lines: Iterable[str]) -> tuple[TableRow, ...]:
    return tuple(TableRow(code, name, int(level), parent, int(first), int(last))
                 for code, name, level, parent, first, last in csv.reader(lines))


@cache
def table_rows(max_level: int = 4) -> tuple[TableRow, ...]:
    """The rows of `divisions.csv.gz` down to `max_level` (the file is ordered by level)."""
    lines = _table_lines()
    if max_level < 4:
        end = next((i for i, line in enumerate(lines) if line.split(",", 3)[2] > str(max_level)),
                   len(lines))
        lines = lines[:end]
    return _rows(lines)


@cache
def renames() -> dict[str, str]:
    """Old code → the 2023 code that replaced it (`renames.csv`)."""
    text = (resources.files("toolkit.places") / RENAMES_FILE).read_text(encoding="utf-8")
    return {row["old_code"]: row["new_code"] for row in csv.DictReader(text.splitlines())}


@cache
def _same_name_renames() -> frozenset[str]:
    text = (resources.files("toolkit.places") / RENAMES_FILE).read_text(encoding="utf-8")
    return frozenset(row["old_code"] for row in csv.DictReader(text.splitlines())
                     if row["old_name"] == row["new_name"])


def current_code(code: str) -> str:
    """The code a division has today: 肥乡县's 130428 → 肥乡区's 130407; others unchanged."""
    return renames().get(code, code)


@cache
def nation_names() -> tuple[str, ...]:
    """The 56 nationalities' names (壮族, 回族, …) as cpca lists them."""
    return tuple(_nations(cpca_table_path().parent))


@cache
def load_gazetteer() -> Gazetteer:
    return Gazetteer(table_rows(3), nation_names(), _same_name_renames())


@cache
def load_townships() -> Townships:
    return Townships(table_rows())
