"""Two consecutive reports of one body with planted reuse, changes and cross-year breaks.

The year-over-year comparison (`toolkit.analysis.compare`) must show what a reader looks
for; these reports hold each thing at a known place, so a test can check it is shown:

* section 一 of the later year copies two sentences of the earlier year word for word and
  restates the tables in the earlier year's sentence with this year's numbers (reused:
  numbers do not make prose new), and adds one new sentence; section 五 is new throughout;
  section 六 is the same short sentence both years;
* every table value is drawn anew (the changes are the two reports' values);
* the carry-over chain (identity 5) holds in every applicant column but `CARRY_BREAK`,
  where the later year carries over `CARRY_DELTA` more than the earlier carried forward;
* the regulation stock (identity 6, 2021 template) balances for 规章 and is off by
  `STOCK_DELTA` for 规范性文件.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

from toolkit.dev.synth import OTHER, SyntheticReport, claims, random_report
from toolkit.spec.template import load_template

AGENCY = "乌海市海勃湾区发展和改革委员会"
"""A body the placement knows (150302), so both years share one body_id."""
CARRY_BREAK = "natural_person"
CARRY_DELTA = 3
STOCK_BREAK = "normative_docs"
STOCK_DELTA = 5
COPIED = ("本年度,我委坚持以公开为常态、不公开为例外,把政务公开纳入重点工作统筹推进。",
          "我委依托门户网站、政务新媒体和政务服务大厅,及时发布发展改革领域政策文件。")
"""Section 一's sentences the later year copies word for word."""
EARLIER_ONLY = "全年召开政务公开专题会议,研究部署年度重点任务,明确责任分工和完成时限。"
NEW_SENTENCE = "今年首次开展政府开放日活动,邀请企业代表和群众走进机关,现场解读营商环境新政策。"
NEW_PROBLEMS = ("一是基层政务公开标准化规范化建设推进不平衡,部分事项目录更新不及时。"
                "二是政策解读多为文字形式,图解和视频解读较少。下一步将完善目录动态调整机制,"
                "丰富解读形式。")
OLD_PROBLEMS = ("存在的问题主要是信息发布的及时性有待提高,工作人员业务能力需要加强。"
                "今后将加大培训力度,严格落实信息发布审核制度。")


@dataclass(frozen=True)
class PlantedPair:
    """The two reports and what was planted in them (the test's ground truth)."""

    earlier: SyntheticReport
    later: SyntheticReport
    reused_sentences: tuple[str, ...]
    """Sentences of the later section 一 that are (copies of) earlier ones."""
    new_sentences: tuple[str, ...]
    """Sentences of the later sections 一 and 五 found nowhere in the earlier report."""


def _applicants() -> tuple[str, ...]:
    return tuple(c for c in load_template().request_columns if c != "total")


def _chain(earlier: dict[str, int | float], later: dict[str, int | float]
           ) -> dict[str, int | float]:
    """`later`'s requests rebalanced so that it carries over what `earlier` carried forward,
    but `CARRY_DELTA` more in `CARRY_BREAK`; every column still balances
    (new + carried over = processed + carried forward)."""
    out = dict(later)
    rows = ("new_received", "carried_over", "carried_forward")
    for column in _applicants():
        over = int(earlier[f"requests.carried_forward.{column}"])
        over += CARRY_DELTA if column == CARRY_BREAK else 0
        processed = int(out[f"requests.total_processed.{column}"])
        forward = int(out[f"requests.carried_forward.{column}"])
        new = processed + forward - over
        if new < 0:
            forward, new = forward - new, 0
        out |= {f"requests.carried_over.{column}": over,
                f"requests.carried_forward.{column}": forward,
                f"requests.new_received.{column}": new}
    for row in rows:
        out[f"requests.{row}.total"] = sum(int(out[f"requests.{row}.{c}"]) for c in _applicants())
    return out


def _stock(earlier: dict[str, int | float], later: dict[str, int | float]
           ) -> dict[str, int | float]:
    """`later`'s rules in force = earlier's + issued − repealed (+ `STOCK_DELTA` for
    `STOCK_BREAK`)."""
    out = dict(later)
    for row in ("rules", "normative_docs"):
        before = int(earlier[f"active.{row}.in_force"])
        issued = int(out[f"active.{row}.issued"])
        repealed = min(int(out[f"active.{row}.repealed"]), before + issued)
        out[f"active.{row}.repealed"] = repealed
        out[f"active.{row}.in_force"] = (before + issued - repealed
                                         + (STOCK_DELTA if row == STOCK_BREAK else 0))
    return out


def body_pair(seed: int = 0, year: int = 2022) -> PlantedPair:
    """`AGENCY`'s reports of `year` − 1 and `year` on the 2021 template, planted as above."""
    rng = random.Random(f"pair:{seed}:{year}")
    first = random_report(rng, "2021")
    second = random_report(rng, "2021")
    first = replace(first, agency=AGENCY, year=year - 1, published=f"{year}-01-20")
    values = _stock(first.values, _chain(first.values, second.values))
    second = replace(second, agency=AGENCY, year=year, published=f"{year + 1}-01-18",
                     values=values)
    first = replace(first, prose=(
        (0, "".join(COPIED) + EARLIER_ONLY + claims(first)), (4, OLD_PROBLEMS),
        (5, OTHER["2021"])))
    restated = claims(second)
    second = replace(second, prose=(
        (0, "".join(COPIED) + NEW_SENTENCE + restated), (4, NEW_PROBLEMS),
        (5, OTHER["2021"])))
    new_problems = tuple(s + "。" for s in NEW_PROBLEMS.split("。") if s)
    return PlantedPair(first, second, (*COPIED, *_sentences(restated)),
                       (NEW_SENTENCE, *new_problems))


def _sentences(text: str) -> tuple[str, ...]:
    """`text` cut after each 。 or ;, as `toolkit.analysis.compare.split_sentences` cuts."""
    out, start = [], 0
    for i, char in enumerate(text):
        if char in "。;;":
            out.append(text[start:i + 1])
            start = i + 1
    if text[start:].strip():
        out.append(text[start:])
    return tuple(out)


__all__ = ["AGENCY", "CARRY_BREAK", "CARRY_DELTA", "STOCK_BREAK", "STOCK_DELTA", "PlantedPair",
           "body_pair"]
