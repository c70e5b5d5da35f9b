"""The indicators researchers compute (METRICS.md), per report and per region roll-up.

Indicators are declared once, as data (`INDICATORS`): a numerator and a denominator, each a
sum of canonical keys. Region figures sum the counts first and divide after, and always
come with the counts, the number of bodies and the years they cover. A rate over fewer
than `SMALL_SAMPLE` (30) requests is marked `is_small` (shown, not ranked); a zero
denominator gives null. Levels, body kinds and that threshold come from `toolkit.spec.vocab`.

Changes between years are like for like: `matched_change` sums, for each region and year,
only the bodies that gave the figure in that year and the year before (a panel matched on
`body_id`), and says how many; with none matched there is no change (null), never a number
computed between two different sets of bodies. Which reports are usable at all
(`usability`), which bodies of a region a figure sums (`tier_of`: its own level or the
divisions below) and when a report was due (`publication_deadline`) are decided here too.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.spec.template import load_template
from toolkit.spec.vocab import (
    DEADLINE_MONTH_DAY,
    KIND_LABELS,
    KINDS,
    LEVEL_LABELS,
    REGION_LEVELS,
    SMALL_SAMPLE,
    TIERS,
    USABLE_MIN_SHARE_READ,
    USABLE_STATUSES,
    Flag,
    Level,
)

_TEMPLATE = load_template()


def _group(group: str) -> tuple[str, ...]:
    """The requests rows of an outcome group in every template version, in printed order."""
    keys = (k for v in _TEMPLATE.versions_in_order() for k in _TEMPLATE.rows_in_group(group, v))
    return tuple(dict.fromkeys(keys))


def _row_label(key: str) -> str:
    return next(r.labels[0] for r in _TEMPLATE.request_rows if r.key == key)


APPLICANTS = [c for c in _TEMPLATE.request_columns if c != "total"]
"""The six applicant columns (法人或其他组织小计, where printed, is a subtotal of five)."""
_DENIED_ROWS = _group("denied")


def _req(*rows: str, column: str = "total") -> tuple[str, ...]:
    return tuple(f"requests.{row}.{column}" for row in rows)


PROCESSED = _req("total_processed")
ON_HAND = _req("new_received", "carried_over")
DENIED = _req(*_DENIED_ROWS)
UNABLE = _req(*_group("unable"))
REJECTED = _req(*_group("rejected"))
OTHER = _req(*_group("other"))
LITIGATION = ("review.litigation_direct", "review.litigation_after_review")


@dataclass(frozen=True)
class Indicator:
    """numerator / denominator, each the sum of its keys; a count when there is no denominator.

    Keys a report's template does not have (the 2019 `other` row in a 2021 report) are
    left out of its sums; keys it has but whose cell is null make the sum null.
    """

    name: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    note: str = ""
    group: str = "requests"
    minus: tuple[str, ...] = field(default=())

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("requests_received", "本年新收申请数", _req("new_received"),
              note="year-over-year change in % alongside, over the bodies that reported both "
                   "years"),
    Indicator("requests_on_hand", "本年办理申请数(新收+上年结转)", ON_HAND),
    Indicator("carry_forward_rate", "结转率", _req("carried_forward"), ON_HAND, "backlog"),
    Indicator("disclosure_rate", "公开率(予以公开+部分公开)/办理总数", _req("granted", "partial"), PROCESSED,
              "divides by requests processed (总计); some studies divide by requests on hand"),
    Indicator("full_grant_rate", "予以公开率", _req("granted"), PROCESSED),
    Indicator("refusal_rate", "不予公开率", DENIED, PROCESSED),
    Indicator("cannot_provide_rate", "无法提供率", UNABLE, PROCESSED),
    Indicator("not_held_share", "本机关不掌握占无法提供比例", _req("unable_not_held"), UNABLE,
              "a sign of misdirected requests"),
    Indicator("not_processed_rate", "不予处理率", REJECTED, PROCESSED),
    Indicator("complaint_abuse_share", "信访/重复/大量反复申请占比",
              _req("rejected_petition", "rejected_duplicate", "rejected_mass"), PROCESSED),
    Indicator("other_handling_rate", "其他处理率", OTHER, PROCESSED, "2021 splits 其他处理 in three"),
    *(Indicator(f"refusal_mix_{row.removeprefix('denied_')}", f"不予公开理由:{_row_label(row)}",
                _req(row), DENIED, group="refusal_mix") for row in _DENIED_ROWS),
    *(Indicator(f"applicant_share_{a}", f"申请人:{label}", _req("new_received", column=a),
                _req("new_received"), group="applicant_mix")
      for a, label in ((a, _TEMPLATE.request_column_labels[a]) for a in APPLICANTS)),
    Indicator("review_correction_rate", "行政复议纠错率", ("review.review.corrected",),
              ("review.review.total",), group="review"),
    Indicator("review_correction_rate_decided", "行政复议纠错率(已审结)", ("review.review.corrected",),
              ("review.review.total",), "divides by total - pending", group="review",
              minus=("review.review.pending",)),
    Indicator("litigation_correction_rate", "行政诉讼纠错率",
              tuple(f"{r}.corrected" for r in LITIGATION), tuple(f"{r}.total" for r in LITIGATION),
              group="review"),
    Indicator("combined_correction_rate", "复议诉讼综合纠错率",
              tuple(f"{r}.corrected" for r in ("review.review", *LITIGATION)),
              tuple(f"{r}.total" for r in ("review.review", *LITIGATION)), group="review"),
    Indicator("dispute_rate", "复议诉讼发生率(每件新收申请)",
              tuple(f"{r}.total" for r in ("review.review", *LITIGATION)), _req("new_received"),
              group="review"),
    *(Indicator(f"outcome_{key}", label, rows, group="outcomes") for key, label, rows in (
        ("granted", "予以公开", _req("granted")),
        ("partial", "部分公开", _req("partial")),
        ("refused", "不予公开", DENIED),
        ("unable", "无法提供", UNABLE),
        ("rejected", "不予处理", REJECTED),
        ("other", "其他处理", OTHER),
    )),
    *(Indicator(f"review_{row}_{column}", f"{row_label}·{column_label}", (f"review.{row}.{column}",),
                group="review_counts")
      for row, row_label in (("review", "行政复议"), ("litigation_direct", "直接起诉"),
                             ("litigation_after_review", "复议后起诉"))
      for column, column_label in (("upheld", "结果维持"), ("corrected", "结果纠正"),
                                   ("other", "其他结果"), ("pending", "尚未审结"))),
    Indicator("enforcement_mix", "许可/(处罚+强制)决定数", ("active.license.decisions",),
              ("active.penalty.decisions", "active.enforcement.decisions"), group="active"),
)
BY_NAME = {i.name: i for i in INDICATORS}
"""Every indicator by name."""


def wide_values(facts: pd.DataFrame) -> pd.DataFrame:
    """report_id × canonical key table of values from the tidy facts."""
    frame = facts.pivot_table(index="report_id", columns="key", values="value", aggfunc="first",
                              dropna=False)
    return frame.astype("float64")


def _sum(wide: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """Row sums over the keys a report has; null when one of them is null."""
    present = [k for k in keys if k in wide.columns]
    if not present:
        return pd.Series(np.nan, index=wide.index)
    block = wide[present]
    has_key = block.notna() | _key_exists(block)
    total = block.sum(axis=1, min_count=1)
    incomplete = (block.isna() & has_key).any(axis=1)
    return total.mask(incomplete)


def _key_exists(block: pd.DataFrame) -> pd.DataFrame:
    """Which (report, key) cells the report's template has; set on the frame by `with_presence`."""
    presence = block.attrs.get("presence")
    if presence is None:
        return pd.DataFrame(False, index=block.index, columns=block.columns)
    return presence.reindex(index=block.index, columns=block.columns, fill_value=False)


def with_presence(wide: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Mark which keys each report has (a null fact is present, an absent key is not)."""
    presence = facts.assign(present=True).pivot_table(
        index="report_id", columns="key", values="present", aggfunc="first", fill_value=False)
    wide = wide.copy()
    wide.attrs["presence"] = presence.astype(bool)
    return wide


def counts(wide: pd.DataFrame, indicators: Iterable[Indicator] = INDICATORS) -> pd.DataFrame:
    """Per report: numerator and denominator of every indicator (long format)."""
    parts = []
    for indicator in indicators:
        numerator = _sum(wide, indicator.numerator)
        denominator = (_sum(wide, indicator.denominator) if indicator.denominator
                       else pd.Series(np.nan, index=wide.index))
        if indicator.minus:
            denominator = denominator - _sum(wide, indicator.minus)
        parts.append(pd.DataFrame({
            "report_id": wide.index, "indicator": indicator.name,
            "numerator": numerator.to_numpy(), "denominator": denominator.to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    rate = frame["indicator"].map(lambda n: BY_NAME[n].is_rate).astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = frame["numerator"] / frame["denominator"].where(frame["denominator"] != 0)
    frame["value"] = ratio.where(rate, frame["numerator"])
    frame["is_rate"] = rate
    requests_base = frame["denominator"].where(rate)
    frame["is_small"] = rate & (requests_base.fillna(0) < SMALL_SAMPLE)
    return frame


def report_indicators(wide: pd.DataFrame, reports: pd.DataFrame | None = None,
                      indicators: Iterable[Indicator] = INDICATORS) -> pd.DataFrame:
    """Every indicator for every report, with counts next to the rate."""
    frame = _finish(counts(wide, indicators))
    if reports is not None:
        keep = [c for c in ("report_id", "year", "agency", "body_id", "adcode", "level",
                            "agency_kind", "province", "city", "county", "checks_failed")
                if c in reports.columns]
        frame = frame.merge(reports[keep], on="report_id", how="left")
    return frame


def region_code(reports: pd.DataFrame, level: str) -> pd.Series:
    """Each report's region adcode at `level`; null where the body sits above that level.

    A city body belongs to its province and city, not to a county; bodies of the four
    municipalities and county-level units directly under a province have no city.
    """
    if level not in REGION_LEVELS:
        raise ValueError(f"level must be one of {', '.join(REGION_LEVELS)}, not {level!r}")
    adcode = reports["adcode"].astype("string")
    body_level = reports["level"].astype("string")
    depth = {"province": 0, "city": 1, "county": 2, "township": 3}
    body_depth = body_level.map(depth).astype("Float64")
    if level == "province":
        return adcode.str[:2] + "0000"
    if level == "city":
        code = adcode.str[:4] + "00"
        has_city = reports["city"].notna() & (body_depth >= 1)
        return code.where(has_city)
    return adcode.where((body_depth >= 2) & ~adcode.str.endswith("00").fillna(True))


_DEPTH = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2, Level.TOWNSHIP: 3}


def tier_of(reports: pd.DataFrame, level: str) -> pd.Series:
    """For a region at `level`: `own` for a body at that level (a city's government and
    departments in a city region), `below` for the bodies of the divisions under it (and a
    body whose level is unknown)."""
    body_level = reports["level"].astype("string")
    own = (body_level == str(level)).fillna(False).astype(bool)
    return pd.Series(np.where(own, "own", "below"), index=reports.index, dtype="object")


def _select(reports: pd.DataFrame, level: str, kind: str, tier: str) -> pd.DataFrame:
    """The reports a roll-up at `level` sums for `kind` and `tier`, each with its region."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
    selected = reports if kind == "all" else reports[reports["agency_kind"] == kind]
    if tier != "all":
        selected = selected[tier_of(selected, level) == tier]
    return selected.assign(region=region_code(selected, level)).dropna(subset=["region", "year"])


def body_mix(reports: pd.DataFrame, by: Sequence[str] = ()) -> pd.Series | str:
    """The levels and kinds of some reports' bodies, as a reader sees them next to a figure:
    `县级人民政府 1` or `市级人民政府 1、县级政府部门 2` (highest level first, governments
    before departments; a body of unknown level or kind as 其他机关).

    With `by` (columns of `reports`), one text per group, as a Series indexed by them."""
    level = reports["level"].astype("object").where(reports["level"].notna(), "")
    kind = reports["agency_kind"].astype("object").where(reports["agency_kind"].notna(), "")
    label = [f"{LEVEL_LABELS[lv]}{KIND_LABELS[k]}" if lv in LEVEL_LABELS and k in KIND_LABELS
             and k != "all" else "其他机关" for lv, k in zip(level, kind, strict=True)]
    depth = {str(k): i for i, k in enumerate(_DEPTH)}
    kinds = {str(k): i for i, k in enumerate(KIND_LABELS)}
    order = [depth.get(lv, 9) * 10 + kinds.get(k, 9) for lv, k in zip(level, kind, strict=True)]
    frame = pd.DataFrame({"_label": label, "_order": order}, index=reports.index)
    for column in by:
        frame[column] = reports[column].to_numpy()
    counts = frame.groupby([*by, "_order", "_label"], sort=True).size().rename("n").reset_index()
    if counts.empty:
        return pd.Series(dtype="object") if by else ""
    counts["text"] = counts["_label"].astype(str) + " " + counts["n"].astype(str)
    if not by:
        return "、".join(counts["text"])
    return counts.groupby(list(by), sort=False)["text"].agg("、".join)


def count_matrices(wide: pd.DataFrame, indicators: Iterable[Indicator] = INDICATORS
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per report numerators and denominators as two report × indicator frames.

    A rate's numerator and denominator are kept only where both are known, so a region's
    sums always pair up; counts (no denominator) keep their numerator alone.
    """
    indicators = list(indicators)
    numerators = pd.DataFrame({i.name: _sum(wide, i.numerator) for i in indicators},
                              index=wide.index)
    denominators = pd.DataFrame(index=wide.index)
    for i in indicators:
        if i.denominator:
            denominator = _sum(wide, i.denominator)
            if i.minus:
                denominator = denominator - _sum(wide, i.minus)
            denominators[i.name] = denominator
        else:
            denominators[i.name] = np.nan
    is_rate = np.array([i.is_rate for i in indicators])
    known = numerators.notna() & (denominators.notna() | ~is_rate)
    return numerators.where(known), denominators.where(known & is_rate)


def region_indicators(wide: pd.DataFrame, reports: pd.DataFrame, level: str = "city",
                      kind: str = "all", indicators: Iterable[Indicator] = INDICATORS,
                      matrices: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                      tier: str = "all") -> pd.DataFrame:
    """Indicators per region and year: counts summed first, then divided.

    `kind` keeps all bodies, governments only or departments only; `tier` all bodies
    located in the region, those at its own level, or those below (`tier_of`). Each row
    states how many reports and bodies it covers, their levels and kinds (`body_mix`), how
    many of those reports fail an identity check, and the change from the year before over
    the bodies that gave the figure in both years (`matched_change`).
    `matrices` (from `count_matrices`) saves recomputing per-report counts per call.
    """
    selected = _select(reports, level, kind, tier)
    selected = selected[selected["report_id"].isin(wide.index)]
    numerators, denominators = matrices or count_matrices(wide, indicators)
    ids = pd.Index(selected["report_id"])
    numerators, denominators = numerators.loc[ids], denominators.loc[ids]
    keys = [selected["region"].to_numpy(), selected["year"].astype(int).to_numpy()]
    num = numerators.groupby(keys).sum(min_count=1)
    den = denominators.groupby(keys).sum(min_count=1)
    n_reports = numerators.notna().groupby(keys).sum()
    num.index.names = den.index.names = n_reports.index.names = ["region", "year"]
    frame = pd.DataFrame({
        "numerator": num.stack(future_stack=True),
        "denominator": den.stack(future_stack=True),
        "n_reports": n_reports.stack(future_stack=True),
    })
    frame.index.names = ["region", "year", "indicator"]
    frame = frame[frame["n_reports"] > 0].reset_index()
    groups = selected.groupby(["region", "year"])
    extra = pd.DataFrame(index=groups.size().index)
    if "body_id" in selected.columns:
        extra["n_bodies"] = groups["body_id"].nunique()
    extra["body_mix"] = body_mix(selected, by=["region", "year"])
    if "checks_failed" in selected.columns:
        failing = pd.to_numeric(selected["checks_failed"], errors="coerce").fillna(0) > 0
        extra["n_reports_failing_checks"] = failing.groupby(
            [selected["region"], selected["year"]]).sum().astype("int64")
    extra = extra.reset_index()
    extra["year"] = extra["year"].astype(int)
    frame = frame.merge(extra, on=["region", "year"], how="left")
    frame = frame.sort_values(["region", "year", "indicator"]).reset_index(drop=True)
    frame.insert(0, "level", level)
    frame.insert(1, "kind", kind)
    frame.insert(2, "tier", tier)
    frame = _finish(frame)
    return with_matched_change(frame, matched_change(selected, (numerators, denominators)))


MATCHED_COLUMNS = ("n_bodies_matched", "numerator_prev_matched", "denominator_prev_matched",
                   "numerator_matched", "denominator_matched")


def matched_change(selected: pd.DataFrame, matrices: tuple[pd.DataFrame, pd.DataFrame]
                   ) -> pd.DataFrame:
    """Per region, year and indicator: the sums over the bodies that gave the figure both
    that year and the year before (a panel matched on `body_id`), for both years.

    `selected` holds the reports of a roll-up with their `region` (as `region_indicators`
    selects them; one report per body and year); `matrices` their numerators and
    denominators (`count_matrices`), where a rate's two sides are kept only when both are
    known. A body counts for an indicator when its figure is known in both years; a report
    without `body_id` can never be matched. Regions and years with no matched body have no
    row (their change is null).
    """
    columns = ["region", "year", "indicator", *MATCHED_COLUMNS]
    numerators, denominators = matrices
    if "body_id" not in selected.columns:
        return pd.DataFrame(columns=columns)
    have = selected.dropna(subset=["body_id"])
    have = have[have["report_id"].isin(numerators.index)]
    current = pd.DataFrame({"report_id": have["report_id"].to_numpy(),
                            "body_id": have["body_id"].to_numpy(),
                            "region": have["region"].to_numpy(),
                            "year": have["year"].astype(int).to_numpy()})
    before = current[["report_id", "body_id", "year"]].rename(columns={"report_id": "prev_id"})
    pairs = current.merge(before.assign(year=before["year"] + 1), on=["body_id", "year"])
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    names = list(numerators.columns)
    is_rate = np.array([BY_NAME[n].is_rate if n in BY_NAME else False for n in names])
    n_now = numerators.loc[pairs["report_id"]].to_numpy(dtype=float)
    d_now = denominators.loc[pairs["report_id"]].to_numpy(dtype=float)
    n_prev = numerators.loc[pairs["prev_id"]].to_numpy(dtype=float)
    d_prev = denominators.loc[pairs["prev_id"]].to_numpy(dtype=float)
    known = ~np.isnan(n_now) & ~np.isnan(n_prev) & (
        ~is_rate | (~np.isnan(d_now) & ~np.isnan(d_prev)))
    keys = [pairs["region"].to_numpy(), pairs["year"].to_numpy()]
    parts = {}
    for name, block in (("numerator_prev_matched", n_prev), ("denominator_prev_matched", d_prev),
                        ("numerator_matched", n_now), ("denominator_matched", d_now)):
        masked = pd.DataFrame(np.where(known, block, np.nan), columns=names)
        parts[name] = masked.groupby(keys).sum(min_count=1).stack(future_stack=True)
    parts["n_bodies_matched"] = pd.DataFrame(known, columns=names).groupby(keys).sum().stack(
        future_stack=True)
    frame = pd.DataFrame(parts)
    frame.index.names = ["region", "year", "indicator"]
    frame = frame[frame["n_bodies_matched"] > 0].reset_index()
    frame["year"] = frame["year"].astype(int)
    return frame[columns]


def with_matched_change(frame: pd.DataFrame, matched: pd.DataFrame) -> pd.DataFrame:
    """A roll-up with the matched panel's sums, values and changes (see the Corpus.rollup
    fields): `yoy_pct` and, for a rate, `change_pp` are null when no body is matched."""
    out = frame.merge(matched, on=["region", "year", "indicator"], how="left")
    out["n_bodies_matched"] = out["n_bodies_matched"].fillna(0).astype("int64")
    rate = out["is_rate"].astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        now = out["numerator_matched"] / out["denominator_matched"].where(
            out["denominator_matched"] != 0)
        before = out["numerator_prev_matched"] / out["denominator_prev_matched"].where(
            out["denominator_prev_matched"] != 0)
    out["value_prev_matched"] = before.where(rate, out["numerator_prev_matched"]).astype("float64")
    out["value_matched"] = now.where(rate, out["numerator_matched"]).astype("float64")
    base = out["value_prev_matched"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["yoy_pct"] = ((out["value_matched"] - base) / base.where(base != 0) * 100).astype(
            "float64")
    out["change_pp"] = ((out["value_matched"] - base) * 100).where(rate).astype("float64")
    previous = out[["region", "year", "indicator", "n_reports"]].assign(year=out["year"] + 1)
    previous = previous.rename(columns={"n_reports": "_n_before"})
    out = out.merge(previous, on=["region", "year", "indicator"], how="left")
    had_before = out["_n_before"].notna()
    out["n_bodies_entered"] = (out["n_reports"] - out["n_bodies_matched"]).where(
        had_before).astype("Int64")
    out["n_bodies_left"] = (out["_n_before"] - out["n_bodies_matched"]).where(
        had_before).astype("Int64")
    return out.drop(columns="_n_before")


def publication_deadline(reports: pd.DataFrame) -> pd.Series:
    """The legal deadline of each report (条例 第四十九条, `DEADLINE_MONTH_DAY`): 31 January
    of year + 1 for a department, 31 March for a government; a township (乡镇、街道) is
    held to 31 March like a government. Null without a year or a body kind."""
    year = pd.to_numeric(reports["year"], errors="coerce") + 1
    kind = reports["agency_kind"].astype("object")
    month = kind.map({str(k): v[0] for k, v in DEADLINE_MONTH_DAY.items()})
    day = kind.map({str(k): v[1] for k, v in DEADLINE_MONTH_DAY.items()})
    parts = pd.DataFrame({"year": year, "month": month, "day": day}, index=reports.index)
    known = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=reports.index, dtype="datetime64[ns]")
    if known.any():
        out[known] = pd.to_datetime(parts[known].astype(int))
    return out


def publication_timeliness(reports: pd.DataFrame) -> pd.Series:
    """Days between publication and the report's legal deadline (`publication_deadline`);
    negative = early, positive = late."""
    published = pd.to_datetime(reports["published"], errors="coerce")
    return (published - publication_deadline(reports)).dt.days.astype("Int64")


READ_FLAGS: tuple[str, ...] = (Flag.BLANK, Flag.REDACTED, Flag.NOT_APPLICABLE, Flag.WORD_ZERO)
"""Flags of a cell that was read as the report prints it (a blank, a redaction, a dash):
such a cell counts as read; `missing` and `ambiguous` cells do not."""


def template_cells(template: str | None) -> int | None:
    """How many value cells a complete report of this template version has (None when the
    version is not one of the template's, e.g. `unknown`)."""
    if not isinstance(template, str) or template not in _TEMPLATE.versions:
        return None
    return len(_TEMPLATE.canonical_keys(template))


def usability(reports: pd.DataFrame, cells_read: pd.Series) -> pd.DataFrame:
    """Whether each report's figures can be used, and why not.

    `reports` has `report_id`, `status` and `template`; `cells_read` maps report_id to the
    cells read (a number, or a `READ_FLAGS` flag). A report is usable when its status is
    usable (`USABLE_STATUSES`) and it read at least `USABLE_MIN_SHARE_READ` of its
    template's cells. `unusable_reason`: the status (`failed`, `unsupported`, …) when it
    could not be read, `too_little_read` when too little of it was; null when usable.
    """
    read = reports["report_id"].map(cells_read).fillna(0).astype(float)
    cells = reports["template"].map(template_cells).astype("Float64")
    share = (read / cells.where(cells > 0)).astype("float64").fillna(0.0).clip(upper=1.0)
    status_ok = reports["status"].isin([str(s) for s in USABLE_STATUSES])
    usable = status_ok & (share >= USABLE_MIN_SHARE_READ)
    reason = pd.Series(np.where(status_ok, "too_little_read", reports["status"].astype(str)),
                       index=reports.index, dtype="object").where(~usable)
    return pd.DataFrame({"cells_read": read.astype("int64"), "share_read": share,
                         "is_usable": usable.astype(bool), "unusable_reason": reason},
                        index=reports.index)


def data_quality(facts: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """Per report: share of checks passed, share of blank / redacted / missing cells."""
    flags = facts.assign(n=1).pivot_table(index="report_id", columns="flag", values="n",
                                          aggfunc="sum", fill_value=0)
    cells = facts.groupby("report_id").size()
    out = pd.DataFrame(index=cells.index)
    out["cells"] = cells
    for flag in ("blank", "redacted", "missing", "ambiguous"):
        out[f"share_{flag}"] = (flags[flag] / cells) if flag in flags.columns else 0.0
    if len(checks):
        checkable = checks[checks["status"] != "not_checkable"]
        passed = checkable.assign(ok=checkable["status"] == "pass").groupby("report_id")["ok"]
        out["checks_checkable"] = passed.size().reindex(out.index, fill_value=0)
        out["share_checks_passed"] = passed.mean().reindex(out.index)
        out["checks_failed"] = (checks["status"] == "fail").groupby(checks["report_id"]).sum(
        ).reindex(out.index, fill_value=0)
    return out.reset_index()


def percentiles(values: pd.Series, low: float = 0.1, high: float = 0.9) -> tuple[float, float]:
    """The P10–P90 spread used for peer comparisons (not min–max)."""
    clean = values.dropna()
    if clean.empty:
        return (float("nan"), float("nan"))
    return float(clean.quantile(low)), float(clean.quantile(high))
