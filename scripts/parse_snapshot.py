"""Snapshot every parse of a set of folders, to prove a change leaves the parser's output alone.

    .venv/bin/python scripts/parse_snapshot.py ../shared/corpus /tmp/synth --out before.jsonl
    ... change the code ...
    .venv/bin/python scripts/parse_snapshot.py ../shared/corpus /tmp/synth --out after.jsonl
    .venv/bin/python scripts/parse_snapshot.py --diff before.jsonl after.jsonl

One JSON line per file, in path order: status, error, meta, every fact (value, flag, label,
raw, location), every check and every section's text. `--diff` prints the files whose
lines differ and exits 1 when any do, then what changed in the values: how many cells kept
their number, lost it (became null, with the new flag), gained one, or became a DIFFERENT
number (listed one by one: a change meant to make the parser safer has none of these).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def snapshot(path: Path) -> dict[str, Any]:
    import toolkit

    try:
        report = toolkit.parse_report(path)
    except Exception as error:  # the snapshot records failures as they are
        return {"path": str(path), "error": f"{type(error).__name__}: {error}"}
    return {
        "path": str(path), "status": report.status, "meta": report.meta,
        "facts": [list(f) for f in report.fact_list],
        "checks": [c.as_dict() for c in report.check_list],
        "sections": report.sections, "notes": report.notes,
    }


def write(folders: list[Path], out: Path) -> int:
    files = sorted(p for folder in folders for p in folder.rglob("*")
                   if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    with out.open("w", encoding="utf-8") as handle:
        for path in files:
            handle.write(json.dumps(snapshot(path), ensure_ascii=False, sort_keys=True,
                                    default=str) + "\n")
    print(f"{len(files)} files -> {out}")
    return 0


def diff(before: Path, after: Path) -> int:
    def lines(path: Path) -> dict[str, str]:
        out = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            out[json.loads(line)["path"]] = line
        return out

    old, new = lines(before), lines(after)
    changed = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    for path in changed:
        print(f"differs: {path}")
    print(f"{len(old)} before, {len(new)} after, {len(changed)} differ")
    if changed:
        print(value_changes({p: old.get(p) for p in changed}, {p: new.get(p) for p in changed}))
    return 1 if changed else 0


def _cells(line: str | None) -> dict[str, tuple[Any, Any]]:
    """key -> (value, flag) of one snapshot line (facts are [table, row, column, value, flag, …])."""
    if line is None:
        return {}
    record = json.loads(line)
    return {".".join(f[:3]): (f[3], f[4]) for f in record.get("facts", [])}


def value_changes(old: dict[str, str | None], new: dict[str, str | None]) -> str:
    """A summary of how the cells of the differing files changed, by kind."""
    from collections import Counter

    kinds: Counter[str] = Counter()
    different: list[str] = []
    for path in old:
        before, after = _cells(old[path]), _cells(new[path])
        for key in before.keys() | after.keys():
            (v0, f0), (v1, f1) = before.get(key, (None, "absent")), after.get(key, (None, "absent"))
            if v0 is not None and v1 is not None and v0 != v1:
                different.append(f"  DIFFERENT NUMBER {path} {key}: {v0} -> {v1}")
            elif v0 is not None and v1 is None:
                kinds[f"value -> null ({f1})"] += 1
            elif v0 is None and v1 is not None:
                kinds[f"null ({f0}) -> value"] += 1
            elif f0 != f1:
                kinds[f"flag {f0} -> {f1}"] += 1
    out = [f"  {count:6d}  {kind}" for kind, count in sorted(kinds.items())]
    out.append(f"  {len(different):6d}  value -> a different number")
    return "\n".join(["cells of the differing files:", *out, *different[:50]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.diff:
        return diff(*args.diff)
    if not args.folders or args.out is None:
        parser.error("give folders and --out, or --diff BEFORE AFTER")
    return write(args.folders, args.out)


if __name__ == "__main__":
    sys.exit(main())
