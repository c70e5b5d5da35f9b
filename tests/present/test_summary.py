"""The main job's summary shows statuses, years, regions and indicators of the bundled corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BUNDLED
from toolkit.present.summary import summary_text
from toolkit.store import ingest


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store")
    ingest(BUNDLED, out, workers=1, progress=False)
    return out


def test_summary_names_regions_years_and_indicators(store: Path) -> None:
    text = summary_text(store)
    assert "reports by status:" in text
    assert "years: 2019" in text
    for place in ("内蒙古自治区", "乌海市", "海勃湾区", "于洪区", "平潭县", "积石山保安族东乡族撒拉族自治县"):
        assert place in text
    assert "辽宁省 2019: requests_received=43  disclosure_rate=88.4%" in text
    # a province figure made of one district government says so
    assert "review_correction_rate=80.0%  [县级人民政府 1]" in text
    assert "usable reports (one per body and year): 11" in text
    assert "carry_forward: 42 checked" in text  # 平潭 2019–2025: six links of a chain
