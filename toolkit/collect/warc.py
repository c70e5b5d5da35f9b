"""Every HTTP exchange of a crawl, archived in WARC as received.

`WarcMiddleware` sits next to the downloader (after every other downloader middleware on
the way out, before every one on the way back), so it sees the request with all its headers
and the response before redirects are followed, retries are made and content encodings are
undone: 3xx, 404 and retried 500 answers are archived, and a gzip'd body stays gzip'd.
`WarcFiles` writes them with warcio: gzip'd files `DIR/warc/collect-00000.warc.gz`, …, a
new one when a file passes its size limit (and on every run: a file a killed crawl left
is never appended to), each starting with a warcinfo record, then per exchange a `request`
and a `response` record linked by WARC-Concurrent-To. The location of each response record
goes into the request's meta for the manifest.

Scrapy does not keep the bytes of the status line and header block, so those are rebuilt
from what it keeps: the protocol and status code (the reason phrase is the standard one),
header names as Scrapy normalises them (Title-Case), values byte for byte (a GBK file name
stays GBK). The body is dechunked by the HTTP client, which also drops the
`Transfer-Encoding` header; should one come through, it is archived as
`X-Archive-Orig-Transfer-Encoding` so readers do not try to dechunk the body again.
"""
from __future__ import annotations

import http
import re
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

WARC_FOLDER = "warc"
_NAME = re.compile(r"^collect-(\d{5,})\.warc\.gz$")


class _RawHeaders(StatusAndHeaders):
    """Status line and headers whose bytes are written as given (warcio would re-encode)."""

    def __init__(self, statusline: str, headers: list[tuple[str, str]], protocol: str,
                 raw: bytes, is_http_request: bool = False) -> None:
        super().__init__(statusline, headers, protocol=protocol, is_http_request=is_http_request)
        self._raw = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self._raw


def warc_date(moment: datetime) -> str:
    """WARC-Date form (WARC 1.0: seconds, UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_block(first_line: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    lines = [first_line, *(name + b": " + value for name, value in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _text_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]


class WarcFiles:
    """Rotating gzip'd WARC files in one folder; `write_exchange` returns where it wrote."""

    def __init__(self, folder: str | Path, max_bytes: int = 1_000_000_000,
                 info: dict[str, str] | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.info = dict(info or {})
        used = [int(m.group(1)) for p in self.folder.iterdir() if (m := _NAME.match(p.name))]
        self._next = max(used) + 1 if used else 0
        self._fh: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self.path: Path | None = None

    def _open(self) -> WARCWriter:
        self.path = self.folder / f"collect-{self._next:05d}.warc.gz"
        self._next += 1
        self._fh = open(self.path, "xb")  # noqa: SIM115 - kept open across exchanges
        writer = WARCWriter(self._fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(self.path.name, self.info))
        self._fh.flush()
        self._writer = writer
        return writer

    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[bytes, bytes]],
                       request_body: bytes, protocol: str, status: int,
                       response_headers: list[tuple[bytes, bytes]], body: bytes,
                       moment: datetime, ip_address: str | None = None,
                       request_url: str | None = None) -> tuple[Path, int]:
        """Write a request and a response record; return the WARC file and the response's offset.

        `url` is the URL answered; `request_url` the one asked when they differ (never here:
        Scrapy makes a new request per redirect, kept for completeness).
        """
        writer = self._writer or self._open()
        assert self._fh is not None and self.path is not None
        date = warc_date(moment)
        request_id = StatusAndHeadersParser.make_warc_id()
        response_id = StatusAndHeadersParser.make_warc_id()

        parts = urlsplit(request_url or url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_line = f"{method} {target} HTTP/1.1"
        req_headers = [(b"Host", parts.netloc.encode("ascii", "replace")), *request_headers]
        request = writer.create_warc_record(
            request_url or url, "request", payload=BytesIO(request_body), length=len(request_body),
            http_headers=_RawHeaders(req_line, _text_headers(req_headers), "",
                                     _header_block(req_line.encode("latin-1", "replace"),
                                                   req_headers), is_http_request=True),
            warc_headers_dict={"WARC-Record-ID": request_id, "WARC-Date": date,
                               "WARC-Concurrent-To": response_id})

        phrase = _phrase(status)
        status_line = f"{status} {phrase}".strip()
        resp_headers = [(b"X-Archive-Orig-Transfer-Encoding" if n.lower() == b"transfer-encoding"
                         else n, v) for n, v in response_headers]
        warc_headers = {"WARC-Record-ID": response_id, "WARC-Date": date,
                        "WARC-Concurrent-To": request_id}
        if ip_address:
            warc_headers["WARC-IP-Address"] = ip_address
        response = writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body),
            http_headers=_RawHeaders(status_line, _text_headers(resp_headers), protocol,
                                     _header_block(f"{protocol} {status_line}".encode("latin-1"),
                                                   resp_headers)),
            warc_headers_dict=warc_headers)

        writer.write_record(request)
        offset = self._fh.tell()
        writer.write_record(response)
        self._fh.flush()
        path = self.path
        if self._fh.tell() >= self.max_bytes:
            self.close()
        return path, offset

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = None
        self._writer = None


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcMiddleware:
    """Scrapy downloader middleware: archive each exchange; note where in request.meta.

    Settings: COLLECT_DIR (the crawl folder), COLLECT_WARC_MAX_BYTES, COLLECT_WARC_INFO.
    Meta set on the request: `collect_warc` (file relative to COLLECT_DIR, offset),
    `collect_fetched_at` (ISO UTC), `collect_wire_bytes` (body length as received).
    """

    def __init__(self, crawler: Crawler) -> None:
        from scrapy import signals

        settings = crawler.settings
        self.root = Path(settings["COLLECT_DIR"])
        self.files = WarcFiles(self.root / WARC_FOLDER,
                               settings.getint("COLLECT_WARC_MAX_BYTES", 1_000_000_000),
                               settings.getdict("COLLECT_WARC_INFO"))
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMiddleware:
        return cls(crawler)

    def _closed(self, spider: Any = None) -> None:
        self.files.close()

    def process_response(self, request: Request, response: Response) -> Response:
        moment = datetime.now(UTC)
        headers = [(bytes(name), bytes(value)) for name, values in response.headers.items()
                   for value in values]
        req_headers = [(bytes(name), bytes(value)) for name, values in request.headers.items()
                       for value in values]
        ip = getattr(response, "ip_address", None)
        path, offset = self.files.write_exchange(
            url=response.url, method=request.method, request_headers=req_headers,
            request_body=request.body or b"", protocol=response.protocol or "HTTP/1.1",
            status=response.status, response_headers=headers, body=response.body,
            moment=moment, ip_address=str(ip) if ip else None)
        request.meta["collect_warc"] = (path.relative_to(self.root).as_posix(), offset)
        request.meta["collect_fetched_at"] = warc_date(moment)
        request.meta["collect_wire_bytes"] = len(response.body)
        return response
