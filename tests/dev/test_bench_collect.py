"""The collector's benchmark: its politeness arithmetic, and a tiny run end to end."""
from __future__ import annotations

import json
from pathlib import Path

from toolkit.dev import bench_collect
from toolkit.dev.httpsite import Hit


def _hit(path: str, at: float) -> Hit:
    return Hit("GET", path, "127.0.0.1", "ua", "", at)


def test_request_rate_per_host_from_the_server_log() -> None:
    hits = [_hit("/robots.txt", 0.0), *(_hit(f"/{i}", 1.0 + 0.5 * i) for i in range(9))]
    polite = bench_collect.politeness(hits, 0.5)
    assert polite["requests"] == 9
    assert polite["rate_per_s"] == 2.0 and polite["limit_per_s"] == 2.0
    assert polite["min_gap_s"] == 0.5 and polite["most_in_any_second"] == 2


def test_generated_site_has_the_pages_it_says() -> None:
    site = bench_collect.GeneratedSite(10_000)
    assert 9_900 <= site.pages <= 10_100


def test_tiny_run(tmp_path: Path) -> None:
    assert bench_collect.main(["--pages", "60", "--frontier", "300", "--slice", "20",
                               "--polite-pages", "3", "--delay", "0.2",
                               "--out", str(tmp_path)]) == 0
    text = (tmp_path / "collect.md").read_text("utf-8")
    assert "politeness off" in text and "300-URL frontier, 20 fetched" in text
    data = json.loads((tmp_path / "collect.json").read_text("utf-8"))
    assert [r["exit_status"] for r in data["runs"]] == [0, 1, 1, 1]  # pending left: 1
    assert [r["answers"] for r in data["runs"][1:3]] == [20, 20]
    assert data["politeness"]["min_gap_s"] >= 0.19
