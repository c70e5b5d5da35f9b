"""A Scrapy scheduler fed from the on-disk frontier, a few rows at a time.

Scrapy's own scheduler keeps every request in memory (or in its JOBDIR queues) and its
dupefilter decides what was seen. Here the SQLite frontier decides: the spider adds the
links it finds to the frontier, and this scheduler turns pending rows into requests only
when the engine asks for one, so memory holds a batch, not the crawl. Requests that
Scrapy's middlewares make themselves (retries, redirects) come back through
`enqueue_request` and go first.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import BaseScheduler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

    from toolkit.collect.frontier import Entry


class FrontierScheduler(BaseScheduler):
    """Hands out the frontier's pending rows; stops at the run's --max-pages budget."""

    batch = 32

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.again: deque[Request] = deque()
        self.buffer: deque[Entry] = deque()
        self.taken = 0
        self.spider: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        return cls(crawler)

    def open(self, spider: Any) -> None:
        self.spider = spider

    def close(self, reason: str) -> None:
        self.buffer.clear()

    def _budget(self) -> int:
        limit = self.spider.max_pages
        return self.batch if limit is None else min(self.batch, limit - self.taken)

    def has_pending_requests(self) -> bool:
        if self.again or self.buffer:
            return True
        return self._budget() > 0 and self.spider.frontier.pending > 0 and not self.spider.stopping

    def enqueue_request(self, request: Request) -> bool:
        self.again.append(request)
        return True

    def next_request(self) -> Request | None:
        if self.again:
            return self.again.popleft()
        while True:
            if not self.buffer:
                n = self._budget()
                if n <= 0 or self.spider.stopping:
                    return None
                entries = self.spider.frontier.take(n)
                if not entries:
                    return None
                self.taken += len(entries)
                self.buffer.extend(entries)
            request = self.spider.request_for(self.buffer.popleft())
            if request is not None:
                return request

    def __len__(self) -> int:
        return len(self.again) + len(self.buffer) + self.spider.frontier.pending
