"""What a briefing batch passes around: jobs, results, and the only file names it writes.

File names come from the adcode (six ASCII digits, checked), never from text in the data.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ADCODE = re.compile(r"^[0-9]{6}$")


# ---------------------------------------------------------------- names and files

def check_adcode(adcode: str) -> str:
    """Adcodes name output files and are pasted into notebooks: six ASCII digits, nothing else."""
    text = str(adcode).strip()
    if not ADCODE.fullmatch(text):
        raise ValueError(f"region must be a six-digit adcode such as 150300, not {text!r}")
    return text


def write_json(record: dict[str, Any], path: Path) -> None:
    """Stable JSON (sorted keys, UTF-8), written atomically so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(json_bytes(record))
    tmp.replace(path)


def json_bytes(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


# ---------------------------------------------------------------- jobs and results

@dataclass(frozen=True)
class Job:
    """One briefing to render: everything a worker needs, as plain picklable values."""

    adcode: str
    store: str
    years: str = ""
    kind: str = "all"
    template: str = ""
    """The notebook's JSON (empty: notebooks/briefing.ipynb); sent along, so a remote
    Dask worker needs the package and the store, not this checkout."""


@dataclass
class Rendered:
    """What a worker sends back: status, timing, key figures and the files' bytes."""

    adcode: str
    status: str
    error: str | None = None
    seconds: float = 0.0
    record: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    kernel_reused: int = 0
    """How many notebooks the kernel had rendered before this one (0 = fresh kernel)."""

