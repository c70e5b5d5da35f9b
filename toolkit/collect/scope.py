"""Which hosts a crawl may visit: its start URLs' hosts and the domains allowed on the command line."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """The URL's host name, lower case, without port ('' when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


@dataclass(frozen=True)
class Scope:
    """Hosts (and their subdomains) a crawl stays on, as Scrapy's allowed_domains reads them."""

    domains: frozenset[str]

    @classmethod
    def of(cls, start_urls: Iterable[str], allow_domains: Iterable[str] = ()) -> Scope:
        hosts = {host_of(u) for u in start_urls}
        hosts |= {d.strip().lower().lstrip(".").rstrip(".") for d in allow_domains}
        return cls(frozenset(h for h in hosts if h))

    def allows(self, url: str) -> bool:
        host = host_of(url)
        return bool(host) and any(host == d or host.endswith("." + d) for d in self.domains)
