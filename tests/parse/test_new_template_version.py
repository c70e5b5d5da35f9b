"""The promise of template.toml: adding a template version is an edit to it plus a test.

A made-up version 2027 adds an outcome row (其他处理: 申请人撤回申请) and a section 二 row with a
column of its own; a report printed on it is parsed with no change to the code.
"""
from __future__ import annotations

import pytest

from toolkit.parse import parse_text
from toolkit.parse.report import Report
from toolkit.spec.template import DEFAULT_PATH, Template, load_template

VERSION_2027 = '''
[templates.2027]
starts = 2027
issued_by = "a made-up template, for this test"

[[active.rows]]
key = "open_data"
labels = ["公共数据开放"]
columns.2027 = ["datasets"]
'''
COLUMN_2027 = 'datasets = { template = "2027", labels = ["开放数据集数量"] }\n'
ROW_2027 = '''[[requests.rows]]
key = "other_withdrawn"
enumerator = "1."
template = "2027"
group = "other"
labels = ["申请人撤回申请"]

'''
TOTAL_PROCESSED = '[[requests.rows]]\nkey = "total_processed"'

# Applicant columns: natural person, five kinds of organisation, total.
REQUEST_ROWS = {
    "一、本年新收政府信息公开申请数量": (8, 2, 0, 0, 0, 0, 10),
    "二、上年结转政府信息公开申请数量": (1, 0, 0, 0, 0, 0, 1),
    "三、本年度办理结果 | (一)予以公开": (4, 1, 0, 0, 0, 0, 5),
    "(二)部分公开(区分处理的,只计这一情形,不计其他情形)": (1, 0, 0, 0, 0, 0, 1),
    "(三)不予公开 | 1.属于国家秘密": (0,) * 7,
    "2.其他法律行政法规禁止公开": (0,) * 7,
    "3.危及“三安全一稳定”": (0,) * 7,
    "4.保护第三方合法权益": (0,) * 7,
    "5.属于三类内部事务信息": (0,) * 7,
    "6.属于四类过程性信息": (0,) * 7,
    "7.属于行政执法案卷": (0,) * 7,
    "8.属于行政查询事项": (0,) * 7,
    "(四)无法提供 | 1.本机关不掌握相关政府信息": (1, 0, 0, 0, 0, 0, 1),
    "2.没有现成信息需要另行制作": (0,) * 7,
    "3.补正后申请内容仍不明确": (0,) * 7,
    "(五)不予处理 | 1.信访举报投诉类申请": (0,) * 7,
    "2.重复申请": (0,) * 7,
    "3.要求提供公开出版物": (0,) * 7,
    "4.无正当理由大量反复申请": (0,) * 7,
    "5.要求行政机关确认或重新出具已获取信息": (0,) * 7,
    "(六)其他处理 | 1.申请人撤回申请": (2, 0, 0, 0, 0, 0, 2),
    "(七)总计": (8, 1, 0, 0, 0, 0, 9),
    "四、结转下年度继续办理": (1, 1, 0, 0, 0, 0, 2),
}


def report_text(year: int) -> str:
    rows = "\n".join(f"{label} | {' | '.join(map(str, cells))} |"
                     for label, cells in REQUEST_ROWS.items())
    return f"""某县人民政府{year}年政府信息公开工作年度报告
一、总体情况
本年度信息公开工作平稳开展。
二、主动公开政府信息情况
第二十条第(十)项 ||
信息内容 | 开放数据集数量 |
公共数据开放 | 12 |
三、收到和处理政府信息公开申请情况
(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |
自然人 | 法人或其他组织 | 总计 |
商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |
{rows}
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼 |
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |
{" | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)} |
1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
五、存在的主要问题及改进情况
公开内容有待进一步丰富。
六、其他需要报告的事项
本年度未收取信息处理费。
"""


@pytest.fixture(scope="module")
def template_2027(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """template.toml with version 2027 added: a version, a column, two rows."""
    text = DEFAULT_PATH.read_text("utf-8")
    fee_amount = text.index("fee_amount = ")
    column_at = text.index("\n", fee_amount) + 1
    text = text[:column_at] + COLUMN_2027 + text[column_at:]
    text = text.replace(TOTAL_PROCESSED, ROW_2027 + TOTAL_PROCESSED) + VERSION_2027
    path = tmp_path_factory.mktemp("template") / "template.toml"
    path.write_text(text, "utf-8")
    return load_template(path)


@pytest.fixture(scope="module")
def parsed(template_2027: Template) -> Report:
    """Printed in 2026 on the new template: its own rows and columns decide, not the year."""
    return parse_text(report_text(2026), template=template_2027)


def test_the_new_version_is_declared_in_start_order(template_2027: Template) -> None:
    assert template_2027.versions_in_order() == ("2019", "2021", "2027")
    assert template_2027.version_for_year(2026) == "2021"
    assert template_2027.version_for_year(2027) == "2027"
    assert "other_withdrawn" in template_2027.outcome_rows("2027")
    assert "other_withdrawn" not in template_2027.outcome_rows("2021")


def test_the_new_version_is_chosen_from_its_own_rows_and_columns(parsed: Report) -> None:
    assert parsed.meta["template"] == "2027"
    assert parsed.status == "ok"


def test_the_new_rows_keys_have_their_values(parsed: Report) -> None:
    values = parsed.values()
    assert values["active.open_data.datasets"] == 12
    assert values["requests.other_withdrawn.natural_person"] == 2
    assert values["requests.other_withdrawn.total"] == 2
    assert not any(".other." in key or ".other_misc." in key for key in values)
    assert not parsed.flags()


def test_the_identities_sum_the_new_outcome_row(parsed: Report) -> None:
    checks = {(c.check, c.scope): c for c in parsed.check_list}
    outcome = checks[("outcomes", "total")]
    assert "requests.other_withdrawn.total" in outcome.keys.split(",")
    assert (outcome.status, outcome.left, outcome.right) == ("pass", 9, 9)
    # A claim of the prose the tables hold no quantity for (未收取信息处理费) is never
    # checkable; every other check passes.
    assert all(c.status == "pass" for c in parsed.check_list if c.keys)


def test_the_shipped_template_does_not_know_the_new_version() -> None:
    """Without the edit, the same text is read on a version the template has, and the row
    only 2027 has is not read as a value."""
    report = parse_text(report_text(2026), template=load_template())
    assert report.meta["template"] in load_template().versions_in_order()
    assert "requests.other_withdrawn.total" not in report.values()


@pytest.mark.parametrize(("year", "version"), [
    pytest.param(2026, "2021", id="before-it-starts"),
    pytest.param(2027, "2027", id="from-its-start"),
])
def test_without_rows_of_its_own_the_year_decides(template_2027: Template, year: int,
                                                  version: str) -> None:
    telling = ("第二十条", "开放数据集", "公共数据开放", "申请人撤回申请")
    text = "\n".join(line for line in report_text(year).splitlines()
                     if not any(word in line for word in telling))
    assert parse_text(text, template=template_2027).meta["template"] == version
