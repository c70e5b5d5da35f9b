"""The toolkit's vocabulary, declared once: statuses, flags, levels, body kinds and their labels.

Every module that writes or compares one of these words imports it from here, so a status
cannot drift between the parser, the store's SQL and a briefing. The enums are `StrEnum`s:
they compare equal to their plain strings, so Parquet columns and JSON stay plain text.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What became of one input file."""

    OK = "ok"
    """Every section and table of the report was found."""
    PARTIAL = "partial"
    """A report, but cut short or with a table missing: what it shows is kept."""
    FAILED = "failed"
    """Not readable as a report (bad bytes, no text layer, no report in the text)."""
    UNSUPPORTED = "unsupported"
    """A format with no reader here (a .doc without a converter, an OFD file)."""
    LIMIT_EXCEEDED = "limit_exceeded"
    """The file would cost more than a limit allows (time, memory, pages, expanded size);
    the reason names the limit (`toolkit.spec.limits`)."""
    DUPLICATE = "duplicate"
    """The same bytes as another file of the store, which stands for both."""
    INTERNAL_ERROR = "internal_error"
    """The toolkit itself failed on this file: a bug to report, not bad input."""


USABLE_STATUSES: tuple[Status, ...] = (Status.OK, Status.PARTIAL)
"""Reports whose figures enter indicators, briefings and the explorer."""
PARSE_STATUSES: frozenset[Status] = frozenset(
    {Status.OK, Status.PARTIAL, Status.FAILED, Status.UNSUPPORTED, Status.LIMIT_EXCEEDED,
     Status.INTERNAL_ERROR})
"""The statuses a parse (as opposed to deduplication) can give."""


class Flag(StrEnum):
    """Why a cell has no number, or how its number was read (REPORT_FORMAT.md, cell values)."""

    BLANK = "blank"
    REDACTED = "redacted"
    NOT_APPLICABLE = "not_applicable"
    WORD_ZERO = "word_zero"
    MISSING = "missing"
    AMBIGUOUS = "ambiguous"
    RESOLVED_CROSS_YEAR = "resolved_cross_year"
    """Not a parse's flag: the store read this cell (ambiguous or blank as parsed) by a
    cross-year identity of the same body (`toolkit.store.repair`; `repairs` says how)."""


FLAG_LABELS: dict[str, str] = {
    Flag.BLANK: "空白", Flag.REDACTED: "涂黑", Flag.MISSING: "缺失", Flag.AMBIGUOUS: "歧义",
    Flag.NOT_APPLICABLE: "不适用", Flag.WORD_ZERO: "无(计为0)", Flag.RESOLVED_CROSS_YEAR: "跨年核定",
}


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKABLE = "not_checkable"


class Level(StrEnum):
    """A body's level in the administrative hierarchy (GB/T 2260, plus townships)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


REGION_LEVELS: tuple[Level, ...] = (Level.PROVINCE, Level.CITY, Level.COUNTY)
"""The levels regions are rolled up at (a township is counted in its county)."""
LEVEL_LABELS: dict[str, str] = {
    Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县级", Level.TOWNSHIP: "乡镇级",
}


class BodyKind(StrEnum):
    """A people's government (or its office, or a zone's 管委会), or one of its departments."""

    GOVERNMENT = "government"
    DEPARTMENT = "department"


ALL_KINDS = "all"
"""The kind filter that keeps every body."""
KINDS: tuple[str, ...] = (ALL_KINDS, BodyKind.GOVERNMENT, BodyKind.DEPARTMENT)
KIND_LABELS: dict[str, str] = {
    ALL_KINDS: "全部机关", BodyKind.GOVERNMENT: "人民政府", BodyKind.DEPARTMENT: "政府部门",
}

SMALL_SAMPLE = 30
"""A rate over fewer requests than this is shown with its count and never ranked."""

USABLE_MIN_SHARE_READ = 0.5
"""A report's figures enter indicators, briefings and the explorer only when its status is
usable (`USABLE_STATUSES`) and at least this share of its template's cells was read (a
number, or a cell the report itself leaves blank, redacted or not applicable; not a cell
missing from the text or whose digits cannot be split).

Why one half: in the bundled corpus (31 files) the share is bimodal. Every complete report
reads 96.5–100% of its cells (the worst, seed 000, misses 7 of 198); every page cut off
mid-report reads at most 29.5% (0–59 of 198–200 cells: section 二 and the first rows of
三), and seed 002, complete but with every digit of its 三 and 四 tables run together,
reads 11%. Nothing falls between 30% and 96%; a report under one half cannot hold a whole
requests table (161–175 of the template's 198–200 cells), so its rates are not computable
and its counts stand for part of a body's year."""

TIERS: tuple[str, ...] = ("all", "own", "below")
"""Which bodies of a region a figure sums: `all` located inside it, `own` the bodies at the
region's own level (a city's government and its departments), `below` those of the
divisions under it (district governments, their departments, townships)."""
TIER_LABELS: dict[str, str] = {"all": "区域内全部机关", "own": "本级", "below": "下级"}

MIN_PEERS_FOR_SPREAD = 5
"""A peer distribution (P10, median, P90) is shown only over at least this many rankable
regions (regions with a figure over at least `SMALL_SAMPLE` requests); with fewer, the
peers are listed one by one: under five values a percentile is an interpolation between
neighbouring values, and the list itself says more (one rankable region made P10 = median
= P90)."""

DEADLINE_MONTH_DAY: dict[str, tuple[int, int]] = {
    BodyKind.DEPARTMENT: (1, 31), BodyKind.GOVERNMENT: (3, 31),
}
"""The legal deadline for publishing a year's report, as (month, day) of the next year, by
body kind: 条例 (2019) 第四十九条 — 县级以上人民政府部门 by 31 January, 县级以上地方人民政府 (their
information-disclosure offices) by 31 March. Townships (乡、镇、街道) are not named there: the
toolkit holds them, like the governments they are (or, for 街道, act for), to 31 March —
the later date, so no report is called late that the regulation does not make late."""


UNUSABLE_REASON_LABELS: dict[str, str] = {
    "failed": "无法读取",
    "unsupported": "格式无法读取",
    "limit_exceeded": "超出处理限度",
    "internal_error": "读取出错",
    "too_little_read": "只读出 {share} 的表格单元格",
}
"""Why a file's figures are left out (`unusable_reason`), for a reader; {share} is the share
of the template's cells read."""


CHECK_LABELS: dict[str, str] = {
    "balance": "收结平衡(新收+上年结转 = 办理总数+结转下年)",
    "outcomes": "办理结果之和 = 办理总数",
    "row_total": "各类申请人之和 = 总计",
    "review_total": "维持+纠正+其他+尚未审结 = 总计",
    "text_vs_table": "正文所述数字 = 表格数字",
}
"""Each check of a report (toolkit.parse.checks, the prose's claims) as a reader knows it."""
