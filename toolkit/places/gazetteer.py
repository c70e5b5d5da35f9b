"""China's administrative divisions (GB/T 2260) from the table the `cpca` package ships.

We read cpca's division table directly (3,500 provinces, cities and counties with their
adcodes) rather than its address matcher, because we need every candidate for a name
(朝阳区 is in Beijing and in Changchun) to decide between them on evidence.
"""
from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from toolkit.spec.vocab import Level

MUNICIPALITIES = ("11", "12", "31", "50")
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


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
        return tuple(n for n in (self.province, self.city) if n and n != self.name)

    def contains(self, other: Division) -> bool:
        """`other` lies inside this division (and is not this division)."""
        if other.adcode == self.adcode:
            return False
        if self.level == Level.PROVINCE:
            return other.adcode[:2] == self.adcode[:2]
        if self.level == Level.CITY:
            return other.adcode[:4] == self.adcode[:4]
        return False


def _table_path() -> Path:
    spec = find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca package is needed for its division table: pip install cpca")
    return Path(spec.origin).parent / "resources" / "adcodes.csv"


def _nations(folder: Path) -> list[str]:
    path = folder / "56_nations.csv"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def short_form(name: str, nations: list[str]) -> str | None:
    """Everyday short form of an autonomous unit: 积石山保安族东乡族撒拉族自治县 → 积石山县."""
    for suffix, short in (("自治县", "县"), ("自治州", "州"), ("自治旗", "旗")):
        if name.endswith(suffix):
            cut = min((name.find(n) for n in nations if n and name.find(n) > 0), default=-1)
            if cut > 1:
                return name[:cut] + short
    return None


class Gazetteer:
    """Name → divisions index with the hierarchy of each division."""

    def __init__(self, rows: list[tuple[str, str]], nations: list[str]) -> None:
        names = {code: name for code, name in rows}
        self.divisions: dict[str, Division] = {}
        for code, name in rows:
            if name in _PLACEHOLDERS:
                continue
            province = names.get(code[:2] + "0000", name)
            if code.endswith("0000"):
                self.divisions[code] = Division(code, name, Level.PROVINCE, name, None, None)
                continue
            city_name = names.get(code[:4] + "00")
            if city_name in _PLACEHOLDERS or code[:2] in MUNICIPALITIES:
                city_name = None
            if code.endswith("00"):
                self.divisions[code] = Division(code, name, Level.CITY, province, name, None)
            else:
                self.divisions[code] = Division(code, name, Level.COUNTY, province, city_name, name)
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for division in self.divisions.values():
            self.by_name[division.name].append(division)
            short = short_form(division.name, nations)
            if short and short != division.name:
                self.by_name[short].append(division)
        ordered = sorted(self.by_name, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(n) for n in ordered))

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
        match = self._pattern.match(text)
        return match.group() if match else None


@cache
def nation_names() -> tuple[str, ...]:
    """The 56 nationalities' names (壮族, 回族, …) as cpca lists them."""
    return tuple(_nations(_table_path().parent))


@cache
def load_gazetteer() -> Gazetteer:
    path = _table_path()
    with open(path, encoding="utf-8") as handle:
        rows = [(row["adcode"][:6], row["name"]) for row in csv.DictReader(handle)]
    return Gazetteer(rows, _nations(path.parent))
