"""Tables as PDF-to-markdown converters print them (MinerU, marker and the like, often after OCR).

Each table row becomes a small table of its own under a `###` heading that carries the row
label; the columns get generic names (`| 类别 | 数据1 | … | 数据6 | 总计 |`) or a header the
converter invented from elsewhere (`| 项目 | 本年新收件数 | 上年结转件数 | … |` above rows that
are not that); the row's own label is repeated in its first cell; the applicant header
becomes `### 申请人情况 (自然人)` over a row of `-` placeholders; OCR misreads characters of
labels (沭 as 沐). What the parser meets is drawn from these, per report, by `rng`.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

from toolkit.dev.cells import Cell, Grid

OCR_SLIPS = {"申": "甲", "请": "清", "理": "埋", "复": "夏", "开": "升", "沭": "沐", "未": "末",
             "已": "己", "处": "外", "制": "刺", "议": "仪"}
"""Characters OCR reads as a look-alike (each pair seen in converted government PDFs)."""
GENERIC_FIRST = ("类别", "项目")
INVENTED_HEADER = ("项目", "本年新收件数", "上年结转件数", "予以公开", "部分公开", "不予公开",
                   "无法提供", "总计")
"""A header a converter copied from another table onto every requests row."""
REVIEW_NAMES = (("行政复议", "行政复议"), ("行政诉讼 (未经复议直接起诉)", "未经复议直接起诉"),
                ("行政诉讼 (复议后起诉)", "复议后起诉"))
"""(heading, first cell) of the three review rows."""
REVIEW_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def slip(text: str, rng: random.Random, odds: float = 0.3) -> str:
    """`text` with at most one character misread, with probability `odds`."""
    places = [i for i, ch in enumerate(text) if ch in OCR_SLIPS]
    if not places or rng.random() >= odds or len(text) < 6:
        return text
    at = rng.choice(places)
    return text[:at] + OCR_SLIPS[text[at]] + text[at + 1:]


def _table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def _generic(n: int, last_total: bool) -> list[str]:
    names = [f"数据{i + 1}" for i in range(n - 1 if last_total else n)]
    return names + (["总计"] if last_total else [])


def _row_block(heading: str, label: str, numbers: Sequence[str], header: Sequence[str],
               rng: random.Random) -> list[str]:
    return ["", f"### {slip(heading, rng)}", "",
            *_table(header, [[slip(label, rng), *numbers]])]


def converter_lines(grid: Grid, table: str, rng: random.Random) -> list[str]:
    """One table (`active`, `requests` or `review`) as a converter prints it."""
    lines: list[str] = []
    for row in grid:
        numbers = [c.text for c in row if c.number]
        words = [c for c in row if not c.number]
        if not numbers:
            lines += _header_block(row, table)
            continue
        if not words:  # the review table's one row of fifteen numbers
            for (heading, first), at in zip(REVIEW_NAMES, range(0, 15, 5), strict=True):
                header = [rng.choice(GENERIC_FIRST), *(REVIEW_HEADS if rng.random() < 0.5
                                                       else _generic(5, True))]
                lines += _row_block(heading, first, numbers[at:at + 5], header, rng)
            continue
        label = words[-1].text
        heading = " ".join(c.text for c in words) if rng.random() < 0.3 else label
        if table == "requests" and rng.random() < 0.3:
            header = list(INVENTED_HEADER[:len(numbers) + 1])
        else:
            header = [rng.choice(GENERIC_FIRST), *_generic(len(numbers), table == "requests")]
        lines += _row_block(heading, label, numbers, header, rng)
    return lines


def _header_block(row: list[Cell], table: str) -> list[str]:
    """A header row of the grid: the active groups' marker and header; the applicant header
    once, as placeholders; the rest of the headers is lost in conversion."""
    texts = [c.text for c in row]
    if table == "active" and texts[0].replace("（", "(").startswith("第二十条"):
        return ["", f"### {texts[0]}"]
    if table == "active" and texts[0] == "信息内容":
        return ["", *_table(texts, [])]
    if table == "requests" and "申请人情况" in texts:
        names = ["项目", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
        return ["", "### 申请人情况 (自然人)", "", *_table(names, [["-"] * len(names)])]
    return []
