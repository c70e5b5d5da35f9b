"""Which links are reports, lists and files: the rules of `discovery.toml`, applied to pages.

Everything here is a pure function of a page's URL and text, so the rules can be tested
without a network or Scrapy. The spider asks `read_html` (or `read_hanweb_xml`,
`read_json`) what a page holds, `page_outcome` what the page is, and `links_to_follow`
which of its links enter the frontier.
"""
from __future__ import annotations

import html as htmlmod
import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from w3lib.url import safe_url_string

from toolkit.collect.outcome import Kind, Outcome
from toolkit.spec.errors import ToolkitError


class DiscoveryError(ToolkitError):
    """The discovery rules (discovery.toml or a file given with --discovery) are not valid."""


# --------------------------------------------------------------------------- the rules

_RE = "regex"


def _schema() -> dict[str, Any]:
    """Every key the TOML may hold, with its type: unknown or missing keys are errors."""
    return {
        "limits": {"max_depth": int, "max_list_pages": int},
        "reports": {"names": [_RE], "year": _RE, "exclude": [_RE], "page_markers": [str],
                    "list_when_links": int},
        "columns": {"names": [_RE]},
        "pager": {"names": [str], "number": _RE},
        "attachments": {"extensions": [str], "content_types": [str], "download_urls": [_RE],
                        "download_texts": [_RE]},
        "lists": {
            "trs": {"call": _RE},
            "hanweb": {"marker": str, "proxy": _RE, "required_param": str, "per_page": _RE, "total": _RE,
                       "record": _RE, "group": int, "paging_params": [str]},
            "json": [{"name": str, "find": _RE, "page_param": str, "size_param": str,
                      "first_page": int, "items": str, "title": str, "url": str,
                      "total": str}],
        },
    }


def _checked(value: Any, schema: Any, where: str) -> Any:
    """`value` validated against `schema`, regexes compiled; a DiscoveryError names the key."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise DiscoveryError(f"{where or 'the file'}: expected a table")
        unknown = sorted(set(value) - set(schema))
        if unknown:
            raise DiscoveryError(f"unknown key {_join(where, unknown[0])!r} "
                                 f"(known here: {', '.join(sorted(schema))})")
        missing = sorted(set(schema) - set(value))
        if missing:
            raise DiscoveryError(f"missing key {_join(where, missing[0])!r}")
        return {key: _checked(value[key], sub, _join(where, key)) for key, sub in schema.items()}
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise DiscoveryError(f"{where}: expected a list")
        return [_checked(item, schema[0], f"{where}[{i}]") for i, item in enumerate(value)]
    if schema == _RE:
        if not isinstance(value, str):
            raise DiscoveryError(f"{where}: expected a regular expression (a string)")
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as error:
            raise DiscoveryError(f"{where}: not a valid regular expression: {error}") from error
    if schema is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise DiscoveryError(f"{where}: expected an integer, got {value!r}")
    if not isinstance(value, schema):
        raise DiscoveryError(f"{where}: expected {schema.__name__}, got {value!r}")
    return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


@dataclass(frozen=True)
class JsonApi:
    """One declared JSON list API (a `[[lists.json]]` table)."""

    name: str
    find: re.Pattern[str]
    page_param: str
    size_param: str
    first_page: int
    items: str
    title: str
    url: str
    total: str


@dataclass(frozen=True)
class Rules:
    """The validated contents of discovery.toml."""

    max_depth: int
    max_list_pages: int
    report_names: tuple[re.Pattern[str], ...]
    year: re.Pattern[str]
    exclude: tuple[re.Pattern[str], ...]
    page_markers: tuple[str, ...]
    list_when_links: int
    columns: tuple[re.Pattern[str], ...]
    pager_names: frozenset[str]
    pager_number: re.Pattern[str]
    extensions: frozenset[str]
    content_types: tuple[str, ...]
    download_urls: tuple[re.Pattern[str], ...]
    download_texts: tuple[re.Pattern[str], ...]
    trs_call: re.Pattern[str]
    hanweb: dict[str, Any]
    json_apis: tuple[JsonApi, ...] = field(default_factory=tuple)

    def json_api(self, name: str) -> JsonApi | None:
        return next((api for api in self.json_apis if api.name == name), None)


def parse_rules(text: str, source: str = "discovery.toml") -> Rules:
    """Rules from TOML text; any problem is a DiscoveryError naming `source` and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DiscoveryError(f"{source}: not valid TOML: {error}") from error
    try:
        d = _checked(data, _schema(), "")
    except DiscoveryError as error:
        raise DiscoveryError(f"{source}: {error.reason}") from None
    reports, attach, lists = d["reports"], d["attachments"], d["lists"]
    if not reports["year"].groups:
        raise DiscoveryError(f"{source}: reports.year needs a group around the year")
    return Rules(
        max_depth=d["limits"]["max_depth"],
        max_list_pages=d["limits"]["max_list_pages"],
        report_names=tuple(reports["names"]),
        year=reports["year"],
        exclude=tuple(reports["exclude"]),
        page_markers=tuple(reports["page_markers"]),
        list_when_links=reports["list_when_links"],
        columns=tuple(d["columns"]["names"]),
        pager_names=frozenset(normalise(n) for n in d["pager"]["names"]),
        pager_number=d["pager"]["number"],
        extensions=frozenset(e.lower() for e in attach["extensions"]),
        content_types=tuple(c.lower() for c in attach["content_types"]),
        download_urls=tuple(attach["download_urls"]),
        download_texts=tuple(attach["download_texts"]),
        trs_call=lists["trs"]["call"],
        hanweb=lists["hanweb"],
        json_apis=tuple(JsonApi(**api) for api in lists["json"]),
    )


@cache
def default_rules() -> Rules:
    text = (resources.files("toolkit.collect") / "discovery.toml").read_text(encoding="utf-8")
    return parse_rules(text)


def load_rules(path: str | Path | None = None) -> Rules:
    """The package's discovery.toml, or the file at `path` (same keys, all of them)."""
    if path is None:
        return default_rules()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DiscoveryError(f"{path}: cannot read discovery rules: {error.strerror}") from error
    return parse_rules(text, str(path))


# --------------------------------------------------------------------------- text and URLs

_SPACE = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """NFKC (full-width digits and brackets to ASCII), whitespace collapsed, stripped."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def report_year(rules: Rules, text: str | None) -> int | None:
    """The year a text names when it names a report (see [reports]), else None."""
    t = normalise(text)
    if not t or not any(p.search(t) for p in rules.report_names):
        return None
    if any(p.search(t) for p in rules.exclude):
        return None
    years = [int(m.group(1)) for m in rules.year.finditer(t)]
    return years[0] if years else None


def clean_url(url: str) -> str:
    """The frontier's key: no fragment, no surrounding blanks, percent-encoded as Scrapy
    sends it (UTF-8), so a link written raw and one written encoded are one URL."""
    return safe_url_string(urldefrag(url.strip())[0])


def is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def url_extension(url: str) -> str:
    """The lower-case extension of the URL's path ('.pdf'), '' when it has none."""
    path = unquote(urlsplit(url).path)
    return PurePosixPath(path).suffix.lower()


_PAGE_EXTENSIONS = frozenset({"", ".html", ".htm", ".shtml", ".jhtml", ".jsp", ".do", ".php",
                              ".asp", ".aspx", ".action", ".xhtml", ".cgi"})


def is_file_url(rules: Rules, url: str) -> bool:
    return url_extension(url) in rules.extensions


def _could_be_page(url: str) -> bool:
    return url_extension(url) in _PAGE_EXTENSIONS


# --------------------------------------------------------------------------- links


@dataclass(frozen=True)
class Link:
    """A link the rules selected: what it is, how it was found, which list it continues."""

    url: str
    kind: Kind
    family: str
    """report, attachment, column, pager, trs, hanweb or json:NAME."""
    anchor: str = ""
    year: int | None = None
    list_key: str | None = None
    """The list a list page belongs to (counted against limits.max_list_pages)."""
    paginates: bool = False
    """A further page of the list it was found on: it keeps that page's depth."""


@dataclass
class PageView:
    """What an HTML page says about itself and what it links to."""

    title: str | None
    heading: str | None
    title_year: int | None
    has_markers: bool
    report_links: list[Link]
    file_links: list[Link]
    """Attachments by extension or download pattern whose text names no report."""
    list_links: list[Link]
    pager_links: list[Link]


def _own_text(doc: Any, limit: int = 50_000) -> str:
    """The page's text outside links, scripts and styles: navigation chrome says
    政府信息公开 on every page, a soft 404 says nothing else."""
    parts = doc.xpath("//body//text()[not(ancestor::a) and not(ancestor::script)"
                      " and not(ancestor::style)]")
    return normalise(" ".join(parts)[:limit])


def _collapse(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _anchor_text(a: Any) -> str:
    """The link's text as written (whitespace collapsed): the manifest keeps it as is."""
    text = _collapse(a.text_content())
    title = _collapse(a.get("title"))
    if not text:
        alts = [_collapse(img.get("alt")) for img in a.iter("img")]
        text = next((alt for alt in alts if alt), "")
    # TRS lists truncate the visible text ("…工作年...") and keep the whole in title=.
    shown = text.rstrip(".…· ")
    return title if len(title) > len(shown) or (shown and title.startswith(shown)) else text


def _parse_html(html: str) -> Any:
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _iter_anchors(doc: Any, base: str) -> Iterator[tuple[str, str]]:
    for a in doc.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        yield clean_url(urljoin(base, htmlmod.unescape(href))), _anchor_text(a)


def classify_anchor(rules: Rules, url: str, text: str) -> Link | None:
    """A report, attachment or column link by its text and URL; None for anything else."""
    year = report_year(rules, text)
    if year is not None:
        if is_file_url(rules, url):
            return Link(url, Kind.ATTACHMENT, "report", text, year)
        if _could_be_page(url):
            return Link(url, Kind.REPORT, "report", text, year)
        return None
    t = normalise(text)
    if t and any(p.search(t) for p in rules.columns) and _could_be_page(url):
        return Link(url, Kind.LIST, "column", text, list_key=url)
    return None


def _file_link(rules: Rules, url: str, text: str) -> Link | None:
    if is_file_url(rules, url):
        return Link(url, Kind.ATTACHMENT, "attachment", text)
    if url_extension(url) == "" and (
            any(p.search(url) for p in rules.download_urls)
            or any(p.search(normalise(text)) for p in rules.download_texts)):
        return Link(url, Kind.ATTACHMENT, "attachment", text)
    return None


def read_html(rules: Rules, url: str, html: str, list_key: str | None = None) -> PageView:
    """What a page holds: its title, whether it names a report, and every link the rules pick.

    `list_key` is the list this page belongs to (pager links continue it).
    """
    doc = _parse_html(html)
    if doc is None:
        return PageView(None, None, None, False, [], [], [], [])
    base = url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(url, base_el.get("href").strip())
    title = normalise(doc.findtext(".//title")) or None
    h1 = doc.find(".//h1")
    heading = normalise(h1.text_content()) if h1 is not None else None
    title_year = report_year(rules, title) or report_year(rules, heading)
    has_markers = any(m in _own_text(doc) for m in rules.page_markers)

    reports: list[Link] = []
    files: list[Link] = []
    lists: list[Link] = []
    pagers: list[Link] = []
    key = list_key or url
    for link_url, anchor in _iter_anchors(doc, base):
        if link_url == url:
            continue
        link = classify_anchor(rules, link_url, anchor)
        if link is not None:
            (lists if link.kind == Kind.LIST else reports).append(link)
            continue
        file = _file_link(rules, link_url, anchor)
        if file is not None:
            files.append(file)
            continue
        label = normalise(anchor)
        if (label in rules.pager_names or rules.pager_number.search(label)) and _could_be_page(
                link_url):
            pagers.append(Link(link_url, Kind.LIST, "pager", anchor, list_key=key,
                               paginates=True))
    lists.extend(trs_pages(rules, url, html))
    lists.extend(hanweb_pages(rules, url, html))
    for record_link in hanweb_records(rules, url, html):
        (lists if record_link.kind == Kind.LIST else reports).append(record_link)
    lists.extend(json_api_links(rules, base, html))
    return PageView(title, heading, title_year, has_markers, reports, files, lists, pagers)


def page_outcome(rules: Rules, view: PageView, kind: Kind, anchor_year: int | None
                 ) -> tuple[Outcome, str]:
    """What an HTML page is: a report, a list of reports, or neither (with the reason)."""
    if len(view.report_links) >= rules.list_when_links:
        return Outcome.LIST, ""
    names_report = view.title_year is not None or (
        kind in (Kind.REPORT, Kind.ATTACHMENT) and anchor_year is not None)
    if names_report and view.has_markers:
        return Outcome.REPORT, ""
    if kind in (Kind.START, Kind.LIST):
        return Outcome.LIST, ""
    if view.report_links:  # a column by year behind a report-like link
        return Outcome.LIST, ""
    return Outcome.PAGE, "not a report page"


def links_to_follow(view: PageView, outcome: Outcome) -> list[Link]:
    """The links of a page that enter the frontier, given what the page turned out to be.

    Report links and column links are followed from every page; files only from a report
    page (there they are the report's attachments, often the real report); pager links
    only from a list.
    """
    links = [*view.report_links, *view.list_links]
    if outcome == Outcome.REPORT:
        links.extend(view.file_links)
    if outcome == Outcome.LIST:
        links.extend(view.pager_links)
    return links


# --------------------------------------------------------------------------- CMS families


def trs_pages(rules: Rules, url: str, html: str) -> list[Link]:
    """Every page of a TRS list from its createPageHTML(total, current, prefix, suffix) call."""
    m = rules.trs_call.search(html)
    if m is None:
        return []
    total, prefix, suffix = int(m.group("total")), m.group("prefix"), m.group("suffix")
    key = urljoin(url, prefix)
    links = []
    for n in range(min(total, rules.max_list_pages + 1)):
        name = f"{prefix}.{suffix}" if n == 0 else f"{prefix}_{n}.{suffix}"
        page = urljoin(url, name)
        if page != url:
            links.append(Link(page, Kind.LIST, "trs", f"page {n + 1} of {total}",
                              list_key=key, paginates=True))
    return links


def _hanweb_proxy(rules: Rules, url: str, text: str) -> tuple[str, list[tuple[str, str]]] | None:
    hw = rules.hanweb
    if hw["marker"] not in text:
        return None
    paging = set(hw["paging_params"])
    for m in hw["proxy"].finditer(text):
        query = htmlmod.unescape(m.group("query") or "")
        params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
        if any(k.lower() == hw["required_param"].lower() for k, _ in params):
            proxy = urljoin(url, m.group("url"))
            return proxy, [(k, v) for k, v in params if k.lower() not in paging]
    return None


def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    m = pattern.search(text)
    return int(m.group("n")) if m else None


def _hanweb_groups(rules: Rules, proxy: str, params: list[tuple[str, str]], per_page: int,
                   total: int | None) -> list[Link]:
    step = max(1, per_page * rules.hanweb["group"])
    key = f"{proxy}?{urlencode(sorted(params))}"
    records = total if total is not None else 1
    pages = min(math.ceil(records / step) if records else 1, rules.max_list_pages + 1)
    links = []
    for n in range(pages):
        start = n * step + 1
        query = urlencode([("startrecord", start), ("endrecord", start + step - 1),
                           ("perpage", per_page), *params])
        links.append(Link(f"{proxy}?{query}", Kind.LIST, "hanweb",
                          f"records {start}-{start + step - 1}", list_key=key, paginates=True))
    return links


def hanweb_pages(rules: Rules, url: str, html: str) -> list[Link]:
    """The dataproxy.jsp requests of a Hanweb jpage list, from the page's own parameters."""
    found = _hanweb_proxy(rules, url, html)
    if found is None:
        return []
    proxy, params = found
    per_page = _first_int(rules.hanweb["per_page"], html) or 15
    return _hanweb_groups(rules, proxy, params, per_page,
                          _first_int(rules.hanweb["total"], html))


def hanweb_records(rules: Rules, url: str, text: str) -> list[Link]:
    """Report (and column) links in <record><![CDATA[…]]></record>, in a page or an XML answer."""
    links: list[Link] = []
    if "<record" not in text:
        return links
    for m in rules.hanweb["record"].finditer(text):
        fragment = _parse_html(f"<html><body>{m.group('html')}</body></html>")
        if fragment is None:
            continue
        for link_url, anchor in _iter_anchors(fragment, url):
            link = classify_anchor(rules, link_url, anchor)
            if link is not None:
                links.append(link)
    return links


def read_hanweb_xml(rules: Rules, url: str, text: str) -> list[Link]:
    """An XML answer of dataproxy.jsp: its records' links and the rest of the list's groups."""
    links = hanweb_records(rules, url, text)
    total = _first_int(rules.hanweb["total"], text)
    parts = urlsplit(url)
    proxy = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    params = parse_qsl(parts.query, keep_blank_values=True)
    paging = set(rules.hanweb["paging_params"])
    per_page = next((int(v) for k, v in params if k.lower() == "perpage" and v.isdigit()), 15)
    if total is not None:
        links.extend(link for link in _hanweb_groups(
            rules, proxy, [(k, v) for k, v in params if k.lower() not in paging], per_page, total)
            if link.url != url)
    return links


def json_api_links(rules: Rules, base: str, html: str) -> list[Link]:
    """The JSON list APIs a page names (each declared API's `find`)."""
    links = []
    for api in rules.json_apis:
        for m in api.find.finditer(html):
            api_url = clean_url(urljoin(base, htmlmod.unescape(m.group("url"))))
            links.append(Link(api_url, Kind.LIST, f"json:{api.name}", api.name,
                              list_key=_without_param(api_url, api.page_param), paginates=True))
    return links


def _without_param(url: str, name: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _with_param(url: str, name: str, value: int) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == name for k, _ in query):
        query = [(k, str(value) if k == name else v) for k, v in query]
    else:
        query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _path(data: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else []:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def read_json(rules: Rules, family: str, url: str, text: str) -> list[Link]:
    """An answer of a declared JSON list API: its items' report links and the other pages."""
    api = rules.json_api(family.removeprefix("json:"))
    if api is None:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    items = _path(data, api.items)
    links: list[Link] = []
    for item in items if isinstance(items, list) else []:
        title, target = _path(item, api.title), _path(item, api.url)
        if isinstance(title, str) and isinstance(target, str) and target.strip():
            link = classify_anchor(rules, clean_url(urljoin(url, target)), title)
            if link is not None:
                links.append(link)
    total = _path(data, api.total)
    query = dict(parse_qsl(urlsplit(url).query))
    size = query.get(api.size_param, "")
    per_page = int(size) if size.isdigit() and int(size) > 0 else len(items or [])
    if isinstance(total, int) and per_page:
        pages = min(math.ceil(total / per_page), rules.max_list_pages + 1)
        key = _without_param(url, api.page_param)
        for n in range(api.first_page, api.first_page + pages):
            page_url = _with_param(url, api.page_param, n)
            if page_url != url:
                links.append(Link(page_url, Kind.LIST, family, f"page {n}", list_key=key,
                                  paginates=True))
    return links


def unique(links: Iterable[Link]) -> list[Link]:
    """The first link per URL, in order."""
    seen: set[str] = set()
    out = []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out
