"""Find the report's six section headings and cut the text into sections."""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import lru_cache

from toolkit.spec.template import Template, load_template

_HEADING = re.compile(r"(?<![\d十])([一二三四五六])\s*[、.．,，]\s*")
_LOOKAHEAD = 24


@dataclass(frozen=True)
class Heading:
    key: str
    numeral: str
    start: int
    end: int
    text: str


def _clean(text: str) -> str:
    return re.sub(r"\(略\)|\s", "", text)


def find_headings(text: str, template: Template | None = None) -> list[Heading]:
    """Section headings in order (一 … 六), each the first match after the previous one.

    A heading is a numeral with 、 followed closely by one of the section's keywords; the
    requests table's own rows (二、上年结转…, 三、本年度办理结果, 四、结转下年度…) carry none.
    A section's printed title alone on its line is a heading too: Word's own numbering
    leaves the numeral out of the text. A report printed twice on one page yields the
    first copy's headings only.
    """
    template = template or load_template()
    by_numeral = {s.numeral: s for s in template.sections}
    order = [s.numeral for s in template.sections]
    bare, numeral_of = _bare_titles(template)
    found: list[Heading] = []
    position = 0
    next_index = 0
    matches = heapq.merge(_HEADING.finditer(text), bare.finditer(text), key=lambda m: m.start())
    for match in matches:
        if match.start() < position:
            continue
        is_bare = match.re is bare
        numeral = numeral_of[_title_key(match["title"])] if is_bare else match.group(1)
        index = order.index(numeral)
        if index < next_index:
            continue
        section = by_numeral[numeral]
        if is_bare:
            start, heading_end = match.start("heading"), match.end("heading")
        else:
            window = _clean(text[match.end(): match.end() + _LOOKAHEAD])
            if not any(word in window[: len(word) + 14] for word in section.keywords):
                continue
            line_end = text.find("\n", match.end())
            line_end = len(text) if line_end == -1 else line_end
            start = match.start()
            heading_end = _heading_end(text, match.end(), line_end, section.keywords)
        found.append(Heading(section.key, numeral, start, heading_end,
                             text[start:heading_end].strip()))
        position = heading_end
        next_index = index + 1
    return found


def _title_key(title: str) -> str:
    return re.sub(r"[\s、,]", "", title)


@lru_cache(maxsize=4)
def _bare_titles(template: Template) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern for lines that hold only a section title, and each title's numeral."""
    numeral_of = {_title_key(title): s.numeral for s in template.sections for title in s.titles}
    titles = sorted((t for s in template.sections for t in s.titles), key=len, reverse=True)
    alternatives = "|".join(re.escape(t).replace("、", "[、,]?") for t in titles)
    # The title alone, or after a numbering the numeral pattern does not take
    # (第一部分 总体情况, 一 总体情况); the title decides the section.
    numbering = r"(?:第?[一二三四五六](?:部分)?[ \t]+|第[一二三四五六]部分[ \t:、]*)?"
    pattern = re.compile(rf"^[ \t]*(?P<heading>{numbering}(?P<title>{alternatives}))[ \t:。]*$",
                         re.M)
    return pattern, numeral_of


def _heading_end(text: str, start: int, line_end: int, keywords: tuple[str, ...]) -> int:
    """Where a heading's words stop: its line end, or sooner when text runs on (one-line pages)."""
    if line_end - start <= 40:
        return line_end
    segment = text[start:line_end]
    best = -1
    for word in keywords:
        at = segment.find(word)
        if at != -1 and at < 30:
            best = max(best, at + len(word))
    if best == -1:
        return min(line_end, start + 20)
    tail = re.match(r"[\u4e00-\u9fff]{0,8}?(?:情况|事项|问题)?[。.]?", segment[best:])
    return start + best + (tail.end() if tail else 0)


def split_sections(text: str, headings: list[Heading]) -> dict[str, str]:
    """Text of each section found, heading excluded, keyed overview … other."""
    out: dict[str, str] = {}
    for here, after in zip(headings, [*headings[1:], None], strict=False):
        end = after.start if after else _end_of_last(text, here)
        out[here.key] = text[here.end:end].strip()
    return out


def _end_of_last(text: str, last: Heading) -> int:
    """The last section stops where a second copy of the report begins, if it does."""
    again = re.search(r"(?<![\u4e00-\u9fff])一\s*[、.]\s*总体情况", text[last.end:])
    return last.end + again.start() if again else len(text)
