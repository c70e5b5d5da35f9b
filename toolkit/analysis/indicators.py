"""The indicators researchers compute (METRICS.md), per report and per region roll-up.

Indicators are declared once, as data (`INDICATORS`): a numerator and a denominator, each a
sum of canonical keys. Region figures sum the counts first and divide after, and always
come with the counts, the number of bodies and the years they cover. A rate over fewer
than `SMALL_SAMPLE` (30) requests is marked `is_small` (shown, not ranked); a zero
denominator gives null. Levels, body kinds and that threshold come from `toolkit.spec.vocab`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.spec.template import load_template
from toolkit.spec.vocab import KINDS, REGION_LEVELS, SMALL_SAMPLE

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
              note="year-over-year change in % alongside"),
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
                      matrices: tuple[pd.DataFrame, pd.DataFrame] | None = None
                      ) -> pd.DataFrame:
    """Indicators per region and year: counts summed first, then divided.

    `kind` keeps all bodies, governments only or departments only. Each row states how
    many reports and bodies it covers, and how many of those fail an identity check.
    `matrices` (from `count_matrices`) saves recomputing per-report counts per call.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    selected = reports if kind == "all" else reports[reports["agency_kind"] == kind]
    selected = selected.assign(region=region_code(selected, level)).dropna(
        subset=["region", "year"])
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
    if "checks_failed" in selected.columns:
        extra["n_reports_failing_checks"] = groups["checks_failed"].apply(
            lambda s: int((s.fillna(0) > 0).sum()))
    extra = extra.reset_index()
    extra["year"] = extra["year"].astype(int)
    frame = frame.merge(extra, on=["region", "year"], how="left")
    frame = frame.sort_values(["region", "year", "indicator"]).reset_index(drop=True)
    frame.insert(0, "level", level)
    frame.insert(1, "kind", kind)
    return _finish(frame)


def year_over_year(series: pd.DataFrame, value: str = "value") -> pd.Series:
    """Percent change from the previous year within each region and indicator."""
    ordered = series.sort_values(["region", "indicator", "year"])
    previous = ordered.groupby(["region", "indicator"])[value].shift(1)
    consecutive = ordered.groupby(["region", "indicator"])["year"].diff() == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (ordered[value] - previous) / previous.where(previous != 0) * 100
    return change.where(consecutive).reindex(series.index)


def publication_timeliness(reports: pd.DataFrame) -> pd.Series:
    """Days between publication and the legal deadline (31 March of year + 1); negative = early."""
    published = pd.to_datetime(reports["published"], errors="coerce")
    deadline = pd.to_datetime(reports["year"].astype("Int64").astype("string") + "-03-31",
                              errors="coerce") + pd.DateOffset(years=1)
    return (published - deadline).dt.days


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
