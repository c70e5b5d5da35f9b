"""Supervised parse processes (`toolkit.store.workers`): kept for the next call when asked
(a Dask worker's batches), stopped when a call ends early or keeps nothing."""
from __future__ import annotations

import contextlib
from pathlib import Path

from tqdm import tqdm

from toolkit.parse.report import Report
from toolkit.spec.limits import DEFAULT_LIMITS
from toolkit.spec.vocab import Status
from toolkit.store import workers
from toolkit.store.workers import parse_all


def _ok(path: Path) -> Report:
    return Report(str(path), Status.OK)


def _rows(paths: list[str], keep: bool, take: int | None = None) -> list[str]:
    with tqdm(disable=True) as bar, contextlib.closing(
            parse_all(paths, _ok, 1, bar, DEFAULT_LIMITS, keep=keep)) as rows:
        return [str(row.status) for row, _ in zip(rows, range(take or len(paths)), strict=False)]


def test_kept_workers_serve_the_next_call_and_stop_when_a_call_ends_early(
        tmp_path: Path) -> None:
    paths = [str(tmp_path / f"{i}.txt") for i in range(3)]
    key = (_ok, DEFAULT_LIMITS, 1)
    workers._KEPT.pop(key, None)

    assert _rows(paths, keep=False) == ["ok"] * 3
    assert key not in workers._KEPT

    assert _rows(paths, keep=True) == ["ok"] * 3
    kept = workers._KEPT[key][0].process
    assert kept.is_alive()
    assert _rows(paths, keep=True) == ["ok"] * 3
    assert workers._KEPT[key][0].process is kept

    assert _rows(paths, keep=True, take=1) == ["ok"]
    assert key not in workers._KEPT
    kept.join(timeout=5)
    assert not kept.is_alive()
