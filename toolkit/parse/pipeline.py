"""Parse one report: text → sections → tables → values → checks, plus metadata."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from toolkit.parse.checks import check_report
from toolkit.parse.converter import converter_tokens, is_converter_markdown
from toolkit.parse.meta import find_agency, find_published, find_title, find_year
from toolkit.parse.normalise import normalise_text
from toolkit.parse.prose import check_statements, find_statements
from toolkit.parse.regions import find_spans
from toolkit.parse.report import Check, Fact, Report, cell_detail
from toolkit.parse.review import parse_review
from toolkit.parse.sections import Heading, find_headings, split_sections
from toolkit.parse.selfcheck import self_check
from toolkit.parse.tables import (
    TableResult,
    leading_versions,
    parse_active,
    parse_requests,
)
from toolkit.parse.tokens import TEXT, VALUE, Token, is_eof_cut, tokenize
from toolkit.places.regions import place_body
from toolkit.spec.errors import NotAReport
from toolkit.spec.prose import load_prose
from toolkit.spec.template import Template, load_template
from toolkit.spec.vocab import Flag, Status

LEGACY = "legacy"
"""`meta.template` of a report from before the first template version starts."""
UNKNOWN = "unknown"
"""`meta.template` of a report whose tables tell no version."""


_CUT_FRAGMENTS = frozenset({".", ",", "+", "增", "减", "增加", "减少"})
"""What a page cut mid-cell can leave as its last token: the start of a value (a sign: the
cell was `+4`), never a label, so the row before it runs to the cut."""
_CUT_TAG = re.compile(r"</?[A-Za-z]*$")
"""A tag cut by the end of an HTML page, read as text (`2</`): markup, not a label."""


def _tokens(text: str, span: tuple[int, int], converter: bool = False) -> tuple[
        list[Token], bool]:
    start, end = span
    segment = text[start:end].rstrip(" \t")
    tokens = converter_tokens(segment, start) if converter else tokenize(segment, start)
    at_end = end == len(text)
    if not (at_end and is_eof_cut(text)):
        return tokens, at_end
    if len(tokens) > 1 and (tokens[-1].text in _CUT_FRAGMENTS
                            or (tokens[-1].kind == TEXT and _CUT_TAG.match(tokens[-1].text))):
        tokens.pop()
    if tokens and tokens[-1].kind == VALUE:
        last = tokens[-1]
        rest = segment[last.start - start + len(last.text):].strip()
        if rest in ("", ".", ",") or _CUT_TAG.match(rest):
            tokens.pop()
    return tokens, at_end


def _choose_version(results: list[TableResult], year: int | None,
                    template: Template) -> str | None:
    """The version the tables' own rows and columns vote for; on a tie, the one the
    report's year defaults to (the earliest without a year); None without tables."""
    votes: Counter[str] = Counter()
    for result in results:
        votes.update(result.version_votes)
    leaders = leading_versions(votes, template)
    if len(leaders) == 1:
        return leaders[0]
    if not any(r.rows_found for r in results):
        return None
    by_year = template.version_for_year(year, among=leaders) if year is not None else None
    return by_year or leaders[0]


def parse_text(text: str, source: str = "<text>", hints: Mapping[str, str] | None = None,
               template: Template | None = None, source_url: str | None = None,
               reader_notes: Sequence[str] = ()) -> Report:
    """Parse a report's text (any layout). Raises NotAReport when nothing report-like is found.

    `hints` are what the page around the text says (`html_title`, `meta_title`,
    `meta_published`, `breadcrumb`); `source_url`, the page or file the text came from, lets
    the placement read the website's name where the text does not decide
    (`toolkit.places.regions.place_body`); `reader_notes`, what reading the file took
    (`Document.notes`), lead the report's notes and `detail`."""
    template = template or load_template()
    text = normalise_text(text)
    heading_list = find_headings(text, template)
    headings = {h.key: h for h in heading_list}
    sections = split_sections(text, heading_list)

    title = find_title(text, hints)
    published = find_published(text, hints)
    year = find_year(text, title, published)

    active_span, requests_span, review_span = find_spans(text, headings, template)

    converter = is_converter_markdown(text, template)
    results: list[TableResult] = []
    if active_span:
        tokens, at_end = _tokens(text, active_span, converter)
        results.append(parse_active(tokens, template, None, at_end))
    if requests_span:
        tokens, at_end = _tokens(text, requests_span, converter)
        results.append(parse_requests(tokens, template, at_end))
    if review_span:
        tokens, at_end = _tokens(text, review_span, converter)
        results.append(parse_review(tokens, template, at_end))

    version = _choose_version(results, year, template)
    if version is None and not heading_list and title is None:
        raise NotAReport(source, "no disclosure annual report found: no section headings, "
                                 "report tables or report title")
    facts = [f for r in results for f in r.facts]
    notes = [*reader_notes, *(n for r in results for n in r.notes)]
    prose_checks: list[Check] = []
    if version is not None:
        facts = _redo_active_if_needed(results, facts, version, text, active_span, template,
                                       converter)
        by_key = _complete(facts, version, template)
        values = {key: fact.value for key, fact in by_key.items()}
        statements = find_statements(text, load_prose(template=template), year)
        prose_checks = check_statements(statements, values, version)
        slips = self_check(by_key, values, statements, prose_checks, version, template)
        if slips:
            notes += slips
            prose_checks = check_statements(statements, values, version)
        facts = list(by_key.values())
    else:
        values = {f.key: f.value for f in facts}
    legacy = year is not None and template.version_for_year(year) is None
    template_name = version or (LEGACY if legacy else UNKNOWN)
    checks = check_report(values, version, template) + prose_checks
    agency = find_agency(text, title)
    place = place_body(agency, text, hints, source_url)
    status = _status(heading_list, results, version, facts)
    spans = {"二 (active)": active_span, "三 (requests)": requests_span,
             "四 (review)": review_span}
    report = Report(
        source=source,
        status=status,
        error=_partial_reason(heading_list, results, version, spans)
        if status == Status.PARTIAL else None,
        meta={
            "title": title,
            "agency": agency,
            "year": year,
            "published": published,
            "template": template_name,
            "province": place.province, "city": place.city, "county": place.county,
            "adcode": place.adcode, "level": place.level, "agency_kind": place.agency_kind,
            "body_id": place.body_id, "region_evidence": place.evidence,
            "region_reason": place.reason,
        },
        fact_list=facts,
        check_list=checks,
        sections=sections,
        notes=notes,
        text=text,
        detail=cell_detail(facts, notes),
    )
    return report


def _redo_active_if_needed(results: list[TableResult], facts: list[Fact], version: str,
                           text: str, active_span: tuple[int, int] | None,
                           template: Template, converter: bool) -> list[Fact]:
    """Section 二 without telling headers is read again with the version decided elsewhere."""
    if not active_span or not results or sum(results[0].version_votes.values()) > 0:
        return facts
    tokens, at_end = _tokens(text, active_span, converter)
    redone = parse_active(tokens, template, version, at_end)
    return redone.facts + [f for f in facts if f.table != "active"]


def _complete(facts: list[Fact], version: str, template: Template) -> dict[str, Fact]:
    """Every canonical key appears once: first reading wins, absent cells are missing."""
    seen: dict[str, Fact] = {}
    for fact in facts:
        seen.setdefault(fact.key, fact)
    rows_with_facts = {(f.table, f.row) for f in seen.values()}
    for key in template.canonical_keys(version):
        if key in seen:
            continue
        table, row, column = key.split(".")
        if table == "active" and (table, row) in rows_with_facts:
            continue
        seen[key] = Fact(table, row, column, None, Flag.MISSING, "", "", -1)
    return seen


def _partial_reason(headings: list[Heading], results: list[TableResult], version: str | None,
                    spans: dict[str, tuple[int, int] | None]) -> str:
    """Why a report is `partial`, in words: the tables and closing sections not found."""
    keys = {h.key for h in headings}
    reasons = []
    found = iter(results)
    missing = []
    for name, span in spans.items():
        result = next(found) if span else None
        if result is None or not result.rows_found:
            missing.append(name)
    if version is not None and missing:
        reasons.append("table " + ", ".join(missing) + " not found")
    if not keys & {"problems", "other"}:
        reasons.append("the closing sections (五 problems, 六 other) not found: the text may "
                       "be cut short")
    return "; ".join(reasons) or "incomplete report"


def _status(headings: list[Heading], results: list[TableResult], version: str | None,
            facts: list[Fact]) -> Status:
    keys = {h.key for h in headings}
    complete = bool(keys & {"problems", "other"})
    if version is None:
        return Status.OK if complete else Status.PARTIAL
    tables = sum(1 for r in results if r.rows_found)
    return Status.OK if complete and tables == 3 else Status.PARTIAL


def parse_report(path: str | Path, source_url: str | None = None,
                 hints: Mapping[str, str] | None = None, data: bytes | None = None) -> Report:
    """Read and parse one file. Raises ReadError/UnsupportedFormat/NotAReport on bad input.

    `source_url` is where the file was fetched from, `hints` what the page that offered it
    says (e.g. `html_title`: its title); the file's own hints (an HTML page's <title>) win.
    `data`: the file's bytes, already read (they are parsed instead of reading the file)."""
    from toolkit.read import read_document

    document = read_document(path, data=data)
    return parse_text(document.text, source=str(path), hints={**(hints or {}), **document.hints},
                      source_url=source_url, reader_notes=document.notes)
