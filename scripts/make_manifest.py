"""Write data/MANIFEST.csv: every bundled report with its origin, hash and what it shows.

Run after copying new real reports from ../shared/corpus into data/corpus:
    .venv/bin/python scripts/make_manifest.py
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
ORIGIN = {
    "seeds": "../shared/corpus/seeds (real report, scraped text)",
    "dev": "../shared/corpus/dev (real report or crawled web page, often cut off)",
}


def describe(path: Path) -> str:
    expected = ROOT / "data" / "expected" / f"{path.stem}.json"
    if not expected.exists():
        return ""
    data = json.loads(expected.read_text(encoding="utf-8"))
    meta = data.get("meta", {})
    what = f"{meta.get('agency') or 'unnamed body'} {meta.get('year')} (template {meta.get('template')})"
    note = (data.get("notes") or "").split(". ")[0]
    return f"{what}; {note}" if note else what


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description="write data/MANIFEST.csv from data/corpus").parse_args(argv)
    rows = []
    for folder in ("seeds", "dev"):
        for path in sorted((CORPUS / folder).iterdir()):
            rows.append({
                "file": path.relative_to(ROOT / "data").as_posix(),
                "source": ORIGIN[folder],
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "bytes": path.stat().st_size,
                "what": describe(path),
            })
    with open(ROOT / "data" / "MANIFEST.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} files listed in data/MANIFEST.csv")


if __name__ == "__main__":
    main()
