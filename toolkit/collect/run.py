"""`python -m toolkit collect`: the command line, the Scrapy settings, one crawl in-process.

A crawl folder (`--out DIR`) holds `frontier.sqlite` (the record of truth), `warc/` (every
exchange) and `manifest.parquet` / `manifest.csv` (one row per URL, rewritten at the end of
every run). Exit status: 0 when every URL in the frontier was recorded and none failed;
1 when some failed, some start URLs were not URLs, or some are still pending (`--max-pages`,
Ctrl-C: continue with `--resume`); 2 for bad arguments (nothing was crawled).

Scrapy runs in this process (CrawlerProcess). Twisted's reactor cannot be restarted, so one
process runs one crawl: tests and benchmarks start the command in a subprocess.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.collect.discovery import DiscoveryError, clean_url, is_http, load_rules
from toolkit.collect.frontier import FRONTIER_FILE, Frontier
from toolkit.collect.manifest import write_manifest
from toolkit.collect.outcome import Kind, Outcome, State
from toolkit.collect.scope import Scope

MAX_POLITE_CONCURRENCY = 2


def _toolkit_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ogi-toolkit")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "0+unknown"


__version__ = _toolkit_version()
EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad argument: the message says what to do; the exit status is 2."""


@dataclass
class CollectConfig:
    """Everything one crawl needs; the command line fills it, benchmarks and tests may too."""

    out: Path
    start_urls: list[str] = field(default_factory=list)
    allow_domains: list[str] = field(default_factory=list)
    max_pages: int | None = None
    since: int | None = None
    delay: float = 1.0
    resume: bool = False
    contact: str | None = None
    concurrency_per_host: int = 1
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 1.0
    """Seconds before the first retry, doubled for each further one."""
    discovery: Path | None = None
    warc_max_bytes: int = 1_000_000_000
    progress_interval: float = 5.0
    autothrottle: bool = True
    """AutoThrottle on (the default); only a benchmark on a local site turns it off."""
    concurrency: int = 16
    """Requests in flight over all hosts (each host still gets concurrency_per_host)."""


def user_agent(contact: str | None) -> str:
    """'ogi-toolkit/0.1.0 (+mailto:…; government information disclosure annual reports)'."""
    about = "government information disclosure annual reports collector"
    if not contact:
        return f"ogi-toolkit/{__version__} ({about})"
    if "@" in contact and "://" not in contact and not contact.startswith("mailto:"):
        contact = f"mailto:{contact}"
    return f"ogi-toolkit/{__version__} (+{contact}; {about})"


def crawl_settings(config: CollectConfig) -> dict[str, Any]:
    """Scrapy settings: polite by default (robots.txt, one request per host, AutoThrottle)."""
    import scrapy
    import warcio

    delay = max(0.0, config.delay)
    return {
        "BOT_NAME": "ogi-toolkit",
        "USER_AGENT": user_agent(config.contact),
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": "ogi-toolkit",
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        },
        "CONCURRENT_REQUESTS": max(config.concurrency, config.concurrency_per_host),
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency_per_host,
        # the spider yields no items; Scrapy starts this many tasks per response all the same
        "CONCURRENT_ITEMS": 1,
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": config.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0) if delay else 0.0,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.concurrency_per_host),
        "DOWNLOAD_TIMEOUT": config.timeout,
        "DOWNLOAD_MAXSIZE": 256 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": config.retries > 0,
        "RETRY_TIMES": config.retries,
        "RETRY_BACKOFF_BASE": config.backoff,
        "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "LOG_INSTALL_ROOT_HANDLER": False,
        "SCHEDULER": "toolkit.collect.scheduler.FrontierScheduler",
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "toolkit.collect.middlewares.ScopeMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "toolkit.collect.middlewares.BackoffRetryMiddleware": 550,
            "toolkit.collect.warc.WarcMiddleware": 950,
        },
        "COLLECT_DIR": str(config.out),
        "COLLECT_WARC_MAX_BYTES": config.warc_max_bytes,
        "COLLECT_WARC_INFO": {
            "software": f"ogi-toolkit/{__version__} (Scrapy {scrapy.__version__}, "
                        f"warcio {_version('warcio', warcio)})",
            "format": "WARC File Format 1.0",
            "robots": "obey",
            "http-header-user-agent": user_agent(config.contact),
            "description": "government information disclosure annual reports",
        },
    }


def _version(name: str, module: Any) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return str(getattr(module, "__version__", "?"))


class _ScrapyLogFilter(logging.Filter):
    """Scrapy's warnings only (it sets its loggers to DEBUG, and resets their children when
    a crawler starts), and none of the lines that repeat ours (one per failed URL) with a
    traceback. Set on the root logger's handlers, which Scrapy leaves alone."""

    REPEATS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper",
               "scrapy.downloadermiddlewares.retry")

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(self.REPEATS):
            return record.levelno >= logging.CRITICAL
        if record.name == "scrapy" or record.name.startswith(("scrapy.", "twisted", "py.warnings")):
            return record.levelno >= self.level
        return True


def _quiet_scrapy_logs() -> None:
    verbose = logging.getLogger().getEffectiveLevel() <= logging.INFO
    quiet = _ScrapyLogFilter(logging.INFO if verbose else logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _ScrapyLogFilter) for f in handler.filters):
            handler.addFilter(quiet)


def _open_frontier(config: CollectConfig) -> tuple[Frontier, Scope, int | None]:
    path = config.out / FRONTIER_FILE
    if path.exists() and not config.resume:
        raise UsageError(f"{config.out} already holds a crawl: add --resume to continue it, "
                         "or give another --out")
    if config.resume and not path.exists():
        raise UsageError(f"nothing to resume in {config.out} (no {FRONTIER_FILE}); "
                         "drop --resume to start a crawl there")
    config.out.mkdir(parents=True, exist_ok=True)
    frontier = Frontier(path)
    stored_domains = frontier.get_meta("domains", [])
    since = config.since if config.since is not None else frontier.get_meta("since")
    valid = [u for u in config.start_urls if is_http(u)]
    scope = Scope.of(valid, [*config.allow_domains, *stored_domains])
    frontier.set_meta("domains", sorted(scope.domains))
    frontier.set_meta("since", since)
    if config.resume:
        frontier.requeue()
    for url in config.start_urls:
        if is_http(url):
            frontier.add(clean_url(url), Kind.START, depth=0, family="start")
        else:
            frontier.add(url, Kind.START, depth=0, family="start", state=State.FAILED,
                         reason="not an http(s) URL")
    frontier.commit()
    return frontier, scope, since


def collect(config: CollectConfig) -> int:
    """Run one crawl (blocking; once per process); return the exit status."""
    from scrapy.crawler import CrawlerProcess

    from toolkit.collect.progress import Progress
    from toolkit.collect.spider import CollectSpider

    rules = load_rules(config.discovery)
    frontier, scope, since = _open_frontier(config)
    progress = Progress(frontier, config.progress_interval)
    _quiet_scrapy_logs()
    process = CrawlerProcess(crawl_settings(config))
    process.crawl(CollectSpider, frontier=frontier, rules=rules, scope=scope, since=since,
                  max_pages=config.max_pages, progress=progress)
    try:
        process.start()
    finally:
        frontier.requeue()
        manifest = write_manifest(frontier, config.out)
        counts = frontier.counts()
        frontier.close()
    errors, pending = counts.get(Outcome.ERROR, 0), counts.get(Outcome.PENDING, 0)
    print(f"collect: done: {progress.fetched} answers this run | "
          f"{counts.get(Outcome.REPORT, 0)} reports, {counts.get(Outcome.ATTACHMENT, 0)} "
          f"attachments, {counts.get(Outcome.LIST, 0)} lists, {counts.get(Outcome.PAGE, 0)} "
          f"other pages | {errors} errors, {counts.get(Outcome.SKIPPED, 0)} skipped, "
          f"{pending} pending -> {manifest}", file=sys.stderr, flush=True)
    if pending:
        print(f"collect: {pending} URLs not fetched yet: continue with --resume --out "
              f"{config.out}", file=sys.stderr)
    return EXIT_PARTIAL if errors or pending else EXIT_OK


# --------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m toolkit collect",
        description="Fetch annual reports (政府信息公开工作年度报告) from government websites "
                    "into WARC files and a manifest. Polite by default: robots.txt, one "
                    "request at a time per host, a delay, AutoThrottle.",
        epilog="Exit status: 0 all done; 1 some URLs failed or are still pending "
               "(continue with --resume); 2 bad arguments.")
    p.add_argument("start_urls", nargs="*", metavar="START_URL",
                   help="pages to start from: a 年报 column, a disclosure section, a report")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="crawl folder: frontier.sqlite, warc/, manifest.parquet, manifest.csv")
    p.add_argument("--urls", type=Path, metavar="FILE",
                   help="more start URLs, one a line (# comments and blank lines ignored)")
    p.add_argument("--allow-domain", action="append", default=[], metavar="DOMAIN",
                   help="also follow links to DOMAIN and its subdomains (repeatable)")
    p.add_argument("--max-pages", type=int, metavar="N",
                   help="fetch at most N URLs in this run (the rest stay pending)")
    p.add_argument("--since", type=int, metavar="YEAR",
                   help="skip report links whose year is before YEAR")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="at least this long between requests to one host (default 1)")
    p.add_argument("--resume", action="store_true",
                   help="continue the crawl in --out: recorded URLs are not fetched again")
    p.add_argument("--contact", metavar="EMAIL_OR_URL",
                   help="how site operators reach you; goes into the User-Agent")
    p.add_argument("--concurrency-per-host", type=int, default=1, metavar="N",
                   help="requests in flight per host (default 1, at most 2 unless forced)")
    p.add_argument("--force-concurrency", action="store_true",
                   help="allow --concurrency-per-host above 2 (only with the site's consent)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="give up on an answer after this long (default 30)")
    p.add_argument("--retries", type=int, default=2, metavar="N",
                   help="retries on 5xx, 408, 429 and network errors, with backoff (default 2)")
    p.add_argument("--discovery", type=Path, metavar="FILE",
                   help="discovery rules to use instead of the package's discovery.toml")
    p.add_argument("--warc-max-mb", type=int, default=1000, metavar="MB",
                   help="start a new WARC file past this size (default 1000)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def _read_url_file(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as error:
        raise UsageError(f"cannot read --urls {path}: {error.strerror}") from error
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def config_from_args(args: argparse.Namespace) -> CollectConfig:
    """Check the arguments (UsageError says what to change) and make the crawl's config."""
    urls = list(args.start_urls) + (_read_url_file(args.urls) if args.urls else [])
    if not urls and not args.resume:
        raise UsageError("no start URL: give START_URL, --urls FILE, or --resume")
    bad = [u for u in urls if not is_http(u)]
    for url in bad:
        print(f"collect: not an http(s) URL: {url!r} (give a URL that starts with http:// "
              "or https://)", file=sys.stderr)
    if bad and len(bad) == len(urls) and not args.resume:
        raise UsageError("no usable start URL")
    if args.concurrency_per_host < 1:
        raise UsageError("--concurrency-per-host must be at least 1")
    if args.concurrency_per_host > MAX_POLITE_CONCURRENCY and not args.force_concurrency:
        raise UsageError(f"--concurrency-per-host {args.concurrency_per_host} is more than "
                         f"{MAX_POLITE_CONCURRENCY} requests at a time to one government site; "
                         "add --force-concurrency if its operator agreed")
    if args.max_pages is not None and args.max_pages < 1:
        raise UsageError("--max-pages must be at least 1")
    if args.since is not None and not 1990 <= args.since <= 2100:
        raise UsageError(f"--since {args.since}: give a year such as 2019")
    if args.delay < 0 or args.timeout <= 0 or args.retries < 0 or args.warc_max_mb < 1:
        raise UsageError("--delay, --retries must be >= 0; --timeout, --warc-max-mb > 0")
    return CollectConfig(
        out=args.out, start_urls=urls, allow_domains=args.allow_domain,
        max_pages=args.max_pages, since=args.since, delay=args.delay, resume=args.resume,
        contact=args.contact, concurrency_per_host=args.concurrency_per_host,
        timeout=args.timeout, retries=args.retries, discovery=args.discovery,
        warc_max_bytes=args.warc_max_mb * 1_000_000,
        progress_interval=0.0 if args.quiet else 5.0)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m toolkit collect …`; returns the exit status (see the module's docstring)."""
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
        if not config.contact:
            print("collect: no --contact given: site operators cannot reach you about this "
                  "crawl", file=sys.stderr)
        return collect(config)
    except (UsageError, DiscoveryError) as error:
        print(f"collect: error: {error}", file=sys.stderr)
        return EXIT_USAGE
