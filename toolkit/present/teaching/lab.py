"""The lab: its example report, the examples picked from the store, and thirteen exercises
whose answers are computed from the store and checked here.

Every answer is computed when the lab opens, from the store it opens on (nothing is typed
into the notebook), so the lab stays right when the corpus changes. When the store lacks
what an exercise needs (no body with consecutive years, no comparable pair, no dated
report), the exercise says so and asks another question the store can answer; the
instructor's notes say which were replaced and why. No exercise ranks, or takes the
difference of, a rate over fewer than `SMALL_SAMPLE` requests.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, cast

import altair as alt
import numpy as np
import pandas as pd

from toolkit.analysis.corpus import Corpus
from toolkit.analysis.crosscheck import carry_forward_chain
from toolkit.analysis.indicators import BY_NAME, report_indicators
from toolkit.present import charts
from toolkit.present.formatting import fmt_change, fmt_count, fmt_rate
from toolkit.present.teaching.picks import (
    BLOCKERS,
    Pair,
    Panel,
    RegionChange,
    example_report,
    pick_dated,
    pick_pair,
    pick_panel,
    pick_region_change,
)
from toolkit.present.teaching.reading import (
    outcome_mix,
    report_rates,
    section_three,
    timeliness,
)
from toolkit.present.teaching.texts import (
    CLASS_MINUTES,
    DEADLINE_RULES,
    DISCUSSIONS,
    PARTS,
)
from toolkit.spec.template import load_template
from toolkit.spec.vocab import KIND_LABELS, LEVEL_LABELS, SMALL_SAMPLE

RATE_TOLERANCE = 0.0005
"""A rate answered as a fraction is right within half a tenth of a percentage point."""
POINTS_TOLERANCE = 0.05
"""A change answered in percentage points is right within 0.05 points."""
BLOCKER_WORDS = {"year": "year", "年份": "year", "年度": "year", "kind": "kind", "类型": "kind",
                 "机关类型": "kind", "level": "level", "层级": "level", "级别": "level",
                 "small": "small", "样本": "small", "样本小": "small", "少于30件": "small",
                 "none": "none", "无": "none", "都不": "none"}
"""Words accepted in exercise 12's answer, and what each stands for."""
COLUMN_ZH = load_template().request_column_labels
"""Applicant columns' printed labels (自然人, 商业企业, …)."""
REQUEST_WORD = "申请"
"""The word exercise 7 searches section 五 for."""
LISTED = 5
"""Reports named in a discussion prompt's list (the rest are counted)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question in Chinese and English, the answer computed from the store,
    a hint for students and, for instructors, how the answer was computed."""

    number: int
    title: str
    prompt_zh: str
    prompt_en: str
    answer: Any
    hint: str
    how: str
    tolerance: float = 0.0
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    ranks: tuple[float, ...] = ()
    """Requests behind each rate the exercise ranks or takes a difference of (never < 30)."""
    fallback: str = ""
    """Why the planned exercise was replaced by this one (empty when it was not)."""

    @property
    def prompt(self) -> str:
        return f"{self.prompt_zh}\n{self.prompt_en}"

    @property
    def part(self) -> int:
        return next(p.number for p in PARTS if self.number in p.exercises)


class Lab:
    """The lab's example report, the examples it picked from the store, and its exercises."""

    def __init__(self, corpus: Corpus, report_id: str | None = None) -> None:
        self.corpus = corpus
        self.report_id = report_id or example_report(corpus)
        reports = corpus.all_reports
        self.meta = reports[reports["report_id"] == self.report_id].iloc[0]
        self.grid = section_three(corpus, self.report_id)
        self.rates = report_rates(corpus)
        self.pair: Pair | None = pick_pair(self.rates)
        self.panel: Panel | None = pick_panel(corpus, self.rates, self.meta.get("body_id"))
        self.region_change: RegionChange | None = pick_region_change(corpus)
        self.timing = timeliness(corpus.reports)
        self.dated = pick_dated(self.timing, prefer=self.report_id)
        self.problems = corpus.sections(self.report_id).get("problems", "").strip()
        self.results: dict[int, bool] = {}
        self.exercises = {e.number: e for e in self._exercises()}

    # -- the example report -----------------------------------------------------------

    @property
    def example(self) -> str:
        """'平潭综合实验区管理委员会 2022年' — who and which year."""
        return f"{self.meta['agency']} {self.meta['year']}年"

    def report_meta(self) -> pd.Series:
        """Who published the example report, for which year, on which template."""
        return self.meta[["agency", "year", "published", "template", "agency_kind", "level",
                          "province", "city", "county", "status", "path"]]

    def section_three(self) -> pd.DataFrame:
        """The example report's section 三 as numbers (see `reading.section_three`)."""
        return self.grid.copy()

    def value(self, row: str, column: str = "total") -> float:
        """One cell of the example's section 三 (NaN when blank, redacted or absent)."""
        if row not in self.grid.index or column not in self.grid.columns:
            return float("nan")
        return float(cast(Any, self.grid.loc[row, column]))

    def indicator(self, name: str) -> pd.Series:
        """What `toolkit` computes for the example report: numerator, denominator, value."""
        frame = report_indicators(self.corpus.wide.loc[[self.report_id]],
                                  indicators=[BY_NAME[name]])
        return frame.iloc[0][["indicator", "numerator", "denominator", "value", "is_small"]]

    def checks(self) -> pd.DataFrame:
        """The example's accounting identities as the store recorded them."""
        return self.corpus.con.execute(
            "SELECT \"check\", scope, status, \"left\", \"right\" FROM checks WHERE report_id = ? "
            "ORDER BY \"check\", scope", [self.report_id]).df()

    def outcomes(self) -> pd.DataFrame:
        """The example's answers by outcome group: count and share of 总计."""
        return outcome_mix(self.grid)

    def section_five(self) -> SideBySide:
        """Section 五 of the example report beside its outcome mix."""
        return SideBySide(self.example, self.outcomes(), self.problems)

    # -- timeliness ---------------------------------------------------------------------

    def timeliness(self, days: bool = True) -> pd.DataFrame:
        """Every usable report with the rule that sets its deadline, and (with `days`) the
        deadline and the days from it to publication; dated reports first."""
        frame = self.timing.drop(columns=["report_id"]).copy()
        frame["agency_kind"] = frame["agency_kind"].map(lambda k: KIND_LABELS.get(k, k))
        frame["level"] = frame["level"].map(lambda k: LEVEL_LABELS.get(k, k))
        frame = frame.assign(_undated=frame["published"].isna()).sort_values(
            ["_undated", "days", "agency"], na_position="last").drop(columns="_undated")
        if not days:
            frame = frame.drop(columns=["deadline", "days", "is_late"])
        return frame.reset_index(drop=True)

    # -- like with like -----------------------------------------------------------------

    def panel_table(self) -> pd.DataFrame | None:
        """The panel body's years: disclosure rate with its counts, and the carry-over cells."""
        if self.panel is None:
            print(_say(NO_PANEL))
            return None
        frame = self.panel.series.drop(columns=["report_id", "agency"]).copy()
        frame["is_small"] = frame["is_small"].map({True: f"<{SMALL_SAMPLE}: 不排名 not ranked",
                                                   False: ""})
        return frame.set_index("year")

    def panel_chart(self) -> alt.LayerChart | alt.Chart | None:
        """The panel body's disclosure rate by year; rates over few requests drawn as triangles."""
        if self.panel is None:
            return None
        series = self.panel.series.assign(n_reports=1, n_bodies=1)
        return charts.trend_chart(series, f"公开率 · {self.panel.agency}")

    def carry_forward(self) -> pd.DataFrame | None:
        """The toolkit's cross-year identity for the panel body (total column)."""
        if self.panel is None:
            print(_say(NO_PANEL))
            return None
        chain = carry_forward_chain(self.corpus.reports, self.corpus.wide)
        chain = chain[(chain["body_id"] == self.panel.body_id) & (chain["column"] == "total")]
        return chain[["year_from", "year_to", "expected", "actual", "status"]].rename(
            columns={"expected": "结转下年度 (year_from)", "actual": "上年结转 (year_to)"}
        ).reset_index(drop=True)

    def region_years(self) -> pd.DataFrame | None:
        """The region of exercise 11: its figure in two years, and the bodies behind each."""
        change = self.region_change
        if change is None:
            print(_say(NO_REGION))
            return None
        series = self.corpus.series(change.adcode, "requests_received").set_index("year")
        values = [float(cast(Any, series.loc[y, "value"])) if y in series.index else float("nan")
                  for y in (change.year_from, change.year_to)]
        naive = (values[1] - values[0]) / values[0] * 100 if values[0] else float("nan")
        rows = []
        for year, bodies, value, shown in ((change.year_from, change.bodies_from, values[0], ""),
                                           (change.year_to, change.bodies_to, values[1],
                                            fmt_change(naive))):
            rows.append({"region": f"{change.name} ({change.adcode})", "year": year,
                         "requests_received": value, "naive change 表面变化": shown,
                         "n_bodies": len(bodies), "bodies": "、".join(bodies)})
        return pd.DataFrame(rows).set_index("year")

    def pair_table(self) -> pd.DataFrame | None:
        """The two reports of exercises 12 and 13 side by side, with their counts."""
        if self.pair is None:
            print(_say(NO_PAIR))
            return None
        frame = self.pair.frame()
        frame["agency_kind"] = frame["agency_kind"].map(lambda k: KIND_LABELS.get(k, k))
        frame["level"] = frame["level"].map(lambda k: LEVEL_LABELS.get(k, k))
        return frame

    def pair_chart(self) -> alt.LayerChart | None:
        """The pair as bars labelled with their counts; a rate over few requests faded."""
        if self.pair is None:
            return None
        return pair_chart(self.pair.frame(), "公开率 disclosure rate",
                          f"淡色:少于{SMALL_SAMPLE}件,不排名 / faded: under {SMALL_SAMPLE} "
                          "requests, not ranked")

    # -- discussion -----------------------------------------------------------------------

    def discuss(self, key: str) -> None:
        """Print a discussion prompt, with this store's figures where it has them."""
        item = DISCUSSIONS[key]
        fact_zh, fact_en = self._facts(key)
        print(f"讨论 · Discuss: {item.title}")
        print(item.prompt_zh.format(fact_zh=fact_zh))
        print(item.prompt_en.format(fact_en=fact_en))

    def _facts(self, key: str) -> tuple[str, str]:
        if key == "not_held":
            n, total = self.value("unable_not_held"), self.value("total_processed")
            if np.isnan(n) or not total:
                return "", ""
            share = fmt_rate(n / total)
            return (f"示例报告({self.example})的{fmt_count(total)}件办理结果中,"
                    f"{fmt_count(n)}件({share})答复“本机关不掌握相关政府信息”。",
                    f"In the example report ({self.example}), {fmt_count(n)} of "
                    f"{fmt_count(total)} answers ({share}) were 'not held by this body'. ")
        if key == "zero_refusal":
            found = self._zero_refusals()
            if found.empty:
                return ("本库没有不予公开为0而有其他未公开答复的报告。",
                        "No report in this store has 0 refusals but other answers that "
                        "released nothing. ")
            names = "、".join(f"{r.agency} {r.year}年({fmt_count(r.processed)}件)"
                             for r in found.head(LISTED).itertuples())
            if len(found) > LISTED:
                names += f" …(+{len(found) - LISTED})"
            return (f"本库中不予公开为0、但有不予处理或无法提供答复的报告:{names}。",
                    f"In this store, reports with 0 refusals but answers 'not processed' or "
                    f"'cannot provide': {names}. ")
        if key == "deadline":
            dated = self.timing["days"].notna()
            late = int(self.timing["is_late"].fillna(False).astype(bool).sum())
            departments = int((dated & (self.timing["rule"] == "department")).sum())
            return (f"本库{len(self.timing)}份报告中,{int(dated.sum())}份有公布日期;按下表规则,"
                    f"{late}份逾期;{departments}份部门报告若按3月31日计算,会显得比实际早约两个月。",
                    f"Of the store's {_plural(len(self.timing), 'report')}, {int(dated.sum())} "
                    f"carry a date; under the rules below, {late} were late; "
                    f"{_plural(departments, 'department report')} would look about two months "
                    "earlier if 31 March were used. ")
        if key == "different_bodies" and self.region_change is not None:
            c = self.region_change
            zh = "、".join(c.bodies_from) or "无"
            zh_to = "、".join(c.bodies_to) or "无"
            return (f"{c.name}在{c.year_from}年的数字来自:{zh};{c.year_to}年来自:{zh_to};"
                    f"两年都有的机关:{len(c.in_both)}个。",
                    f"{c.name}'s figure for {c.year_from} comes from "
                    f"{_bodies(len(c.bodies_from))}, for {c.year_to} from "
                    f"{_bodies(len(c.bodies_to))}; {_bodies(len(c.in_both))} in both years. ")
        return "", ""

    def _zero_refusals(self) -> pd.DataFrame:
        names = ["refusal_rate", "outcome_rejected", "outcome_unable"]
        frame = report_indicators(self.corpus.wide, self.corpus.reports,
                                  [BY_NAME[n] for n in names])
        wide = frame.pivot_table(index=["report_id", "agency", "year"], columns="indicator",
                                 values="numerator", dropna=False).reset_index()
        processed = frame[frame["indicator"] == "refusal_rate"].set_index("report_id")
        wide["processed"] = wide["report_id"].map(processed["denominator"])
        found = wide[(wide["refusal_rate"] == 0) & (wide["processed"] > 0)
                     & ((wide["outcome_rejected"].fillna(0) + wide["outcome_unable"].fillna(0))
                        > 0)]
        return found.sort_values(["processed", "agency"], ascending=[False, True])

    # -- exercises ------------------------------------------------------------------------

    def _exercises(self) -> list[Exercise]:
        built = [self._on_hand(), self._identity(), self._full_grant(), self._refusal(),
                 self._not_held(), self._largest_outcome(), self._section_five_words(),
                 self._deadline_days(), self._carry_over(), self._change(),
                 self._region_bodies(), self._blockers(), self._rank()]
        return [_computable(e) for e in built]

    def _on_hand(self) -> Exercise:
        return Exercise(
            1, "本年办理申请数 / requests on hand",
            f"示例报告({self.example})的本年办理申请数:一(本年新收)+ 二(上年结转),总计列。",
            "Requests on hand in the example report: 一 (received this year) + 二 (carried "
            "over), total column.",
            self.value("new_received") + self.value("carried_over"),
            "行 new_received + carried_over,列 total。/ Rows new_received + carried_over, "
            "column total.",
            "grid.loc['new_received','total'] + grid.loc['carried_over','total']")

    def _identity(self) -> Exercise:
        rows = ("new_received", "carried_over", "total_processed", "carried_forward")
        readable = [c for c in self.grid.columns[1:]
                    if c != "total" and not any(np.isnan(self.value(r, c)) for r in rows)]
        column = "natural_person" if "natural_person" in readable else \
            (readable[0] if readable else "total")
        left = self.value("new_received", column) + self.value("carried_over", column)
        right = self.value("total_processed", column) + self.value("carried_forward", column)
        return Exercise(
            2, "勾稽关系 / the accounting identity",
            f"{COLUMN_ZH.get(column, column)}列(column {column})的勾稽关系:左边 一 + 二,"
            "右边 三(七) + 四。以元组 (左, 右) 作答。",
            f"The identity in column {column}: left side 一 + 二, right side 三(七) + 四. "
            "Answer as a tuple (left, right).",
            (left, right),
            f"列 {column}:new_received + carried_over,以及 total_processed + "
            f"carried_forward。/ Column {column}: new_received + carried_over, and "
            "total_processed + carried_forward.",
            f"column {column}: (new_received + carried_over, total_processed + carried_forward)")

    def _full_grant(self) -> Exercise:
        return Exercise(
            3, "予以公开率 / full-grant rate",
            "示例报告的予以公开率:予以公开 / 总计(只算全部公开,不含部分公开),用小数作答"
            "(0.4,不是40)。",
            "The example's full-grant rate: granted / total processed (granted in full only, "
            "not partly), as a fraction (0.4, not 40).",
            self.value("granted") / self.value("total_processed"),
            "行 granted 除以 total_processed(total 列)。/ Row granted over total_processed, "
            "column total.",
            "granted / total_processed, column total; = the toolkit's full_grant_rate",
            RATE_TOLERANCE)

    def _refusal(self) -> Exercise:
        denied = [r for r in self.grid.index if r.startswith("denied_")]
        total = self.grid.loc[denied, "total"]
        value = float(total.sum()) / self.value("total_processed") if denied and \
            not total.isna().any() else float("nan")
        return Exercise(
            4, "不予公开率 / refusal rate",
            "示例报告的不予公开率:三(三)的8个理由行之和 / 总计,用小数作答。",
            "The example's refusal rate (不予公开): the eight reasons of 三(三) over total "
            "processed, as a fraction.",
            value,
            "把 denied_* 各行的 total 相加,再除以 total_processed。/ Sum the denied_* rows of "
            "column total, divide by total_processed.",
            "sum(denied_*) / total_processed, column total; = the toolkit's refusal_rate",
            RATE_TOLERANCE)

    def _not_held(self) -> Exercise:
        return Exercise(
            5, "“本机关不掌握”的比重 / 'not held' share",
            "“本机关不掌握相关政府信息”占全部办理结果(总计)的比重是多少?用小数作答。"
            "(注意:toolkit 的 not_held_share 以“无法提供”为分母,这里以总计为分母。)",
            "What share of all answers (total processed) were 'not held by this body' "
            "(本机关不掌握)? As a fraction. (Note: the toolkit's not_held_share divides by "
            "'cannot provide' instead; here the denominator is all answers.)",
            self.value("unable_not_held") / self.value("total_processed"),
            "行 unable_not_held 除以 total_processed。/ Row unable_not_held over "
            "total_processed.",
            "unable_not_held / total_processed, column total", RATE_TOLERANCE)

    def _largest_outcome(self) -> Exercise:
        mix = self.outcomes().dropna(subset=["count"])
        labels = tuple(str(x) for x in self.outcomes()["label"])
        if mix.empty or mix["count"].max() <= 0:
            mix = pd.DataFrame([{"label": float("nan"), "group": "", "meaning": "",
                                 "part": "", "count": float("nan")}])
        top = mix[mix["count"] == mix["count"].max()]
        first = top.iloc[0]
        aliases = tuple(str(v) for _, r in top.iterrows()
                        for v in (r["label"], r["group"], r["meaning"], r["part"]) if v)
        return Exercise(
            6, "最多的办理结果 / the largest outcome",
            "在示例报告的六类办理结果中,哪一类件数最多?用中文名称作答(如“予以公开”)。",
            "Which of the six outcome groups holds the most answers in the example report? "
            "Answer its Chinese name (e.g. 予以公开) or its English key (e.g. granted).",
            first["label"] if isinstance(first["label"], str) else float("nan"),
            "看 lab.outcomes() 的 count 列。/ Look at the count column of lab.outcomes().",
            "the outcome group with the largest count in lab.outcomes() (ties: any of them)",
            aliases=aliases, choices=labels)

    def _section_five_words(self) -> Exercise:
        if not self.problems:
            found = self.corpus.con.execute(
                "SELECT count(DISTINCT report_id) FROM sections WHERE section = 'problems' "
                "AND length(trim(text)) > 0 AND report_id IN (SELECT unnest(?))",
                [list(self.corpus.reports["report_id"])]).fetchone()
            count = int(found[0]) if found else 0
            return Exercise(
                7, "第五部分 / section 五",
                "示例报告在库中没有第五部分的文字。改问:本库有多少份报告读出了第五部分?",
                "The example report has no section 五 text in the store. Instead: how many "
                "reports in the store have a section 五 text?",
                count, "sections 表中 section = 'problems' 的报告数。/ Reports with a "
                "'problems' row in the sections table.",
                "count of usable reports with a non-empty 'problems' section",
                fallback="the example report has no section 五 text")
        return Exercise(
            7, "第五部分提到申请吗 / does section 五 mention requests",
            f"示例报告的第五部分是否出现“{REQUEST_WORD}”二字?用 True 或 False 作答。",
            f"Does the example's section 五 contain the word {REQUEST_WORD} (request) at all? "
            "Answer True or False.",
            REQUEST_WORD in self.problems,
            f"在上面的文字里找“{REQUEST_WORD}”。/ Search the text above for {REQUEST_WORD}.",
            f"'{REQUEST_WORD}' in the example's section 五 text (sections table, "
            "section 'problems')")

    def _deadline_days(self) -> Exercise:
        row = self.dated
        if row is None:
            return Exercise(
                8, "公布时效 / timeliness",
                "本库没有带公布日期的报告,无法判断时效。改问:本库有多少份报告没有公布日期?",
                "No report in this store carries a publication date, so none can be judged on "
                "time. Instead: how many reports in the store have no date?",
                len(self.timing), "lab.timeliness() 中 published 为空的行数。/ Rows of "
                "lab.timeliness() without a date.", "count of usable reports without a date",
                fallback="no report in the store carries a publication date")
        kind = KIND_LABELS.get(row["agency_kind"], str(row["agency_kind"]))
        level = LEVEL_LABELS.get(row["level"], str(row["level"]))
        return Exercise(
            8, "公布时效 / timeliness",
            f"{row['agency']}的{row['year']}年年报公布于{row['published']}。它是{level}{kind}。"
            "按上表的期限规则,它在期限之前(负数)或之后(正数)多少天公布?",
            f"{row['agency']}'s report for {row['year']} was published on {row['published']}; "
            f"it is a {row['level']} {row['agency_kind']}. Under the deadline rules above, how "
            "many days before (negative) or after (positive) its deadline was it published?",
            float(row["days"]),
            "先按机关类型找期限(部门1月31日,政府3月31日),再算 公布日期 − 期限。/ Find the "
            "deadline by kind of body (departments 31 Jan, governments 31 Mar), then "
            "published − deadline in days.",
            f"published − deadline ({row['deadline']}, rule '{row['rule']}') in days")

    def _carry_over(self) -> Exercise:
        panel = self.panel
        if panel is None:
            forward = self.value("carried_forward")
            return Exercise(
                9, "结转 / carry-forward",
                "本库没有哪个机关有连续两年(且结转单元格都读出)的报告,无法做跨年练习。"
                f"改问:示例机关下一年的报告应当写多少件“上年结转”?(即{self.meta['year']}年的"
                "“结转下年度继续办理”,总计列)",
                "The store holds no body with two consecutive years (with both carry-over cells "
                "read), so there is no cross-year exercise. Instead: what should the example "
                "body's next report show as carried over (上年结转)? (Its 'carried forward' of "
                f"{self.meta['year']}, total column.)",
                forward, "行 carried_forward,列 total。/ Row carried_forward, column total.",
                "the example's carried_forward, column total",
                fallback="no body with two consecutive years in the store")
        before, after = panel.row(panel.year_from), panel.row(panel.year_to)
        return Exercise(
            9, "跨年结转 / carry-forward across years",
            f"{panel.agency}:{panel.year_from}年的“结转下年度继续办理”应等于{panel.year_to}年的"
            "“上年结转”。以元组 (前一年的结转下年度, 后一年的上年结转) 作答(总计列)。",
            f"{panel.agency}: what it carried forward at the end of {panel.year_from} should be "
            f"what it carried over into {panel.year_to}. Answer the tuple (carried forward in "
            f"{panel.year_from}, carried over in {panel.year_to}), total column.",
            (float(before["carried_forward"]), float(after["carried_over"])),
            "看 lab.panel_table() 的 carried_forward 与 carried_over 两列。/ Columns "
            "carried_forward and carried_over of lab.panel_table().",
            f"(carried_forward.total of {panel.year_from}, carried_over.total of "
            f"{panel.year_to}); lab.carry_forward() shows the toolkit's check")

    def _change(self) -> Exercise:
        panel = self.panel
        if panel is None:
            bodies = self.rates.dropna(subset=["body_id", "year"]).groupby("body_id")["year"]
            several = int((bodies.nunique() >= 2).sum())
            return Exercise(
                10, "同一机关的变化 / change for the same body",
                "没有连续两年的机关,就没有同一机关的逐年变化可算。改问:本库有多少个机关有两年或"
                "以上的报告?",
                "Without a body reporting two consecutive years there is no change of the same "
                "body to compute. Instead: how many bodies in the store have reports for two or "
                "more years?",
                several, "按 body_id 数年份。/ Count years per body_id.",
                "bodies (body_id) with reports for at least two years",
                fallback="no body with two consecutive years in the store")
        before, after = panel.row(panel.year_from), panel.row(panel.year_to)
        counts = (float(before["denominator"]), float(after["denominator"]))
        if min(counts) < SMALL_SAMPLE or np.isnan(before["value"]) or np.isnan(after["value"]):
            return Exercise(
                10, "同一机关的变化 / change for the same body",
                f"{panel.agency}{panel.year_from}年和{panel.year_to}年的公开率分别基于"
                f"{fmt_count(counts[0])}件和{fmt_count(counts[1])}件申请。少于{SMALL_SAMPLE}件的比率"
                "只报件数、不排名,其变化也不解读。改问:较小的那个分母是多少件?",
                f"{panel.agency}'s disclosure rates of {panel.year_from} and {panel.year_to} rest "
                f"on {fmt_count(counts[0])} and {fmt_count(counts[1])} requests. A rate over "
                f"fewer than {SMALL_SAMPLE} is shown with its count and not ranked, nor is its "
                "change read. Instead: how many requests lie behind the smaller of the two?",
                min(counts), "看 lab.panel_table() 的 denominator 列。/ The denominator column "
                "of lab.panel_table().", "min(denominator) of the two years",
                fallback=f"a rate of the panel pair rests on fewer than {SMALL_SAMPLE} requests")
        points = (float(after["value"]) - float(before["value"])) * 100
        return Exercise(
            10, "同一机关的变化 / change for the same body",
            f"{panel.agency}的公开率从{panel.year_from}年到{panel.year_to}年变化了多少个百分点?"
            "(后一年 − 前一年,如 -3.2)",
            f"By how many percentage points did {panel.agency}'s disclosure rate change from "
            f"{panel.year_from} to {panel.year_to}? (later − earlier, e.g. -3.2)",
            points,
            "两年的 value 相减再乘以100。/ Subtract the two years' values, times 100.",
            f"(value {panel.year_to} − value {panel.year_from}) × 100; both over ≥ "
            f"{SMALL_SAMPLE} requests", POINTS_TOLERANCE, ranks=counts)

    def _region_bodies(self) -> Exercise:
        change = self.region_change
        if change is None:
            placed = int(self.corpus.reports["adcode"].notna().sum())
            return Exercise(
                11, "地区数字由谁构成 / who is behind a region's figure",
                "本库没有哪个地区有两年的报告。改问:本库有多少份报告定位到了地区(有 adcode)?"
                "地区数字只能由这些报告构成。",
                "No region in this store has reports for two years. Instead: how many reports "
                "in the store are placed in a region (have an adcode)? A region's figure can "
                "only be made of those.",
                placed, "corpus.reports 中 adcode 非空的行数。/ Rows of corpus.reports with an "
                "adcode.", "usable reports with an adcode",
                fallback="no region with reports for two years")
        return Exercise(
            11, "地区数字由谁构成 / who is behind a region's figure",
            f"{change.name}({change.adcode})在{change.year_from}年和{change.year_to}年的数字"
            "各由哪些机关构成(见 lab.region_years())?两年都有报告的机关有几个?",
            f"{change.name} ({change.adcode}): which bodies make up its figure in "
            f"{change.year_from} and in {change.year_to} (see lab.region_years())? How many "
            "bodies report in both years?",
            len(change.in_both),
            "比较两行的 bodies 列。/ Compare the bodies column of the two rows.",
            f"bodies (body_id) with reports in {change.name} in both {change.year_from} and "
            f"{change.year_to}")

    def _blockers(self) -> Exercise:
        pair = self.pair
        if pair is None:
            n = int(self.rates["value"].notna().sum())
            return Exercise(
                12, "能否比较 / may they be compared",
                "本库中有公开率的报告不足两份,没有可以比较的一对。改问:本库有几份报告有公开率?",
                "Fewer than two reports in this store have a disclosure rate: there is no pair "
                "to compare. Instead: how many reports have one?",
                n, "report_rates 中 value 非空的行数。/ Rates that are not null.",
                "reports with a disclosure rate", fallback="fewer than two reports with a rate")
        answer = frozenset(pair.blockers) or frozenset({"none"})
        return Exercise(
            12, "能否比较 / may they be compared",
            "看 lab.pair_table() 中的 A 和 B。哪些因素使它们不能排名?从 year(年份不同)、kind"
            f"(机关类型不同)、level(层级不同)、small(有一方少于{SMALL_SAMPLE}件)中选,"
            "可多选,用逗号分隔;都没有就答 none。",
            "Look at A and B in lab.pair_table(). What stops ranking them? Choose from year "
            "(different years), kind (government vs department), level (different levels), "
            f"small (one rests on fewer than {SMALL_SAMPLE} requests); several allowed, "
            "comma-separated; none if nothing does.",
            answer,
            "逐列比较 year、agency_kind、level,再看 denominator。/ Compare the year, "
            "agency_kind and level columns, then the denominators.",
            "blockers of the pair: year / kind / level differ, small = a denominator < "
            f"{SMALL_SAMPLE}", choices=(*BLOCKERS, "none"))

    def _rank(self) -> Exercise:
        pair = self.pair
        if pair is None or not pair.rankable:
            rankable = int(((self.rates["denominator"] >= SMALL_SAMPLE)
                            & self.rates["value"].notna()).sum())
            return Exercise(
                13, "排名 / ranking",
                f"本库中没有同年、同类型、同层级且都不少于{SMALL_SAMPLE}件申请的一对机关,所以本练习"
                f"不要求排名。改问:本库有几份报告的公开率基于至少{SMALL_SAMPLE}件申请(只有它们"
                "才可能被排名)?",
                f"No two bodies of this store with the same year, kind and level both rest on at "
                f"least {SMALL_SAMPLE} requests, so this exercise asks for no ranking. Instead: "
                f"how many reports have a disclosure rate over at least {SMALL_SAMPLE} requests "
                "(the only ones that may be ranked at all)?",
                rankable,
                f"report_rates 中 denominator ≥ {SMALL_SAMPLE} 的行数。/ Rates whose denominator "
                f"is at least {SMALL_SAMPLE}.",
                f"reports whose disclosure rate has denominator ≥ {SMALL_SAMPLE}",
                fallback="no like pair with enough requests on both sides")
        a, b = float(pair.a["value"]), float(pair.b["value"])
        higher = "A" if a > b else "B" if b > a else "equal"
        return Exercise(
            13, "排名 / ranking",
            "A 与 B 同年、同类型、同层级,且都不少于"
            f"{SMALL_SAMPLE}件申请。谁的公开率更高?答 A 或 B(相同则答 equal)。",
            "A and B are of the same year, kind and level, and both rest on at least "
            f"{SMALL_SAMPLE} requests. Which has the higher disclosure rate? Answer A or B "
            "(equal if the same).", higher,
            "比较 lab.pair_table() 的 value 列。/ Compare the value column of lab.pair_table().",
            "the pair member with the larger value",
            choices=("A", "B", "equal"),
            ranks=(float(pair.a["denominator"]), float(pair.b["denominator"])))

    # -- asking and checking --------------------------------------------------------------

    def ask(self, number: int) -> None:
        """Print the exercise's question (Chinese, then English)."""
        exercise = self.exercises[number]
        print(f"练习{number} · Exercise {number}: {exercise.title}")
        print(exercise.prompt)

    def prompt(self, number: int) -> str:
        """The exercise's question, as `ask` prints it."""
        return self.exercises[number].prompt

    def solution(self, number: int) -> Any:
        """The expected answer, computed from the store (for instructors)."""
        return self.exercises[number].answer

    def solutions(self) -> pd.DataFrame:
        """Every exercise with its answer and how it was computed (for instructors)."""
        return pd.DataFrame([{"exercise": e.number, "part": e.part, "title": e.title,
                              "answer": _show(e.answer), "how": e.how,
                              "replaced because": e.fallback}
                             for e in self.exercises.values()]).set_index("exercise")

    def is_correct(self, number: int, answer: Any) -> bool:
        """Whether `answer` matches the store (within the exercise's tolerance)."""
        exercise = self.exercises[number]
        return answer is not ... and _same(answer, exercise)

    def check(self, number: int, answer: Any) -> None:
        """Say whether `answer` is right, with a hint if not; `...` means not answered yet."""
        exercise = self.exercises[number]
        if answer is ...:
            print(f"练习{number}: 尚未作答 (not answered yet): 把 ... 换成你的答案 / replace ... "
                  "with your answer")
            return
        correct = self.is_correct(number, answer)
        self.results[number] = correct
        if correct:
            print(f"练习{number}: ✓ 正确 (correct)")
        elif _looks_like_percent(answer, exercise):
            print(f"练习{number}: ✗ 这像是百分数:请用小数作答(0.4,不是40)。/ Not yet: that "
                  "looks like a percentage; answer as a fraction (0.4, not 40).")
        else:
            print(f"练习{number}: ✗ 再想想 (not yet). 提示 Hint: {exercise.hint}")

    @property
    def n_correct(self) -> int:
        """Exercises whose last checked answer was right."""
        return sum(self.results.values())

    def score(self) -> None:
        """Print how many exercises were answered correctly so far."""
        print(f"{self.n_correct}/{len(self.exercises)} 正确 (correct)")

    # -- the class plan and the instructor's notes -----------------------------------------

    def replaced(self) -> dict[int, str]:
        """Exercises the store could not support as planned, and why."""
        return {n: e.fallback for n, e in self.exercises.items() if e.fallback}

    def instructor_notes(self, show: bool = True) -> None:
        """Print the timing plan, every solution with how it was computed, and the talking
        points of each discussion. With `show=False` (the students' default) print only how
        to get them."""
        if not show:
            print("教师备注默认不显示。教师请设 instructor = True 后重新运行本格(或 papermill "
                  "-p instructor True)。\nInstructor notes are hidden by default: set "
                  "instructor = True and run this cell again (or papermill -p instructor True).")
            return
        reports = self.corpus.reports
        print("教师备注 · Instructor notes")
        print(f"Store: {_plural(len(reports), 'usable report')}, "
              f"{_bodies(reports['body_id'].nunique())}, "
              f"years {_years(reports['year'])}. Example report: {self.example} "
              f"(report_id {self.report_id[:12]}…).")
        for number, why in self.replaced().items():
            print(f"  Exercise {number} was replaced: {why}.")
        for part in PARTS:
            print(f"\n== Part {part.number} ({part.minutes} min): {part.title_zh} / "
                  f"{part.title_en}")
            for note in part.notes:
                print(f"  - {note}")
            for number in part.exercises:
                e = self.exercises[number]
                print(f"  Exercise {number} ({e.title}): answer {_show(e.answer)}")
                print(f"      how: {e.how}")
                if e.fallback:
                    print(f"      replaced because: {e.fallback}")
            for key in part.discussions:
                item = DISCUSSIONS[key]
                print(f"  Discussion '{key}' ({item.title}):")
                for point in item.points:
                    print(f"    - {point}")


# ------------------------------------------------------------------ module-level helpers

NO_PANEL = ("本库没有哪个机关有连续两年(且结转单元格都读出)的报告:跨年练习改为同一份报告内的问题"
            "(见练习9、10)。", "The store holds no body with two consecutive years (with both "
            "carry-over cells read): the cross-year exercises ask about one report instead (see "
            "exercises 9 and 10).")
NO_REGION = ("本库没有哪个地区有两年的报告:练习11改问有多少报告定位到了地区。", "No region in this "
             "store has reports for two years: exercise 11 asks how many reports are placed in a "
             "region instead.")
NO_PAIR = ("本库中有公开率的报告不足两份:没有可以比较的一对(见练习12、13)。", "Fewer than two "
           "reports in this store have a disclosure rate: there is no pair to compare (see "
           "exercises 12 and 13).")


def _say(message: tuple[str, str]) -> str:
    return "\n".join(message)


def timing_plan() -> pd.DataFrame:
    """The class, part by part: minutes, title, exercises and discussions (adds up to 90)."""
    frame = pd.DataFrame([{"part": p.number, "minutes": p.minutes, "内容": p.title_zh,
                           "content": p.title_en,
                           "exercises": ", ".join(str(n) for n in p.exercises) or "—",
                           "discussion": ", ".join(p.discussions) or "—"} for p in PARTS])
    total = int(frame["minutes"].sum())
    if total != CLASS_MINUTES:
        raise ValueError(f"the parts add up to {total} minutes, not {CLASS_MINUTES}")
    return frame.set_index("part")


def deadline_rules() -> pd.DataFrame:
    """Who publishes by when (条例 第四十九条), and the lab's rule for townships."""
    return pd.DataFrame([{"rule": r.key, "机关": r.applies_zh, "bodies": r.applies_en,
                          "期限 deadline": f"{r.month}月{r.day}日 ({r.day} "
                                           f"{'January' if r.month == 1 else 'March'})",
                          "source": r.source} for r in DEADLINE_RULES]).set_index("rule")


def pair_chart(frame: pd.DataFrame, title: str, subtitle: str | None = None) -> alt.LayerChart:
    """Two rates as bars, each labelled with its count; one over few requests faded."""
    data = frame.reset_index().rename(columns={"": "name"})
    data = data.assign(
        label=data["name"] + " " + data["agency"].astype(str) + " " + data["year"].astype(str),
        count=data.apply(lambda r: f"{fmt_rate(r['value'])} = {fmt_count(r['numerator'])}/"
                                   f"{fmt_count(r['denominator'])}", axis=1),
        small=data["is_small"].map({True: charts.SMALL_PEER, False: charts.RANKED_LABEL}),
    )[["label", "value", "count", "small"]]
    base = alt.Chart(data).encode(y=alt.Y("label:N", title=None, sort=None),
                                  x=alt.X("value:Q", title=title, axis=alt.Axis(format=".0%"),
                                          scale=alt.Scale(domain=[0, 1])))
    bars = base.mark_bar(color=charts.LINE).encode(
        opacity=alt.Opacity("small:N", title="样本",
                            scale=alt.Scale(domain=[charts.RANKED_LABEL, charts.SMALL_PEER],
                                            range=[1.0, 0.35])))
    text = base.mark_text(align="left", dx=4, color=charts.MUTED).encode(text="count:N")
    heading = alt.TitleParams(title, subtitle=subtitle or alt.Undefined)
    return (bars + text).properties(title=heading, width=charts.WIDTH, height=90)


class SideBySide:
    """Section 五's text beside the figures: HTML in a notebook, plain text elsewhere."""

    def __init__(self, title: str, figures: pd.DataFrame, text: str) -> None:
        self.title, self.figures, self.text = title, figures, text

    def _rows(self) -> Iterable[tuple[str, str, str]]:
        for r in self.figures.itertuples():
            yield f"{r.part} {r.label}", fmt_count(r.count), fmt_rate(r.share)

    def _text(self) -> str:
        return self.text or ("(本报告在库中没有第五部分的文字 / no section 五 text in the "
                             "store for this report)")

    def __repr__(self) -> str:
        figures = "\n".join(f"  {a}: {b} ({c})" for a, b, c in self._rows())
        return (f"{self.title} · 办理结果 outcomes\n{figures}\n\n五、存在的主要问题及改进情况\n"
                f"{self._text()}")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(a)}</td><td align='right'>{b}</td>"
                       f"<td align='right'>{c}</td></tr>" for a, b, c in self._rows())
        return (
            "<div style='display:flex;gap:24px;align-items:flex-start'>"
            f"<div style='flex:0 0 auto'><b>{html.escape(self.title)} · 办理结果 outcomes</b>"
            "<table style='border-collapse:collapse;font-size:12px'>"
            "<tr><th>结果</th><th>件数</th><th>占总计</th></tr>"
            f"{rows}</table></div>"
            "<div style='flex:1 1 0'><b>五、存在的主要问题及改进情况</b>"
            "<div style='white-space:pre-wrap;font-size:13px;line-height:1.6'>"
            f"{html.escape(self._text())}</div></div></div>")


def _bodies(n: int) -> str:
    return f"{n} body" if n == 1 else f"{n} bodies"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _years(years: pd.Series) -> str:
    values = sorted(int(y) for y in years.dropna().unique())
    return f"{values[0]}–{values[-1]}" if values else "none"


def _show(answer: Any) -> str:
    if isinstance(answer, frozenset):
        return ", ".join(sorted(answer))
    if isinstance(answer, float):
        return f"{answer:.4f}".rstrip("0").rstrip(".") if not answer.is_integer() else \
            f"{answer:.0f}"
    if isinstance(answer, tuple):
        return "(" + ", ".join(_show(a) for a in answer) + ")"
    return str(answer)


def _computable(exercise: Exercise) -> Exercise:
    """An exercise whose answer the example report cannot give (a blank or redacted cell)
    asks for None instead, and says why."""
    answer = exercise.answer
    parts = answer if isinstance(answer, tuple) else (answer,)
    if not any(isinstance(a, float) and np.isnan(a) for a in parts):
        return exercise
    return replace(
        exercise,
        prompt_zh=exercise.prompt_zh + "\n(示例报告中所需的单元格为空白或涂黑,算不出来:请答 None。)",
        prompt_en=exercise.prompt_en + "\n(A cell this needs is blank or redacted in the example "
        "report, so it cannot be computed: answer None.)",
        answer=None, tolerance=0.0,
        fallback=exercise.fallback or "a cell it needs is blank or redacted in the example")


def _looks_like_percent(answer: Any, exercise: Exercise) -> bool:
    """A rate answered in percent (40 for 0.4)."""
    if exercise.tolerance != RATE_TOLERANCE or isinstance(answer, bool | str | tuple | list):
        return False
    try:
        return _match(float(answer) / 100, exercise.answer, exercise.tolerance)
    except (TypeError, ValueError):
        return False


def _words(answer: Any) -> frozenset[str] | None:
    if isinstance(answer, str):
        items: Iterable[Any] = re.split(r"[,,、;;/\s]+|和|与", answer)
    elif isinstance(answer, list | tuple | set | frozenset):
        items = answer
    else:
        return None
    words = set()
    for item in items:
        word = str(item).strip().casefold()
        if not word:
            continue
        if word not in BLOCKER_WORDS:
            return None
        words.add(BLOCKER_WORDS[word])
    return frozenset(words)


def _same(answer: Any, exercise: Exercise) -> bool:
    return _match(answer, exercise.answer, exercise.tolerance, exercise.aliases)


def _match(answer: Any, expected: Any, tolerance: float, aliases: tuple[str, ...] = ()) -> bool:
    if expected is None:
        return answer is None
    if isinstance(expected, frozenset):
        return _words(answer) == expected
    if isinstance(expected, tuple):
        return (isinstance(answer, tuple | list) and len(answer) == len(expected)
                and all(_match(a, e, tolerance) for a, e in zip(answer, expected, strict=True)))
    if isinstance(expected, bool):
        return isinstance(answer, bool | np.bool_) and bool(answer) == expected
    if isinstance(expected, str):
        accepted = {s.strip().casefold() for s in (expected, *aliases)}
        return isinstance(answer, str) and answer.strip().casefold() in accepted
    if isinstance(answer, bool | np.bool_ | str) or answer is None:
        return False
    try:
        return abs(float(answer) - float(expected)) <= tolerance + 1e-9
    except (TypeError, ValueError):
        return False


__all__ = ["Exercise", "Lab", "SideBySide", "deadline_rules", "pair_chart", "timing_plan"]
