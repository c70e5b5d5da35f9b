"""What leaves the parser holds plain strings: vocabulary members are `str` subclasses, and
JSON, Parquet and YAML writers should never see the enum type."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from toolkit.parse import parse_report
from toolkit.parse.report import Report
from toolkit.spec.vocab import Flag, Status


def test_the_record_holds_plain_strings(seed_000: Path) -> None:
    report = parse_report(seed_000)
    assert isinstance(report.status, Status)
    record = report.to_record()
    words = [record["status"], record["meta"]["level"], record["meta"]["agency_kind"],
             *record["flags"].values(), *(c["status"] for c in record["checks"])]
    assert words and all(type(word) is str for word in words)
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record


def test_the_frames_hold_plain_strings(seed_000: Path, tmp_path: Path) -> None:
    report = parse_report(seed_000)
    flagged = report.fact_list[0]._replace(flag=Flag.REDACTED)
    report = Report(report.source, report.status, fact_list=[flagged, *report.fact_list[1:]],
                    check_list=report.check_list)
    assert type(report.facts["flag"].iloc[0]) is str
    assert all(type(status) is str for status in report.checks["status"])
    report.facts.to_parquet(tmp_path / "facts.parquet")
    assert pd.read_parquet(tmp_path / "facts.parquet")["flag"].iloc[0] == "redacted"
