"""Place a reporting body in China's administrative hierarchy, on evidence.

The body's own name is the first evidence (乌海市海勃湾区发展和改革委员会 names its city and
district). A name shared by several places (朝阳区 is in Beijing and in Changchun) is decided
by what else the report names (its city or province), then by the area code of the phone
numbers it gives (0431-… is Changchun; Google's libphonenumber geocodes it); failing that,
the place stays null with a reason. Every placement records which evidence decided it.

The website a report came from is weaker evidence (`toolkit.places.site`: the host's name,
the page title, the breadcrumb), used only where the report does not decide and never
against it: to choose among the places a shared name may be (after the text and the
phone); to place a township the report names without its county (太平镇人民政府), or a
report that names no body and calls itself 我乡/我镇, when the site names one division the
text does not contradict; and to put a township whose name gives only its city or province
in the county the site names inside that one.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from toolkit.places.gazetteer import (
    MUNICIPALITIES,
    Division,
    Gazetteer,
    current_code,
    load_gazetteer,
    load_townships,
)
from toolkit.places.site import Clue, choose, related, single_place, site_clues, stem
from toolkit.spec.vocab import BodyKind, Level

_TOWNSHIP = re.compile(
    r"^([\u4e00-\u9fff]{1,8}?(?:乡|镇|街道办事处|街道|苏木))(?=人民政府|政府|办事处|党|$)")
_ZONE = re.compile(r"^(?:综合实验区|经济技术开发区|高新技术产业开发区|高新区|开发区|新区|示范区|实验区)")
GOVERNMENT_BODIES = ("人民政府办公室", "人民政府办公厅", "人民政府", "政府办公室", "政府办公厅",
                     "管理委员会", "管委会", "街道办事处", "办事处", "政府")


@dataclass(frozen=True)
class Placement:
    """Where a body sits: GB/T 2260 names, adcode, level, kind, and why."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    level: Level | None = None
    agency_kind: BodyKind | None = None
    evidence: str | None = None
    reason: str | None = None
    body_id: str | None = None

    def as_meta(self) -> dict[str, Any]:
        return asdict(self)


def agency_kind(body: str) -> BodyKind:
    """`government` for a people's government, its office or a zone's 管委会; else department."""
    body = body.strip()
    if not body or any(body == g or (body.endswith(g) and len(body) <= len(g) + 2)
                       for g in GOVERNMENT_BODIES):
        return BodyKind.GOVERNMENT
    return BodyKind.DEPARTMENT


def _chain(name: str, gazetteer: Gazetteer) -> tuple[list[str], str]:
    """Division names the body's name starts with, and what follows them."""
    names, rest = _chain_cached(name)
    return list(names), rest


@lru_cache(maxsize=1 << 16)
def _chain_cached(name: str) -> tuple[tuple[str, ...], str]:
    """`_chain` of a name, once: the body's name is read twice (placement and body_id)."""
    gazetteer = load_gazetteer()
    names: list[str] = []
    rest = name
    while True:
        leading = gazetteer.leading(rest)
        if leading is None:
            break
        names.append(leading)
        rest = rest[len(leading):]
    if not names:
        for size in range(min(len(rest), 6), 1, -1):
            for suffix in ("县", "市", "区"):
                zone = _ZONE.match(rest[size:])
                if zone and gazetteer.lookup(rest[:size] + suffix):
                    return (rest[:size] + suffix,), rest[size + zone.end():]
    return tuple(names), rest


def _consistent(chain: list[list[Division]]) -> list[list[Division]]:
    """Keep, for each name, the candidates that sit inside the previous name's place."""
    kept: list[list[Division]] = []
    for candidates in chain:
        if kept:
            parents = kept[-1]
            inside = [c for c in candidates
                      if any(c.adcode != p.adcode and _contains(p, c) for p in parents)]
            candidates = inside or candidates
        kept.append(candidates)
    return kept


def _contains(outer: Division, inner: Division) -> bool:
    if outer.level == Level.PROVINCE:
        return inner.adcode[:2] == outer.adcode[:2]
    if outer.level == Level.CITY:
        return inner.adcode[:4] == outer.adcode[:4]
    return False


def _by_mentions(candidates: list[Division], text: str, gazetteer: Gazetteer
                 ) -> tuple[list[Division], str | None]:
    """Candidates whose city or province the report names most."""
    named = gazetteer.names_in(text)
    scores = {c.adcode: sum(named[p] for p in c.parent_names) for c in candidates}
    best = max(scores.values(), default=0)
    if best == 0:
        return candidates, None
    winners = [c for c in candidates if scores[c.adcode] == best]
    if len(winners) == 1:
        parent = next(p for p in winners[0].parent_names if named[p])
        return winners, f"text names {parent}"
    return winners, None


_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3})[-－—–\s)）]{0,2}(\d{7,8})(?!\d)")


def phone_places(text: str) -> list[tuple[str, str]]:
    """(area code, place) for each landline number in the text, e.g. ('0473', '内蒙古乌海市')."""
    import phonenumbers
    from phonenumbers import geocoder

    found: list[tuple[str, str]] = []
    for match in _LANDLINE.finditer(text):
        code, local = match.groups()
        try:
            number = phonenumbers.parse(code + local, "CN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            place = geocoder.description_for_number(number, "zh")
            if place and (code, place) not in found:
                found.append((code, place))
    return found


def _by_phone(candidates: list[Division], text: str) -> tuple[list[Division], str | None]:
    """Candidates whose city (or, for a municipality, province) a phone area code names."""
    places = phone_places(text)

    def named(c: Division, place: str) -> bool:
        """The geocoder names the city, with or without its ending (内蒙古巴彦淖尔)."""
        name = c.city or c.province
        forms = {name, stem(name) or name}
        return any(part.endswith(form) for part in place.split("、") for form in forms)

    winners = [c for c in candidates if any(named(c, place) for _, place in places)]
    if len(winners) == 1:
        code, place = next((code, place) for code, place in places if named(winners[0], place))
        return winners, f"phone area code {code} ({place})"
    return candidates, None


def body_id(placement_code: str | None, agency: str | None) -> str | None:
    """A stable id for one body across years: its division and its name without the place."""
    if not agency:
        return None
    core = agency
    if placement_code:
        _, rest = _chain(agency, load_gazetteer())
        core = rest or agency
    if placement_code:
        placement_code = current_code(placement_code)  # 滦县 (2019) and 滦州市 (2023): one body
    digest = hashlib.sha1(f"{placement_code or ''}|{core}".encode()).hexdigest()[:12]
    return f"{placement_code or 'unplaced'}-{digest}"


def place_body(agency: str | None, text: str = "", hints: Mapping[str, str] | None = None,
               source_url: str | None = None) -> Placement:
    """Resolve a body's name to its place, using the report text to break ties, and the
    website it came from (`source_url`, the page title and breadcrumb in `hints`) where the
    text does not decide."""
    site = _Site(source_url, hints, text)
    if not agency:
        if re.search(r"(?:我|本)(?:乡|镇|街道)(?![长])", text[:3000]):
            own = "the report calls itself 我乡/我镇"
            found = site.single(text)
            if found is not None:
                return _placed(found[0], True, BodyKind.GOVERNMENT, f"{own}; {found[1]}",
                               None, reason="no reporting body named in the report")
            return Placement(level=Level.TOWNSHIP, agency_kind=BodyKind.GOVERNMENT,
                             evidence=own, reason="no reporting body named in the report")
        office = _unnamed_county_office(text)
        if office is not None:
            return office
        return Placement(reason="no reporting body found in the report")
    gazetteer = load_gazetteer()
    names, rest = _chain(agency, gazetteer)
    township = _TOWNSHIP.match(rest)
    body = rest[township.end():] if township else rest
    kind = agency_kind(body)
    town = township.group(1) if township else None
    if not names and town:
        towns = load_townships().lookup(town)
        if towns:
            return _place_town(towns, town, "body name", text, site, kind, agency)
    if not names:
        found = site.single(text) if township else None
        if found is not None:
            return _placed(found[0], True, kind, found[1], agency)
        reason = ("township whose county the report does not name" if township
                  else "no division name in the body's name")
        return Placement(level=Level.TOWNSHIP if township else None, agency_kind=kind,
                         reason=reason, body_id=body_id(None, agency))
    chain = _consistent([gazetteer.lookup(n) for n in names])
    final = chain[-1]
    evidence = "body name"
    if len(final) > 1 and town:
        holding = [c for c in final if any(c.contains(t) or _in_city(c, t)
                                           for t in load_townships().lookup(town))]
        if len(holding) == 1:
            final, evidence = holding, f"body name; {town} lies in {_full_name(holding[0])}"
    if len(final) > 1:
        final, why = _by_mentions(final, text, gazetteer)
        if len(final) > 1:
            final, why = _by_phone(final, text)
        if len(final) > 1:
            chosen = site.choose(final)
            if chosen is not None:
                final, why = [chosen[0]], chosen[1]
        if len(final) > 1:
            places = "、".join(f"{c.province}{c.city or ''}{c.name}" for c in final)
            return Placement(agency_kind=kind, level=Level.TOWNSHIP if township else None,
                             reason=f"ambiguous: {names[-1]} may be {places}; the report does "
                                    "not say which", body_id=body_id(None, agency))
        evidence = f"body name; {why}"
    division = final[0]
    if town and division.level != Level.COUNTY:
        towns = [t for t in load_townships().lookup(town) if _in_city(division, t)]
        if towns:
            return _place_town(towns, town, evidence, text, site, kind, agency, division)
    if township and division.level != Level.COUNTY:
        inside = site.single(text, within=division)
        if inside is not None:
            division, evidence = inside[0], f"{evidence}; {inside[1]}"
    return _placed(division, bool(township), kind, evidence, agency)


_COUNTY_OFFICE = re.compile(r"(区|县)(?:人民)?政府办公室")


def _unnamed_county_office(text: str) -> Placement | None:
    """A report that calls itself 我办 and is the office of a 区政府 or 县政府 it does not name
    is that government's (a county-level body); when the places the text names lie on one
    chain that stops at a city (武汉市), the district is in that city."""
    head = text[:3000]
    office = _COUNTY_OFFICE.search(head)
    if office is None or not re.search(r"[我本]办", head) or re.search(r"[我本](?:局|委)", head):
        return None
    own = f"the report calls itself 我办, the {office.group()}"
    reason = f"the {office.group(1)} is not named in the report"
    divisions = load_gazetteer().divisions
    named = [divisions[code] for code in load_gazetteer().mentions(text)]
    deepest = max(named, key=lambda d: len(d.adcode.rstrip("0")), default=None)
    if (deepest is None or deepest.level != Level.CITY
            or not all(d.adcode == deepest.adcode or d.contains(deepest) for d in named)):
        return Placement(level=Level.COUNTY, agency_kind=BodyKind.GOVERNMENT, evidence=own,
                         reason=reason)
    return Placement(province=deepest.province, city=deepest.city, adcode=deepest.adcode,
                     level=Level.COUNTY, agency_kind=BodyKind.GOVERNMENT,
                     evidence=f"{own}; text names {deepest.name}", reason=reason)


def _in_city(outer: Division, town: Division) -> bool:
    """`town` lies in `outer` (a province or city; a county: `Division.contains`)."""
    return outer.level in (Level.PROVINCE, Level.CITY) and outer.contains(town)


def _full_name(division: Division) -> str:
    return "".join(dict.fromkeys(n for n in (division.province, division.city, division.county,
                                             division.name) if n))


def _county_of(town: Division) -> Division | None:
    """The county-level division a township belongs to (its city for a town directly under
    a city or in a development zone)."""
    divisions = load_gazetteer().divisions
    if town.county is not None and town.adcode[:6] in divisions:
        return divisions[town.adcode[:6]]
    return divisions.get(town.adcode[:4] + "00") or divisions.get(town.adcode[:2] + "0000")


def _common_place(towns: list[Division]) -> Division | None:
    """The most specific division holding every township of `towns` (county, city or
    province), if they share one."""
    divisions = load_gazetteer().divisions
    for size, pad in ((6, ""), (4, "00"), (2, "0000")):
        codes = {t.adcode[:size] + pad for t in towns}
        if size == 6 and any(t.county is None for t in towns):
            continue
        if len(codes) == 1 and codes.pop() in divisions:
            return divisions[towns[0].adcode[:size] + pad]
    return None


_TIERS = ((6, "", Level.COUNTY), (4, "00", Level.CITY), (2, "0000", Level.PROVINCE))


def _most_named(mentions: Counter[str], level: Level) -> set[str]:
    """The (current) codes of the division of `level` the text names most: one name leads,
    which may be several places' (永定区 is in 张家界 and in 龙岩); empty when none leads."""
    divisions = load_gazetteer().divisions
    counts: Counter[str] = Counter()
    codes: dict[str, set[str]] = {}
    for code, count in mentions.items():
        division = divisions[code]
        if division.level == level:
            counts[division.name] = max(counts[division.name], count)
            codes.setdefault(division.name, set()).add(current_code(code))
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return set()
    return codes[ranked[0][0]]


def decide_town(towns: list[Division], text: str, site: _Site | None = None,
                within: Division | None = None) -> tuple[list[Division], str | None]:
    """The townships of one name the evidence leaves, and what decided: the only one of its
    name (in `within`, when the body's name gives its city or province); then the county, city
    or province the text names most (county first; a tier decides only when the division of
    that level the text names most holds one candidate); then the phone's area code; then
    the website. Returns the candidates left and None when nothing singles one out (none
    left when the only one of its name lies outside every place the text names)."""
    mentions = load_gazetteer().mentions(text)
    if len(towns) == 1:
        if _contradicted(towns[0], mentions):
            return [], None
        where = f" in {within.name}" if within is not None else " in the division table"
        return towns, f"the only {towns[0].name}{where}"
    left = towns
    for size, pad, level in _TIERS:
        top = _most_named(mentions, level) if mentions else set()
        held = [t for t in left if t.adcode[:size] + pad in top]
        if held:
            left = held
            if len(left) == 1:
                place = load_gazetteer().divisions[left[0].adcode[:size] + pad]
                return left, f"text names {place.name}"
    decided, why = _by_phone(left, text)
    if len(decided) == 1:
        return decided, why
    if site is not None:
        chosen = site.choose(left)
        if chosen is not None and not _contradicted(chosen[0], mentions):
            return [chosen[0]], chosen[1]
    return left, None


def _contradicted(town: Division, mentions: Counter[str]) -> bool:
    """The text names places, none of them the township's county, city or province (a
    county named by its name before a rename counts as itself)."""
    sizes = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6}
    divisions = load_gazetteer().divisions
    named = [(current_code(code), sizes[divisions[code].level]) for code in mentions]
    return bool(named) and not any(town.adcode[:size] == code[:size] for code, size in named)


def _place_town(towns: list[Division], town: str, evidence: str, text: str, site: _Site,
                kind: BodyKind, agency: str, within: Division | None = None) -> Placement:
    """Place a township body among the townships of its name (inside `within`, the city or
    province its name gives), or say why not."""
    left, why = decide_town(towns, text, site, within)
    if not left:
        where = _full_name(_county_of(towns[0]) or towns[0])
        return Placement(level=Level.TOWNSHIP, agency_kind=kind, body_id=body_id(None, agency),
                         reason=f"the one {town} of the division table is in {where}, which "
                                "the report does not name; it names other places")
    if why is not None:
        county = _county_of(left[0])
        if county is not None:
            return _placed(county, True, kind, f"{evidence}; {why}", agency)
    common = _common_place(left)
    shown = "、".join(_full_name(_county_of(t) or t) for t in left[:5])
    more = f" and {len(left) - 5} more" if len(left) > 5 else ""
    reason = (f"ambiguous: {town} may be any of {len(left)} townships ({shown}{more}); "
              "the report does not say which")
    if common is not None and (within is None or within.contains(common)
                               or within.adcode == common.adcode):
        placed = _placed(common, True, kind, f"{evidence}; every {town} it may be lies in "
                                             f"{_full_name(common)}", agency, reason=reason)
        return placed
    if within is not None:
        return _placed(within, True, kind, evidence, agency, reason=reason)
    return Placement(level=Level.TOWNSHIP, agency_kind=kind, reason=reason,
                     body_id=body_id(None, agency))


def _placed(division: Division, township: bool, kind: BodyKind, evidence: str,
            agency: str | None, reason: str | None = None) -> Placement:
    level = Level.TOWNSHIP if township else division.level
    if division.level == Level.PROVINCE and not township:
        city = county = None
    else:
        city = division.city
        county = division.county
    if division.level == Level.PROVINCE and division.adcode[:2] in MUNICIPALITIES:
        level = Level.TOWNSHIP if township else Level.PROVINCE
    return Placement(
        province=division.province, city=city, county=county, adcode=division.adcode,
        level=level, agency_kind=kind, evidence=evidence, reason=reason,
        body_id=body_id(division.adcode, agency),
    )


class _Site:
    """The site evidence of one report, read once and only when asked for."""

    def __init__(self, source_url: str | None, hints: Mapping[str, str] | None,
                 text: str) -> None:
        self._args = (source_url, hints, text)
        self._clues: list[Clue] | None = None

    @property
    def clues(self) -> list[Clue]:
        if self._clues is None:
            self._clues = site_clues(*self._args)
        return self._clues

    def choose(self, candidates: list[Division]) -> tuple[Division, str] | None:
        return choose(self.clues, candidates)

    def single(self, text: str, within: Division | None = None
               ) -> tuple[Division, str] | None:
        """The one division the site names, if the text names no place against it (and,
        given `within`, if it lies strictly inside that one)."""
        found = single_place(self.clues, within)
        if found is None:
            return None
        division = found[0]
        gazetteer = load_gazetteer()
        named = [d for name in gazetteer.names_in(text) for d in gazetteer.lookup(name)]
        if named and not any(related(d, division) for d in named):
            return None
        return found
