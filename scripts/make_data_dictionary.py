"""Write docs/DATA_DICTIONARY.md: every table, column, key, flag, check and indicator.

    .venv/bin/python scripts/make_data_dictionary.py          # rewrite the file
    .venv/bin/python scripts/make_data_dictionary.py --check  # exit 1 if it is out of date

Columns come from the store's Arrow schemas, canonical keys from toolkit/template.toml,
flags from toolkit.parse.values, identities from toolkit.parse.checks and indicators from
toolkit.analysis.indicators.INDICATORS, so the dictionary follows the package; the descriptions
written here are checked to cover every column and flag (a new column fails the test
until it is described).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.analysis.indicators import INDICATORS, SMALL, Indicator  # noqa: E402
from toolkit.parse.checks import IDENTITIES  # noqa: E402
from toolkit.parse.values import FLAGS  # noqa: E402
from toolkit.spec.template import TEMPLATE_VERSIONS, load_template  # noqa: E402
from toolkit.store.schema import SCHEMAS  # noqa: E402

OUT = REPO / "docs" / "DATA_DICTIONARY.md"

TABLES = {
    "reports": ("报告", "One row per input file (the newest row per path): status, metadata, "
                "where the body sits, counts. Key: `path`; `report_id` joins the other tables."),
    "facts": ("数值", "One row per table cell read: canonical key, value, flag and the source "
              "text. Key: (`report_id`, `key`)."),
    "checks": ("勾稽关系校验", "One row per accounting identity evaluated on a report. Key: "
               "(`report_id`, `check`, `scope`)."),
    "sections": ("正文部分", "The text of each section 一 … 六 of a report. Key: (`report_id`, "
                 "`section`)."),
}

# (Chinese label, description) per column; every schema column must be here.
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "reports": {
        "report_id": ("报告编号", "sha256 of the file's bytes; identical files share it. "
                      "Null for a directory that could not be listed."),
        "path": ("文件路径", "the input file's path as ingested (the table's key)."),
        "size_bytes": ("文件大小", "file size in bytes."),
        "status": ("解析状态", "`ok`, `partial` (some of the report is missing, e.g. a page cut "
                   "off), `failed`, `unsupported` (format not read) or `duplicate` (same bytes "
                   "as `duplicate_of`)."),
        "error": ("错误", "why a file failed or is partial, in words; null when ok."),
        "title": ("标题", "the report's title as printed."),
        "agency": ("报告机关", "full name of the reporting body, e.g. "
                   "乌海市海勃湾区发展和改革委员会."),
        "year": ("报告年度", "the year reported on (not the year published)."),
        "published": ("发布日期", "publication date (ISO), where the page gives it."),
        "template": ("模板版本", "`2019`, `2021`, `legacy` (before 2019) or `unknown`; decided "
                     "from the table headers, not the year."),
        "province": ("省", "province name (GB/T 2260)."),
        "city": ("市", "prefecture-level city name; null for bodies of the four "
                 "municipalities and of county-level units directly under a province."),
        "county": ("区县", "county-level division name, where the body sits at or below one."),
        "adcode": ("行政区划代码", "6-digit code of the most specific division the body belongs "
                   "to."),
        "level": ("层级", "`province`, `city`, `county` or `township` (乡, 镇, 街道)."),
        "agency_kind": ("机关类型", "`government` (a people's government or its office) or "
                        "`department`."),
        "body_id": ("机关编号", "stable id of one body across years: its division and its name "
                    "without the place; joins a body's reports over time."),
        "region_evidence": ("地区依据", "what in the name or text placed the body."),
        "region_reason": ("地区未定原因", "why the body could not be placed (or placed only "
                          "partly)."),
        "n_values": ("读出数值数", "cells read as numbers."),
        "n_flagged": ("标记单元格数", "cells with a flag (blank, redacted, missing, …)."),
        "n_checks_failed": ("未通过校验数", "accounting identities that fail in this report."),
        "duplicate_of": ("重复于", "for status `duplicate`: the path whose content this file "
                         "repeats."),
        "parsed_at_version": ("解析版本", "toolkit version that parsed the file."),
    },
    "facts": {
        "report_id": ("报告编号", "the report (see `reports`)."),
        "key": ("规范键", "canonical key `table.row.column` (see Canonical keys)."),
        "table": ("表", "`active` (section 二), `requests` (三) or `review` (四)."),
        "row": ("行", "canonical row key."),
        "column": ("列", "canonical column key."),
        "value": ("数值", "the number; null when the cell has a flag that means no number. "
                  "Amounts in 万元."),
        "flag": ("标记", "why a value is null or special (see Flags); null for a plain number."),
        "label": ("行标签原文", "the row label as printed (with its enumerator)."),
        "raw": ("单元格原文", "the cell's text as found in the source."),
        "location": ("位置", "character offset of the cell in the document text (provenance); "
                     "-1 when unknown."),
    },
    "checks": {
        "report_id": ("报告编号", "the report (see `reports`)."),
        "check": ("校验", "the identity's name (see Accounting identities)."),
        "scope": ("范围", "the column or row it was evaluated on, e.g. `natural_person`, "
                  "`review`."),
        "status": ("结果", "`pass`, `fail` or `not_checkable` (a value on either side is null)."),
        "expected": ("左边", "the left-hand side's value."),
        "actual": ("右边", "the right-hand side's value."),
        "keys": ("涉及的键", "the canonical keys involved, comma-separated (left side first)."),
    },
    "sections": {
        "report_id": ("报告编号", "the report (see `reports`)."),
        "section": ("部分", "`overview` 一, `active` 二, `requests` 三, `review` 四, "
                    "`problems` 五, `other` 六."),
        "text": ("正文", "the section's text."),
    },
}

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
}

QUERY_COLUMNS = [
    ("region", "地区代码", "adcode of the region (province, city or county level)."),
    ("level", "层级", "the roll-up level: `province`, `city` or `county`."),
    ("kind", "机关类型", "`all`, `government` or `department`: which bodies are summed."),
    ("indicator", "指标", "indicator name (see Indicators)."),
    ("year", "年度", "report year."),
    ("numerator", "分子", "sum of the numerator keys over the region's reports."),
    ("denominator", "分母", "sum of the denominator keys; reports lacking either side are left "
     "out of both."),
    ("value", "数值", "numerator / denominator for a rate, the numerator for a count; null "
     "when the denominator is 0."),
    ("n_reports", "报告数", "reports contributing to the figure."),
    ("n_bodies", "机关数", "distinct bodies (`body_id`) behind the figure."),
    ("n_reports_failing_checks", "未通过校验报告数", "of those reports, how many fail an "
     "identity (such figures should be marked)."),
    ("is_rate", "是否比率", "true for a rate, false for a count."),
    ("is_small", "样本过小", f"a rate over fewer than {SMALL} requests: show with its count, "
     "do not rank."),
    ("yoy_pct", "同比变化", "percent change from the previous year (consecutive years only)."),
]

QUALITY_COLUMNS = [
    ("cells", "单元格数", "cells read from the report's tables."),
    ("share_blank", "空白占比", "share of cells flagged `blank`."),
    ("share_redacted", "涂黑占比", "share of cells flagged `redacted`."),
    ("share_missing", "缺失占比", "share of cells flagged `missing`."),
    ("share_ambiguous", "歧义占比", "share of cells flagged `ambiguous`."),
    ("checks_checkable", "可校验数", "identities that could be evaluated."),
    ("checks_failed", "未通过数", "identities that fail."),
    ("share_checks_passed", "通过比例", "passed / checkable (null when nothing is checkable)."),
]

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


def _key_rows() -> list[str]:
    template = load_template()
    lines = ["| key | 行 row label | 列 column label | templates |", "|---|---|---|---|"]
    for row in template.active_rows:
        columns: dict[str, list[str]] = {}
        for version in TEMPLATE_VERSIONS:
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
        versions = row.template or ", ".join(TEMPLATE_VERSIONS)
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
                         f"{', '.join(TEMPLATE_VERSIONS)} |")
    return lines


def render() -> str:
    """The whole dictionary as Markdown (deterministic: same package, same text)."""
    missing = [f"{t}.{c}" for t, schema in SCHEMAS.items() for c in schema.names
               if c not in COLUMNS.get(t, {})]
    missing += [f"flag {f}" for f in FLAGS if f not in FLAG_TEXT]
    missing += [f"table {t}" for t in SCHEMAS if t not in TABLES]
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
        "`STORE/reports/`, `STORE/facts/`, `STORE/checks/`, `STORE/sections/` hold Parquet "
        "parts (`part-NNNNN.parquet`); `STORE/corpus.duckdb` has views of the same names over "
        "them (and `reports_history`: every reports row, with its `part`). `report_id` joins "
        "the tables; `facts`, `checks` and `sections` hold rows only for reports that are not "
        "duplicates. `body_id` joins a body's reports across years; `adcode` places it.",
        "",
        "## Tables",
        "",
    ]
    for table, (label, text) in TABLES.items():
        schema = SCHEMAS[table]
        out += [f"### `{table}` ({label})", "", text, "",
                "| column | 中文 | type | description |", "|---|---|---|---|"]
        for field in schema:
            chinese, description = COLUMNS[table][field.name]
            out.append(f"| `{field.name}` | {chinese} | {field.type} | {_cell(description)} |")
        out.append("")
    out += ["## Flags (`facts.flag`)", "", "| flag | 中文 | meaning |", "|---|---|---|"]
    out += [f"| `{f}` | {FLAG_TEXT[f][0]} | {_cell(FLAG_TEXT[f][1])} |" for f in FLAGS]
    out += ["", "## Accounting identities (`checks.check`)", "",
            "Per report (`toolkit.parse.checks`):", "", "| check | 中文 | identity |", "|---|---|---|"]
    out += [f"| `{name}` | 勾稽关系 | {_cell(text)} |" for name, text in IDENTITIES.items()]
    out += ["", "Across years of one body (`toolkit.analysis.crosscheck`, computed on demand, not "
            "stored):", "", "| check | identity |", "|---|---|"]
    out += [f"| `{name}` | {_cell(text)} |" for name, text in CROSS_CHECKS]
    out += ["", "## Canonical keys (`facts.key`)", "",
            "A value is addressed as `table.row.column`. Templates: "
            + "; ".join(f"`{v}`: {template.versions[v]['issued_by']}" for v in TEMPLATE_VERSIONS)
            + ". Amounts are in 万元.", ""]
    out += _key_rows()
    out += ["", "## Indicators (`toolkit.analysis.indicators.INDICATORS`)", "",
            "Per report and per region roll-up (sum the counts first, then divide). A rate "
            f"over fewer than {SMALL} requests is flagged `is_small`: shown with its count, "
            "not ranked. A count (no denominator) is the numerator.", "",
            "| name | 中文 | group | formula | note |", "|---|---|---|---|---|"]
    for indicator in INDICATORS:
        out.append(f"| `{indicator.name}` | {indicator.label} | {GROUPS[indicator.group]} | "
                   f"{_cell(_formula(indicator))} | {_cell(indicator.note)} |")
    out += ["", "## Query layer columns", "",
            "`Corpus.series()`, `Corpus.peers()` and `Corpus.rollup()` return region figures "
            "with these columns:", "", "| column | 中文 | description |", "|---|---|---|"]
    out += [f"| `{c}` | {z} | {_cell(d)} |" for c, z, d in QUERY_COLUMNS]
    out += ["", "`Corpus.quality` gives per report:", "", "| column | 中文 | description |",
            "|---|---|---|"]
    out += [f"| `{c}` | {z} | {_cell(d)} |" for c, z, d in QUALITY_COLUMNS]
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
