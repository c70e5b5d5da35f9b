"""What a region's briefing shows, computed here so `notebooks/briefing.ipynb` stays thin.

The notebook opens a `Briefing` for one region (an ASCII adcode) and a span of years, and
displays what its methods return: `Fragment`s (escaped HTML with a plain-text twin, so an
nbval diff reads like the briefing) and altair charts. Everything shown is rounded and
formatted here, ordered deterministically, and free of paths and clock time, so a golden
notebook renders the same bytes on every machine.

Guard rails (spec/METRICS.md): a rate over fewer than `SMALL_SAMPLE` (30) requests is shown
with its count and never ranked; every region figure says how many bodies and which years it
covers; spreads are P10–P90; a figure that includes a report failing an identity check is
marked ⚠. Every string that comes from a report is escaped (`fragments.esc`).

Why this module is longer than the others: most of it is one class, `Briefing`, whose
methods are the briefing's sections in the order the notebook shows them (header, coverage,
key figures, trends, outcomes and refusals, review and litigation, peers, data quality,
section 五, the JSON record). Splitting it would scatter one page over several files. What
the sections are built from lives elsewhere: HTML pieces in `toolkit.briefings.fragments`,
numbers in `toolkit.present.formatting`, charts in `toolkit.present.charts`, the page
around the notebook in `toolkit.briefings.pages` and `templates/`.
"""
from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from toolkit.analysis.corpus import Corpus, Region, load
from toolkit.analysis.indicators import BY_NAME, region_code
from toolkit.briefings.fragments import Cell, Fragment, esc, paragraphs, stylesheet, table
from toolkit.briefings.jobs import check_adcode, write_json
from toolkit.present.formatting import (
    MARK_FAIL,
    SMALL_LABEL,
    fmt_change,
    fmt_count,
    fmt_rate,
    fmt_text,
    fmt_value,
    fmt_years,
    is_missing,
    rounded,
)
from toolkit.spec.vocab import (
    ALL_KINDS,
    KIND_LABELS,
    KINDS,
    LEVEL_LABELS,
    SMALL_SAMPLE,
    USABLE_STATUSES,
    BodyKind,
)
from toolkit.store.views import resolve_store

SCHEMA_VERSION = 1

KEY_FIGURES: tuple[str, ...] = (
    "requests_received", "requests_on_hand", "disclosure_rate", "full_grant_rate",
    "refusal_rate", "cannot_provide_rate", "not_processed_rate", "carry_forward_rate",
    "review_correction_rate", "litigation_correction_rate", "combined_correction_rate",
    "dispute_rate",
)
"""The indicators of the key-figures table, the JSON beside each briefing and the index."""
PEER_FIGURES: tuple[str, ...] = ("disclosure_rate", "refusal_rate", "cannot_provide_rate",
                                 "not_processed_rate", "review_correction_rate")
CORRECTION_FIGURES: tuple[str, ...] = ("review_correction_rate", "review_correction_rate_decided",
                                       "litigation_correction_rate", "combined_correction_rate",
                                       "dispute_rate")
MIN_SIBLINGS = 5
EXCERPT_CHARS = 240
MAX_EXCERPTS = 12
MAX_ROWS = 40
CARRIED_FORWARD = "requests.carried_forward.total"
CARRIED_OVER = "requests.carried_over.total"


# ---------------------------------------------------------------- cells

def _year_cell(name: str, row: dict[str, Any] | None) -> Cell:
    """One indicator in one year of a by-year table: the figure, its counts for a rate,
    grey when small, ⚠ when a report behind it fails a check; — when there is none."""
    if row is None:
        return ("—", "num small")
    text = fmt_value(row["value"], BY_NAME[name].is_rate)
    if BY_NAME[name].is_rate:
        text += f" ({fmt_count(row['numerator'])}/{fmt_count(row['denominator'])})"
    css = "num" + (" small" if bool(row["is_small"]) else "")
    if row["n_reports_failing_checks"]:
        text += f" {MARK_FAIL}"
        css += " fails"
    return (text, css)


# ---------------------------------------------------------------- parameters and the store

def parse_years(years: str | int | None) -> tuple[int, int] | None:
    """'' → all years; '2021' → (2021, 2021); '2019-2021' → (2019, 2021)."""
    if years is None or str(years).strip() == "":
        return None
    text = str(years).strip()
    match = re.fullmatch(r"(\d{4})(?:\s*[-–:]\s*(\d{4}))?", text)
    if not match:
        raise ValueError(f"years must look like 2021 or 2019-2021, not {text!r}")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if end < start:
        raise ValueError(f"years {text!r}: the span ends before it starts")
    return (start, end)


_CORPORA: dict[tuple[str, tuple[int, int, int]], Corpus] = {}


def _signature(store: Path) -> tuple[int, int, int]:
    """Changes when the store is rewritten, so a kernel reused across briefings reloads it."""
    count = size = latest = 0
    for name in ("reports", "facts", "checks", "sections"):
        folder = store / name
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            stat = entry.stat()
            count += 1
            size += stat.st_size
            latest = max(latest, stat.st_mtime_ns)
    return (count, size, latest)


def load_corpus(store: str | Path) -> Corpus:
    """The store's `Corpus`, loaded once per process (a reused kernel renders many briefings)."""
    path = Path(store).resolve()
    key = (str(path), _signature(path))
    if key not in _CORPORA:
        for old in [k for k in _CORPORA if k[0] == key[0]]:
            del _CORPORA[old]
        _CORPORA[key] = load(path)
    return _CORPORA[key]


def setup() -> None:
    """Charts as SVG through vl-convert in the toolkit's theme: offline, the same bytes every
    run (see NOTES.md)."""
    from toolkit.present.charts import use_offline_renderer

    use_offline_renderer()


def open_briefing(region: str, years: str = "", store: str = "", kind: str = ALL_KINDS
                  ) -> Briefing:
    """The entry point of the notebook: its parameters in, a `Briefing` out."""
    return Briefing(load_corpus(resolve_store(store or None)), region, parse_years(years), kind)


# ---------------------------------------------------------------- the briefing

class Briefing:
    """One region, one span of years, one kind of body: every section of the briefing."""

    def __init__(self, corpus: Corpus, adcode: str, years: tuple[int, int] | None = None,
                 kind: str = ALL_KINDS) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.corpus = corpus
        self.adcode = check_adcode(adcode)
        self.region: Region = corpus.region(self.adcode)
        self.kind = kind
        corpus_years = corpus.reports["year"].dropna().astype(int)
        self.span: tuple[int, int] = years or (int(corpus_years.min()), int(corpus_years.max()))
        self.years_requested = years
        self.reports = corpus.reports_in(self.adcode, kind, self.span).sort_values(
            ["year", "agency", "path"], na_position="last", kind="stable").reset_index(drop=True)
        self._key_figures: pd.DataFrame | None = None
        self._mine: pd.DataFrame | None = None
        self._compositions: dict[str, pd.DataFrame] = {}

    # -- coverage ------------------------------------------------------------------------

    @property
    def span_years(self) -> list[int]:
        return list(range(self.span[0], self.span[1] + 1))

    @property
    def years_covered(self) -> list[int]:
        return sorted(int(y) for y in self.reports["year"].dropna().unique())

    @property
    def years_missing(self) -> list[int]:
        return [y for y in self.span_years if y not in self.years_covered]

    @property
    def latest_year(self) -> int | None:
        return self.years_covered[-1] if self.years_covered else None

    def bodies(self) -> pd.DataFrame:
        """One row per body: its latest name, kind, the span years it reported and missed."""
        rows = []
        frame = self.reports.assign(body=self.reports["body_id"].fillna(self.reports["report_id"]))
        for body, group in frame.groupby("body", sort=False):
            latest = group.sort_values("year").iloc[-1]
            years = sorted(int(y) for y in group["year"].dropna())
            rows.append({"body_id": body, "agency": fmt_text(latest["agency"]),
                         "agency_kind": fmt_text(latest["agency_kind"]), "years": years,
                         "missing": [y for y in self.span_years if y not in years]})
        out = pd.DataFrame(rows, columns=["body_id", "agency", "agency_kind", "years", "missing"])
        order = out["agency_kind"].map({BodyKind.GOVERNMENT: 0, BodyKind.DEPARTMENT: 1}).fillna(2)
        return out.assign(_o=order).sort_values(["_o", "agency", "body_id"]).drop(
            columns="_o").reset_index(drop=True)

    def duplicates_dropped(self) -> int:
        """Copies of a body-year report that the figures count once (two pages, two encodings)."""
        everything = self.corpus.all_reports
        usable = everything[everything["status"].isin(USABLE_STATUSES)]
        codes = region_code(usable, self.region.level)
        mine = usable[(codes == self.adcode) & usable["year"].between(*self.span)]
        if self.kind != ALL_KINDS:
            mine = mine[mine["agency_kind"] == self.kind]
        return int(len(mine) - len(self.reports))

    def header(self) -> Fragment:
        """Where the region sits, what it covers and what is missing."""
        region = self.region
        chain = region.path.replace("/", " › ")
        bodies = self.bodies()
        governments = int((bodies["agency_kind"] == BodyKind.GOVERNMENT).sum())
        departments = int((bodies["agency_kind"] == BodyKind.DEPARTMENT).sum())
        children = self.corpus.children(self.adcode)
        gaps = bodies[bodies["missing"].map(len) > 0]
        duplicates = self.duplicates_dropped()
        span = f"{self.span[0]}–{self.span[1]}" if self.span[0] != self.span[1] else str(self.span[0])
        facts = [
            ("地区", f"{region.name}(行政区划代码 {region.adcode})"),
            ("层级", f"{LEVEL_LABELS.get(region.level, region.level)} · {chain}"),
            ("上级", self._name(region.parent) if region.parent else "—"),
            ("下级地区(有报告)", f"{len(children)} 个" if len(children) else "无"),
            ("机关范围", KIND_LABELS[self.kind]),
            ("年份范围", span + ("" if self.years_requested else "(语料全部年份)")),
            ("覆盖机关", f"{len(bodies)} 个(人民政府 {governments},部门 {departments},"
                      f"其他 {len(bodies) - governments - departments})"),
            ("报告", f"{len(self.reports)} 份" + (
                f"(另有 {duplicates} 份重复发布的报告只计一次)" if duplicates else "")),
            ("有报告的年份", fmt_years(self.years_covered)),
            ("缺报告的年份", fmt_years(self.years_missing)),
            ("年份不全的机关", f"{len(gaps)} 个" if len(gaps) else "无"),
            ("未通过勾稽校验的报告", f"{int((self.reports['n_checks_failed'].fillna(0) > 0).sum())} 份"),
        ]
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
        title = f"{region.name} 政府信息公开工作年度报告简报"
        markup = (f"{stylesheet()}<div class=\"ogi-briefing\"><h2>{esc(title)}</h2>"
                  f"<table><tbody>{rows}</tbody></table></div>")
        text = "\n".join([title, *(f"{k}: {v}" for k, v in facts)])
        return Fragment(markup, text)

    def coverage(self) -> Fragment:
        """Which body reported which year of the span (✓) and which did not (缺)."""
        bodies = self.bodies()
        shown = bodies.head(MAX_ROWS)
        rows: list[list[Cell]] = []
        for body in records(shown):
            kind = str(body["agency_kind"])
            cells: list[Cell] = [str(body["agency"]), KIND_LABELS.get(kind, kind)]
            cells += ["✓" if y in body["years"] else ("缺", "small") for y in self.span_years]
            rows.append(cells)
        note = "✓ 有报告;缺 = 该年没有这个机关的报告(未发布、未收集或未能解析)。"
        if len(bodies) > len(shown):
            note += f" 只列出前 {len(shown)} 个机关,共 {len(bodies)} 个。"
        return table(["机关", "类型", *map(str, self.span_years)], rows,
                     caption="机关与年份覆盖", note=note)

    def _name(self, adcode: str | None) -> str:
        if adcode is None:
            return "—"
        name = self.corpus.region_names.get(adcode)
        if name is not None:
            return f"{name}({adcode})"
        from toolkit.places.gazetteer import load_gazetteer

        division = load_gazetteer().divisions.get(adcode)
        return f"{division.name if division else adcode}({adcode})"

    # -- key figures ---------------------------------------------------------------------

    @property
    def _rollup(self) -> pd.DataFrame:
        """The level's roll-up (region, indicator) → year rows; cached by the corpus."""
        return self.corpus.rollup(self.region.level, self.kind)

    def _region_rows(self) -> pd.DataFrame:
        """All indicators of this region in the span: one lookup instead of one per indicator."""
        if self._mine is None:
            table_ = self._rollup
            if self.adcode in table_.index.get_level_values(0):
                mine = table_.xs(self.adcode, level="region", drop_level=False).reset_index()
                mine = mine[mine["year"].between(*self.span)]
            else:
                mine = table_.iloc[:0].reset_index()
            self._mine = mine.sort_values(["indicator", "year"]).reset_index(drop=True)
        return self._mine

    def series(self, indicator: str) -> pd.DataFrame:
        """Like `Corpus.series` for this region, span and kind (same columns and values)."""
        if indicator not in BY_NAME:
            raise KeyError(f"unknown indicator {indicator!r}; choose from {sorted(BY_NAME)}")
        mine = self._region_rows()
        return mine[mine["indicator"] == indicator].reset_index(drop=True)

    def key_figures(self) -> pd.DataFrame:
        """Every key indicator by year, with counts, coverage, change and check marks."""
        if self._key_figures is None:
            self._key_figures = self._compute_key_figures()
        return self._key_figures.copy()

    def _compute_key_figures(self) -> pd.DataFrame:
        mine = self._region_rows()
        frame = mine[mine["indicator"].isin(KEY_FIGURES)].sort_values(["indicator", "year"])
        groups = frame.groupby("indicator", sort=False)
        previous = groups["value"].shift(1)
        consecutive = groups["year"].diff() == 1
        frame = frame.assign(
            label=frame["indicator"].map(lambda n: BY_NAME[n].label),
            change_pp=((frame["value"] - previous) * 100).where(
                consecutive & frame["is_rate"].astype(bool)))
        order = {n: i for i, n in enumerate(KEY_FIGURES)}
        frame = frame.assign(_o=frame["indicator"].map(order)).sort_values(["_o", "year"])
        return frame[["indicator", "label", "year", "value", "numerator", "denominator",
                      "n_reports", "n_bodies", "n_reports_failing_checks", "is_rate", "is_small",
                      "yoy_pct", "change_pp"]].reset_index(drop=True)

    def _figure_lookup(self) -> dict[tuple[str, int], dict[str, Any]]:
        return {(str(r["indicator"]), int(r["year"])): r for r in records(self.key_figures())}

    def key_figures_table(self) -> Fragment:
        """The latest year's key figures with the year before, the change and the counts."""
        figures = self._figure_lookup()
        year = self.latest_year
        if not figures or year is None:
            return paragraphs(["所选范围内没有可用的数字。"], "note")
        rows: list[list[Cell]] = []
        for name in KEY_FIGURES:
            row = figures.get((name, year))
            before = figures.get((name, year - 1))
            if row is None:
                rows.append([BY_NAME[name].label, "—", "—", "—", "—", "—", "该年无数据"])
                continue
            rate = bool(row["is_rate"])
            counts = (f"{fmt_count(row['numerator'])} / {fmt_count(row['denominator'])}" if rate
                      else fmt_count(row["numerator"]))
            change = (fmt_change(row["change_pp"], "pp") if rate else fmt_change(row["yoy_pct"]))
            marks = _marks(row)
            css = "num" + (" small" if bool(row["is_small"]) else "") + (
                " fails" if row["n_reports_failing_checks"] else "")
            value = fmt_value(row["value"], BY_NAME[name].is_rate) + (f" {MARK_FAIL}" if row[
                "n_reports_failing_checks"] else "")
            prior = fmt_value(before["value"], BY_NAME[name].is_rate) if before is not None else "—"
            rows.append([BY_NAME[name].label, (value, css), (counts, "num"), (prior, "num"),
                         (change, "num"), f"{int(row['n_bodies'])} / {int(row['n_reports'])}",
                         marks])
        note = (f"比率 = 分子/分母,先合计各机关的件数再相除。{MARK_FAIL} = 含未通过勾稽校验的报告;"
                f"“{SMALL_LABEL}” = 分母少于{SMALL_SAMPLE}件。变化:件数为同比%,比率为百分点;"
                "上年无报告时不计算变化。")
        return table(["指标", f"{year}年", "分子 / 分母(件数)", f"{year - 1}年", "变化",
                      "机关 / 报告", "标注"], rows, caption=f"关键指标({year}年)", note=note)

    def trend_table(self) -> Fragment:
        """Every key indicator in every year of the span (— where there is no report)."""
        figures = self._figure_lookup()
        years = self.years_covered
        rows: list[list[Cell]] = []
        for name in KEY_FIGURES:
            rows.append([BY_NAME[name].label,
                         *(_year_cell(name, figures.get((name, year))) for year in years)])
        coverage = []
        bodies = self.reports.groupby("year")["body_id"].nunique()
        for year in years:
            one = figures.get(("requests_received", year))
            coverage.append(f"{year}: {int(bodies.get(year, 0))} 个机关" + (
                f", 其中 {int(one['n_reports'])} 份报告给出新收申请数" if one else ""))
        return table(["指标", *map(str, years)], rows, caption="历年关键指标",
                     note="括号内为分子/分母件数。覆盖:" + ";".join(coverage) + "。")

    def trend_chart(self, indicator: str) -> alt.Chart:
        from toolkit.present.charts import trend_chart

        spec = BY_NAME[indicator]
        return trend_chart(self.series(indicator), spec.label, is_rate=spec.is_rate)

    # -- breakdowns ----------------------------------------------------------------------

    def composition(self, group: str) -> pd.DataFrame:
        if group not in self._compositions:
            self._compositions[group] = self.corpus.composition(self.adcode, group, self.kind,
                                                                self.span)
        return self._compositions[group].copy()

    def _failing_years(self) -> dict[int, int]:
        frame = self.reports.assign(fails=self.reports["n_checks_failed"].fillna(0) > 0)
        sums = frame.groupby("year")["fails"].sum()
        return {int(str(y)): int(n) for y, n in sums.items()}

    def composition_table(self, group: str, caption: str) -> Fragment:
        """Counts of a breakdown by year with each part's share (⚠ where a report fails a check)."""
        frame = self.composition(group)
        if frame.empty:
            return paragraphs([f"{caption}:所选范围内没有数据。"], "note")
        years = sorted(int(y) for y in frame["year"].unique())
        failing = self._failing_years()
        labels = list(dict.fromkeys(frame.sort_values("order")["label"]))
        cells_by = {(str(r["label"]), int(r["year"])): r for r in records(frame)}
        rows: list[list[Cell]] = []
        for label in labels:
            cells: list[Cell] = [label.split(":", 1)[-1]]
            for year in years:
                hit = cells_by.get((label, year))
                if hit is None or is_missing(hit["count"]):
                    cells.append(("—", "num small"))
                    continue
                cells.append((f"{fmt_count(hit['count'])} ({fmt_rate(hit['share'])})", "num"))
            rows.append(cells)
        totals: list[Cell] = ["合计"]
        by_year = frame.groupby("year").agg(count=("count", lambda c: c.sum(min_count=1)),
                                            bodies=("n_bodies", "max"))
        for year in years:
            text = fmt_count(by_year.loc[year, "count"])
            text += f" · {fmt_count(by_year.loc[year, 'bodies'])}个机关"
            if failing.get(year):
                text += f" {MARK_FAIL}"
            totals.append((text, "num" + (" fails" if failing.get(year) else "")))
        rows.append(totals)
        note = ("括号内为占当年合计的比例;合计行给出覆盖的机关数。"
                f"{MARK_FAIL} = 该年含未通过勾稽校验的报告。")
        return table(["类别", *map(str, years)], rows, caption=caption, note=note)

    def composition_chart(self, group: str, title: str) -> alt.Chart:
        from toolkit.present.charts import composition_chart, outcome_chart, review_chart

        frame = self.composition(group)
        if group == "outcomes":
            return outcome_chart(frame, title)
        if group == "review_counts":
            return review_chart(frame, title)
        return composition_chart(frame, title)

    def correction_table(self) -> Fragment:
        """Review and litigation correction rates by year, with their counts."""
        rows: list[list[Cell]] = []
        years = self.years_covered
        mine = {(str(r["indicator"]), int(r["year"])): r for r in records(self._region_rows())}
        for name in CORRECTION_FIGURES:
            rows.append([BY_NAME[name].label,
                         *(_year_cell(name, mine.get((name, year))) for year in years)])
        note = ("纠错率 = 结果纠正件数 / 案件总数;“已审结”口径的分母扣除尚未审结的案件。"
                f"复议诉讼发生率 = 复议与诉讼案件数 / 本年新收申请数。案件少于{SMALL_SAMPLE}件的比率仅供参考。")
        return table(["指标", *map(str, years)], rows, caption="行政复议与行政诉讼纠错率", note=note)

    # -- peers ---------------------------------------------------------------------------

    def peers(self, indicator: str, year: int, same_parent: bool = True) -> pd.DataFrame:
        """`Corpus.peers` for this region and kind, ties in value ordered by adcode."""
        frame = self.corpus.peers(self.adcode, indicator, year, self.kind, same_parent)
        return frame.sort_values(["value", "region"], na_position="last").reset_index(drop=True)

    def peer_scope(self, indicator: str, year: int) -> tuple[pd.DataFrame, str]:
        """Same-level regions under the same parent when there are enough, else all of them."""
        siblings = self.peers(indicator, year, same_parent=True)
        usable = siblings[~siblings["is_small"].astype(bool) & siblings["value"].notna()]
        if self.region.parent is not None and len(usable) >= MIN_SIBLINGS:
            return siblings, f"同属{self._name(self.region.parent)}的{LEVEL_LABELS[self.region.level]}地区"
        frame = self.peers(indicator, year, same_parent=False)
        return frame, f"语料中全部{LEVEL_LABELS[self.region.level]}地区"

    def peers_table(self) -> Fragment:
        """The region's rank and the P10–P90 spread among its peers, latest year."""
        year = self.latest_year
        if year is None:
            return paragraphs(["没有可比较的年份。"], "note")
        rows: list[list[Cell]] = []
        scopes = set()
        for name in PEER_FIGURES:
            frame, scope = self.peer_scope(name, year)
            scopes.add(scope)
            ranked = frame[~frame["is_small"].astype(bool) & frame["value"].notna()]
            mine = frame[frame["is_selected"]]
            if mine.empty or is_missing(mine["value"].iloc[0]):
                value, rank = "—", "无数据"
            else:
                row = mine.iloc[0]
                value = (f"{fmt_rate(row['value'])} "
                         f"({fmt_count(row['numerator'])}/{fmt_count(row['denominator'])})")
                if bool(row["is_small"]):
                    rank = SMALL_LABEL
                else:
                    order = ranked.sort_values(["value", "region"], ascending=[False, True])
                    position = list(order["region"]).index(self.adcode) + 1
                    rank = f"第 {position} / {len(order)}"
            low, mid, high = (ranked["value"].quantile(q) if len(ranked) else float("nan")
                              for q in (0.1, 0.5, 0.9))
            rows.append([BY_NAME[name].label, (value, "num"), rank, (str(len(ranked)), "num"),
                         (fmt_rate(low), "num"), (fmt_rate(mid), "num"), (fmt_rate(high), "num")])
        note = (f"{year}年;比较范围:{'、'.join(sorted(scopes))}。排名按数值从高到低,只在分母不少于"
                f"{SMALL_SAMPLE}件的地区之间排名;分布用P10–P90,不用最小–最大值。")
        return table(["指标", "本地区", "排名", "可排名地区数", "P10", "中位数", "P90"], rows,
                     caption=f"与同级地区比较({year}年)", note=note)

    def peers_chart(self, indicator: str = "disclosure_rate") -> alt.Chart:
        from toolkit.present.charts import message_chart, peers_chart

        year = self.latest_year
        spec = BY_NAME[indicator]
        if year is None:
            return message_chart(f"{spec.label}: 没有可比较的年份")
        frame, scope = self.peer_scope(indicator, year)
        frame = frame.sort_values(["value", "region"], na_position="last").tail(MAX_ROWS)
        return peers_chart(frame, f"{spec.label} · {year}年 · {scope}", is_rate=spec.is_rate)

    # -- data quality --------------------------------------------------------------------

    def quality_table(self) -> Fragment:
        """Per report: parse status, blank / redacted / missing cells and identity checks."""
        rows: list[list[Cell]] = []
        for report in records(self.reports):
            failed = int(_or_zero(report["checks_failed"]))
            checkable = int(_or_zero(report["checks_checkable"]))
            rows.append([
                fmt_text(report["agency"]), str(report["year"]), _file(report["path"]),
                fmt_text(report["status"]), (fmt_count(report["cells"]), "num"),
                (fmt_rate(report["share_blank"]), "num"),
                (fmt_rate(report["share_redacted"]), "num"),
                (fmt_rate(report["share_missing"]), "num"),
                (f"{checkable - failed} / {checkable}", "num"),
                (f"{failed} {MARK_FAIL}" if failed else "0", "num fails" if failed else "num"),
            ])
        note = ("空白、涂抹(隐去)、缺失为该报告三张表中单元格的比例;校验为勾稽关系"
                "(通过 / 可校验)。partial = 报告只读到一部分(例如网页截断)。")
        return table(["机关", "年份", "文件", "解析", "单元格", "空白", "涂抹", "缺失", "校验通过",
                      "未通过"], rows, caption="数据质量:每份报告", note=note)

    def failed_checks_table(self) -> Fragment:
        """Each failed identity: which report, which check, the two sides."""
        ids = list(self.reports["report_id"])
        checks = self.corpus.failing_checks(ids)
        names = {r["report_id"]: r for r in records(self.reports)}
        rows: list[list[Cell]] = []
        for check in records(checks):
            report = names[check["report_id"]]
            rows.append([fmt_text(report["agency"]), str(report["year"]), fmt_text(check["check"]),
                         fmt_text(check["scope"]), (fmt_count(check["left"]), "num"),
                         (fmt_count(check["right"]), "num")])
        rows.sort(key=lambda r: tuple(str(c) for c in r))
        return table(["机关", "年份", "校验", "范围", "应为", "实为"], rows,
                     caption="未通过的勾稽校验",
                     note=f"这些报告的数字计入了上面标有{MARK_FAIL}的数字。")

    def breaks(self) -> pd.DataFrame:
        """Cross-year breaks: carry-over chain failures, template changes, bodies joining or leaving."""
        rows: list[dict[str, str]] = []
        frame = self.reports.dropna(subset=["body_id"])
        wide = self.corpus.wide
        forward = wide[CARRIED_FORWARD].to_dict() if CARRIED_FORWARD in wide.columns else {}
        over = wide[CARRIED_OVER].to_dict() if CARRIED_OVER in wide.columns else {}
        previous: dict[str, Any] | None = None
        for report in records(frame.sort_values(["body_id", "year"])):
            if (previous is not None and previous["body_id"] == report["body_id"]
                    and int(report["year"]) == int(previous["year"]) + 1):
                years = f"{previous['year']}→{report['year']}"
                # identity 5 (crosscheck.carry_forward_chain), for the total column
                expected = forward.get(previous["report_id"], np.nan)
                actual = over.get(report["report_id"], np.nan)
                if not (is_missing(expected) or is_missing(actual)) and abs(expected - actual) > 1e-6:
                    rows.append({"kind": "结转不衔接", "agency": fmt_text(report["agency"]),
                                 "years": years,
                                 "detail": f"上年结转下年 {fmt_count(expected)} 件,"
                                           f"本年上年结转 {fmt_count(actual)} 件"})
                if report["template"] != previous["template"]:
                    rows.append({"kind": "模板变化", "agency": fmt_text(report["agency"]),
                                 "years": years,
                                 "detail": f"{fmt_text(previous['template'])} 版 → "
                                           f"{fmt_text(report['template'])} 版"
                                           "(2021版把“其他处理”拆为三行)"})
            previous = report
        by_year: dict[int, set[str]] = {}
        for report in records(frame):
            by_year.setdefault(int(report["year"]), set()).add(str(report["body_id"]))
        for before, after in itertools.pairwise(sorted(by_year)):
            joined, left = by_year[after] - by_year[before], by_year[before] - by_year[after]
            if joined or left:
                rows.append({"kind": "机关范围变化", "agency": "—",
                             "years": f"{before}→{after}",
                             "detail": f"新增 {len(joined)} 个、减少 {len(left)} 个机关"
                                       "(地区合计跨年不完全可比)"})
        out = pd.DataFrame(rows, columns=["kind", "agency", "years", "detail"])
        return out.sort_values(["years", "kind", "agency"], kind="stable").reset_index(drop=True)

    def breaks_table(self) -> Fragment:
        frame = self.breaks()
        rows: list[list[Cell]] = [[str(r["kind"]), str(r["agency"]), str(r["years"]),
                                   str(r["detail"])] for r in records(frame)]
        return table(["类型", "机关", "年份", "说明"], rows, caption="跨年断点",
                     note="同一机关相邻两年的结转数应当衔接;模板或机关范围变化时跨年比较要谨慎。")

    # -- section 五 ----------------------------------------------------------------------

    def excerpts(self) -> Fragment:
        """Section 五 (problems and improvements) of the region's reports, latest first."""
        frame = self.reports.assign(
            _k=self.reports["agency_kind"].map({BodyKind.GOVERNMENT: 0}).fillna(1),
        ).sort_values(["year", "_k", "agency"], ascending=[False, True, True], kind="stable")
        blocks: list[str] = []
        lines: list[str] = []
        shown = 0
        texts = self.problems_texts()
        for report in records(frame):
            text = texts.get(str(report["report_id"]), "")
            if not text.strip():
                continue
            if shown >= MAX_EXCERPTS:
                shown += 1
                continue
            shown += 1
            excerpt = truncate(text)
            title = f"{fmt_text(report['agency'])} · {report['year']}年"
            marked = f" {MARK_FAIL} 该报告未通过勾稽校验" if _or_zero(report["checks_failed"]) else ""
            blocks.append(f"<p><b>{esc(title)}</b>{esc(marked)}</p>"
                          f"<blockquote>{esc(excerpt)}</blockquote>")
            lines.append(f"{title}{marked}\n  {excerpt}")
        with_text = shown
        if not blocks:
            return paragraphs(["这些报告没有可摘录的第五部分(存在的主要问题及改进情况)。"], "note")
        tail = (f"共 {with_text} 份报告有第五部分,显示 {min(with_text, MAX_EXCERPTS)} 份;"
                f"每段最多 {EXCERPT_CHARS} 字。")
        markup = ('<div class="ogi-briefing">' + "".join(blocks)
                  + f'<p class="note">{esc(tail)}</p></div>')
        return Fragment(markup, "\n".join([*lines, tail]))

    def problems_texts(self) -> dict[str, str]:
        """Section 五 of every report of the region, in one query (report_id → text)."""
        ids = [str(i) for i in self.reports["report_id"]]
        if not ids:
            return {}
        rows = self.corpus.con.execute(
            "SELECT report_id, text FROM sections WHERE section = 'problems' "
            "AND report_id IN (SELECT unnest(?))", [ids]).fetchall()
        return {str(k): str(v or "") for k, v in rows}

    # -- machine-readable key figures ----------------------------------------------------

    def record(self) -> dict[str, Any]:
        """The key figures as plain JSON types (read back by the index and the tests)."""
        figures = self.key_figures()
        bodies = self.bodies()
        return {
            "schema": SCHEMA_VERSION,
            "region": {"adcode": self.region.adcode, "name": self.region.name,
                       "level": self.region.level, "parent": self.region.parent,
                       "path": self.region.path},
            "kind": self.kind,
            "span": list(self.span),
            "years_covered": self.years_covered,
            "years_missing": self.years_missing,
            "latest_year": self.latest_year,
            "n_bodies": len(bodies),
            "n_reports": len(self.reports),
            "n_reports_failing_checks": int((self.reports["n_checks_failed"].fillna(0) > 0).sum()),
            "figures": [
                {"indicator": r["indicator"], "label": r["label"], "year": int(r["year"]),
                 "value": rounded(r["value"]), "numerator": rounded(r["numerator"]),
                 "denominator": rounded(r["denominator"]), "n_reports": int(r["n_reports"]),
                 "n_bodies": int(r["n_bodies"]),
                 "n_reports_failing_checks": int(r["n_reports_failing_checks"]),
                 "is_rate": bool(r["is_rate"]), "is_small": bool(r["is_small"]),
                 "yoy_pct": rounded(r["yoy_pct"], 4), "change_pp": rounded(r["change_pp"], 4)}
                for r in records(figures)
            ],
        }

    def save_key_figures(self, path: str | Path) -> None:
        """Write `record()` as JSON when `path` is set (the batch sets it; goldens do not).

        Silent either way, so a notebook saved by the batch and a golden show the same.
        """
        if str(path):
            write_json(self.record(), Path(path))


def truncate(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Whitespace folded, cut at the last sentence end before `limit` (else at `limit`) + …."""
    folded = re.sub(r"\s+", " ", text).strip()
    if len(folded) <= limit:
        return folded
    cut = folded[:limit]
    end = max(cut.rfind(p) for p in "。;;!?")
    if end >= limit // 2:
        return cut[:end + 1] + " …"
    return cut + "…"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (typed access without pandas' namedtuples)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _marks(row: dict[str, Any]) -> str:
    marks = []
    if row["n_reports_failing_checks"]:
        marks.append(f"{MARK_FAIL} {int(row['n_reports_failing_checks'])}份报告未通过校验")
    if bool(row["is_small"]) and bool(row["is_rate"]):
        marks.append(SMALL_LABEL)
    return ";".join(marks)


def _or_zero(value: Any) -> float:
    """A count for arithmetic: 0 where it is missing."""
    return 0.0 if is_missing(value) else float(value)


def _file(path: Any) -> str:
    """A report's file name only: outputs never carry the folder (it differs per machine)."""
    if not isinstance(path, str) or not path:
        return "—"
    return Path(path).name


__all__ = [
    "KEY_FIGURES", "Briefing", "load_corpus", "open_briefing", "parse_years", "setup",
    "truncate",
]
