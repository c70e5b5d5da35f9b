"""Synthetic annual reports with known values, for property tests and the benchmark.

A report is drawn once (`random_report`) and can then be written in any of the layouts
real files come in (`render`): the parser must read every layout back to the same values.
The tables copy the national templates' real structure (group markers, header rows,
row labels with their enumerators, merged cells), so what the parser meets here is what
it meets on government sites, minus the noise.

Layout `runtogether` glues every row's label and numbers with no separator; it is only
unambiguous when every number is one digit, so `write_corpus` draws such reports with
`random_report(..., single_digit=True)` for it, and tests must do the same.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

from toolkit.dev.cells import Cell, Grid, expand_text, width
from toolkit.dev.converter import converter_lines
from toolkit.dev.variants import PLAIN, Effects, Variant, apply, insertable
from toolkit.spec.template import load_template

LAYOUTS = ("lines", "paragraphs", "pipes", "pipe_cells", "markdown", "html", "runtogether",
           "docx", "converter_md")
EXTENSIONS = {"markdown": ".md", "converter_md": ".md", "html": ".html", "docx": ".docx"}
GRID_LAYOUTS = ("pipes", "pipe_cells", "markdown", "html", "docx", "lines", "paragraphs",
                "converter_md")
"""Layouts that give every cell its place, an empty one too (`lines` and `paragraphs` print
it as a line holding a space): a blank there is `blank`, never a reason to doubt the row."""

# Word files are ~50x slower to write and read than text; real crawls hold few of them.
BENCH_MIX: dict[str, float] = {
    "lines": 1.0, "paragraphs": 1.0, "pipes": 1.0, "pipe_cells": 1.0, "markdown": 1.0,
    "html": 1.0, "runtogether": 1.0, "docx": 0.02, "converter_md": 0.3,
}

SECTION_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
INTRO = "本报告根据《中华人民共和国政府信息公开条例》要求编制,所列数据的统计期限为本年度全年。"
OVERVIEW = ("本年度,本机关坚持以公开为常态、不公开为例外,认真落实政府信息公开各项工作要求,"
            "持续提升政务公开工作质量。")
PROBLEMS = ("政府信息公开工作仍存在公开内容不够全面、政策解读形式较为单一等问题。"
            "下一步将加强业务培训,完善工作制度,持续提升工作水平。")
OTHER = {"2019": "无其他需要报告的事项。", "2021": "本年度未收取信息处理费。"}

_CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("乌海市", ("海勃湾区", "乌达区", "海南区")),
    ("武汉市", ("江岸区", "洪山区", "武昌区")),
    ("广州市", ("天河区", "越秀区", "海珠区")),
    ("成都市", ("武侯区", "锦江区", "双流区")),
    ("杭州市", ("西湖区", "余杭区", "淳安县")),
    ("长沙市", ("岳麓区", "芙蓉区", "宁乡市")),
    ("抚州市", ("广昌县", "南城县", "临川区")),
    ("宁波市", ("鄞州区", "象山县", "慈溪市")),
    ("洛阳市", ("洛龙区", "孟津区", "栾川县")),
    ("绥芬河市", ()),
    ("阆中市", ()),
)
_TOWNS = ("城关镇", "长桥乡", "新华街道办事处", "白沙镇", "东湖街道办事处")
_BODIES = (
    "人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局",
    "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局",
)

_OUTCOME_WEIGHTS: dict[str, float] = {
    "granted": 30, "partial": 8,
    "denied_state_secret": 0.3, "denied_law_prohibited": 0.5, "denied_three_safety": 0.3,
    "denied_third_party": 1, "denied_internal_affairs": 1.5, "denied_process_info": 2,
    "denied_enforcement_file": 0.5, "denied_query": 1,
    "unable_not_held": 20, "unable_need_create": 3, "unable_unclear": 2,
    "rejected_petition": 2, "rejected_duplicate": 2, "rejected_publication": 0.5,
    "rejected_mass": 0.5, "rejected_confirm": 1,
    "other": 4, "other_no_correction": 2, "other_no_fee": 0.2, "other_misc": 4,
}
_APPLICANT_SHARE = {"natural_person": 1.0, "commercial": 0.25, "research": 0.02,
                    "social_org": 0.03, "legal_service": 0.1, "other_org": 0.1}
_APPLICANT_ODDS = {"natural_person": 0.95, "commercial": 0.35, "research": 0.03,
                   "social_org": 0.05, "legal_service": 0.15, "other_org": 0.2}


@dataclass(frozen=True)
class SyntheticReport:
    """A report whose every value is known: the ground truth a parse is compared with."""

    version: str
    agency: str
    year: int
    published: str
    values: dict[str, int | float] = field(hash=False)
    prose: tuple[tuple[int, str], ...] = ()
    """Section index → text replacing the default prose of that section (`body_pair`)."""

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


# ---------------------------------------------------------------------------------------
# Values


def _count(rng: random.Random, zero: float, high: float) -> int:
    """Zero with probability `zero`, else log-uniform in 1..high: real counts are skewed."""
    if high < 1 or rng.random() < zero:
        return 0
    return int(math.exp(rng.uniform(0.0, math.log(high + 1))))


def _amount(rng: random.Random, zero: float, high: float) -> int | float:
    """An amount in 万元 with up to two decimals (an int when it has none)."""
    cents = _count(rng, zero, high * 100)
    return cents // 100 if cents % 100 == 0 else cents / 100


def _digit(rng: random.Random, zero: float = 0.5) -> int:
    return 0 if rng.random() < zero else rng.randint(1, 9)


def _active(rng: random.Random, version: str, small: bool) -> dict[str, int | float]:
    out: dict[str, int | float] = {}

    def count(zero: float, high: float) -> int:
        return _digit(rng, zero) if small else _count(rng, zero, high)

    def amount(zero: float, high: float) -> int | float:
        return _digit(rng, zero) if small else _amount(rng, zero, high)

    def change(sign: int, zero: float, high: int) -> int:
        return rng.randint(-9, 9) if small else sign * _count(rng, zero, max(1, high))

    if version == "2019":
        for row, zero, high in (("rules", 0.85, 5), ("normative_docs", 0.3, 40)):
            made = count(zero, high)
            published = made if rng.random() < 0.8 else min(made, count(0.3, high))
            total = min(9, published + count(0.2, 5)) if small else published + count(0.2, 300)
            out |= {f"active.{row}.new_made": made, f"active.{row}.new_published": published,
                    f"active.{row}.total_published": total}
        for row, zero, high, decisions in (("license", 0.2, 800, 500_000),
                                           ("other_services", 0.4, 2000, 200_000),
                                           ("penalty", 0.3, 15_000, 20_000),
                                           ("enforcement", 0.5, 500, 2000)):
            prev = count(zero, high)
            out |= {f"active.{row}.prev_items": prev,
                    f"active.{row}.change": change(rng.choice((-1, 1)), 0.5, prev // 3),
                    f"active.{row}.decisions": count(zero, decisions)}
        fees = count(0.3, 60)
        out |= {"active.fees.prev_items": fees,
                "active.fees.change": change(-1 if rng.random() < 0.6 else 1, 0.7, fees // 4)}
        items = count(0.3, 800)
        out |= {"active.procurement.items": items,
                "active.procurement.amount": amount(0.0, 100_000) if items else 0}
    else:
        for row, zero, high in (("rules", 0.85, 5), ("normative_docs", 0.3, 60)):
            issued = count(zero, high)
            repealed = count(0.6, high)
            in_force = min(9, issued + count(0.3, 5)) if small else issued + count(0.2, 700)
            out |= {f"active.{row}.issued": issued, f"active.{row}.repealed": repealed,
                    f"active.{row}.in_force": in_force}
        for row, zero, high in (("license", 0.2, 500_000), ("penalty", 0.3, 20_000),
                                ("enforcement", 0.5, 2000)):
            out[f"active.{row}.decisions"] = count(zero, high)
        out["active.fees.fee_amount"] = amount(0.6, 20_000)
    return out


@cache
def _request_shape(version: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Rows, outcome rows and applicant columns of the requests table of `version`."""
    template = load_template()
    rows = tuple(r.key for r in template.request_rows_for(version))
    applicants = tuple(c for c in template.request_columns if c != "total")
    return rows, template.outcome_rows(version), applicants


def _requests(rng: random.Random, version: str, small: bool) -> dict[str, int | float]:
    """Every applicant column balances: new + carried over = processed + carried forward."""
    rows, outcomes, applicants = _request_shape(version)
    cells = {(row, column): 0 for row in outcomes for column in applicants}
    forward = dict.fromkeys(applicants, 0)
    if small:
        for _ in range(rng.randint(0, 6)):
            column = rng.choices(applicants, weights=(4, 2, 1, 1, 1, 1))[0]
            cells[(rng.choice(outcomes), column)] += 1
        for _ in range(rng.randint(0, 3)):
            forward[rng.choice(applicants)] += 1
    else:
        scale = rng.choices((0, 12, 120, 3000), weights=(15, 45, 30, 10))[0]
        for column in applicants:
            if not scale or rng.random() >= _APPLICANT_ODDS[column]:
                continue
            volume = scale * _APPLICANT_SHARE[column] * rng.uniform(0.3, 1.5) / 80
            for row in outcomes:
                expected = volume * _OUTCOME_WEIGHTS[row]
                if rng.random() < 0.05 + expected:
                    cells[(row, column)] = max(1, round(expected * rng.uniform(0.3, 1.7)))
            forward[column] = _count(rng, 0.7, volume * 12)
    out: dict[str, int | float] = {}
    for column in applicants:
        processed = 0
        for row in outcomes:
            value = cells[(row, column)]
            out[f"requests.{row}.{column}"] = value
            processed += value
        through = processed + forward[column]
        over = min(through, _count(rng, 0.7, through * 0.3) if not small else
                   rng.randint(0, through) if rng.random() < 0.3 else 0)
        out[f"requests.total_processed.{column}"] = processed
        out[f"requests.carried_forward.{column}"] = forward[column]
        out[f"requests.carried_over.{column}"] = over
        out[f"requests.new_received.{column}"] = through - over
    for row in rows:
        prefix = f"requests.{row}."
        out[prefix + "total"] = sum(int(out[prefix + c]) for c in applicants)
    return out


def _review(rng: random.Random, small: bool) -> dict[str, int | float]:
    template = load_template()
    out: dict[str, int | float] = {}
    for row, odds, high in (("review", 0.3, 40), ("litigation_direct", 0.25, 30),
                            ("litigation_after_review", 0.15, 15)):
        parts = [0, 0, 0, 0]
        if rng.random() < odds:
            if small:
                for _ in range(rng.randint(1, 9)):
                    parts[rng.randrange(4)] += 1
            else:
                parts = [_count(rng, zero, high) for zero in (0.3, 0.7, 0.6, 0.6)]
        for column, value in zip(template.review_columns[:4], parts, strict=True):
            out[f"review.{row}.{column}"] = value
        out[f"review.{row}.total"] = sum(parts)
    return out


def _agency(rng: random.Random) -> str:
    """A body's full name as the spec wants it: districts carry their city, counties not."""
    city, districts = rng.choice(_CITIES)
    kind = rng.random()
    if districts and kind < 0.6:
        district = rng.choice(districts)
        base = f"{city}{district}" if district.endswith("区") else district
        if kind < 0.15:
            town = rng.choice(_TOWNS)
            return f"{base}{town}" + ("" if town.endswith("办事处") else "人民政府")
        return f"{base}{rng.choice(_BODIES)}"
    return f"{city}{rng.choice(_BODIES)}"


@cache
def _canonical_keys(version: str) -> tuple[str, ...]:
    return tuple(load_template().canonical_keys(version))


def random_report(rng: random.Random, version: str | None = None,
                  single_digit: bool = False) -> SyntheticReport:
    """A report that satisfies the template's four accounting identities.

    `single_digit` keeps every value in -9..9 (amounts whole): the only values whose
    run-together digits split one way, for the `runtogether` layout.
    """
    version = version or rng.choice(("2019", "2021"))
    if version == "2019":
        year = 2021 if rng.random() < 0.05 else rng.choice((2019, 2020))
    else:
        year = rng.randint(2021, 2024)
    published = f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    values = {**_active(rng, version, single_digit), **_requests(rng, version, single_digit),
              **_review(rng, single_digit)}
    return SyntheticReport(version, _agency(rng), year, published,
                           {k: values[k] for k in _canonical_keys(version)})


# ---------------------------------------------------------------------------------------
# Tables as grids of cells, the way the template prints them


def _fmt(value: int | float) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _fmt_change(value: int | float) -> str:
    return f"+{value}" if value > 0 else _fmt(value)


def _paren(text: str, wide: bool) -> str:
    return text.replace("(", "（").replace(")", "）").replace(":", "：") if wide else text


def _active_grid(report: SyntheticReport, wide: bool) -> Grid:
    v = report.values
    groups: list[tuple[str, list[str], list[tuple[str, str, list[str]]]]]
    if report.version == "2019":
        items = ["上一年项目数量", "本年增/减", "处理决定数量"]
        groups = [
            ("一", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
             [("规章", "rules", ["new_made", "new_published", "total_published"]),
              ("规范性文件", "normative_docs", ["new_made", "new_published", "total_published"])]),
            ("五", items, [("行政许可", "license", ["prev_items", "change", "decisions"]),
                          ("其他对外管理服务事项", "other_services",
                           ["prev_items", "change", "decisions"])]),
            ("六", items, [("行政处罚", "penalty", ["prev_items", "change", "decisions"]),
                          ("行政强制", "enforcement", ["prev_items", "change", "decisions"])]),
            ("八", items[:2], [("行政事业性收费", "fees", ["prev_items", "change"])]),
            ("九", ["采购项目数量", "采购总金额"],
             [("政府集中采购", "procurement", ["items", "amount"])]),
        ]
    else:
        decisions = ["本年处理决定数量"]
        groups = [
            ("一", ["本年制发件数", "本年废止件数", "现行有效件数"],
             [("规章", "rules", ["issued", "repealed", "in_force"]),
              ("行政规范性文件", "normative_docs", ["issued", "repealed", "in_force"])]),
            ("五", decisions, [("行政许可", "license", ["decisions"])]),
            ("六", decisions, [("行政处罚", "penalty", ["decisions"]),
                              ("行政强制", "enforcement", ["decisions"])]),
            ("八", ["本年收费金额(单位:万元)"], [("行政事业性收费", "fees", ["fee_amount"])]),
        ]
    grid: Grid = []
    for numeral, headers, rows in groups:
        last_span = 4 - len(headers)
        grid.append([Cell(_paren(f"第二十条第({numeral})项", wide), colspan=4)])
        grid.append([Cell("信息内容")]
                    + [Cell(_paren(h, wide), colspan=last_span if i == len(headers) - 1 else 1)
                       for i, h in enumerate(headers)])
        for label, row, columns in rows:
            cells = [Cell(label, row=f"active.{row}")]
            for i, column in enumerate(columns):
                value = v[f"active.{row}.{column}"]
                text = _fmt_change(value) if column == "change" else _fmt(value)
                cells.append(Cell(text, colspan=last_span if i == len(columns) - 1 else 1,
                                  number=True, key=f"active.{row}.{column}"))
            grid.append(cells)
    return grid


_REQUEST_LABELS: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "(一)予以公开",
    "partial": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
    "denied_state_secret": "1.属于国家秘密",
    "denied_law_prohibited": "2.其他法律行政法规禁止公开",
    "denied_three_safety": "3.危及“三安全一稳定”",
    "denied_third_party": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_file": "7.属于行政执法案卷",
    "denied_query": "8.属于行政查询事项",
    "unable_not_held": "1.本机关不掌握相关政府信息",
    "unable_need_create": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "rejected_petition": "1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请",
    "rejected_publication": "3.要求提供公开出版物",
    "rejected_mass": "4.无正当理由大量反复申请",
    "rejected_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other": "(六)其他处理",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
    "total_processed": "(七)总计",
    "carried_forward": "四、结转下年度继续办理",
}
_REQUEST_GROUPS = (
    ("(三)不予公开", ("denied_state_secret", "denied_law_prohibited", "denied_three_safety",
                   "denied_third_party", "denied_internal_affairs", "denied_process_info",
                   "denied_enforcement_file", "denied_query")),
    ("(四)无法提供", ("unable_not_held", "unable_need_create", "unable_unclear")),
    ("(五)不予处理", ("rejected_petition", "rejected_duplicate", "rejected_publication",
                   "rejected_mass", "rejected_confirm")),
    ("(六)其他处理", ("other_no_correction", "other_no_fee", "other_misc")),
)


def _requests_grid(report: SyntheticReport, wide: bool) -> Grid:
    template = load_template()
    columns = template.request_columns
    rows = [r.key for r in template.request_rows_for(report.version)]

    def numbers(row: str) -> list[Cell]:
        prefix = f"requests.{row}."
        return [Cell(_fmt(report.values[prefix + c]), 1, 1, True, prefix + c) for c in columns]

    grid: Grid = [
        [Cell(_paren("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", wide),
              rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    outcome_rows = rows[2:-1]
    group_of = {row: (label, members) for label, members in _REQUEST_GROUPS for row in members}
    for row in rows:
        label = _paren(_REQUEST_LABELS[row], wide)
        name = f"requests.{row}"
        cells: list[Cell] = []
        if row in ("new_received", "carried_over", "carried_forward"):
            cells.append(Cell(label, colspan=3, row=name))
        else:
            if row == outcome_rows[0]:
                cells.append(Cell("三、本年度办理结果", rowspan=len(outcome_rows)))
            if row in group_of:
                group_label, members = group_of[row]
                if row == members[0]:
                    cells.append(Cell(_paren(group_label, wide), rowspan=len(members)))
                cells.append(Cell(label, row=name))
            else:
                cells.append(Cell(label, colspan=2, row=name))
        grid.append(cells + numbers(row))
    return grid


def _review_grid(report: SyntheticReport) -> Grid:
    template = load_template()
    heads = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell(h, rowspan=2) for h in heads]
        + [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(h) for h in heads * 2],
        [Cell(_fmt(report.values[f"review.{r}.{c}"]), number=True, key=f"review.{r}.{c}")
         for r in template.review_rows for c in template.review_columns],
    ]


# ---------------------------------------------------------------------------------------
# Layouts


TABLES = ("active", "requests", "review")


def _tables(report: SyntheticReport, wide: bool = False,
            variant: Variant = PLAIN) -> tuple[list[Grid], Effects]:
    grids = [_active_grid(report, wide), _requests_grid(report, wide), _review_grid(report)]
    outcomes = frozenset(load_template().outcome_rows(report.version))
    return apply(grids, variant, outcomes)


def expected(report: SyntheticReport, variant: Variant = PLAIN) -> tuple[
        dict[str, int | float | None], dict[str, str], set[str]]:
    """What a correct parse of `report` printed with `variant` gives: values, flags (`blank`
    for the empty cells), and the keys whose row label the variant lost (each `missing` or
    `ambiguous`, never a number)."""
    effects = _tables(report, variant=variant)[1]
    values: dict[str, int | float | None] = dict(report.values)
    for key in effects.blank | effects.lost:
        values[key] = None
    return values, dict.fromkeys(sorted(effects.blank), "blank"), effects.lost


def claims(report: SyntheticReport) -> str:
    """Section 一's sentences restating the tables, as reports do (the numbers the prose
    checks compare with the tables)."""
    v = report.values
    suits = v["review.litigation_direct.total"] + v["review.litigation_after_review.total"]
    return (f"本年度共新收政府信息公开申请{v['requests.new_received.total']}件,"
            f"上年结转{v['requests.carried_over.total']}件;"
            f"全年共办结政府信息公开申请{v['requests.total_processed.total']}件,"
            f"其中予以公开{v['requests.granted.total']}件、部分公开{v['requests.partial.total']}件;"
            f"结转下年度继续办理{v['requests.carried_forward.total']}件。"
            f"因政府信息公开申请行政复议{v['review.review.total']}件,提起行政诉讼{suits}件。")


def _prose(report: SyntheticReport) -> dict[int, str]:
    """The prose of sections 一, 五 and 六 by section index (`report.prose` where it says)."""
    default = {0: OVERVIEW + claims(report), 4: PROBLEMS, 5: OTHER[report.version]}
    return default | dict(report.prose)


def rows_of(report: SyntheticReport) -> list[str]:
    """The report's rows (`active.rules`, `requests.granted`, …) in printed order."""
    template = load_template()
    active = [f"active.{r.key}" for r in template.active_rows
              if (r.columns or {}).get(report.version)]
    return active + [f"requests.{r.key}" for r in template.request_rows_for(report.version)]


def insertable_rows(report: SyntheticReport) -> list[str]:
    """The rows `Variant.insert_before` can put an unknown row before."""
    grids = _tables(report)[0]
    return [row for row in rows_of(report) if any(insertable(g, row) for g in grids)]


def _converter_rng(report: SyntheticReport) -> random.Random:
    """The converter's choices (headers, OCR slips) drawn from the report itself, so that
    `render` stays a function of the report."""
    return random.Random(f"{report.agency}:{report.year}:{report.published}")


def _text_table(grid: Grid, layout: str, rng: random.Random | None = None,
                table: str = "") -> list[str]:
    if layout in ("lines", "paragraphs"):
        # An empty cell prints as a line holding a space, as text copied from a page gives it.
        return [cell.text or " " for row in grid for cell in row]
    if layout == "converter_md":
        return converter_lines(grid, table, rng or random.Random(0))
    if layout == "runtogether":
        return ["".join(cell.text for cell in row) for row in grid]
    columns = width(grid)
    if layout == "pipes":
        return [" | ".join(c.text for c in row) + " |" + "|" * (columns - len(row))
                for row in grid]
    if layout == "pipe_cells":
        lines = []
        for row in grid:
            cells = [f"{c.text} |" for c in row]
            if len(row) < columns:
                cells[-1] += " " + "|" * (columns - len(row))
            lines += ["|", *cells]
        return lines
    if layout == "markdown":
        expanded = expand_text(grid)
        rule = "| " + " | ".join("---" for _ in range(columns)) + " |"
        lines = ["| " + " | ".join(expanded[0]) + " |", rule]
        lines.extend("| " + " | ".join(row) + " |" for row in expanded[1:])
        return lines
    raise ValueError(f"not a text layout: {layout}")


def _text(report: SyntheticReport, layout: str, variant: Variant) -> str:
    tables = iter(zip(_tables(report, variant=variant)[0], TABLES, strict=True))
    rng = _converter_rng(report)
    blocks: list[list[str]] = []
    markdown = layout in ("markdown", "converter_md")
    heading_prefix = "## " if markdown else ""
    head = [f"# {report.title}" if markdown else report.title,
            f"发布时间:{report.published} 来源:{report.agency}", INTRO]
    blocks.append(head)
    prose = _prose(report)
    for index, heading in enumerate(SECTION_HEADINGS):
        block = [heading_prefix + heading]
        if index in prose:
            block.append(prose[index])
        else:
            grid, table = next(tables)
            block += _text_table(grid, layout, rng, table)
        blocks.append(block)
    if layout == "paragraphs":
        return "\n\n".join("\n\n".join(block) for block in blocks) + "\n"
    if markdown:
        out = []
        for block in blocks:
            out.append(block[0])
            out.append("\n".join(block[1:]))
        return "\n\n".join(out) + "\n"
    return "\n".join(line for block in blocks for line in block) + "\n"


def _html_table(grid: Grid, row_tags: str = "rows") -> str:
    """`row_tags`: "rows" (a <tr> per row), "none" (the <td>s in document order without
    any <tr>, as some CMS editors save a table) or "one" (one <tr> around them all)."""
    rows = []
    for row in grid:
        cells = []
        for cell in row:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                   (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            style = ' style="text-align:center"' if cell.number else ""
            cells.append(f'<td{span} valign="middle"><p class="MsoNormal"{style}>'
                         f"<span>{escape(cell.text)}</span></p></td>")
        rows.append("".join(cells))
    if row_tags == "none":
        body = "".join(rows)
    elif row_tags == "one":
        body = "<tr>" + "".join(rows) + "</tr>"
    else:
        body = "".join(f"<tr>{row}</tr>" for row in rows)
    return ('<table class="MsoNormalTable" border="1" cellspacing="0" '
            'style="border-collapse:collapse"><tbody>' + body + "</tbody></table>")


def _html(report: SyntheticReport, variant: Variant) -> str:
    tables = iter(_tables(report, wide=True, variant=variant)[0])
    body: list[str] = []
    prose = _prose(report)
    for index, heading in enumerate(SECTION_HEADINGS):
        body.append(f'<p class="MsoNormal"><strong>{heading}</strong></p>')
        if index in prose:
            body.append(f'<p class="MsoNormal" style="text-indent:2em">{prose[index]}</p>')
        else:
            table = _html_table(next(tables), variant.row_tags)
            body.append(f"<div align=\"center\">{table}</div>")
    title = escape(report.title)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{report.published}">
<meta name="ContentSource" content="{escape(report.agency)}">
<title>{title}_政府信息公开年报_{escape(report.agency)}</title>
<style>td {{ border: 1px solid #000; }}</style>
<script>var siteId = "gov";</script>
</head>
<body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info"><span>发布时间：{report.published}</span>&nbsp;&nbsp;<span>来源：{escape(report.agency)}</span>
<span>【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</span></div>
<div class="content TRS_Editor">
<p class="MsoNormal" style="text-indent:2em">{INTRO}</p>
{chr(10).join(body)}
</div>
</div>
<div class="footer"><p>主办单位：{escape(report.agency)}&nbsp;&nbsp;网站标识码：1300000000</p>
<p>ICP备案号：京ICP备00000000号</p></div>
</body>
</html>
"""


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_table_xml(grid: Grid) -> str:
    """A Word table with merged cells the way Word writes them (gridSpan, vMerge)."""
    columns = width(grid)
    owner: list[list[tuple[Cell, int, int] | None]] = [[None] * columns for _ in grid]
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while owner[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    owner[r + dr][c + dc] = (cell, r, c)
            c += cell.colspan
    rows = []
    for r in range(len(grid)):
        cells = []
        c = 0
        while c < columns:
            slot = owner[r][c]
            assert slot is not None
            cell, top, left = slot
            props = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if top == r else "<w:vMerge/>"
            text = f"<w:r><w:t>{escape(cell.text, quote=False)}</w:t></w:r>" if top == r else ""
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{text}</w:p></w:tc>")
            c = left + cell.colspan
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    grid_cols = "<w:gridCol/>" * columns
    return (f'<w:tbl xmlns:w="{_W_NS}"><w:tblPr><w:tblW w:w="0" w:type="auto"/>'
            '<w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/>'
            '<w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/>'
            '<w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/>'
            f"</w:tblBorders></w:tblPr><w:tblGrid>{grid_cols}</w:tblGrid>"
            + "".join(rows) + "</w:tbl>")


def _docx(report: SyntheticReport, variant: Variant) -> bytes:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading(report.title, level=1)
    document.add_paragraph(f"发布时间：{report.published}")
    document.add_paragraph(INTRO)
    tables = iter(_tables(report, wide=True, variant=variant)[0])
    prose = _prose(report)
    for index, heading in enumerate(SECTION_HEADINGS):
        document.add_paragraph(heading)
        if index in prose:
            document.add_paragraph(prose[index])
            continue
        anchor = document.add_paragraph()
        anchor._p.addprevious(parse_xml(_docx_table_xml(next(tables))))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(report: SyntheticReport, layout: str, variant: Variant = PLAIN) -> str | bytes:
    """The full report in one layout (text for most, bytes for `docx`), its tables printed
    the way `variant` says (`expected` gives what a correct parse then reads)."""
    if layout == "html":
        return _html(report, variant)
    if layout == "docx":
        return _docx(report, variant)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    return _text(report, layout, variant)


# ---------------------------------------------------------------------------------------
# Corpora


def corpus_entry(seed: int, index: int, layouts: Sequence[str] = LAYOUTS,
                 weights: Sequence[float] | None = None) -> tuple[str, SyntheticReport]:
    """The layout and report of file `index` in a corpus: independent of every other file,
    so a benchmark can regenerate the ground truth of any file without storing it."""
    rng = random.Random(f"{seed}:{index}")
    layout = (rng.choices(list(layouts), weights=list(weights))[0] if weights
              else layouts[index % len(layouts)])
    return layout, random_report(rng, single_digit=layout == "runtogether")


def corpus_path(out_dir: Path, index: int, layout: str, version: str) -> Path:
    return out_dir / f"{index // 1000:03d}" / f"{index:06d}_{layout}_{version}" \
        f"{EXTENSIONS.get(layout, '.txt')}"


def _write_range(out: Path, start: int, stop: int, seed: int, layouts: tuple[str, ...],
                 weights: tuple[float, ...] | None) -> list[Path]:
    paths: list[Path] = []
    made: set[Path] = set()
    for index in range(start, stop):
        layout, report = corpus_entry(seed, index, layouts, weights)
        path = corpus_path(out, index, layout, report.version)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        content = render(report, layout)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


def write_corpus(out_dir: str | Path, n: int, seed: int, layouts: Iterable[str] = LAYOUTS,
                 weights: Sequence[float] | None = None) -> list[Path]:
    """Write `n` reports (deterministic in `seed`) under `out_dir`, 1000 per subfolder.

    Layouts cycle in order unless `weights` is given (then each file draws one; see
    BENCH_MIX). A manifest (`manifest_path`) records what was asked, so callers can tell
    whether a corpus on disk can be reused.
    """
    out = Path(out_dir)
    layout_list = tuple(layouts)
    weight_list = tuple(weights) if weights else None
    paths = _write_range(out, 0, n, seed, layout_list, weight_list)
    manifest_path(out).parent.mkdir(parents=True, exist_ok=True)
    manifest_path(out).write_text(json.dumps(corpus_manifest(n, seed, layout_list, weight_list)),
                                  encoding="utf-8")
    return paths


def corpus_manifest(n: int, seed: int, layouts: Sequence[str],
                    weights: Sequence[float] | None) -> dict[str, object]:
    """What a corpus was written from: equal manifests mean equal corpora.

    The generator's own source hash is part of it: any edit here may change what a seed
    draws, and a benchmark must not check old files against new ground truth.
    """
    return {"n": n, "seed": seed, "layouts": list(layouts),
            "weights": list(weights) if weights else None, "generator": _generator_hash()}


@cache
def _generator_hash() -> str:
    """Of this module and the ones it prints with (grids, shapes, the converter)."""
    digest = hashlib.sha256()
    for name in ("synth.py", "cells.py", "variants.py", "converter.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def manifest_path(out_dir: str | Path) -> Path:
    """Kept in a dot-folder, which `toolkit.store.ingest` does not scan."""
    return Path(out_dir) / ".synth" / "manifest.json"
