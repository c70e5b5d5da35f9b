"""Claims the prose makes about the tables (toolkit/spec/prose.toml), one test per pattern
with the sentence it was written for (from the shared corpus where one has it), and the
sentences that must not be read as claims."""
from __future__ import annotations

import pytest

from toolkit.parse import parse_text
from toolkit.parse.prose import Statement, check_statement, find_statements
from toolkit.spec.prose import load_prose


def _claims(text: str, year: int = 2022) -> list[tuple[str, float | int]]:
    return [(s.claim.name, s.number) for s in find_statements(text, load_prose(), year)]


@pytest.mark.parametrize(("sentence", "claims"), [
    # received: 受理 / 收到 (001, 003, gh_005, pg_049, pg_062, the brief)
    ("2020年,全市共受理依申请公开件14件,主要涉及项目建设、城市建设等方面。", [("received", 14)]),
    ("全年共受理依申请公开申请共43件,其中信函受理35件,网络受理2件,当面受理6件;", [("received", 43)]),
    ("2022年,全区收到政府信息公开申请75件,涉及自然人72件、商业企业3件。", [("received", 75)]),
    ("2022年,区政府办公室共收到8份政府信息公开申请,均为自然人申请。", [("received", 8)]),
    ("收到依申请公开信息171条,其中:予以公开4条。", [("received", 171)]),
    ("本年度共受理12件政府信息公开申请。", [("received", 12)]),
    ("全年共受理政府信息公开申请749件,其中自然人申请741件,法人或其他组织申请8件;"
     "共办理718件,结转下一年31件。",
     [("received", 749), ("natural_person", 741), ("legal_persons", 8), ("processed", 718),
      ("carried_forward", 31)]),
    # new_received, carried_over (pg_046, the brief)
    ("2022年度全乡新收政府信息公开申请数量0件,上年结转政府信息公开申请数量0件。",
     [("new_received", 0), ("carried_over", 0)]),
    ("本年度新收政府信息公开申请12件,上年结转3件。", [("new_received", 12), ("carried_over", 3)]),
    # processed: 办理 / 办结 (000, ht_2023, ht_2024, ht_2025)
    ("2019年线上、线下共办理政府信息依申请公开18件。", [("processed", 18)]),
    ("办结依申请公开81件,其中:予以公开及部分公开42件,占51.85%;", [("processed", 81)]),
    ("全年办理政府信息公开申请218件。", [("processed", 218)]),
    ("2025年,全区共收到政府信息公开申请154件,共办结148件,结转至2026年6件。",
     [("received", 154), ("processed", 148), ("carried_forward", 6)]),
    # carried_forward: 结转, and 无下年度结转 (pg_049)
    ("无下年度结转。", [("carried_forward", 0)]),
    ("办结政府信息公开申请20件,结转下年度继续办理31件。",
     [("processed", 20), ("carried_forward", 31)]),
    # outcomes (the brief; pg_049)
    ("本年度办理政府信息公开申请中,予以公开5件,部分公开2件,不予公开1件,无法提供3件,"
     "不予处理4件,其他处理1件。",
     [("granted", 5), ("partial", 2), ("denied", 1), ("unable", 3), ("rejected", 4),
      ("other_handling", 1)]),
    ("其中,予以公开2件,部分公开2件,其他1件(申请人自主撤销)。", [("granted", 2), ("partial", 2)]),
    # review and litigation (001, gh_005, ht_2025)
    ("因政府信息公开申请行政复议0件,提起行政诉讼0件。", [("review", 0), ("litigation", 0)]),
    ("2022年,全区政府信息公开工作方面共有行政诉讼案件1件、行政复议案件2件,均已结案。",
     [("litigation", 1), ("review", 2)]),
    ("全年办理因政府信息公开申请引发的行政复议36起,行政诉讼9起。",
     [("review", 36), ("litigation", 9)]),
    ("本年度未发生因政府信息公开引起的行政复议、行政诉讼。", [("review", 0), ("litigation", 0)]),
    # active disclosure (000, gh_005, ht_2023)
    ("2019年全年制发了规范性文件13件全部公开。", [("normative_docs_issued", 13)]),
    ("集中公开现行有效行政规范性文件698件,动态更新本年度制发的规范性文件88件。",
     [("normative_docs_in_force", 698), ("normative_docs_issued", 88)]),
    ("本年度制定政府规章3件。", [("rules_issued", 3)]),
    ("市政府门户网站总计发稿7053篇,其中主动公开政府信息741条,工作动态信息3836条。",
     [("active_published", 741)]),
    # information-processing fees (001, gh_005)
    ("本年度没有收取信息处理费,无其他需要报告的事项。", [("info_fee", 0)]),
    ("2022年,无收取信息处理费情况。", [("info_fee", 0)]),
    ("本年度收取信息处理费200元。", [("info_fee", 200)]),
])
def test_a_sentence_claims(sentence: str, claims: list[tuple[str, float | int]]) -> None:
    assert _claims(sentence, 2019 if "2019" in sentence else 2025 if "2025" in sentence
                   else 2020 if "2020" in sentence else 2022) == claims


@pytest.mark.parametrize("sentence", [
    pytest.param("受理网上留言1401件,公开答复1382件。", id="not-requests"),
    pytest.param("信函受理35件,网络受理2件。", id="受理-without-its-object"),
    pytest.param("较上年增加受理政府信息公开申请5件。", id="a-change"),
    pytest.param("2018年受理政府信息公开申请20件。", id="another-year"),
    pytest.param("本局办理行政复议案件120件。", id="review-not-about-disclosure"),
    pytest.param("其中:予以公开及部分公开42件,占51.85%。", id="two-outcomes-together"),
    pytest.param("对申请不予以公开3件。", id="negated"),
    pytest.param("行政许可 | 697 | +215 | 429989", id="a-table-row"),
    pytest.param("一、本年新收政府信息公开申请数量2000002", id="a-run-together-row"),
    pytest.param("1件结转下年度继续办理。", id="number-before-the-words"),
])
def test_no_claim(sentence: str) -> None:
    assert [name for name, _ in _claims(sentence, 2019)
            if name not in ("processed",) or "办理" not in sentence] == []


def test_carried_forward_is_not_processed() -> None:
    """结转下年度继续办理31件 holds 办理31件: the claim that starts first takes it."""
    assert _claims("共办理政府信息公开申请20件,结转下年度继续办理31件。") == [
        ("processed", 20), ("carried_forward", 31)]


def test_statement_records_sentence_and_location() -> None:
    text = "前言。\n全年共受理政府信息公开申请749件,其中自然人申请741件。\n"
    (first, second) = find_statements(text, load_prose(), 2020)
    assert text[first.location:first.location + 3] == "749"
    assert first.sentence == "全年共受理政府信息公开申请749件,其中自然人申请741件。"
    assert text[second.location:second.location + 3] == "741"


def test_the_same_claim_once_per_number() -> None:
    """A report printed twice on one page (seed 004) states each claim twice."""
    text = "受理政府信息公开申请5件。\n" * 2 + "受理政府信息公开申请6件。\n"
    assert _claims(text) == [("received", 5), ("received", 6)]


def _statement(name: str, number: float) -> Statement:
    claim = next(c for c in load_prose().claims if c.name == name)
    return Statement(claim, number, "…", 0)


@pytest.mark.parametrize(("values", "status", "left", "keys"), [
    ({"requests.new_received.total": 749, "requests.carried_over.total": 0}, "pass", 749,
     "requests.new_received.total"),
    ({"requests.new_received.total": 740, "requests.carried_over.total": 9}, "pass", 749,
     "requests.new_received.total,requests.carried_over.total"),
    ({"requests.new_received.total": 700, "requests.carried_over.total": 9}, "fail", 700,
     "requests.new_received.total"),
    ({"requests.new_received.total": None, "requests.carried_over.total": 9},
     "not_checkable", None, "requests.new_received.total"),
])
def test_received_means_new_or_new_plus_carried_over(
        values: dict[str, int | None], status: str, left: float | None, keys: str) -> None:
    check = check_statement(_statement("received", 749), values, "2019", "received")
    assert (check.check, check.status, check.left, check.right, check.keys) == (
        "text_vs_table", status, left, 749, keys)


def test_a_claim_the_tables_do_not_hold_is_never_checkable() -> None:
    check = check_statement(_statement("info_fee", 0), {}, "2021", "info_fee")
    assert (check.status, check.left, check.right, check.keys) == ("not_checkable", None, 0, "")


def test_a_claim_means_what_its_template_version_has() -> None:
    issued = _statement("normative_docs_issued", 5)
    values = {"active.normative_docs.new_made": 5, "active.normative_docs.issued": 4}
    assert check_statement(issued, values, "2019", "x").status == "pass"
    assert check_statement(issued, values, "2021", "x").status == "fail"
    assert check_statement(_statement("normative_docs_in_force", 5), values, "2019",
                           "x").status == "not_checkable"


REPORT = ("某县人民政府2020年政府信息公开工作年度报告\n一、总体情况\n{prose}\n"
          "三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\n总计\n"
          "一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n"
          "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
          "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n五、存在的主要问题及改进情况\n无。\n")


def test_absurd_prose_fails_checks_and_changes_no_value() -> None:
    plain = parse_text(REPORT.format(prose="概述。"))
    absurd = parse_text(REPORT.format(prose="全年共新收政府信息公开申请987654321件,上年结转99999件。"
                                      "因政府信息公开申请行政复议123456件。"))
    assert absurd.values() == plain.values()
    assert absurd.flags() == plain.flags()
    failed = {c.scope for c in absurd.check_list if c.status == "fail"}
    assert failed == {"new_received", "carried_over", "review"}
    assert absurd.notes == []


def test_checks_reach_the_json_record() -> None:
    record = parse_text(REPORT.format(prose="全年共新收政府信息公开申请5件。")).to_record()
    (claim,) = [c for c in record["checks"] if c["check"] == "text_vs_table"]
    assert claim["scope"] == "new_received" and claim["status"] == "pass"
    assert claim["sentence"] == "全年共新收政府信息公开申请5件。"
    assert isinstance(claim["location"], int)
    identity = next(c for c in record["checks"] if c["check"] != "text_vs_table")
    assert identity["sentence"] is None and identity["location"] is None
