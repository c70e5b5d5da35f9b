"""Reading one report: the template as tables, a report's section 三 as printed, its outcome
mix, the indicators' definitions, and the publication deadline that applies to a body.

Pure functions of the template, the indicator declarations and a loaded store; the lab
(`toolkit.present.teaching.lab`) builds its exercises on them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

import numpy as np
import pandas as pd

from toolkit.analysis.corpus import Corpus
from toolkit.analysis.indicators import BY_NAME, INDICATORS, Indicator, report_indicators
from toolkit.present.teaching.texts import DEADLINE_RULES, DeadlineRule
from toolkit.spec.template import load_template
from toolkit.spec.vocab import BodyKind, Level

SECTION_TITLES = {"overview": "总体情况", "active": "主动公开政府信息情况",
                  "requests": "收到和处理政府信息公开申请情况",
                  "review": "政府信息公开行政复议、行政诉讼情况",
                  "problems": "存在的主要问题及改进情况", "other": "其他需要报告的事项"}
SECTION_CONTENT = {"overview": "prose", "active": "table (section 二)",
                   "requests": "table (section 三)", "review": "table (section 四)",
                   "problems": "prose", "other": "prose; from 2021: fees charged (信息处理费)"}
PARTS = (("new_received", "一", "received this year"), ("carried_over", "二", "carried over"),
         ("granted", "三(一)", "outcome"), ("partial", "三(二)", "outcome"),
         ("denied_", "三(三)", "outcome: refused (不予公开), 8 reasons"),
         ("unable_", "三(四)", "outcome: cannot provide (无法提供), 3 reasons"),
         ("rejected_", "三(五)", "outcome: not processed (不予处理), 5 reasons"),
         ("other", "三(六)", "outcome: other handling (其他处理); 2021 splits it in three"),
         ("total_processed", "三(七)", "total processed = sum of the outcomes"),
         ("carried_forward", "四", "carried forward to next year"))
OUTCOMES = {"granted": ("outcome_granted", "三(一)"), "partial": ("outcome_partial", "三(二)"),
            "denied": ("outcome_refused", "三(三)"), "unable": ("outcome_unable", "三(四)"),
            "rejected": ("outcome_rejected", "三(五)"), "other": ("outcome_other", "三(六)")}
"""Outcome group of the template → (the toolkit's count indicator, the printed part)."""
OUTCOME_EN = {"granted": "granted", "partial": "partly granted", "denied": "refused",
              "unable": "cannot provide", "rejected": "not processed", "other": "other handling"}


def template_outline() -> pd.DataFrame:
    """The six sections of the national template, in order, with what each holds."""
    template = load_template()
    return pd.DataFrame([{"section": s.numeral, "key": s.key, "heading": SECTION_TITLES[s.key],
                          "content": SECTION_CONTENT[s.key]} for s in template.sections])


def requests_rows() -> pd.DataFrame:
    """Section 三's rows in printed order: enumerator, canonical key, label, part, template."""
    rows = []
    template = load_template()
    for row in template.request_rows:
        part = next((p for p in PARTS if row.key.startswith(p[0])), ("", "", ""))
        rows.append({"part": part[1], "enumerator": row.enumerator or "", "key": row.key,
                     "label": row.labels[0], "meaning": part[2],
                     "template": row.template or ", ".join(template.versions_in_order())})
    return pd.DataFrame(rows)


def section_three(corpus: Corpus, report_id: str) -> pd.DataFrame:
    """One report's section 三 as numbers: rows (canonical keys) × applicant columns,
    with the printed label; blank or redacted cells are NaN."""
    template = load_template()
    cells = corpus.report_table(report_id, "requests")
    grid = cells.pivot_table(index="row", columns="column", values="value", aggfunc="first",
                             dropna=False)
    rows = [r.key for r in template.request_rows if r.key in grid.index]
    columns = [c for c in (*template.request_columns[:-1], template.subtotal_column,
                           template.request_columns[-1]) if c in grid.columns]
    grid = grid.reindex(index=rows, columns=columns).astype("float64")
    labels = cells.drop_duplicates("row").set_index("row")["label"]
    grid.insert(0, "label", [str(labels.get(r, "")) for r in grid.index])
    grid.index.name = "row"
    grid.columns.name = None
    return grid


def outcome_mix(grid: pd.DataFrame) -> pd.DataFrame:
    """A section 三 grid's answers by outcome group: count and share of 总计 (total column).

    A group whose rows are all absent from the report's template (the 2019 `other` row in a
    2021 report and the reverse) is summed over the rows the report has.
    """
    template = load_template()
    total = float(cast(Any, grid.loc["total_processed", "total"])) if "total_processed" in grid.index \
        else float("nan")
    rows = []
    for group, (indicator, part) in OUTCOMES.items():
        keys = [k for v in template.versions_in_order() for k in template.rows_in_group(group, v)]
        present = [k for k in dict.fromkeys(keys) if k in grid.index]
        values = grid.loc[present, "total"] if present else pd.Series(dtype="float64")
        count = float(values.sum(min_count=1)) if not values.isna().any() else float("nan")
        rows.append({"part": part, "group": group, "label": BY_NAME[indicator].label,
                     "meaning": OUTCOME_EN[group], "count": count,
                     "share": count / total if total > 0 else float("nan")})
    return pd.DataFrame(rows)


def _term(key: str) -> str:
    table, row, column = key.split(".")
    if table == "requests":
        return row if column == "total" else f"{row}[{column}]"
    return f"{row}.{column}"


def _terms(keys: tuple[str, ...]) -> str:
    if len(keys) > 3:
        stem = keys[0].split(".")[1].split("_")[0]
        if all(k.split(".")[1].startswith(stem + "_") for k in keys):
            return f"Σ {stem}_* ({len(keys)} rows)"
    return " + ".join(_term(k) for k in keys)


def formula(indicator: Indicator) -> str:
    """An indicator's formula in the row names of section 三 (`requests.granted.total` →
    granted; a column other than total in brackets)."""
    numerator = _terms(indicator.numerator)
    if not indicator.is_rate:
        return numerator
    denominator = _terms(indicator.denominator)
    if indicator.minus:
        denominator = f"{denominator} − {_terms(indicator.minus)}"
    return f"{_wrap(numerator)} / {_wrap(denominator)}"


def _wrap(terms: str) -> str:
    return f"({terms})" if " + " in terms or " − " in terms else terms


def definitions(names: list[str] | None = None) -> pd.DataFrame:
    """The indicators' definitions as the toolkit computes them (all when `names` is None)."""
    chosen = [BY_NAME[n] for n in names] if names else list(INDICATORS)
    return pd.DataFrame([{"indicator": i.name, "中文": i.label, "formula": formula(i),
                          "note": i.note} for i in chosen])


def report_rates(corpus: Corpus, indicator: str = "disclosure_rate") -> pd.DataFrame:
    """One indicator for every usable report, with the body's kind and level and the counts."""
    reports = corpus.reports.rename(columns={"n_checks_failed": "checks_failed"})
    frame = report_indicators(corpus.wide, reports, [BY_NAME[indicator]])
    keep = reports.set_index("report_id")
    frame = frame.assign(path=frame["report_id"].map(keep["path"]),
                         published=frame["report_id"].map(keep["published"]))
    return frame


# ------------------------------------------------------------------ deadlines

def deadline_rule(kind: Any, level: Any) -> DeadlineRule | None:
    """The rule that sets a body's deadline (`DEADLINE_RULES`); None when its kind is unknown.

    Departments of governments at county level and above: 31 January; governments at county
    level and above: 31 March; townships (not named in art. 49): the lab's rule, 31 March.
    """
    by_key = {r.key: r for r in DEADLINE_RULES}
    if level == Level.TOWNSHIP:
        return by_key["township"]
    if kind == BodyKind.DEPARTMENT:
        return by_key["department"]
    if kind == BodyKind.GOVERNMENT:
        return by_key["government"]
    return None


def deadline(year: Any, kind: Any, level: Any) -> dt.date | None:
    """The last day to publish the report for `year` (None when year or kind is unknown)."""
    rule = deadline_rule(kind, level)
    if rule is None or year is None or pd.isna(year):
        return None
    return dt.date(int(year) + 1, rule.month, rule.day)


def timeliness(reports: pd.DataFrame) -> pd.DataFrame:
    """Per report: its deadline under `DEADLINE_RULES` and the days from the deadline to
    publication (negative: early; positive: late; null without a date or a rule)."""
    rows = []
    for r in reports.itertuples(index=False):
        rule = deadline_rule(r.agency_kind, r.level)
        due = deadline(r.year, r.agency_kind, r.level)
        published = pd.to_datetime(cast(Any, r.published), errors="coerce")
        days = (published.date() - due).days if due is not None and not pd.isna(published) \
            else np.nan
        rows.append({"report_id": r.report_id, "agency": r.agency, "year": r.year,
                     "agency_kind": r.agency_kind, "level": r.level,
                     "published": None if pd.isna(published) else published.date(),
                     "rule": rule.key if rule else None, "deadline": due, "days": days,
                     "is_late": bool(days > 0) if not pd.isna(days) else None})
    frame = pd.DataFrame(rows, columns=["report_id", "agency", "year", "agency_kind", "level",
                                        "published", "rule", "deadline", "days", "is_late"])
    frame["days"] = frame["days"].astype("Float64")
    return frame


__all__ = ["OUTCOMES", "SECTION_TITLES", "deadline", "deadline_rule", "definitions", "formula",
           "outcome_mix", "report_rates", "requests_rows", "section_three", "template_outline",
           "timeliness"]
