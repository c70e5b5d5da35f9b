"""Every column the toolkit writes or returns, declared once: name, type, unit, description.

This is the one declaration of the store's tables (`reports`, `facts`, `checks`, `sections`,
`repairs`, and the `reports_history` and `facts_parsed` views), of what a parse returns (`Report.meta`, `Report.facts`,
`Report.checks`, the `parse --json` record) and of the frames the query layer returns
(`Corpus.reports`, `Corpus.quality`, `Corpus.rollup`, …). It lives in `toolkit.spec`, the
lowest layer, so that the parser (`toolkit.parse.report`) and the store
(`toolkit.store.schema`, which builds its Arrow schemas from it) both read it; the data
dictionary (docs/DATA_DICTIONARY.md, `scripts/make_data_dictionary.py`) is rendered from it,
and tests/store/test_fields_truth.py holds the store's views and the query layer's frames
to it.

A field used in several places is one `Field` object: `Corpus.reports` reuses the `reports`
table's fields rather than describing `agency` a second time. Types are the store's logical
types (`TYPES`); in pandas frames an integer column with nulls is a nullable `Int64`.
Plain Python and the standard library only: this module must import without the store's
optional dependencies.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from toolkit.spec.vocab import MIN_PEERS_FOR_SPREAD, SMALL_SAMPLE, USABLE_MIN_SHARE_READ

TYPES = ("string", "int32", "int64", "float64", "bool", "object", "list")
"""Logical types: the Arrow type of a store column (`object`/`list` only in JSON output)."""


@dataclass(frozen=True)
class Field:
    """One column: its name, type, Chinese label, meaning and (where it has one) unit."""

    name: str
    type: str
    label: str
    description: str
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: type {self.type!r} is not one of {TYPES}")


@dataclass(frozen=True)
class Table:
    """A store table or view, or a frame or record the API returns.

    `index` holds the fields a pandas frame is indexed by (empty for a flat frame): they are
    not among its columns.
    """

    name: str
    label: str
    description: str
    fields: tuple[Field, ...]
    index: tuple[Field, ...] = ()

    @property
    def names(self) -> list[str]:
        """The column names, in order (the index's names not included)."""
        return [f.name for f in self.fields]

    @property
    def index_names(self) -> list[str]:
        return [f.name for f in self.index]

    def __getitem__(self, name: str) -> Field:
        for f in (*self.index, *self.fields):
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def pick(self, *names: str) -> tuple[Field, ...]:
        """These fields of this table, in the order asked (each one the same object)."""
        return tuple(self[n] for n in names)


def _fields(*fields: Field) -> tuple[Field, ...]:
    return fields


def _pick(fields: tuple[Field, ...], *names: str) -> tuple[Field, ...]:
    by_name = {f.name: f for f in fields}
    return tuple(by_name[n] for n in names)


def _unique(fields: Iterable[Field]) -> tuple[Field, ...]:
    out = tuple(fields)
    names = [f.name for f in out]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"fields declared twice: {doubled}")
    return out


# ------------------------------------------------------------------ what one parse gives

META = _fields(
    Field("title", "string", "标题", "the report's title as printed."),
    Field("agency", "string", "报告机关", "full name of the reporting body, e.g. "
          "乌海市海勃湾区发展和改革委员会."),
    Field("year", "int32", "报告年度", "the year reported on (not the year published)."),
    Field("published", "string", "发布日期", "publication date (ISO), where the page gives it."),
    Field("template", "string", "模板版本", "`2019`, `2021`, `legacy` (before 2019) or "
          "`unknown`; decided from the table headers, not the year."),
    Field("province", "string", "省", "province name (GB/T 2260)."),
    Field("city", "string", "市", "prefecture-level city name; null for bodies of the four "
          "municipalities and of county-level units directly under a province."),
    Field("county", "string", "区县", "county-level division name, where the body sits at or "
          "below one."),
    Field("adcode", "string", "行政区划代码", "6-digit code of the most specific division the "
          "body belongs to (a township's county; as named in the report: a county renamed "
          "since keeps its old code here)."),
    Field("level", "string", "层级", "`province`, `city`, `county` or `township` (乡, 镇, 街道)."),
    Field("agency_kind", "string", "机关类型", "`government` (a people's government or its "
          "office) or `department`."),
    Field("body_id", "string", "机关编号", "stable id of one body across years: its division's "
          "current code (a county renamed since 2021 maps to its new code, "
          "`toolkit/places/renames.csv`) and its name without the place; joins a body's "
          "reports over time."),
    Field("region_evidence", "string", "地区依据", "what in the name or text placed the body."),
    Field("region_reason", "string", "地区未定原因", "why the body could not be placed (or placed "
          "only partly)."),
)
"""`Report.meta`, in order; the same columns of `reports`."""

FACT = _fields(
    Field("key", "string", "规范键", "canonical key `table.row.column` (see Canonical keys)."),
    Field("table", "string", "表", "`active` (section 二), `requests` (三) or `review` (四)."),
    Field("row", "string", "行", "canonical row key."),
    Field("column", "string", "列", "canonical column key."),
    Field("value", "float64", "数值", "the number; null when the cell has a flag that means no "
          "number.", unit="万元 for amounts (`fee_amount`, `amount`), else a count"),
    Field("flag", "string", "标记", "why a value is null or special (see Flags); null for a "
          "plain number."),
    Field("label", "string", "行标签原文", "the row label as printed (with its enumerator)."),
    Field("raw", "string", "单元格原文", "the cell's text as found in the source; for an "
          "`ambiguous` cell whose row's digits cut several ways, the row's cells joined by a "
          "space (what the store's cross-year repair cuts again)."),
    Field("location", "int64", "位置", "offset of the cell in the document text (provenance), "
          "of its row's first cell for such an ambiguous cell; -1 when unknown.",
          unit="characters"),
)
"""`Report.facts`, in order; `facts` is these after `report_id`."""

CHECK = _fields(
    Field("check", "string", "校验", "the identity's name (see Accounting identities): "
          "`balance`, `outcomes`, `row_total`, `review_total`, or `text_vs_table` for a number "
          "the report's prose claims (identity 7; the claims are declared in "
          "`toolkit/spec/prose.toml`)."),
    Field("scope", "string", "范围", "the column or row it was evaluated on, e.g. "
          "`natural_person`, `review`; for `text_vs_table` the claim's name (`received`, "
          "`processed`, `granted`, …; `name#2` for the same claim stated again with another "
          "number)."),
    Field("status", "string", "结果", "`pass`, `fail` or `not_checkable` (a value on either "
          "side is null, or the table holds no such quantity)."),
    Field("left", "float64", "左边", "the identity's left-hand side: the sum of the first keys "
          "of `keys` (e.g. `total_processed`); for `text_vs_table` the table's sum of `keys`; "
          "null when not checkable."),
    Field("right", "float64", "右边", "the identity's right-hand side: the sum of the other keys "
          "(e.g. the outcome rows); for `text_vs_table` the number the prose claims (never "
          "null there); null when not checkable."),
    Field("keys", "string", "涉及的键", "the canonical keys involved, comma-separated (left side "
          "first); for `text_vs_table` the keys of the claim's meaning compared: the one that "
          "matched, else its first (a claim read two ways in real reports has two meanings, "
          "either passes)."),
    Field("sentence", "string", "原文句子", "for `text_vs_table`: the sentence of the prose "
          "that states the number; null for the table identities."),
    Field("location", "int64", "位置", "for `text_vs_table`: offset of the claimed number in "
          "the document text (provenance); null for the table identities.",
          unit="characters"),
)
"""`Report.checks` and each of `parse --json`'s `checks`, in order."""

_REPORT_ID = Field("report_id", "string", "报告编号", "the report (see `reports`).")

PARSE_RECORD = Table(
    "parse --json", "解析结果", "What `python -m toolkit parse FILE --json` prints per input, "
    "one JSON object a line (`Report.to_record()`); a file that cannot be parsed gives the same "
    "keys, with `status` and `error` and empty `meta`, `values`, `flags`, `checks`.",
    _unique([
        Field("source", "string", "来源文件", "the input path as given."),
        Field("status", "string", "解析状态", "`ok`, `partial`, `failed`, `unsupported`, "
              "`limit_exceeded` or `internal_error` (see `reports.status`)."),
        Field("error", "string", "错误", "why the file failed or is partial (the limit it "
              "exceeded, the tables not found); null when ok."),
        Field("detail", "string", "解析详情", "what the cells hold, in words: `N of M cells "
              "read; flagged: ambiguous A, missing B, …`, led by `mostly flagged:` when fewer "
              "than half were read (an `ok` with few numbers says why here), then the parser's "
              "notes (e.g. a row whose digits run together too many ways to cut); null for a "
              "file that could not be parsed."),
        Field("meta", "object", "元数据", "the metadata: every key of `reports` from `title` to "
              "`region_reason` (see `reports`)."),
        Field("values", "object", "数值", "canonical key → number or null."),
        Field("flags", "object", "标记", "canonical key → flag, for the flagged cells only."),
        Field("checks", "list", "勾稽关系校验", "the identities, each an object with the "
              "columns of `checks` after `report_id`."),
    ]))

# ------------------------------------------------------------------ the store's tables

REPORTS = Table(
    "reports", "报告", "One row per input (the newest row per path): a file, or a report page or "
    "attachment archived in WARC files by `python -m toolkit collect`; status, metadata, where "
    "the body sits, counts, where it came from. Key: `path`; `report_id` joins the other "
    "tables.",
    _unique([
        Field("report_id", "string", "报告编号", "sha256 of the input's bytes (a WARC document's "
              "body with its transfer and content encodings undone); identical inputs share it. "
              "Null for a directory that could not be listed or a WARC record that could not be "
              "read."),
        Field("path", "string", "文件路径", "the input's path as ingested (the table's key): a "
              "file's path; for a document read from a WARC file, `WARC_FILE#offset=N`, the WARC "
              "file's path and the byte offset of its response record (a WARC file is never "
              "rewritten, so the address stays true); a WARC file that cannot be read to its end "
              "has a `failed` row under its own path. A name that is not valid UTF-8 (a GBK name "
              "from a Windows zip) keeps its bytes: each byte outside UTF-8 is written "
              "`\\udcXX` (`toolkit.spec.paths`), so the same file has the same path on "
              "every run."),
        Field("size_bytes", "int64", "文件大小", "size of the input's bytes.", unit="bytes"),
        Field("status", "string", "解析状态", "`ok`, `partial` (some of the report is missing, "
              "e.g. a page cut off), `failed` (not readable as a report), `unsupported` (format "
              "not read), `limit_exceeded` (reading it would cost more than a limit of "
              "`toolkit.spec.limits` allows: time, memory, expanded size, elements; `error` names "
              "the limit), `internal_error` (the toolkit failed on the file: a bug to report) or "
              "`duplicate` (same bytes as `duplicate_of`). `reports_history` also holds "
              "`cleared` rows: a failure that no longer applies (a folder that can be listed "
              "again), which the `reports` view leaves out."),
        Field("error", "string", "错误", "why a file failed, exceeded a limit or is partial, in "
              "words (every status but `ok` and `duplicate` has one); null when ok."),
        *META,
        Field("n_values", "int64", "读出数值数", "cells read as numbers."),
        Field("n_flagged", "int64", "标记单元格数", "cells with a flag (blank, redacted, "
              "missing, …)."),
        Field("detail", "string", "解析详情", "what the cells hold, in words (see `parse --json`"
              "'s `detail`): how many were read, how many are flagged and why, `mostly flagged:` "
              "first when fewer than half were read; null when the file was not parsed."),
        Field("n_checks_failed", "int64", "未通过校验数", "accounting identities that fail in "
              "this report."),
        Field("duplicate_of", "string", "重复于", "for status `duplicate`: the path whose content "
              "this file repeats."),
        Field("parsed_at_version", "string", "解析版本", "toolkit version that wrote the row."),
        Field("parser_fingerprint", "string", "解析器指纹", "the toolkit version and a hash of "
              "the parser's files (template, department names, the source of `toolkit.spec`, "
              "`read`, `parse` and `places`) when the row was written; a content whose row "
              "carries another fingerprint is parsed again by the next ingest."),
        Field("content_part", "int64", "内容分片", "the part number (`part-NNNNN.parquet`) whose "
              "`facts`, `checks` and `sections` hold this row's parse; null for duplicates and "
              "unreadable entries. A content parsed again gets a new part, and the views read "
              "only this one."),
        # where a report came from: the WARC inputs of a crawl (null for loose files)
        Field("source_url", "string", "来源网址", "the URL the document was answered from "
              "(after redirects: the manifest's `final_url`), for a document read from a WARC "
              "file; null for a loose file, whose `path` already says where it is (a file:// URL "
              "would add nothing and would look like a web source). The same bytes under several "
              "URLs: one row per URL, all with the same `report_id`, the first by `path` parsed "
              "and the others `duplicate` of it, each keeping its own `source_url`."),
        Field("source_referrer", "string", "来源引用页", "the page that linked the document (the "
              "manifest's `referrer`; in a bare WARC file, the Referer its request sent): for an "
              "attachment, the detail page whose `source_url` this is, which makes the two one "
              "report (see `Corpus.reports`); null for loose files."),
        Field("source_title", "string", "来源标题", "what the site calls the document: a page's "
              "<title>; for an attachment, the text of the link to it, else its file name; null "
              "for loose files."),
        Field("fetched_at", "string", "抓取时间", "when the answer arrived, ISO 8601 in UTC "
              "(`2024-01-20T08:00:00Z`, the response record's WARC-Date); null for loose files."),
        Field("n_checks_passed", "int64", "通过校验数", "accounting identities that pass in this "
              "report."),
    ]))
FACTS = Table(
    "facts", "数值", "One row per table cell read: canonical key, value, flag and the source text. "
    "Key: (`report_id`, `key`).", _unique([_REPORT_ID, *FACT]))
CHECKS = Table(
    "checks", "勾稽关系校验", "One row per accounting identity evaluated on a report: "
    "`left` and `right` are the two sides of the identity as written under Accounting "
    "identities. Key: (`report_id`, `check`, `scope`).", _unique([_REPORT_ID, *CHECK]))
SECTIONS = Table(
    "sections", "正文部分", "The text of each section 一 … 六 of a report. Key: (`report_id`, "
    "`section`).", _unique([
        _REPORT_ID,
        Field("section", "string", "部分", "`overview` 一, `active` 二, `requests` 三, `review` "
              "四, `problems` 五, `other` 六."),
        Field("text", "string", "正文", "the section's text."),
    ]))
TEXTS = Table(
    "texts", "报告全文", "The text each report was parsed from (one row per parsed content): "
    "the offsets `facts.location` and `checks.location` count characters of this text, so "
    "every cell and every claim leads back to its source (`toolkit.store.texts.report_text`). "
    "Key: `report_id`.", _unique([
        _REPORT_ID,
        Field("text", "string", "全文", "the report's text as the parser read it: the reader's "
              "text (prose as lines, each table row one line of cells) after normalisation."),
    ]))
FACTS_PARSED = Table(
    "facts_parsed", "解析数值", "The cells as the parser read them: `facts` before the store's "
    "cross-year repairs (`repairs`) are applied. A view only; its columns are those of `facts`.",
    FACTS.fields)
REPAIRS = Table(
    "repairs", "跨年核定", "Cells the parse left `ambiguous` (digits run together, cut several "
    "ways) or `blank` that a cross-year identity of the same body decides: identity 5 "
    "(`requests.carried_over` of year t = `requests.carried_forward` of t−1, either way) or "
    "identity 6 (2021 template: `active.<rules|normative_docs>.in_force` of t = t−1's + "
    "`issued` − `repealed` of t), the other year's value itself read as printed. An "
    "ambiguous cell is decided only when exactly one cut of its row agrees with the other "
    "year (and with the row's own identities); a blank only becomes 0, when the identity says "
    "0. The `facts` view shows the value with flag `resolved_cross_year`; `facts_parsed` what "
    "the parser read. Recomputed from the parse by every ingest (written to `repairs.parquet`). "
    "Key: (`report_id`, `key`).",
    _unique([
        _REPORT_ID,
        FACT[0],
        Field("value", "float64", "核定数值", "the value the identity decides (the `facts` "
              "view's `value`).", unit="a count"),
        Field("flag_before", "string", "原标记", "the cell's flag as parsed: `ambiguous` or "
              "`blank`."),
        Field("identity", "string", "所用恒等式", "`carry_forward_chain` (identity 5) or "
              "`regulation_stock_balance` (identity 6), as the cross-year checks name them."),
        Field("other_report_id", "string", "依据报告", "the other year's report whose values "
              "decided the cell."),
        Field("evidence", "string", "依据数值", "the values the decision used, `key=value` "
              "comma-separated: the other report's, then (after `;`, identity 6) this "
              "report's own."),
        Field("n_readings", "int64", "原可能读法数", "how many readings (cuts of the row's "
              "digits that satisfy the row's identities) the cell's row had before; 1 for a "
              "blank."),
        Field("reason", "string", "说明", "the decision in words."),
    ]))
REPORTS_HISTORY = Table(
    "reports_history", "报告历史", "Every reports row ever written, superseded ones included "
    "(a view only: `reports` keeps the newest row per path).",
    _unique([*REPORTS.fields,
             Field("part", "int64", "分片", "the part number of the parquet file holding the "
                   "row; the highest per path is the current row.")]))

SQL_KEYWORDS = ("check", "column", "left", "right", "table")
"""The store's column names that SQL reads as keywords: quote them (`SELECT "left" …`)."""

STORE_TABLES: dict[str, Table] = {t.name: t for t in (REPORTS, FACTS, CHECKS, SECTIONS,
                                                       TEXTS, REPAIRS)}
"""The tables the store writes, each with a DuckDB view of the same name: Parquet parts, but
`repairs`, one file rewritten by every ingest (the `facts` view applies it to the parse)."""
STORE_VIEWS: dict[str, Table] = {**STORE_TABLES, REPORTS_HISTORY.name: REPORTS_HISTORY,
                                 FACTS_PARSED.name: FACTS_PARSED}
"""Every view of `corpus.duckdb` and of `open_store`."""

# ------------------------------------------------------------------ the query layer

QUALITY = Table(
    "Corpus.quality", "数据质量", "Per report of `Corpus.reports` (flat, one row each): how "
    "much of its tables could be read, and how its identities fared.",
    _unique([
        _REPORT_ID,
        Field("cells", "int64", "单元格数", "cells read from the report's tables."),
        Field("share_blank", "float64", "空白占比", "share of cells flagged `blank`.",
              unit="share (0–1)"),
        Field("share_redacted", "float64", "涂黑占比", "share of cells flagged `redacted`.",
              unit="share (0–1)"),
        Field("share_missing", "float64", "缺失占比", "share of cells flagged `missing`.",
              unit="share (0–1)"),
        Field("share_ambiguous", "float64", "歧义占比", "share of cells flagged `ambiguous`.",
              unit="share (0–1)"),
        Field("checks_checkable", "int64", "可校验数", "identities that could be evaluated."),
        Field("checks_failed", "int64", "未通过数", "identities that fail."),
        Field("share_checks_passed", "float64", "通过比例", "passed / checkable (null when "
              "nothing is checkable).", unit="share (0–1)"),
    ]))

_SHARE_READ = Field(
    "share_read", "float64", "读出比例", "cells read (a number, or a cell the report prints "
    "blank, redacted or not applicable) over the cells of the report's template version "
    "(198 for 2019, 200 for 2021); 0 when the template is `unknown`. Cells missing from "
    "the text or whose digits run together (`ambiguous`) are not read.", unit="share (0–1)")
SCREENED = Table(
    "Corpus.screened", "报告可用性", "Every current file of the store except byte-duplicates "
    "(flat, one row each, sorted by `path`), with whether its figures can be used. A report "
    f"is usable when its status is `ok` or `partial` and `share_read` ≥ {USABLE_MIN_SHARE_READ}"
    " (`toolkit.spec.vocab.USABLE_MIN_SHARE_READ`: in the bundled corpus complete reports "
    "read 96.5–100% of their cells and pages cut off mid-report at most 29.5%).",
    _unique([
        *REPORTS.pick("report_id", "path", "status", "error", "title", "agency", "year",
                      "published", "template", "province", "city", "county", "adcode",
                      "level", "agency_kind", "body_id", "n_values", "n_checks_failed",
                      "n_checks_passed", "source_url", "source_referrer", "source_title",
                      "fetched_at"),
        _SHARE_READ,
        Field("is_usable", "bool", "可用", "true when the report's figures enter indicators, "
              "briefings and the explorer."),
        Field("unusable_reason", "string", "不可用原因", "null when usable; else the status "
              "that kept it out (`failed`, `unsupported`, `limit_exceeded`, `internal_error`) or "
              "`too_little_read` (`share_read` under the threshold)."),
    ]))
UNUSABLE = Table(
    "Corpus.unusable", "无法使用的报告", "The rows of `Corpus.screened` that are not usable, "
    "for a body and year no usable report covers (a cut-off copy of a report whose complete "
    "copy is usable is left out): what a briefing names as unreadable. Flat, sorted by path; "
    "`Corpus.unusable_in(adcode, kind, years)` gives a region's, by year.",
    SCREENED.fields)

CORPUS_REPORTS = Table(
    "Corpus.reports", "可用报告", "The reports the figures are made of (flat, one row each): "
    "current rows that are usable (`Corpus.screened.is_usable`), and one report per body and "
    "year: where a body has several reports for a year (one report published on two pages, in "
    "two encodings, as a detail page and its attached PDF), the most complete stands for them "
    "(`ok` before `partial`, then most values read, then most identities passed, then the "
    "first path; `chosen_over` and `choice_reason` record it) and "
    "`toolkit.analysis.crosscheck.duplicate_reports` lists the others. An attachment and the "
    "page that linked it (`source_referrer`) are one report even when their bodies or years "
    "read differently, unless both years are known and differ. Reports without `body_id` or "
    "`year` and without such a link are all kept. Sorted by `path`.",
    _unique([
        *REPORTS.pick("report_id", "path", "status", "title", "agency", "year", "published",
                      "template", "province", "city", "county", "adcode", "level",
                      "agency_kind", "body_id", "n_values", "n_checks_failed"),
        *REPORTS.pick("n_checks_passed", "source_url", "source_referrer", "source_title",
                      "fetched_at"),
        _SHARE_READ,
        Field("deadline", "string", "法定公开期限", "the date (ISO) by which the report had to be "
              "published under 条例 (2019) 第四十九条: 31 January of the year after `year` for "
              "a department (县级以上人民政府部门), 31 March for a government (县级以上地方人民"
              "政府). Townships and street offices (乡、镇、街道), which 第四十九条 does not name, "
              "are held to 31 March like governments: the later date, so none is called "
              "late that the regulation does not make late. Null without `year` or "
              "`agency_kind`."),
        Field("timeliness_days", "int64", "发布时效", "days from `deadline` to `published`: "
              "negative is early, positive late; null without both dates.", unit="days"),
        Field("chosen_over", "string", "替代的报告", "the `path`s of the other reports of the same "
              "body and year (or the same page and attachment) this one stands for, "
              "`; `-separated; null when it had none."),
        Field("choice_reason", "string", "选用理由", "why this one was chosen over the best of "
              "the others: `ok before partial`, `more values read (52 > 0)`, `more identities "
              "passed (12 > 9)` or `first path`; null when it had none."),
    ]))

REPORTS_IN = Table(
    "Corpus.reports_in", "地区报告", "The reports behind a region's figures (flat): the "
    "columns of `Corpus.reports`, then those of `Corpus.quality`.",
    _unique([*CORPUS_REPORTS.fields, *QUALITY.fields[1:]]))

_REGION = Field("region", "string", "地区代码", "adcode of the region (province, city or county "
                "level).")
_INDICATOR = Field("indicator", "string", "指标", "indicator name (see Indicators).")
_FIGURES = _fields(
    Field("level", "string", "层级", "the roll-up level: `province`, `city` or `county`."),
    Field("kind", "string", "机关类型", "`all`, `government` or `department`: which bodies are "
          "summed."),
    Field("tier", "string", "层次", "`all` (every body located in the region), `own` (the "
          "bodies at the region's own level: a city's government and departments) or `below` "
          "(the bodies of the divisions under it: district governments and departments, "
          "townships)."),
    Field("year", "int64", "年度", "report year."),
    Field("numerator", "float64", "分子", "sum of the numerator keys over the region's reports."),
    Field("denominator", "float64", "分母", "sum of the denominator keys; reports lacking either "
          "side are left out of both. Null for a count."),
    Field("n_reports", "int64", "报告数", "reports contributing to the figure."),
    Field("n_bodies", "int64", "机关数", "distinct bodies (`body_id`) with a usable report in "
          "the region that year."),
    Field("body_mix", "string", "机关构成", "the levels and kinds of those bodies, in Chinese, "
          "e.g. `县级人民政府 1` or `市级人民政府 1、县级政府部门 2`: what the region's figure "
          "is made of (a province figure made of one district government says so)."),
    Field("n_reports_failing_checks", "int64", "未通过校验报告数", "of those reports, how many "
          "fail an identity (such figures should be marked)."),
    Field("value", "float64", "数值", "numerator / denominator for a rate, the numerator for a "
          "count; null when the denominator is 0. Over all the region's bodies of that year: "
          "compare it across years only with `n_bodies_entered` and `n_bodies_left` in view."),
    Field("is_rate", "bool", "是否比率", "true for a rate, false for a count."),
    Field("is_small", "bool", "样本过小", f"a rate over fewer than {SMALL_SAMPLE} requests: show "
          "with its count, do not rank."),
    Field("n_bodies_matched", "int64", "同口径机关数", "bodies that gave this figure both this "
          "year and the year before (a panel matched on `body_id`): the change columns are "
          "computed over them only. 0 when none did: then there is no change (shown as 不可比)."),
    Field("numerator_prev_matched", "float64", "上年分子(同口径)", "the previous year's "
          "numerator summed over the matched bodies."),
    Field("denominator_prev_matched", "float64", "上年分母(同口径)", "the previous year's "
          "denominator over the matched bodies; null for a count."),
    Field("numerator_matched", "float64", "本年分子(同口径)", "this year's numerator over the "
          "matched bodies."),
    Field("denominator_matched", "float64", "本年分母(同口径)", "this year's denominator over "
          "the matched bodies; null for a count."),
    Field("value_prev_matched", "float64", "上年数值(同口径)", "the figure of the previous year "
          "over the matched bodies."),
    Field("value_matched", "float64", "本年数值(同口径)", "the figure of this year over the "
          "matched bodies (equals `value` when every body is matched)."),
    Field("yoy_pct", "float64", "同比变化", "(`value_matched` − `value_prev_matched`) / "
          "`value_prev_matched`: the change from the previous year over the matched bodies; "
          "null when no body is matched or the previous value is 0.", unit="percent"),
    Field("change_pp", "float64", "变化(百分点)", "for a rate, `value_matched` − "
          "`value_prev_matched` in percentage points; null for a count or when no body is "
          "matched.", unit="percentage points"),
    Field("n_bodies_entered", "int64", "新进入机关数", "bodies behind `value` this year that "
          "were not behind it the year before (`n_reports` − `n_bodies_matched`); null when "
          "the region has no figure the year before."),
    Field("n_bodies_left", "int64", "退出机关数", "bodies behind the previous year's `value` "
          "that are not behind this year's; null when the region has no figure the year "
          "before."),
)

ROLLUP = Table(
    "Corpus.rollup", "地区汇总", "Every indicator for every region at one level and every year "
    "(`Corpus.rollup(level, kind, tier)`): counts summed over the region's usable reports "
    "first, then divided; the change from the year before over the bodies that reported "
    "both years (`toolkit.analysis.indicators.matched_change`). Indexed by (`region`, "
    "`indicator`), sorted; one row per year.",
    _unique(_FIGURES), index=(_REGION, _INDICATOR))
SERIES = Table(
    "Corpus.series", "时间序列", "One region's indicator by year (`Corpus.series(adcode, "
    "indicator, kind, years, tier)`, flat): the roll-up's rows with its index as the first columns, "
    "sorted by year.", _unique([_REGION, _INDICATOR, *_FIGURES]))
PEERS = Table(
    "Corpus.peers", "同级比较", "The regions at the same level (under the same parent by "
    "default) for one indicator and year (`Corpus.peers(adcode, indicator, year, kind, "
    "same_parent, tier)`, flat), sorted by value. Briefings and the explorer show a "
    f"distribution (P10, median, P90) only over at least {MIN_PEERS_FOR_SPREAD} rankable "
    "regions (`toolkit.spec.vocab.MIN_PEERS_FOR_SPREAD`), else the list.", _unique([
        *SERIES.fields,
        Field("name", "string", "地区名称", "the region's name."),
        Field("is_selected", "bool", "是否所选", "true for the region asked about."),
    ]))
COMPOSITION = Table(
    "Corpus.composition", "构成", "One breakdown of a region by year (`Corpus.composition("
    "adcode, group)`: `outcomes`, `refusal_mix`, `applicant_mix`, `review_counts`; flat), "
    "sorted by year and the breakdown's order.", _unique([
        SERIES["year"], _INDICATOR,
        Field("label", "string", "中文名", "the part's Chinese label."),
        Field("count", "float64", "件数", "the part's count (the indicator's numerator)."),
        Field("share", "float64", "占比", "the part's share of the year's total of the "
              "breakdown; null when the total is 0.", unit="share (0–1)"),
        SERIES["n_reports"], SERIES["n_bodies"],
        Field("order", "int64", "顺序", "the part's position in the breakdown."),
    ]))
REGION_TREE = Table(
    "Corpus.region_tree", "地区树", "Every province, city and county the corpus has reports for "
    "(`Corpus.region_tree()`, flat), sorted by level and adcode.", _unique([
        Field("adcode", "string", "行政区划代码", "the region's code."),
        Field("name", "string", "地区名称", "the region's name (GB/T 2260)."),
        Field("level", "string", "层级", "`province`, `city` or `county`."),
        Field("parent", "string", "上级地区", "the adcode of the region above; null for a "
              "province."),
        Field("path", "string", "地区路径", "province/city/county names joined by `/`."),
        Field("n_reports", "int64", "报告数", "usable reports (`Corpus.reports`) in the region."),
        Field("n_bodies", "int64", "机关数", "distinct bodies (`body_id`) among them."),
        Field("years", "string", "年度", "the years with usable reports, comma-separated "
              "(empty when there are none)."),
        Field("n_reports_unusable", "int64", "无法使用的报告数", "reports of the region set "
              "aside as unusable (`Corpus.unusable`): a region can have only these."),
    ]))
REPORT_INDICATORS = Table(
    "Corpus.indicators", "报告指标", "Every indicator for every report of `Corpus.reports` "
    "(`Corpus.indicators()`, flat): counts next to rates, with the report's place.", _unique([
        _REPORT_ID, _INDICATOR,
        Field("numerator", "float64", "分子", "the report's sum of the numerator keys; null "
              "when one of them is unknown."),
        Field("denominator", "float64", "分母", "the report's sum of the denominator keys; "
              "null for a count, or when one of them is unknown."),
        *_pick(_FIGURES, "value", "is_rate", "is_small"),
        *REPORTS.pick("year", "agency", "body_id", "adcode", "level", "agency_kind",
                      "province", "city", "county"),
        QUALITY["checks_failed"],
    ]))
FAILING_CHECKS = Table(
    "Corpus.failing_checks", "未通过的校验", "The failed identities of some reports "
    "(`Corpus.failing_checks(report_ids)`, flat).",
    _unique([_REPORT_ID, *CHECKS.pick("check", "scope", "left", "right", "keys", "sentence",
                                      "location")]))

COMPARISON_CHANGES = Table(
    "Comparison.changes", "两年表格数值变化", "Every cell either of one body's two reports has "
    "(`toolkit.analysis.compare.compare_in_store(corpus, body, y1, y2).changes`, flat), in the "
    "template's printed order: both values and flags, the change. A cell one template version "
    "has and the other lacks has a value on one side only.",
    _unique([*FACT[:4],
             Field("value_from", "float64", "前一年数值", "the cell in the earlier report; null "
                   "when it has a flag or no such cell."),
             Field("flag_from", "string", "前一年标记", "the earlier cell's flag (see Flags)."),
             Field("value_to", "float64", "后一年数值", "the cell in the later report."),
             Field("flag_to", "string", "后一年标记", "the later cell's flag (see Flags)."),
             Field("change", "float64", "变化", "`value_to` − `value_from`; null when either is."),
             Field("change_pct", "float64", "变化率", "`change` / `value_from` (0.25 = +25%), "
                   "rounded to 4 places; null when the earlier value is 0 or null.",
                   unit="a fraction"),
             Field("is_changed", "bool", "是否变化", "true when the values differ or only one "
                   "year has one.")]))

API_FRAMES: dict[str, Table] = {t.name: t for t in (
    SCREENED, UNUSABLE, CORPUS_REPORTS, QUALITY, REPORTS_IN, ROLLUP, SERIES, PEERS,
    COMPOSITION, REGION_TREE, REPORT_INDICATORS, FAILING_CHECKS, COMPARISON_CHANGES)}
"""The frames of `toolkit.analysis.corpus.Corpus` (and of a comparison), by the name the
dictionary gives them."""

# ------------------------------------------------------------------ research exports

EXPORT_REPORTS = Table(
    "reports", "报告", "Every input of the store (the `reports` view: one row per path, "
    "duplicates and failures included) with its status, place and source, whether its figures "
    "are usable, and whether it is the row of the `panel` for its body and year.",
    _unique([
        *REPORTS.pick("report_id", "path", "status", "error", "title", "agency", "year",
                      "published", "template", "province", "city", "county", "adcode",
                      "level", "agency_kind", "body_id", "region_evidence", "region_reason",
                      "n_values", "n_flagged", "n_checks_failed", "n_checks_passed",
                      "duplicate_of", "source_url", "source_referrer", "source_title",
                      "fetched_at", "parsed_at_version"),
        _SHARE_READ, *SCREENED.pick("is_usable", "unusable_reason"),
        Field("in_panel", "bool", "纳入面板", "true for the report that stands for its body and "
              "year in `panel` and `regions` (`Corpus.reports`: usable, one per body and "
              "year)."),
    ]))
EXPORT_FACTS = Table(
    "facts", "数值", "The store's `facts` view as it is: one row per table cell of every parsed "
    "report (report × key), value, flag and source text.", FACTS.fields)
EXPORT_PANEL = Table(
    "panel", "面板", "One row per body and year (`Corpus.reports`), then one column per "
    "canonical key (its value; null when the cell is flagged: the flag is in `facts`) and "
    "one per indicator (its value for the report). Those columns are named for Stata (at most "
    "32 characters, letters, digits and `_`, never two alike): the codebook maps each name to "
    "its key or indicator and labels.",
    _unique([
        *REPORTS.pick("body_id", "year", "report_id", "agency", "province", "city", "county",
                      "adcode", "level", "agency_kind", "template"),
    ]))
EXPORT_REGIONS = Table(
    "regions", "地区", "Every indicator for every region (province, city, county), year and body "
    "kind (`Corpus.rollup(level, kind)`, every body of the region: tier `all`), with numerator, "
    "denominator, bodies and reports.",
    _unique([_REGION, PEERS["name"], _INDICATOR, *_FIGURES]))
CODEBOOK = Table(
    "codebook", "变量说明", "Every column of every exported table: its name in the files, the "
    "key or column it holds, labels in Chinese and English, type, unit and, for a flag, the "
    "codes of its values.",
    _unique([
        Field("table", "string", "表", "the exported table (`reports`, `facts`, `panel`, "
              "`regions`)."),
        Field("name", "string", "变量名", "the column's name in every file (CSV, XLSX, Stata, "
              "Parquet)."),
        Field("key", "string", "原名", "what the column holds: a store column, a canonical key "
              "(`requests.granted.total`) or an indicator (`disclosure_rate`)."),
        Field("label_zh", "string", "中文标签", "the Chinese label (the Stata variable label, "
              "cut to 80 characters)."),
        Field("label_en", "string", "英文说明", "what it is, in English."),
        Field("type", "string", "类型", "`string`, `int64`, `float64` or `bool`."),
        Field("unit", "string", "单位", "the unit of a number, where it has one."),
        Field("value_labels", "string", "取值标签", "for a coded column (`flag`): each code "
              "with its meaning (`1=blank 空白; …`), as the Stata value labels; in the other "
              "files the column holds the words."),
    ]))
EXPORT_TABLES: dict[str, Table] = {t.name: t for t in (
    EXPORT_REPORTS, EXPORT_FACTS, EXPORT_PANEL, EXPORT_REGIONS, CODEBOOK)}
"""The tables of `python -m toolkit export`, in the order they are written."""

META_KEYS: list[str] = [f.name for f in META]
FACT_COLUMNS: list[str] = [f.name for f in FACT]
CHECK_COLUMNS: list[str] = [f.name for f in CHECK]

__all__ = [
    "API_FRAMES", "CHECK", "CHECKS", "CHECK_COLUMNS", "CODEBOOK", "COMPARISON_CHANGES", "COMPOSITION", "CORPUS_REPORTS",
    "EXPORT_TABLES", "FACT", "FACTS", "FACTS_PARSED", "FACT_COLUMNS", "FAILING_CHECKS", "META", "META_KEYS", "PARSE_RECORD", "PEERS",
    "QUALITY", "REGION_TREE", "REPAIRS", "REPORTS", "REPORTS_HISTORY", "REPORTS_IN", "REPORT_INDICATORS",
    "ROLLUP", "SCREENED", "SECTIONS", "SERIES", "SQL_KEYWORDS", "STORE_TABLES", "STORE_VIEWS",
    "TEXTS", "TYPES", "UNUSABLE", "Field", "Table",
]
