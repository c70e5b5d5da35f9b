"""Report metadata from the text: title, reporting body, year reported on, publication date.

The page around a report lies (a 来源 that is the web team, a URL dated a year later), so
the body and year come from the report itself: its title, its statistics period, its
own words about itself.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from toolkit.places.departments import department_names, department_pattern
from toolkit.places.gazetteer import (
    MUNICIPALITIES,
    Division,
    Gazetteer,
    load_gazetteer,
    load_townships,
)
from toolkit.places.regions import decide_town
from toolkit.spec.vocab import Level

_TITLE_WORDS = re.compile(
    r"(?:政府)?(?:信息|政务)公开.{0,8}报\s*告(?:\((?:19|20)\d{2}年度?\)|的公告)?$")
_TITLE_BAD = re.compile(r"^(?:根据|本报告|本年度报告|本年报|按照|依据|现将|为)|[>》《]|当前位置|如下")
_TITLE_LABEL = re.compile(r"^(?:#+\s*|(?:标题|题名|文章标题|名称)\s*[:：]\s*)")
_ANY_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[。,，;；:：]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([一二][〇零○一二三四五六七八九]{3})\s*年")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_PERIOD = re.compile(
    r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|-|—|~)\s*"
    r"(?:((?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)
_DATE_LABELLED = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|公开日期|生成日期|日期|时间)\s*[:：]?\s*"
    r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_DATE_ANY = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# A statistics period (2022年1月1日至2022年12月31日) dates the data, not the page.
_DATE_RANGE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*起?\s*(?:至|到|~|～|—|–)\s*"
    r"(?:(?:19|20)\d{2}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
)
_PLACE_END = re.compile(r"(?:省|自治区|市|州|盟|地区|县|区|旗|乡|镇|街道|苏木)$")
_ZONE_END = re.compile(r"(?:开发区|新区|实验区|高新区|示范区|管理区|园区|经济区)$")
_BODY = (r"(?:人民政府办公室|人民政府办公厅|人民政府|管理委员会|委员会|办公室|办公厅|局|委|厅|中心|署|"
         r"政府|公司|法院|检察院|街道办事处|办事处)")
_PREFIXED_NAME = r"([\u4e00-\u9fff]{{2,12}}?(?:省|自治区|市|州|盟|县|区|旗))({base})"
_BODY_LINE = re.compile(r"[\u4e00-\u9fff]{2,30}" + _BODY + "$")
_CONTACT = re.compile(r"(?:请(?:与|联系)|联系单位[:：]?|由)\s*([\u4e00-\u9fff]{3,30}?" + _BODY + ")")


def find_title(text: str, hints: Mapping[str, str] | None = None) -> str | None:
    """The report's title: a short line near the top naming the report, page chrome skipped."""
    declared = _ANY_SPACE.sub("", (hints or {}).get("meta_title") or "")
    if declared and _TITLE_WORDS.search(declared):
        return declared
    lines = text[:4000].split("\n", 61)
    previous = ""
    for index in range(min(len(lines), 60)):
        compact = _compact(lines[index])
        if not compact or len(compact) > 60 or _TITLE_BAD.search(compact):
            previous = compact
            continue
        if _TITLE_WORDS.search(compact):
            # A title wrapped before its year: the body sits alone on the line above.
            if _YEAR.match(compact) and _BODY_LINE.match(previous):
                return previous + compact
            return compact
        # A title wrapped after its year or its 公开 (PDFs centre long titles on two lines).
        nxt = _compact(lines[index + 1]) if index + 1 < len(lines) else ""
        if nxt and len(nxt) <= 12 and len(compact + nxt) <= 60 \
                and _TITLE_WORDS.search(compact + nxt) and ("公开" in compact or _YEAR.search(compact)) \
                and not _TITLE_BAD.search(nxt) and not _SENTENCE.search(nxt):
            return compact + nxt
        previous = compact
    title = (hints or {}).get("html_title")
    if title:
        title = re.split(r"[_|｜]| - ", title)[0].strip()
        if _TITLE_WORDS.search(title):
            return title
    return None


def _compact(line: str) -> str:
    return _ANY_SPACE.sub("", _TITLE_LABEL.sub("", line.strip()))


def find_year(text: str, title: str | None, published: str | None) -> int | None:
    """The year reported on: title, then the statistics period, then the text's own words."""
    if title:
        match = _YEAR.search(title)
        if match:
            return int(match.group(1))
        match = _CN_YEAR.search(title)  # 二〇二二年
        if match:
            return int(match.group(1).translate(_CN_DIGITS))
    head = text[:6000]
    period = _PERIOD.search(head)
    if period:
        return int(period.group(1))
    own = re.search(r"((?:19|20)\d{2})\s*年度?(?:政府信息公开|政务公开|信息公开)", head)
    if own:
        return int(own.group(1))
    years = Counter(int(y) for y in _YEAR.findall(head[:3000]))
    if years:
        pub_year = int(published[:4]) if published else None
        ranked = [y for y, _ in years.most_common() if y != pub_year] or [years.most_common(1)[0][0]]
        return ranked[0]
    if published:
        return int(published[:4]) - 1
    return None


def find_published(text: str, hints: Mapping[str, str] | None = None) -> str | None:
    """Publication date as YYYY-MM-DD: a labelled date near the top, else a dated signature."""
    head = _DATE_RANGE.sub(" ", _before_first_section(text)[:3000])
    match = _DATE_LABELLED.search(head)
    if match is None:
        match = _DATE_ANY.search(head)
    if match is None:
        hinted = (hints or {}).get("meta_published")
        if hinted:
            match = _DATE_ANY.search(hinted)
    if match is None:
        tail = text.rstrip()[-120:]
        match = re.search(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$", tail)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _before_first_section(text: str) -> str:
    match = re.search(r"(?<![\d十])一\s*[、.]\s*(?:总体|工作基本|基本|概述)", text)
    cut = match.start() if match else 800
    return text[: max(cut, 0)] if cut > 0 else text[:800]


def agency_from_title(title: str) -> str | None:
    """The body named in a title: 乌海市人民政府2019年… → 乌海市人民政府; 阆中市… → 阆中市人民政府."""
    name = re.sub(r"^关于", "", title)
    year = _YEAR.search(name) or _CN_YEAR.search(name)
    if year and year.start() > 1:
        name = name[: year.start()]
    elif year:
        name = name[year.end():].lstrip("度")
    name = re.split(r"(?:关于)?(?:政府信息公开|信息公开|政务公开|年度报告|工作报告)", name)[0]
    name = re.sub(r"^[\d\s年度]+|关于$", "", name).strip(" 　:：-_")
    if not name:
        return None
    if name.endswith("人民"):
        name += "政府"
    return complete_body_name(name)


def complete_body_name(name: str) -> str:
    """A bare place stands for its government: 上海市 → 上海市人民政府; zones have 管委会; a
    街道 is governed by its 街道办事处."""
    if _ZONE_END.search(name):
        return name + "管理委员会"
    if name.endswith("街道"):
        return name + "办事处"
    if _PLACE_END.search(name):
        return name + "人民政府"
    if name.endswith("市政府") or name.endswith("县政府") or name.endswith("区政府"):
        return name[:-2] + "人民政府"
    return name


_PLACE_HEAD = re.compile(r"^([\u4e00-\u9fff]{1,10}?(?:自治县|自治旗|自治州|区|县|市|旗|乡|镇|街道|苏木))")
_TOWNSHIP = re.compile(r"(?:乡|镇|街道|苏木)$")


def _prefix_before(text: str, index: int, gazetteer: Gazetteer) -> str | None:
    """The division name that ends right where `index` begins, if any (longest)."""
    for size in range(min(index, 16), 1, -1):
        candidate = text[index - size:index]
        if gazetteer.lookup(candidate):
            return candidate
    return None


def _is_parent_level(division: Division, level: Level) -> bool:
    """A town's parent is a county-level unit; a district's is a city or a municipality."""
    if level == Level.COUNTY:
        return division.level == Level.COUNTY
    return division.level == Level.CITY or (
        division.level == Level.PROVINCE and division.adcode[:2] in MUNICIPALITIES)


def qualify_agency(agency: str, text: str) -> str:
    """Prefix the body with its higher-level place: 于洪区人民政府 → 沈阳市于洪区人民政府.

    Evidence, in order: the text printing the place with its parent (沈阳市于洪区); for a
    district, the gazetteer when the name is unique or the text names one candidate's city;
    for a town, the county the text names most. Counties and county-level cities keep
    their bare name, as bodies write it (阆中市人民政府). Nothing is guessed otherwise.
    """
    gazetteer = load_gazetteer()
    head = _PLACE_HEAD.match(agency)
    if head is None:
        return agency
    place = head.group(1)
    if place.endswith(("市", "县", "旗", "州")) and gazetteer.lookup(place):
        return agency
    parent_level = Level.COUNTY if _TOWNSHIP.search(place) else Level.CITY
    printed: Counter[str] = Counter()
    for match in re.finditer(re.escape(place), text):
        prefix = _prefix_before(text, match.start(), gazetteer)
        if prefix and any(_is_parent_level(d, parent_level) for d in gazetteer.lookup(prefix)):
            printed[prefix] += 1
    if printed:
        return printed.most_common(1)[0][0] + agency
    if place.endswith("区"):
        candidates = [d for d in gazetteer.lookup(place) if d.level == Level.COUNTY]
        if len(candidates) > 1:
            named = gazetteer.names_in(text)
            candidates = [d for d in candidates if any(named[p] for p in d.parent_names)]
        if len(candidates) == 1:
            return (candidates[0].city or candidates[0].province) + agency
        return agency
    if _TOWNSHIP.search(place):
        towns = load_townships().lookup(place)
        if towns:
            return _town_county_prefix(towns, text, gazetteer) + agency
        counties = Counter({
            name: count for name, count in gazetteer.names_in(text).items()
            if any(d.level == Level.COUNTY for d in gazetteer.lookup(name)) and name != place
        })
        if counties:
            return counties.most_common(1)[0][0] + agency
    return agency


def _town_county_prefix(towns: list[Division], text: str, gazetteer: Gazetteer) -> str:
    """The county a township of the division table lies in, when its name is unique or the
    text (places it names, phone area codes) decides; as the text writes it (积石山县), else
    its full name. Empty when nothing decides."""
    left, why = decide_town(towns, text)
    if why is None:
        return ""
    town = left[0]
    code = town.adcode[:6] if town.county is not None else town.adcode[:4] + "00"
    county = gazetteer.divisions.get(code)
    if county is None or county.level == Level.PROVINCE:
        return ""
    named = gazetteer.names_in(text)
    printed = [name for name in named if any(d.adcode == code for d in gazetteer.lookup(name))]
    return max(printed, key=lambda n: (named[n], len(n))) if printed else county.name


_INLINE_TITLE = re.compile(
    r"(?:19|20)\d{2}\s*年度?\s*([\u4e00-\u9fff]{2,30}?)(?:政府)?(?:信息公开|政务公开)(?:工作)?年度报告")

_ANNOUNCED = re.compile(
    r"(?:现将|现向社会公布|现予公布|现公布|现发布)\s*([\u4e00-\u9fff]{3,30}?" + _BODY + r")\s*"
    r"(?:19|20)\d{2}\s*年度?\s*(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度)?报告")


def agency_from_text(text: str) -> str | None:
    """A body named by the report about itself, when the title is missing.

    Either the report names itself in its first lines (现向社会公布2022年卯都乡信息公开工作
    年度报告, 现将乌海市统计局2022年政府信息公开工作年度报告予以公布) or gives its own full
    name as the contact. A contact that is not a full name
    (市政务服务和大数据管理局: an editor of a city-wide report) is not taken.
    """
    head = text[:1500]
    inline = _INLINE_TITLE.search(head)
    if inline and _PLACE_END.search(inline.group(1)):
        return complete_body_name(inline.group(1))
    for match in (_ANNOUNCED.search(head), _CONTACT.search(text[:5000])):
        if match:
            name = re.sub(r"^(?:本|我)", "", match.group(1))
            if load_gazetteer().leading(name) or _PLACE_HEAD.match(name):
                return name if match.re is _ANNOUNCED else government_of_office(name)
    return (township_named_elsewhere(text) or department_by_short_name(text[:6000])
            or city_wide_body(head))


_OFFICE = re.compile(r"(?:人民)?政府(?:办公室|办公厅)$")


def government_of_office(name: str) -> str:
    """The government whose office compiled a report is the reporting body:
    凯里市人民政府办公室 (the contact) → 凯里市人民政府."""
    return _OFFICE.sub("人民政府", name)


_TOWN_BODY = r"([\u4e00-\u9fff]{2,20}?(?:乡|镇|街道|苏木))(?:人民政府|政府|办事处)?"
_LABELLED_TOWN = re.compile(r"(?:来源|信息来源|发布机构|发布单位|发文机关|发布者)\s*[:：]\s*"
                            + _TOWN_BODY + r"(?![\u4e00-\u9fff])")
_SIGNED_TOWN = re.compile(r"^\s*" + _TOWN_BODY + r"\s*$", re.MULTILINE)
_SELF = {"乡": r"[我本]乡", "镇": r"[我本]镇", "街道": r"[我本]街", "苏木": r"[我本]苏木"}


def township_named_elsewhere(text: str) -> str | None:
    """A township's report that calls itself 我镇/本镇/我乡/我街 and names itself only in a
    label (来源: 万潮镇人民政府, 发布机构) or its signature: the body is that township's.
    Taken only when the name is of the kind the report calls itself."""
    tail = text.rstrip()[-400:]
    found = [m.group(1) for m in _LABELLED_TOWN.finditer(text[:3000])]
    found += [m.group(1) for m in _SIGNED_TOWN.finditer(tail)]
    for name in dict.fromkeys(found):
        kind = next(k for k in _SELF if name.endswith(k))
        if re.search(_SELF[kind], text[:6000]):
            return complete_body_name(name)
    return None


def department_by_short_name(text: str) -> str | None:
    """A department that calls itself 我局/我委 and names itself once by its short name
    (住建局), placed in the one county or city the text names: 绥芬河市住房和城乡建设局.

    Taken only when the text names a single department of the list, of the kind its
    self-reference says (局 or 委), and its places form one chain (a county and its city).
    """
    selves = set(re.findall(r"[我本](局|委)", text))
    named = {department_names()[m.group()] for m in department_pattern().finditer(text)}
    if len(named) != 1:
        return None
    department = named.pop()
    if not any(department.endswith(kind) or department.endswith(kind + "员会") for kind in selves):
        return None
    place = _one_place(text)
    return place + department if place else None


def _one_place(text: str) -> str | None:
    """The most specific county or city the text names, if all it names lie on one chain."""
    gazetteer = load_gazetteer()
    divisions = [d for name in gazetteer.names_in(text) for d in gazetteer.lookup(name)
                 if d.level in (Level.CITY, Level.COUNTY)]
    county_names = {d.name for d in divisions if d.level == Level.COUNTY}
    cities = {d.name for d in divisions if d.level == Level.CITY}
    if len(county_names) > 1:
        return None
    if county_names:
        county = county_names.pop()
        fits = any(cities <= {d.city} for d in divisions if d.name == county and d.level == Level.COUNTY)
        return county if fits else None
    return cities.pop() if len(cities) == 1 else None


def city_wide_body(head: str) -> str | None:
    """A report compiled for a whole city (数据来自全市…) is its government's, if one city is named."""
    if not re.search(r"全市|本市", head):
        return None
    gazetteer = load_gazetteer()
    cities = {name for name in gazetteer.names_in(head)
              if any(d.level == Level.CITY for d in gazetteer.lookup(name))}
    return f"{cities.pop()}人民政府" if len(cities) == 1 else None


def full_department_name(agency: str) -> str:
    """A department named by its short form is given in full: 乌海市发改委 →
    乌海市发展和改革委员会 (departments.toml), when a place name comes before it."""
    match = department_pattern().search(agency)
    if match is None or match.end() != len(agency) or match.start() == 0:
        return agency
    place = agency[:match.start()]
    if not (load_gazetteer().leading(place) or _PLACE_HEAD.match(place)):
        return agency
    return place + department_names()[match.group()]


def find_agency(text: str, title: str | None) -> str | None:
    """The reporting body's full name: from the title, else from the text (the preamble, a
    contact, a label or signature naming the township that calls itself 我镇)."""
    agency = agency_from_title(title) if title else None
    if agency is None:
        agency = agency_from_text(text)
    if agency is None:
        return None
    return qualify_agency(full_department_name(agency), text)
