"""Write toolkit/places/site_pinyin.csv: the pinyin of every division name, for site evidence.

    .venv/bin/python scripts/make_site_pinyin.py          # rewrite the table
    .venv/bin/python scripts/make_site_pinyin.py --check  # exit 1 if it is out of date

One row per spelling a host name may use (`pinyin,shown,name`): every name of the gazetteer
(cpca's division table, with the everyday short forms of autonomous units) and of the
national new areas of toolkit/places/sites.toml, in full (平潭县 → pingtanxian) and, for
divisions, without the generic ending (平潭 → pingtan). Built with pypinyin (the dev extra);
the rules are `toolkit.places.site.pinyin_rows`. The table is data so a placement does not
change with the pinyin library; tests/places/test_site.py checks it is current.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.places.site import PINYIN_FILE, pinyin_rows  # noqa: E402

OUT = REPO / "toolkit" / "places" / PINYIN_FILE


def render() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["pinyin", "shown", "name"])
    writer.writerows(pinyin_rows())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"write toolkit/places/{PINYIN_FILE}")
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run scripts/make_site_pinyin.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
