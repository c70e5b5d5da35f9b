"""The teaching lab's helpers: the template as tables, one report's section 三 as printed,
and exercises whose answers are checked against the store.

Why in the package: the lab notebook stays a page of narrative and a few calls, and the
expected answers are computed from the store the lab runs on (not typed into the
notebook), so they stay right when the corpus grows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import altair as alt
import pandas as pd

from toolkit.analysis.corpus import Corpus
from toolkit.analysis.indicators import region_code
from toolkit.present import charts
from toolkit.spec.template import load_template
from toolkit.spec.vocab import REGION_LEVELS, SMALL_SAMPLE, Status

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


def example_report(corpus: Corpus) -> str:
    """A report worth reading by hand: parsed fully, every checkable identity passing, the
    most requests processed (ties broken by path, so the choice is stable)."""
    reports = corpus.reports.merge(corpus.quality, on="report_id", how="left")
    processed = corpus.wide.get("requests.total_processed.total")
    if processed is None:
        raise LookupError("no report in this store has a section 三 table")
    reports = reports.assign(processed=reports["report_id"].map(processed))
    good = reports[(reports["status"] == Status.OK) & (reports["checks_failed"].fillna(0) == 0)
                   & (reports["checks_checkable"].fillna(0) > 0) & reports["processed"].notna()]
    if good.empty:
        raise LookupError("no fully parsed report with passing identities in this store")
    best = good.sort_values(["processed", "path"], ascending=[False, True])
    return str(best["report_id"].iloc[0])


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


def region_figure(corpus: Corpus, adcode: str, year: int, indicator: str = "disclosure_rate",
                  kind: str = "all") -> dict[str, Any]:
    """A region's indicator for one year with its counts and guard-rail flag."""
    region = corpus.region(adcode)
    series = corpus.series(adcode, indicator, kind, (year, year))
    row = series.iloc[0] if len(series) else None
    return {"region": region.name, "adcode": region.adcode, "level": region.level,
            "year": year,
            "value": None if row is None or pd.isna(row["value"]) else float(row["value"]),
            "numerator": None if row is None else float(row["numerator"]),
            "denominator": None if row is None else float(row["denominator"]),
            "n_bodies": 0 if row is None else int(row["n_bodies"]),
            "is_small": True if row is None else bool(row["is_small"])}


def pick_comparison(corpus: Corpus, indicator: str = "disclosure_rate"
                    ) -> tuple[str, str, int]:
    """Two regions at the same level with the indicator in the same year: the pair with the
    most requests between them (provinces first), so the comparison has numbers to show."""
    for level in REGION_LEVELS:
        table = corpus.rollup(level).reset_index()
        table = table[(table["indicator"] == indicator) & table["value"].notna()]
        best: tuple[float, str, str, int] | None = None
        for year, group in table.groupby("year"):
            if len(group) < 2:
                continue
            top = group.sort_values(["denominator", "region"], ascending=[False, True]).head(2)
            score = float(top["denominator"].sum())
            if best is None or score > best[0]:
                codes = sorted(top["region"].astype(str))
                best = (score, codes[0], codes[1], int(cast(Any, year)))
        if best is not None:
            return best[1], best[2], best[3]
    raise LookupError(f"no two regions share a year with {indicator} in this store")


@dataclass(frozen=True)
class Exercise:
    prompt: str
    expected: Callable[[], Any]
    hint: str
    tolerance: float = 0.0


class Lab:
    """The lab's example report, its two regions, and exercises checked against the store."""

    def __init__(self, corpus: Corpus, report_id: str | None = None,
                 region_a: str | None = None, region_b: str | None = None,
                 year: int | None = None) -> None:
        self.corpus = corpus
        self.report_id = report_id or example_report(corpus)
        if not (region_a and region_b and year):
            region_a, region_b, year = pick_comparison(corpus)
        self.region_a, self.region_b, self.year = str(region_a), str(region_b), int(year)
        self.results: dict[int, bool] = {}
        self.exercises = self._exercises()

    # -- what the lab shows ------------------------------------------------------------

    def report_meta(self) -> pd.Series:
        """Who published the example report, for which year, on which template."""
        reports = self.corpus.all_reports
        row = reports[reports["report_id"] == self.report_id].iloc[0]
        return row[["agency", "year", "published", "template", "province", "city", "county",
                    "status", "path"]]

    def section_three(self) -> pd.DataFrame:
        """The example report's section 三 as numbers (see `section_three`)."""
        return section_three(self.corpus, self.report_id)

    def value(self, row: str, column: str = "total") -> float:
        """One cell of the example's section 三 (NaN when blank or redacted)."""
        return float(cast(Any, self.section_three().loc[row, column]))

    def indicator(self, name: str) -> pd.Series:
        """What `toolkit` computes for the example report: numerator, denominator, value."""
        frame = self.corpus.indicators()
        row = frame[(frame["report_id"] == self.report_id) & (frame["indicator"] == name)]
        return row.iloc[0][["indicator", "numerator", "denominator", "value", "is_small"]]

    def checks(self) -> pd.DataFrame:
        """The example's accounting identities as the store recorded them."""
        return self.corpus.con.execute(
            "SELECT \"check\", scope, status, \"left\", \"right\" FROM checks WHERE report_id = ? "
            "ORDER BY \"check\", scope", [self.report_id]).df()

    def compare(self, indicator: str = "disclosure_rate") -> pd.DataFrame:
        """The two regions side by side for the lab's year, with counts and bodies."""
        return pd.DataFrame([region_figure(self.corpus, code, self.year, indicator)
                             for code in (self.region_a, self.region_b)])

    def compare_chart(self, indicator: str = "disclosure_rate") -> alt.Chart:
        """The comparison as bars; a region under `SMALL_SAMPLE` requests drawn faded (not ranked)."""
        frame = self.compare(indicator).rename(columns={"region": "name"})
        frame["is_selected"] = frame["adcode"] == self.region_a
        title = f"公开率 {self.year}年"
        return charts.peers_chart(frame, title)

    # -- exercises ---------------------------------------------------------------------

    def _exercises(self) -> dict[int, Exercise]:
        cell = self.value

        def on_hand() -> float:
            return cell("new_received") + cell("carried_over")

        def disclosure() -> float:
            return (cell("granted") + cell("partial")) / cell("total_processed")

        def balance() -> tuple[float, float]:
            column = "natural_person"
            return (cell("new_received", column) + cell("carried_over", column),
                    cell("total_processed", column) + cell("carried_forward", column))

        def refusal() -> float:
            grid = self.section_three()
            denied = grid.loc[[r for r in grid.index if r.startswith("denied_")], "total"]
            return float(denied.sum()) / cell("total_processed")

        def higher() -> str:
            frame = self.compare()
            return str(frame.sort_values("value", ascending=False)["adcode"].iloc[0])

        def rankable() -> bool:
            return not bool(self.compare()["is_small"].any())

        def flagged() -> int:
            quality = self.corpus.quality
            mask = (quality["share_blank"] > 0) | (quality["share_redacted"] > 0)
            return int(mask.sum())

        def in_region() -> int:
            codes = region_code(self.corpus.reports, self.corpus.region(self.region_a).level)
            return int((codes == self.region_a).sum())

        return {
            1: Exercise("本年办理申请数 (requests on hand) of the example report: 一 + 二, total "
                        "column.", on_hand, "Add rows new_received and carried_over."),
            2: Exercise("Disclosure rate of the example report, by hand: (予以公开 + 部分公开) / "
                        "总计, as a fraction (0.4, not 40).", disclosure,
                        "Rows granted and partial over total_processed, column total.", 0.0005),
            3: Exercise("Identity 1 for natural persons (自然人): the two sides (一 + 二, 三(七) + "
                        "四) as a tuple (left, right).", balance,
                        "Column natural_person: new_received + carried_over, and "
                        "total_processed + carried_forward."),
            4: Exercise("Refusal rate (不予公开率) of the example report: the eight denied_* rows "
                        "over 总计.", refusal,
                        "Sum the denied_* rows of column total, divide by total_processed.",
                        0.0005),
            5: Exercise("Which of the two regions has the higher disclosure rate in the lab's "
                        "year? Answer its adcode as a string.", higher,
                        "lab.compare() lists both with their values."),
            6: Exercise("May the two regions be ranked against each other under the guard "
                        f"rail (at least {SMALL_SAMPLE} requests each)? True or False.", rankable,
                        "Look at the denominator (requests processed) of each region."),
            7: Exercise("How many usable reports in the store have at least one blank or "
                        "redacted cell?", flagged,
                        "corpus.quality has share_blank and share_redacted per report."),
            8: Exercise("How many reports make up region A's figures (all years, all bodies)?",
                        in_region, "corpus.reports_in(lab.region_a) lists them."),
        }

    def prompt(self, number: int) -> str:
        """The exercise's question, as the notebook prints it."""
        return self.exercises[number].prompt

    def solution(self, number: int) -> Any:
        """The expected answer (for instructors; the lab never prints it)."""
        return self.exercises[number].expected()

    def is_correct(self, number: int, answer: Any) -> bool:
        """Whether `answer` matches the store (within the exercise's tolerance)."""
        exercise = self.exercises[number]
        return answer is not ... and _same(answer, exercise.expected(), exercise.tolerance)

    def check(self, number: int, answer: Any) -> None:
        """Say whether `answer` is right, with a hint if not; `...` means not answered yet."""
        exercise = self.exercises[number]
        if answer is ...:
            print(f"练习{number}: 尚未作答 (not answered yet) — {exercise.prompt}")
            return
        correct = self.is_correct(number, answer)
        self.results[number] = correct
        if correct:
            print(f"练习{number}: ✓ 正确 (correct)")
        else:
            print(f"练习{number}: ✗ 再想想 (not yet). Hint: {exercise.hint}")

    @property
    def n_correct(self) -> int:
        """Exercises whose last checked answer was right."""
        return sum(self.results.values())

    def score(self) -> None:
        """Print how many exercises were answered correctly so far."""
        print(f"{self.n_correct}/{len(self.exercises)} 正确 (correct)")


def _same(answer: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, tuple):
        return (isinstance(answer, tuple | list) and len(answer) == len(expected)
                and all(_same(a, e, tolerance) for a, e in zip(answer, expected, strict=True)))
    if isinstance(expected, bool):
        return isinstance(answer, bool) and answer == expected
    if isinstance(expected, str):
        return str(answer).strip() == expected
    try:
        return abs(float(answer) - float(expected)) <= tolerance + 1e-9
    except (TypeError, ValueError):
        return False


__all__ = ["Exercise", "Lab", "example_report", "pick_comparison", "region_figure",
           "requests_rows", "section_three", "template_outline"]
