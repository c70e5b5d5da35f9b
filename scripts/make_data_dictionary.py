"""Write docs/DATA_DICTIONARY.md: every table, column, key, flag, check and indicator.

    .venv/bin/python scripts/make_data_dictionary.py          # rewrite the file
    .venv/bin/python scripts/make_data_dictionary.py --check  # exit 1 if it is out of date

Tables, frames and their columns (name, type, unit, description) come from their one
declaration in toolkit.spec.fields, canonical keys from toolkit/spec/template.toml, flags from
toolkit.parse.values, identities from toolkit.parse.checks and indicators from
toolkit.analysis.indicators.INDICATORS, so the dictionary follows the package; the flag
descriptions written here are checked to cover every flag (a new flag fails the test until it
is described). tests/store/test_fields_truth.py holds the store and the query layer to the
declarations.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.analysis.indicators import INDICATORS, Indicator  # noqa: E402
from toolkit.parse.checks import IDENTITIES  # noqa: E402
from toolkit.parse.values import FLAGS  # noqa: E402
from toolkit.spec.fields import (  # noqa: E402
    API_FRAMES,
    FACTS_PARSED,
    PARSE_RECORD,
    REPORTS,
    REPORTS_HISTORY,
    SQL_KEYWORDS,
    STORE_TABLES,
    Table,
)
from toolkit.spec.prose import load_prose  # noqa: E402
from toolkit.spec.template import load_template  # noqa: E402
from toolkit.spec.vocab import (  # noqa: E402
    MIN_PEERS_FOR_SPREAD,
    SMALL_SAMPLE,
    USABLE_MIN_SHARE_READ,
)

OUT = REPO / "docs" / "DATA_DICTIONARY.md"

FLAG_TEXT = {
    "blank": ("空白", "empty cell; never turned into 0 (whether a blank means zero is the "
              "analyst's call)."),
    "redacted": ("涂黑/略", "`*`, `(略)` and the like: withheld by the publisher."),
    "not_applicable": ("不适用", "`/`, `—`, `-` alone."),
    "word_zero": ("无", "the word 无: value 0, flagged so it can be told from a printed 0."),
    "missing": ("缺失", "the row is there but its values are not in the text (e.g. a page cut "
                "off)."),
    "ambiguous": ("歧义", "digits run together with more than one possible split; no guess "
                  "is made."),
    "resolved_cross_year": ("跨年核定", "not a parse's flag: a cell parsed `ambiguous` or "
                            "`blank` that a cross-year identity of the same body decides "
                            "(the store's `repairs`: identity, other report, evidence); "
                            "`facts_parsed` keeps the parse."),
}

CROSS_CHECKS = [
    ("carry_forward_chain", "`requests.carried_forward` of year t == `requests.carried_over` of "
     "year t+1, per applicant column, same body (`toolkit.analysis.crosscheck`)."),
    ("regulation_stock_balance", "2021 template: `active.rules.in_force` (and "
     "`normative_docs`) of year t == year t−1's + `issued` − `repealed` of year t."),
]

GROUPS = {"requests": "依申请公开 requests", "refusal_mix": "不予公开理由构成 refusal mix",
          "applicant_mix": "申请人构成 applicant mix", "review": "复议诉讼 review & litigation",
          "outcomes": "办理结果 outcome counts", "review_counts": "复议诉讼结果 review counts",
          "active": "主动公开 proactive disclosure"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _columns(table: Table, seen: dict[int, str]) -> list[str]:
    """One table's columns as Markdown rows; a field described under an earlier table (the
    same declaration) points there instead of repeating its description."""
    lines = ["| column | 中文 | type | unit | description |", "|---|---|---|---|---|"]
    for field in (*table.index, *table.fields):
        where = seen.get(id(field))
        text = f"as in {where}" if where else field.description
        name = f"`{field.name}`" + (" (index)" if field in table.index else "")
        lines.append(f"| {name} | {field.label} | {field.type} | {_cell(field.unit or '')} | "
                     f"{_cell(text)} |")
        seen.setdefault(id(field), f"`{table.name}`")
    return lines


def _section(table: Table, seen: dict[int, str]) -> list[str]:
    return [f"### `{table.name}` ({table.label})", "", table.description, "",
            *_columns(table, seen), ""]


def _formula(indicator: Indicator) -> str:
    def terms(keys: tuple[str, ...]) -> str:
        if len(keys) <= 3:
            return " + ".join(f"`{k}`" for k in keys)
        common = keys[0].split(".")
        prefix = ".".join(common[:1])
        return f"sum of {len(keys)} `{prefix}.*` keys: " + ", ".join(
            f"`{'.'.join(k.split('.')[1:])}`" for k in keys)
    numerator = terms(indicator.numerator)
    if not indicator.denominator:
        return numerator
    denominator = terms(indicator.denominator)
    if indicator.minus:
        denominator = f"({denominator}) − {terms(indicator.minus)}"
    return f"({numerator}) / ({denominator})"


def _prose_claims() -> list[str]:
    """Identity 7: each claim of toolkit/spec/prose.toml, as a `text_vs_table` scope."""
    out = ["", "Against the report's own prose (`toolkit.parse.prose`; check `text_vs_table`, "
           "`scope` = the claim; the claims and their patterns are declared in "
           "`toolkit/spec/prose.toml`). A claim passes when its number equals the sum of one "
           "of its meanings; a claim without meanings is recorded, never checkable. When a "
           "claimed number sits where a layout slip would have put it (the same column of a "
           "neighbouring row, the next column of the same row), the parse's self-check "
           "(`toolkit.parse.selfcheck`) makes the rows concerned `ambiguous` and says why in "
           "`Report.notes`; it never copies the prose's number into the table.", "",
           "| scope | claim | meanings (keys summed; alternatives separated by \"or\") |",
           "|---|---|---|"]
    versions = load_template().versions_in_order()
    for claim in load_prose().claims:
        by_version = {v: claim.meanings_for(v) for v in versions}
        if len({m for m in by_version.values()}) == 1:
            meanings = _meanings(by_version[versions[0]])
        else:
            meanings = "; ".join(f"{v}: {_meanings(m)}" for v, m in by_version.items())
        out.append(f"| `{claim.name}` | {_cell(claim.description)} | {_cell(meanings)} |")
    return out


def _meanings(meanings: tuple[tuple[str, ...], ...]) -> str:
    if not meanings:
        return "none (not checkable)"
    return " or ".join(" + ".join(f"`{k}`" for k in meaning) for meaning in meanings)


def _key_rows() -> list[str]:
    template = load_template()
    lines = ["| key | 行 row label | 列 column label | templates |", "|---|---|---|---|"]
    for row in template.active_rows:
        columns: dict[str, list[str]] = {}
        for version in template.versions_in_order():
            for column in (row.columns or {}).get(version, ()):
                columns.setdefault(column, []).append(version)
        for column, versions in columns.items():
            label = template.active_columns[column].labels[0]
            unit = template.active_columns[column].unit
            lines.append(f"| `active.{row.key}.{column}` | {row.labels[0]} | {label}"
                         f"{f' ({unit})' if unit else ''} | {', '.join(versions)} |")
    request_columns = [*template.request_columns[:-1], template.subtotal_column,
                       template.request_columns[-1]]
    for row in template.request_rows:
        versions = row.template or ", ".join(template.versions_in_order())
        for column in request_columns:
            note = " (only where printed)" if column == template.subtotal_column else ""
            lines.append(f"| `requests.{row.key}.{column}` | {row.enumerator or ''}"
                         f"{row.labels[0]} | {template.request_column_labels[column]}{note} | "
                         f"{versions} |")
    for review_row in template.review_rows:
        for column in template.review_columns:
            lines.append(f"| `review.{review_row}.{column}` | "
                         f"{template.review_row_labels[review_row]} | "
                         f"{template.review_column_labels[column]} | "
                         f"{', '.join(template.versions_in_order())} |")
    return lines


def render() -> str:
    """The whole dictionary as Markdown (deterministic: same package, same text)."""
    missing = [f"flag {f}" for f in FLAGS if f not in FLAG_TEXT]
    if missing:
        raise KeyError(f"describe these in scripts/make_data_dictionary.py: {missing}")
    template = load_template()
    out = [
        "# Data dictionary",
        "",
        "<!-- Generated by scripts/make_data_dictionary.py from the package: do not edit by "
        "hand; run `.venv/bin/python scripts/make_data_dictionary.py`. -->",
        "",
        "What the store written by `python -m toolkit ingest DIR --out STORE` holds, and what "
        "the query layer (`toolkit.analysis.corpus.load(STORE)`) derives from it. Names are English; "
        "each comes with its Chinese label.",
        "",
        "## Store layout",
        "",
        "`STORE/reports/`, `STORE/facts/`, `STORE/checks/`, `STORE/sections/`, "
        "`STORE/texts/` hold Parquet "
        "parts (`part-NNNNN.parquet`) and `STORE/repairs.parquet` the cross-year repairs, "
        "recomputed by every ingest; `STORE/corpus.duckdb` has views of the same names over "
        "them (and `reports_history`: every reports row, with its `part`; `facts_parsed`: the "
        "cells as parsed, which `facts` shows with the repairs applied). The views name the "
        "files relative to the store, so a copied, moved or zipped store opens as it is: "
        "DuckDB reads relative paths against its working directory, so open it from inside "
        "the store or set `file_search_path` to it first (`SET file_search_path = 'STORE'`; "
        "`toolkit.load(STORE)` does this for you). `report_id` joins "
        "the tables; `facts`, `checks`, `sections` and `texts` hold rows only for reports that "
        "are not duplicates. `location` in `facts` and `checks` is a character offset into the "
        "report's `texts.text` (`toolkit.store.texts.report_text(STORE, report_id)`). "
        "`body_id` joins a body's reports across years; `adcode` places it. "
        "In SQL, quote the columns named by keywords: "
        + ", ".join(f'`"{k}"`' for k in SQL_KEYWORDS) + ".",
        "",
        "## Tables",
        "",
    ]
    seen: dict[int, str] = {}
    for table in STORE_TABLES.values():
        out += _section(table, seen)
    history = REPORTS_HISTORY
    extra = tuple(f for f in history.fields if f not in REPORTS.fields)
    out += [f"### `{history.name}` ({history.label})", "",
            f"{history.description} Its columns: those of `reports`, then:", "",
            *_columns(Table(history.name, "", "", extra), seen), ""]
    parsed = FACTS_PARSED
    out += [f"### `{parsed.name}` ({parsed.label})", "", parsed.description, ""]
    out += ["## Flags (`facts.flag`)", "", "| flag | 中文 | meaning |", "|---|---|---|"]
    out += [f"| `{f}` | {FLAG_TEXT[f][0]} | {_cell(FLAG_TEXT[f][1])} |" for f in FLAGS]
    out += ["", "## Accounting identities (`checks.check`)", "",
            "Per report (`toolkit.parse.checks`):", "", "| check | 中文 | identity |", "|---|---|---|"]
    out += [f"| `{name}` | 勾稽关系 | {_cell(text)} |" for name, text in IDENTITIES.items()]
    out += _prose_claims()
    out += ["", "Across years of one body (`toolkit.analysis.crosscheck`, computed on demand, not "
            "stored):", "", "| check | identity |", "|---|---|"]
    out += [f"| `{name}` | {_cell(text)} |" for name, text in CROSS_CHECKS]
    out += ["", "## Canonical keys (`facts.key`)", "",
            "A value is addressed as `table.row.column`. Templates: "
            + "; ".join(f"`{v}`: {template.versions[v]['issued_by']}" for v in template.versions_in_order())
            + ". Amounts are in 万元.", ""]
    out += _key_rows()
    out += ["", "## Indicators (`toolkit.analysis.indicators.INDICATORS`)", "",
            "Per report and per region roll-up (sum the counts first, then divide). A rate "
            f"over fewer than {SMALL_SAMPLE} requests is flagged `is_small`: shown with its count, "
            "not ranked. A count (no denominator) is the numerator.", "",
            "Only usable reports enter them: status `ok` or `partial` and at least "
            f"{USABLE_MIN_SHARE_READ:.0%} of the template's cells read (`Corpus.screened`). "
            "A change between two years (`yoy_pct`, `change_pp`) is computed over the bodies "
            "that gave the figure in both years (`n_bodies_matched`, a panel matched on "
            "`body_id`); with none it is null (a briefing shows 不可比). `tier` says which "
            "bodies of a region are summed (its own level, those below, or all), `body_mix` "
            "their levels and kinds. Publication timeliness (`timeliness_days`) is measured "
            "against the deadline of the body's kind (`deadline`: 31 January for a department, "
            "31 March for a government and, by the toolkit's rule, a township). A peer "
            f"distribution needs {MIN_PEERS_FOR_SPREAD} rankable regions.", "",
            "| name | 中文 | group | formula | note |", "|---|---|---|---|---|"]
    for indicator in INDICATORS:
        out.append(f"| `{indicator.name}` | {indicator.label} | {GROUPS[indicator.group]} | "
                   f"{_cell(_formula(indicator))} | {_cell(indicator.note)} |")
    out += ["", "## What a parse returns", "",
            "`toolkit.parse_report(path)` gives a `Report`: `meta` holds the metadata columns "
            "of `reports` (`title` … `region_reason`), `facts` the columns of `facts` and "
            "`checks` those of `checks`, each without `report_id`.", ""]
    out += _section(PARSE_RECORD, seen)
    out += ["## Query layer frames", "",
            "What `toolkit.load(STORE)` (a `toolkit.analysis.corpus.Corpus`) returns. A frame "
            "is flat (a RangeIndex) unless an index is listed; a column declared under an "
            "earlier table says where.", ""]
    for frame in API_FRAMES.values():
        out += _section(frame, seen)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write docs/DATA_DICTIONARY.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run scripts/make_data_dictionary.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
