"""Numbers as people read them, in one place: the explorer, the briefings and the summary.

Counts are whole numbers with thousands separators (1,234), rates are percentages with one
decimal (43.5%), changes carry their sign (+12.3%, +1.5个百分点). A missing value (None,
NaN, pd.NA, or anything that is not a number) is shown as `missing`: a dash by default;
the explorer's headline says 无数据 and its HTML tables leave the cell empty. The marks of
the guard rails (too few requests to rank, a report failing a check) are here too.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from toolkit.spec.vocab import CHECK_LABELS, SMALL_SAMPLE, UNUSABLE_REASON_LABELS

MISSING = "—"
"""What a missing value is shown as, unless a caller asks for another text."""
NO_DATA = "无数据"
"""The explorer's word for a figure it has no data for."""
SMALL_LABEL = f"少于{SMALL_SAMPLE}件,不排名"
"""The guard rail's mark on a rate over fewer than `SMALL_SAMPLE` requests."""
RANKED_LABEL = f"≥{SMALL_SAMPLE}件"
"""The other side of that guard rail, in chart legends."""
MARK_FAIL = "⚠"
"""The mark on a figure that includes a report failing an identity check."""


def is_missing(value: Any) -> bool:
    """True for None, NaN and pd.NA, and for anything that is not a number."""
    try:
        return value is None or value is pd.NA or bool(np.isnan(float(value)))
    except (TypeError, ValueError):
        return True


def fmt_count(value: Any, missing: str = MISSING) -> str:
    """1234.0 → '1,234'; counts are whole numbers, shown without decimals."""
    return missing if is_missing(value) else f"{round(float(value)):,}"


def fmt_rate(value: Any, missing: str = MISSING) -> str:
    """0.4351 → '43.5%'."""
    return missing if is_missing(value) else f"{float(value):.1%}"


def fmt_value(value: Any, is_rate: bool, missing: str = MISSING) -> str:
    """A rate as a percentage, a count with thousands separators."""
    return fmt_rate(value, missing) if is_rate else fmt_count(value, missing)


def fmt_change(value: Any, unit: str = "%", missing: str = MISSING) -> str:
    """+12.34 → '+12.3%' (or '+12.3个百分点' for a change of a rate, unit 'pp')."""
    if is_missing(value):
        return missing
    text = f"{float(value):+.1f}"
    return text + ("%" if unit == "%" else "个百分点")


def fmt_number(value: Any, missing: str = MISSING) -> str:
    """A cell as printed: whole numbers without decimals (1,234), others with two (12.50)."""
    if is_missing(value):
        return missing
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def fmt_text(value: Any, missing: str = MISSING) -> str:
    """Any value as text; None, NaN and pd.NA as `missing`."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return missing
    return str(value)


def fmt_years(years: Iterable[int], missing: str = "无") -> str:
    """[2019, 2021] → '2019、2021'; no years → '无'."""
    return "、".join(str(y) for y in years) or missing


def rounded(value: Any, digits: int = 6) -> float | int | None:
    """A number for JSON: None for NaN, int for whole counts, rounded floats otherwise."""
    if is_missing(value):
        return None
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return round(number, digits)


__all__ = [
    "MARK_FAIL",
    "MISSING",
    "NO_DATA",
    "RANKED_LABEL",
    "SMALL_LABEL",
    "check_label",
    "check_scope_label",
    "fmt_change",
    "fmt_count",
    "fmt_number",
    "fmt_rate",
    "fmt_text",
    "fmt_value",
    "fmt_years",
    "is_missing",
    "rounded",
    "unusable_reason_text",
]


def unusable_reason_text(reason: Any, share_read: Any) -> str:
    """Why a file is left out, for a reader: 只读出 11.1% 的表格单元格, 无法读取, …"""
    reason = str(reason or "")
    text = UNUSABLE_REASON_LABELS.get(reason, reason or UNUSABLE_REASON_LABELS["failed"])
    return text.format(share=fmt_rate(share_read))


def check_label(check: Any) -> str:
    """A check as a reader knows it (收结平衡 …, 正文所述数字 = 表格数字)."""
    return CHECK_LABELS.get(str(check), fmt_text(check))


def check_scope_label(check: Any, scope: Any) -> str:
    """Where a check was evaluated, in the template's words (自然人, 办理总数 …), or what a
    claim of the prose counts (行政复议, 制发规范性文件 …)."""
    from toolkit.spec.prose import load_prose
    from toolkit.spec.template import load_template

    if not isinstance(scope, str):
        return ""
    if check == "text_vs_table":
        claims = {c.name: c.label for c in load_prose().claims}
        return claims.get(scope, scope)
    template = load_template()
    key = scope.split("#", 1)[0]
    rows = {r.key: r.labels[0] for r in template.request_rows}
    return (template.request_column_labels.get(key) or template.review_row_labels.get(key)
            or rows.get(key) or scope)
