"""A large synthetic store placed on real divisions, for benchmarks of queries and briefings.

Parsing is benchmarked on generated report files (`toolkit.dev.bench`); the query layer, the
explorer and the briefings need a store with many bodies, real places and several years
each. This writes such a store straight to Parquet (the layout `toolkit.store` writes), so
a 100,000-report store takes a minute rather than a full ingest.
"""
from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.dev.synth import random_report
from toolkit.places.gazetteer import load_gazetteer
from toolkit.places.regions import place_body
from toolkit.spec.template import load_template
from toolkit.store.schema import CHECKS_SCHEMA, FACTS_SCHEMA, REPORTS_SCHEMA, SECTIONS_SCHEMA

DEPARTMENTS = ("发展和改革委员会", "教育局", "公安局", "民政局", "财政局", "人力资源和社会保障局",
               "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康委员会",
               "市场监督管理局", "应急管理局", "司法局")
YEARS = (2019, 2020, 2021, 2022, 2023)


def _bodies(rng: random.Random, n_bodies: int) -> list[str]:
    gazetteer = load_gazetteer()
    divisions = sorted(gazetteer.divisions.values(), key=lambda d: d.adcode)
    names: set[str] = set()
    while len(names) < n_bodies:
        division = rng.choice(divisions)
        if division.level == "county" and division.name.endswith("区") and division.city:
            place = division.city + division.name
        else:
            place = division.name
        body = "人民政府" if rng.random() < 0.3 else rng.choice(DEPARTMENTS)
        names.add(place + rng.choice(("", "", "", "第二")) + body if body != "人民政府"
                  else place + body)
    return sorted(names)


def build_store(out: str | Path, n_reports: int = 100_000, seed: int = 0,
                batch: int = 10_000) -> Path:
    """Write a store of about `n_reports` reports (bodies × years) to `out`."""
    rng = random.Random(seed)
    out = Path(out)
    for name in ("reports", "facts", "checks", "sections"):
        (out / name).mkdir(parents=True, exist_ok=True)
        for old in (out / name).glob("part-*.parquet"):
            old.unlink()
    bodies = _bodies(rng, max(1, n_reports // len(YEARS)))
    placements = {agency: place_body(agency) for agency in bodies}
    rows: dict[str, list[dict]] = {"reports": [], "facts": [], "checks": [], "sections": []}
    part = 0
    count = 0
    for agency in bodies:
        place = placements[agency]
        for year in YEARS:
            if count >= n_reports:
                break
            version = load_template().version_for_year(year) or "2019"
            report = random_report(rng, version)
            report_id = f"synthetic-{count:07d}"
            count += 1
            rows["reports"].append({
                "report_id": report_id, "path": f"synthetic/{report_id}.txt", "size_bytes": 0,
                "status": "ok", "error": None, "title": f"{agency}{year}年政府信息公开工作年度报告",
                "agency": agency, "year": year, "published": f"{year + 1}-03-{rng.randint(1, 31):02d}",
                "template": version, "province": place.province, "city": place.city,
                "county": place.county, "adcode": place.adcode, "level": place.level,
                "agency_kind": place.agency_kind, "body_id": place.body_id,
                "region_evidence": place.evidence, "region_reason": place.reason,
                "n_values": len(report.values), "n_flagged": 0, "n_checks_failed": 0,
                "duplicate_of": None, "parsed_at_version": "synthetic",
            })
            for key, value in report.values.items():
                table, row, column = key.split(".")
                rows["facts"].append({"report_id": report_id, "key": key, "table": table,
                                      "row": row, "column": column, "value": float(value),
                                      "flag": None, "label": row, "raw": str(value),
                                      "location": -1})
            rows["sections"].append({"report_id": report_id, "section": "problems",
                                     "text": f"{agency}{year}年存在的主要问题及改进情况。"})
            if len(rows["reports"]) >= batch:
                _flush(out, rows, part)
                part += 1
    if rows["reports"]:
        _flush(out, rows, part)
    return out


def _flush(out: Path, rows: dict[str, list[dict]], part: int) -> None:
    schemas = {"reports": REPORTS_SCHEMA, "facts": FACTS_SCHEMA, "checks": CHECKS_SCHEMA,
               "sections": SECTIONS_SCHEMA}
    for name in ("facts", "checks", "sections", "reports"):
        table = pa.Table.from_pylist(rows[name], schema=schemas[name])
        pq.write_table(table, out / name / f"part-{part:05d}.parquet")
        rows[name].clear()
