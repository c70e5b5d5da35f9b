"""The Scrapy spider: record each answer in the frontier, add the links the rules pick.

The spider yields nothing to Scrapy: the frontier is the queue (see scheduler.py). For each
response it decides what the URL was (`discovery.page_outcome`, or a file by its bytes and
headers), writes that row, adds the page's selected links (skipped ones with their reason:
off-host, before --since, depth or list page limit) and commits both together. Errors
become rows with a reason; no exception leaves a callback.
"""
from __future__ import annotations

import hashlib
import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import TextResponse
from twisted.internet import error as net_error

from toolkit.collect import discovery
from toolkit.collect.discovery import Link, Rules
from toolkit.collect.files import (
    filename_from_disposition,
    filename_from_url,
    header_charset,
    is_file_response,
    media_type,
)
from toolkit.collect.frontier import Entry, Frontier
from toolkit.collect.middlewares import ALREADY_RECORDED, OFF_HOST
from toolkit.collect.outcome import Kind, Outcome, State
from toolkit.collect.progress import Progress
from toolkit.collect.scope import Scope

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

log = logging.getLogger(__name__)

BEFORE_SINCE = "before --since"
ROBOTS = "robots.txt"


def describe_failure(exc: BaseException) -> str:
    """A short reason for a download that got no answer."""
    if isinstance(exc, DownloadConnectionRefusedError | net_error.ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, CannotResolveHostError | net_error.DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exc, DownloadTimeoutError | TimeoutError | net_error.TimeoutError
                  | net_error.TCPTimedOutError):
        return "timeout"
    if isinstance(exc, ResponseDataLossError):
        return "answer cut short (data loss)"
    if isinstance(exc, net_error.ConnectionLost | net_error.ConnectionDone):
        return "connection lost"
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "ResponseNeverReceived" in name or "ResponseFailed" in name:
        return f"no response ({text[:120]})" if text else "no response"
    return f"{name}: {text[:160]}" if text else name


class CollectSpider(Spider):
    """Records answers and discovered links in the frontier."""

    name = "collect"

    def __init__(self, *, frontier: Frontier, rules: Rules, scope: Scope, since: int | None,
                 max_pages: int | None, progress: Progress, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frontier = frontier
        self.rules = rules
        self.scope = scope
        self.allowed_domains = sorted(scope.domains)
        self.since = since
        self.max_pages = max_pages
        self.progress = progress
        self.stopping = False
        self.errors = 0

    async def start(self) -> Any:
        """No start requests: the scheduler reads the frontier (start URLs are rows in it)."""
        return
        yield  # pragma: no cover - makes this an async generator

    def request_for(self, entry: Entry) -> Request | None:
        """The request for a frontier row; a URL Scrapy refuses becomes an error row."""
        headers = {"Referer": entry.referrer} if entry.referrer else {}
        try:
            return Request(entry.url, callback=self.parse, errback=self.failed, headers=headers,
                           meta={"collect_entry": entry}, dont_filter=True)
        except (ValueError, TypeError) as error:
            self._error(entry, f"bad URL: {error}")
            self.frontier.commit()
            return None

    # -- answers ------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> None:
        entry: Entry = response.meta["collect_entry"]
        try:
            self._record(entry, response)
        except Exception as error:  # a bug must not stop the crawl: record it, log it
            log.exception("internal error while recording %s", entry.url)
            self._error(entry, f"internal error: {type(error).__name__}: {error}")
        self.frontier.commit()
        self.progress.tick()

    def _record(self, entry: Entry, response: Response) -> None:
        body = response.body
        warc_file, warc_offset = response.meta.get("collect_warc", (None, None))
        content_type = _header(response, b"Content-Type")
        common: dict[str, Any] = {
            "final_url": response.url, "status": response.status,
            "content_type": content_type, "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "fetched_at": response.meta.get("collect_fetched_at"),
            "warc_file": warc_file, "warc_offset": warc_offset,
        }
        if response.url != entry.url:
            self._reached_by_redirect(response.url, entry)
        if not 200 <= response.status < 300:
            tries = response.meta.get("retry_times", 0)
            reason = str(response.status) + (f" after {tries + 1} tries" if tries else "")
            self._error(entry, reason, **common)
            return
        disposition = response.headers.get(b"Content-Disposition")
        if is_file_response(body, content_type, disposition, response.url,
                            self.rules.content_types, self.rules.extensions):
            name = filename_from_disposition(disposition) or filename_from_url(response.url)
            self._finish(entry, State.FETCHED, Outcome.ATTACHMENT, None, filename=name,
                         charset=None, **common)
            return
        mtype = media_type(content_type)
        text = response.text if isinstance(response, TextResponse) else None
        charset = response.encoding if isinstance(response, TextResponse) else None
        common["charset"] = charset or header_charset(content_type)
        if text is None:
            self._finish(entry, State.FETCHED, Outcome.PAGE, f"not a page ({mtype or 'no type'})",
                         **common)
            return
        head = text[:200].lstrip()
        if (entry.family or "").startswith("json:") or "json" in mtype:
            links = discovery.read_json(self.rules, entry.family or "", response.url, text)
            self._finish(entry, State.FETCHED, Outcome.LIST, None, **common)
            self._admit_all(links, entry, response.url, page_year=None)
            return
        if head.startswith(("<?xml", "<datastore")) and "<html" not in text[:1000].lower():
            links = discovery.read_hanweb_xml(self.rules, response.url, text)
            self._finish(entry, State.FETCHED, Outcome.LIST, None, **common)
            self._admit_all(links, entry, response.url, page_year=None)
            return
        view = discovery.read_html(self.rules, response.url, text, entry.list_key)
        outcome, reason = discovery.page_outcome(self.rules, view, entry.kind, entry.year)
        year = view.title_year or entry.year
        self._finish(entry, State.FETCHED, outcome, reason or None, title=view.title,
                     year=year, **common)
        self._admit_all(discovery.links_to_follow(view, outcome), entry, response.url,
                        page_year=year if outcome == Outcome.REPORT else None)

    def _reached_by_redirect(self, final_url: str, entry: Entry) -> None:
        """The redirect's target is done too: never fetch it again under its own URL."""
        reason = f"reached by redirect from {entry.url}"
        if self.frontier.knows(final_url):
            self.frontier.skip_known(final_url, reason)
        else:
            self.frontier.add(final_url, entry.kind, depth=entry.depth, family=entry.family,
                              referrer=entry.url, anchor_text=entry.anchor_text,
                              year=entry.year, list_key=entry.list_key,
                              state=State.SKIPPED, reason=reason)

    # -- links --------------------------------------------------------------------------

    def _admit_all(self, links: list[Link], parent: Entry, page_url: str,
                   page_year: int | None) -> None:
        for link in discovery.unique(links):
            self._admit(link, parent, page_url, page_year)

    def _admit(self, link: Link, parent: Entry, page_url: str, page_year: int | None) -> None:
        """Add one link: pending, or skipped with the rule that stopped it."""
        if self.frontier.knows(link.url):
            return
        depth = parent.depth if link.paginates else parent.depth + 1
        year = link.year if link.year is not None else (
            page_year if link.kind == Kind.ATTACHMENT else None)
        state, reason = State.PENDING, None
        if not discovery.is_http(link.url):
            state, reason = State.SKIPPED, "not an http(s) URL"
        elif not self.scope.allows(link.url):
            state, reason = State.SKIPPED, OFF_HOST
        elif (link.kind in (Kind.REPORT, Kind.ATTACHMENT) and self.since is not None
              and link.year is not None and link.year < self.since):
            state, reason = State.SKIPPED, BEFORE_SINCE
        elif link.family == "column" and depth > self.rules.max_depth:
            state, reason = State.SKIPPED, f"depth limit ({self.rules.max_depth})"
        elif (link.kind == Kind.LIST and link.list_key is not None and link.family != "column"
              and self.frontier.list_pages(link.list_key) >= self.rules.max_list_pages):
            state, reason = State.SKIPPED, f"list page limit ({self.rules.max_list_pages})"
        self.frontier.add(link.url, link.kind, depth=depth, family=link.family,
                          referrer=page_url, anchor_text=link.anchor, year=year,
                          list_key=link.list_key, state=state, reason=reason)

    # -- failures -----------------------------------------------------------------------

    def failed(self, failure: Failure) -> None:
        """Errback: a download with no answer (refused, timeout, robots.txt, off-host redirect)."""
        request = failure.request  # type: ignore[attr-defined]
        entry: Entry | None = request.meta.get("collect_entry")
        if entry is None:
            return
        exc = failure.value or RuntimeError("unknown failure")
        fields: dict[str, Any] = {"final_url": request.url}
        if isinstance(exc, IgnoreRequest):
            message = str(exc)
            if message == ALREADY_RECORDED:
                return
            if "robots.txt" in message:
                self._finish(entry, State.SKIPPED, Outcome.SKIPPED, ROBOTS, **fields)
            elif message.startswith(OFF_HOST):
                where = "redirect " if request.url != entry.url else ""
                self._finish(entry, State.SKIPPED, Outcome.SKIPPED, f"{OFF_HOST} {where}"
                             f"({message.removeprefix(OFF_HOST + ': ')})", **fields)
            elif "max redirections" in message:
                self._error(entry, "too many redirects", **fields)
            else:
                self._finish(entry, State.SKIPPED, Outcome.SKIPPED, message or "ignored", **fields)
        else:
            tries = request.meta.get("retry_times", 0)
            reason = describe_failure(exc) + (f" after {tries + 1} tries" if tries else "")
            self._error(entry, reason, **fields)
        self.frontier.commit()
        self.progress.tick()

    def _error(self, entry: Entry, reason: str, **fields: Any) -> None:
        self.errors += 1
        print(f"collect: {entry.url}: {reason}", file=sys.stderr, flush=True)
        self._finish(entry, State.FAILED, Outcome.ERROR, reason, **fields)

    def _finish(self, entry: Entry, state: State, outcome: Outcome, reason: str | None,
                **fields: Any) -> None:
        self.frontier.finish(entry.id, state, outcome, reason, **fields)

    def closed(self, reason: str) -> None:
        """Rows Scrapy still held (Ctrl-C, --max-pages) go back to pending for --resume."""
        self.stopping = True
        self.frontier.requeue()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
