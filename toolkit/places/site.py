"""Where a web page says its body is: the host's name, the page's <title>, its breadcrumb.

Site evidence for `toolkit.places.regions.place_body`, weaker than the report's own words
and used only where they do not decide (see there). Three clues:

* the host (`www.pingtan.gov.cn`): a label (or a part of one between hyphens) that is
  exactly the pinyin of a division's name (平潭县 → `pingtanxian`), of that name without
  its generic ending (平潭 → `pingtan`, at least two characters kept; 内蒙古自治区 → 内蒙古,
  广西壮族自治区 → 广西), or of a national new area's full name (西咸新区 → `xixianxinqu`,
  `sites.toml`). Abbreviations (`fjpt`, `bjchy`) are not read: they are too short to tell
  places apart. The pinyin is a table (`site_pinyin.csv`, `pinyin,shown,name`, written by
  `scripts/make_site_pinyin.py` with pypinyin from the gazetteer), so a placement does not
  depend on the installed pinyin library.
* the page's <title> (hint `html_title`) and
* its breadcrumb (hint `breadcrumb`, else a 当前位置 / 您的位置 line near the top of the
  text): the division names and national new areas they hold.

A clue allows the divisions every name it holds agrees with: a name agrees with the
division it names and with the divisions inside that one. `chaoyang` allows every 朝阳 and
潮阳; `www.changchun.gov.cn` allows 长春市 only; a title naming 长春市 and 朝阳区 allows
长春市朝阳区; a title naming two places that do not nest allows nothing and says nothing.
"""
from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from toolkit.places.gazetteer import Division, load_gazetteer, nation_names
from toolkit.spec.vocab import Level

PINYIN_FILE = "site_pinyin.csv"
SITES_FILE = "sites.toml"
STEM_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区",
                 "省", "市", "县", "区", "旗", "盟")
"""Generic endings a host may leave out (平潭县 → pingtan), longest first."""
MIN_STEM = 2
"""Characters a name keeps without its ending for its pinyin to count (雄县 → xiong does not)."""
BREADCRUMB = re.compile(
    r"(?:当前位置|当前的位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|所在位置)"
    r"[ \t]*[:：]?[ \t]*([^\n]{1,160})")
_DEPTH = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2}


@cache
def zones() -> dict[str, str]:
    """National new area → adcode of the division it lies in (`sites.toml`)."""
    text = (resources.files("toolkit.places") / SITES_FILE).read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["zones"])


@cache
def _zone_pattern() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(zones(), key=len, reverse=True))))


@cache
def pinyin_index() -> dict[str, tuple[tuple[str, str], ...]]:
    """Pinyin → (the Chinese it spells, the gazetteer or zone name it comes from)."""
    text = (resources.files("toolkit.places") / PINYIN_FILE).read_text(encoding="utf-8")
    index: dict[str, list[tuple[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        index.setdefault(row["pinyin"], []).append((row["shown"], row["name"]))
    return {k: tuple(v) for k, v in index.items()}


def stem(name: str) -> str | None:
    """The name without its generic ending (平潭县 → 平潭, 广西壮族自治区 → 广西), if two
    characters at least remain."""
    core = None
    for suffix in STEM_SUFFIXES:
        if name.endswith(suffix):
            core = name[:-len(suffix)]
            break
    if core and "自治" in name:
        cut = min((core.find(n) for n in nation_names() if n and core.find(n) > 0), default=-1)
        if cut > 0:
            core = core[:cut]
    return core if core and len(core) >= MIN_STEM else None


def pinyin_rows() -> list[tuple[str, str, str]]:
    """The rows of `site_pinyin.csv` (pinyin, shown, name), built with pypinyin (dev extra)."""
    from pypinyin import lazy_pinyin

    rows: set[tuple[str, str, str]] = set()
    names = sorted(load_gazetteer().by_name)
    for name in [*names, *sorted(zones())]:
        syllables = lazy_pinyin(name)
        if len(syllables) != len(name):  # one syllable per character, or the stem is off
            raise ValueError(f"{name}: pinyin {syllables} is not one syllable per character")
        rows.add(("".join(syllables), name, name))
        short = None if name in zones() else stem(name)
        if short:
            rows.add(("".join(syllables[:len(short)]), short, name))
    return sorted(rows)


@dataclass(frozen=True)
class Clue:
    """One piece of site evidence: where it was read, and the divisions it allows, each with
    the names that allowed it."""

    template: str
    """How the evidence reads, `{}` standing for the names: 'site www.pingtan.gov.cn ({})'."""
    allowed: tuple[tuple[Division, tuple[str, ...]], ...]

    def evidence(self, division: Division) -> str:
        shown: list[str] = []
        for allowed, names in self.allowed:
            if related(allowed, division):
                shown += [n for n in names if n not in shown]
        return self.template.format("、".join(shown))


def related(a: Division, b: Division) -> bool:
    """The same division, or one inside the other."""
    return a.adcode == b.adcode or a.contains(b) or b.contains(a)


def _divisions(name: str) -> list[Division]:
    gazetteer = load_gazetteer()
    found = gazetteer.lookup(name)
    code = zones().get(name)
    if code is not None and code in gazetteer.divisions:
        found.append(gazetteer.divisions[code])
    return found


def resolve(groups: Sequence[Sequence[tuple[str, Division]]]
            ) -> tuple[tuple[Division, tuple[str, ...]], ...]:
    """The divisions every group agrees with: a group agrees with a division it holds or one
    inside a division it holds."""
    seen: dict[str, Division] = {}
    for group in groups:
        for _, division in group:
            seen.setdefault(division.adcode, division)
    allowed = []
    for division in seen.values():
        shown: list[str] = []
        for group in groups:
            support = [name for name, d in group
                       if d.adcode == division.adcode or d.contains(division)]
            if not support:
                break
            shown.append(support[0])
        else:
            allowed.append((division, tuple(dict.fromkeys(shown))))
    return tuple(allowed)


def _named_groups(text: str) -> list[list[tuple[str, Division]]]:
    names = list(load_gazetteer().names_in(text)) + list(
        dict.fromkeys(m.group() for m in _zone_pattern().finditer(text)))
    return [[(name, d) for d in _divisions(name)] for name in names]


def host_labels(host: str) -> list[str]:
    return [part for label in host.lower().split(".") for part in label.split("-") if part]


def _host_clue(source_url: str) -> Clue | None:
    host = urlsplit(source_url).hostname
    if not host:
        return None
    index = pinyin_index()
    groups = [[(shown, d) for shown, name in index[label] for d in _divisions(name)]
              for label in host_labels(host) if label in index]
    allowed = resolve([g for g in groups if g])
    return Clue(f"site {host} ({{}})", allowed) if allowed else None


def _text_clue(template: str, text: str | None) -> Clue | None:
    if not text:
        return None
    groups = _named_groups(text)
    allowed = resolve(groups) if groups else ()
    return Clue(template, allowed) if allowed else None


def breadcrumb(text: str) -> str | None:
    """The 当前位置 line near the top of a page's text, without its label."""
    match = BREADCRUMB.search(text[:5000])
    return match.group(1).strip() if match else None


def site_clues(source_url: str | None, hints: Mapping[str, str] | None = None,
               text: str = "") -> list[Clue]:
    """The site evidence of a report: its host, its page title, its breadcrumb."""
    hints = hints or {}
    clues = [
        _host_clue(source_url) if source_url else None,
        _text_clue("page title names {}", hints.get("html_title")),
        _text_clue("breadcrumb names {}", hints.get("breadcrumb") or breadcrumb(text)),
    ]
    return [c for c in clues if c is not None]


def choose(clues: Iterable[Clue], candidates: Sequence[Division]
           ) -> tuple[Division, str] | None:
    """The one candidate (of the report's own) the site evidence leaves, with the evidence;
    None when no clue singles one out or two clues single out different ones."""
    decided: list[tuple[Division, str]] = []
    for clue in clues:
        left = [c for c in candidates if any(related(a, c) for a, _ in clue.allowed)]
        if len(left) == 1:
            decided.append((left[0], clue.evidence(left[0])))
    if not decided or len({d.adcode for d, _ in decided}) > 1:
        return None
    return decided[0][0], "; ".join(e for _, e in decided)


def single_place(clues: Iterable[Clue], within: Division | None = None
                 ) -> tuple[Division, str] | None:
    """The one division the site evidence names (strictly inside `within`, when given), with
    the evidence: each clue that allows a single such division counts, and those divisions
    must nest (the deepest is taken)."""
    decided: list[tuple[Division, Clue]] = []
    for clue in clues:
        options = [d for d, _ in clue.allowed if within is None or within.contains(d)]
        if len(options) == 1:
            decided.append((options[0], clue))
    if not decided:
        return None
    deepest = max((d for d, _ in decided), key=lambda d: _DEPTH.get(d.level, 3))
    if not all(d.adcode == deepest.adcode or d.contains(deepest) for d, _ in decided):
        return None
    return deepest, "; ".join(clue.evidence(deepest) for _, clue in decided)
