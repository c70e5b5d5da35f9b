"""The teaching lab (notebooks/teaching_lab.ipynb): a 90-minute class on reading the
政府信息公开工作年度报告, with exercises checked against the store.

Why in the package: the notebook stays a page of narrative and a few calls, and every
example and expected answer is computed from the store the lab runs on (never typed into
the notebook), so the lab stays right when the corpus changes, and says so when the store
cannot support an exercise.

* `texts`: the class plan, the deadline rules, the discussion prompts and talking points;
* `reading`: the template as tables, one report's section 三, outcome mix, indicator
  definitions, publication deadlines;
* `picks`: the examples chosen from the store (a pair of like bodies, one body across years,
  a region whose bodies change, a dated report);
* `lab`: `Lab`, its exercises, `check` / `solution` / `instructor_notes`.
"""
from toolkit.present.teaching.lab import (
    Exercise,
    Lab,
    SideBySide,
    deadline_rules,
    pair_chart,
    timing_plan,
)
from toolkit.present.teaching.picks import (
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
    deadline,
    deadline_rule,
    definitions,
    outcome_mix,
    report_rates,
    requests_rows,
    section_three,
    template_outline,
    timeliness,
)
from toolkit.present.teaching.texts import CLASS_MINUTES, DEADLINE_RULES, DISCUSSIONS, PARTS

__all__ = [
    "CLASS_MINUTES", "DEADLINE_RULES", "DISCUSSIONS", "PARTS", "Exercise", "Lab", "Pair",
    "Panel", "RegionChange", "SideBySide", "deadline", "deadline_rule", "deadline_rules",
    "definitions", "example_report", "outcome_mix", "pair_chart", "pick_dated", "pick_pair",
    "pick_panel", "pick_region_change", "report_rates", "requests_rows", "section_three",
    "template_outline", "timeliness", "timing_plan",
]
