"""Scrapy downloader middlewares of the collector: staying in scope, backing off on retries."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from toolkit.collect.outcome import State
from toolkit.collect.scope import Scope, host_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

OFF_HOST = "off-host"
ALREADY_RECORDED = "already recorded"


class ScopeMiddleware:
    """The last check before a request leaves: on the crawl's hosts, and still wanted.

    It replaces Scrapy's OffsiteMiddleware, which drops an off-site redirect in the
    request_scheduled signal, where no errback hears of it and the frontier row would
    wait forever; raising IgnoreRequest here reaches the request's errback, which records
    it. A request whose frontier row was recorded meanwhile (its URL answered a redirect
    of another request) is dropped as "already recorded".
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider: Any = self.crawler.spider
        scope: Scope | None = getattr(spider, "scope", None)
        if scope is not None and not scope.allows(request.url):
            raise IgnoreRequest(f"{OFF_HOST}: {host_of(request.url)}")
        entry = request.meta.get("collect_entry")
        if (entry is not None and "redirect_urls" not in request.meta
                and spider.frontier.state(entry.id) == State.SKIPPED):
            raise IgnoreRequest(ALREADY_RECORDED)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, plus a growing wait before each retry (1, 2, 4 … × base).

    The wait is spent before the request reaches its download slot, so the host's own
    politeness delay still applies after it. Setting: RETRY_BACKOFF_BASE (seconds),
    RETRY_BACKOFF_MAX.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_request(self, request: Request) -> None:
        tries = request.meta.get("retry_times", 0)
        if tries and request.meta.get("collect_backed_off") != tries and self.base > 0:
            request.meta["collect_backed_off"] = tries
            delay = min(self.cap, self.base * 2 ** (tries - 1))
            from twisted.internet import reactor  # the running one (imported late on purpose)

            await maybe_deferred_to_future(deferLater(reactor, delay))
