"""The teaching lab (toolkit.present.teaching): every exercise's checker accepts the answer
computed from the store and rejects a wrong one, on stores that hold what the exercises
need and on stores that do not; no exercise ranks a rate over fewer than 30 requests; the
deadlines follow art. 49; the class adds up to 90 minutes; the lab names no file the
repository lacks. The notebook itself runs under papermill in test_notebooks_explore.py.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from toolkit import store
from toolkit.analysis.corpus import Corpus, load
from toolkit.analysis.crosscheck import carry_forward_chain
from toolkit.present import teaching
from toolkit.present.teaching import Lab
from toolkit.present.teaching.lab import RATE_TOLERANCE
from toolkit.present.teaching.picks import blockers
from toolkit.spec.vocab import SMALL_SAMPLE

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "teaching_lab.ipynb"
SHARED = REPO.parent / "shared" / "corpus"
EXERCISES = range(1, 14)


def _ingest(source: Path, out: Path) -> Path:
    store.ingest(source, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled corpus; a store of one report (little to compare); a synthetic store of
    bodies reporting every year (much to compare); the shared corpus when it is beside the
    repository (the 平潭 series)."""
    from toolkit.dev.synth_store import build_store

    root = tmp_path_factory.mktemp("teaching")
    out = {"bundled": _ingest(REPO / "data" / "corpus", root / "bundled")}
    one = root / "one" / "seeds"
    one.mkdir(parents=True)
    seed = next((REPO / "data" / "corpus" / "seeds").glob("000_*"))
    (one / seed.name).write_bytes(seed.read_bytes())
    out["one_report"] = _ingest(root / "one", root / "one_store")
    out["synthetic"] = build_store(root / "synthetic", 300, seed=3)
    if (SHARED / "dev").is_dir():
        shared = root / "shared"
        for folder in ("seeds", "dev"):
            (shared / folder).mkdir(parents=True)
            for path in (SHARED / folder).iterdir():
                (shared / folder / path.name).write_bytes(path.read_bytes())
        out["shared"] = _ingest(shared, root / "shared_store")
    return out


@pytest.fixture(scope="module")
def labs(stores: dict[str, Path]) -> dict[str, Lab]:
    return {name: Lab(load(path)) for name, path in stores.items()}


STORES = ["bundled", "one_report", "synthetic", "shared"]


def _lab(labs: dict[str, Lab], name: str) -> Lab:
    if name not in labs:
        pytest.skip(f"no {name} corpus beside the repository")
    return labs[name]


def _wrong(lab: Lab, number: int) -> Any:
    """An answer that must be rejected: a different value of the same type."""
    exercise = lab.exercises[number]
    right = exercise.answer
    if right is None:
        return 0
    if isinstance(right, bool):
        return not right
    if isinstance(right, tuple):
        return (right[0] + 1, *right[1:])
    if isinstance(right, frozenset):
        other = next(c for c in exercise.choices if c not in right)
        return ", ".join(sorted({other} if "none" in right else set(right) | {other}))
    if isinstance(right, str):
        accepted = {right, *exercise.aliases}
        return next(c for c in (*exercise.choices, "zzz") if c not in accepted)
    return right + 1


# ------------------------------------------------------------------ every exercise, every store

@pytest.mark.parametrize("name", STORES)
@pytest.mark.parametrize("number", EXERCISES)
def test_each_exercise_accepts_its_solution_and_rejects_a_wrong_one(labs: dict[str, Lab],
                                                                    name: str, number: int
                                                                    ) -> None:
    lab = _lab(labs, name)
    right = lab.solution(number)
    assert lab.is_correct(number, right)
    assert not lab.is_correct(number, _wrong(lab, number))
    assert not lab.is_correct(number, ...)
    exercise = lab.exercises[number]
    assert exercise.prompt_zh and exercise.prompt_en and exercise.hint and exercise.how


@pytest.mark.parametrize("name", STORES)
def test_no_exercise_ranks_a_rate_over_few_requests(labs: dict[str, Lab], name: str) -> None:
    lab = _lab(labs, name)
    for exercise in lab.exercises.values():
        assert all(count >= SMALL_SAMPLE for count in exercise.ranks), exercise.number
    # the ranking question is asked only of a like pair that may be ranked
    if lab.exercises[13].ranks:
        assert lab.pair is not None and lab.pair.rankable and lab.pair.is_like
    else:
        assert lab.exercises[13].fallback


def test_the_synthetic_store_gets_the_ranking_and_change_exercises(labs: dict[str, Lab]
                                                                  ) -> None:
    """Bodies reporting every year with many requests: nothing needs replacing."""
    lab = labs["synthetic"]
    assert lab.replaced() == {}
    assert len(lab.exercises[13].ranks) == 2 and lab.solution(13) in {"A", "B", "equal"}
    assert len(lab.exercises[10].ranks) == 2
    assert lab.solution(12) == frozenset({"none"})


def test_a_store_of_one_report_replaces_what_it_cannot_support(labs: dict[str, Lab]) -> None:
    lab = labs["one_report"]
    replaced = lab.replaced()
    assert {9, 10, 11, 12, 13} <= set(replaced)
    assert "consecutive years" in replaced[9]
    # the carried-forward row of this report is missing: the identity cannot be computed
    assert lab.solution(2) is None and "answer None" in lab.prompt(2)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert lab.panel_table() is None and lab.pair_table() is None
        assert lab.region_years() is None and lab.carry_forward() is None
    assert "consecutive years" in out.getvalue() and "no pair to compare" in out.getvalue()


def test_the_bundled_example_answers(labs: dict[str, Lab]) -> None:
    """Whatever the bundled store holds, the answers are its own numbers."""
    lab = labs["bundled"]
    grid = lab.section_three()
    assert lab.solution(1) == grid.loc["new_received", "total"] + grid.loc["carried_over", "total"]
    assert lab.solution(3) == pytest.approx(float(lab.indicator("full_grant_rate")["value"]))
    assert lab.solution(4) == pytest.approx(float(lab.indicator("refusal_rate")["value"]))
    mix = lab.outcomes()
    assert lab.solution(6) == mix.loc[mix["count"].idxmax(), "label"]
    assert lab.solution(7) == ("申请" in lab.problems)


@pytest.mark.parametrize("name", ["synthetic", "shared"])
def test_the_cross_year_exercise_agrees_with_the_toolkits_check(labs: dict[str, Lab],
                                                                name: str) -> None:
    lab = _lab(labs, name)
    panel = lab.panel
    assert panel is not None and panel.year_to == panel.year_from + 1
    chain = carry_forward_chain(lab.corpus.reports, lab.corpus.wide)
    row = chain[(chain["body_id"] == panel.body_id) & (chain["column"] == "total")
                & (chain["year_from"] == panel.year_from)].iloc[0]
    assert lab.solution(9) == (row["expected"], row["actual"])


def test_the_shared_series_is_used_for_the_panel(labs: dict[str, Lab]) -> None:
    lab = _lab(labs, "shared")
    assert lab.panel is not None and "平潭" in lab.panel.agency
    assert lab.exercises[10].ranks and not lab.exercises[10].fallback


def test_section_five_missing_gives_another_question(labs: dict[str, Lab]) -> None:
    lab = Lab(labs["bundled"].corpus)
    lab.problems = ""
    lab.exercises = {e.number: e for e in lab._exercises()}
    assert lab.exercises[7].fallback and isinstance(lab.solution(7), int)
    assert "no section 五" in repr(lab.section_five())


# ------------------------------------------------------------------ checking answers

@pytest.mark.parametrize(("answer", "ok"), [
    pytest.param("level, small", True, id="comma"),
    pytest.param("small,level", True, id="order"),
    pytest.param("层级、样本小", True, id="chinese"),
    pytest.param(["small", "level"], True, id="list"),
    pytest.param("level", False, id="one-missing"),
    pytest.param("level, small, year", False, id="one-too-many"),
    pytest.param("level, tiny", False, id="unknown-word"),
])
def test_blockers_are_read_in_any_order_and_either_language(answer: Any, ok: bool) -> None:
    exercise = teaching.Exercise(12, "t", "zh", "en", frozenset({"level", "small"}), "h", "w")
    from toolkit.present.teaching.lab import _same

    assert _same(answer, exercise) is ok


def test_check_prints_a_verdict_a_hint_and_the_score(labs: dict[str, Lab],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    lab = Lab(labs["bundled"].corpus)
    lab.check(1, lab.solution(1))
    lab.check(3, 0.0 if lab.solution(3) else 1.0)
    lab.check(4, lab.solution(4) * 100)
    lab.check(5, ...)
    lab.score()
    printed = capsys.readouterr().out
    assert "练习1: ✓" in printed and "练习3: ✗" in printed and "Hint" in printed
    assert "percentage" in printed  # exercise 4 answered in percent
    assert "练习5: 尚未作答" in printed
    assert f"1/{len(lab.exercises)}" in printed


def test_rates_are_checked_with_a_tolerance(labs: dict[str, Lab]) -> None:
    lab = labs["bundled"]
    rate = lab.solution(3)
    assert lab.exercises[3].tolerance == RATE_TOLERANCE
    assert lab.is_correct(3, round(rate, 3))
    assert not lab.is_correct(3, rate + 0.01)
    if rate:
        assert not lab.is_correct(3, rate * 100)  # a percentage, not a fraction


def test_instructor_notes_are_hidden_unless_asked(labs: dict[str, Lab],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    lab = labs["bundled"]
    lab.instructor_notes(show=False)
    hidden = capsys.readouterr().out
    assert "instructor = True" in hidden and "answer" not in hidden
    lab.instructor_notes()
    notes = capsys.readouterr().out
    for number in EXERCISES:
        assert f"Exercise {number} (" in notes
    for key in teaching.DISCUSSIONS:
        assert f"Discussion '{key}'" in notes
    assert list(lab.solutions().index) == list(EXERCISES)


@pytest.mark.parametrize("name", STORES)
def test_every_discussion_prints_in_both_languages(labs: dict[str, Lab], name: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    lab = _lab(labs, name)
    for key in teaching.DISCUSSIONS:
        lab.discuss(key)
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 3
        assert re.search(r"[\u4e00-\u9fff]", lines[1]) and re.search(r"[A-Za-z]{4}", lines[2])


# ------------------------------------------------------------------ deadlines

@pytest.mark.parametrize(("kind", "level", "due", "rule"), [
    pytest.param("department", "county", dt.date(2022, 1, 31), "department", id="county-dept"),
    pytest.param("department", "province", dt.date(2022, 1, 31), "department", id="prov-dept"),
    pytest.param("government", "city", dt.date(2022, 3, 31), "government", id="city-gov"),
    pytest.param("government", "township", dt.date(2022, 3, 31), "township", id="township"),
    pytest.param("department", "township", dt.date(2022, 3, 31), "township", id="township-dept"),
    pytest.param(None, None, None, None, id="unknown-kind"),
])
def test_deadlines_follow_article_49(kind: Any, level: Any, due: dt.date | None,
                                     rule: str | None) -> None:
    assert teaching.deadline(2021, kind, level) == due
    found = teaching.deadline_rule(kind, level)
    assert (found.key if found else None) == rule


def test_timeliness_counts_days_from_the_right_deadline() -> None:
    reports = pd.DataFrame([
        {"report_id": "d", "agency": "某局", "year": 2021, "agency_kind": "department",
         "level": "county", "published": "2022-02-10"},
        {"report_id": "g", "agency": "某政府", "year": 2021, "agency_kind": "government",
         "level": "county", "published": "2022-02-10"},
        {"report_id": "n", "agency": "某镇", "year": 2021, "agency_kind": "government",
         "level": "township", "published": None},
    ])
    table = teaching.timeliness(reports).set_index("report_id")
    assert table.loc["d", "days"] == 10 and table.loc["d", "is_late"] is True
    assert table.loc["g", "days"] == -49 and table.loc["g", "is_late"] is False
    assert pd.isna(table.loc["n", "days"]) and table.loc["n", "is_late"] is None


def test_the_pair_rules() -> None:
    def rate(year: int, kind: str, level: str, n: float) -> pd.Series:
        return pd.Series({"year": year, "agency_kind": kind, "level": level, "denominator": n})

    assert blockers(rate(2021, "government", "county", 40),
                    rate(2021, "government", "county", 31)) == frozenset()
    assert blockers(rate(2021, "government", "county", 40),
                    rate(2022, "department", "city", 29)) == {"year", "kind", "level", "small"}


# ------------------------------------------------------------------ the class and its text

def test_the_class_adds_up_to_ninety_minutes_and_covers_every_exercise() -> None:
    plan = teaching.timing_plan()
    assert plan["minutes"].sum() == teaching.CLASS_MINUTES == 90
    numbers = [n for part in teaching.PARTS for n in part.exercises]
    assert sorted(numbers) == list(EXERCISES)
    keys = [k for part in teaching.PARTS for k in part.discussions]
    assert sorted(keys) == sorted(teaching.DISCUSSIONS)


def _notebook() -> list[dict[str, Any]]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_the_notebook_follows_the_timing_plan() -> None:
    cells = _notebook()
    headers = [re.search(r"## 第(\S+)部分 · Part (\d+) \((\d+) 分钟 / min\)",
                         "".join(c["source"])) for c in cells if c["cell_type"] == "markdown"]
    found = [(int(m.group(2)), int(m.group(3))) for m in headers if m]
    assert found == [(p.number, p.minutes) for p in teaching.PARTS]
    ids = [c.get("id") for c in cells]
    for number in EXERCISES:
        assert f"exercise-{number}" in ids
    for key in teaching.DISCUSSIONS:
        assert any(f'lab.discuss("{key}")' in "".join(c["source"]) for c in cells)


def test_every_narrative_cell_is_bilingual() -> None:
    for cell in _notebook():
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        assert re.search(r"[\u4e00-\u9fff]", text), text[:60]
        assert len(re.findall(r"\b[A-Za-z]{3,}\b", text)) >= 2, text[:60]


FILE = re.compile(r"[\w./-]*\w\.(?:md|ipynb|py|toml|csv|json|cfg|txt|yml|yaml)\b")


def _lab_text(lab: Lab) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for number in lab.exercises:
            lab.ask(number)
        for key in teaching.DISCUSSIONS:
            lab.discuss(key)
        lab.instructor_notes()
    tables = [teaching.timing_plan(), teaching.deadline_rules(), teaching.definitions(),
              teaching.template_outline(), teaching.requests_rows()]
    return out.getvalue() + "".join(t.to_string() for t in tables)


def test_the_lab_names_no_file_the_repository_lacks(labs: dict[str, Lab]) -> None:
    texts = ["".join(c["source"]) for c in _notebook()]
    texts += [p.read_text(encoding="utf-8")
              for p in (REPO / "toolkit" / "present" / "teaching").glob("*.py")]
    texts.append(_lab_text(labs["bundled"]))
    named = {m.group(0).lstrip("./") if not m.group(0).startswith("../") else m.group(0)
             for text in texts for m in FILE.finditer(text)}
    assert "docs/DATA_DICTIONARY.md" in " ".join(named)
    missing = [n for n in named
               if not ((REPO / n).exists() or (REPO / "notebooks" / n).exists())]
    assert not missing, f"the lab names files that are not in the repository: {missing}"


def test_the_indicator_definitions_the_lab_links_to_are_in_the_repository() -> None:
    dictionary = (REPO / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    section = dictionary.split("## Indicators", 1)[1].split("\n## ", 1)[0]
    for name in teaching.definitions()["indicator"]:
        assert f"`{name}`" in section


@pytest.mark.parametrize(("name", "formula"), [
    pytest.param("disclosure_rate", "(granted + partial) / total_processed", id="disclosure"),
    pytest.param("refusal_rate", "Σ denied_* (8 rows) / total_processed", id="refusal"),
    pytest.param("review_correction_rate_decided",
                 "review.corrected / (review.total − review.pending)", id="minus"),
    pytest.param("applicant_share_natural_person",
                 "new_received[natural_person] / new_received", id="column"),
])
def test_definitions_show_the_formula_in_row_names(name: str, formula: str) -> None:
    assert teaching.definitions([name]).iloc[0]["formula"] == formula


def test_the_lab_opens_on_the_default_store_parameters(stores: dict[str, Path]) -> None:
    corpus = Corpus(stores["bundled"])
    lab = Lab(corpus, report_id=teaching.example_report(corpus))
    assert lab.report_meta()["status"] == "ok"
    assert (lab.checks()["status"] != "fail").all()
