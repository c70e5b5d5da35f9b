"""A local web site for tests and benchmarks of the collector: routes, delays, a request log.

`LocalSite(routes)` serves on 127.0.0.1 (a free port) from a thread: each route is a
`Reply` or a function of the `Hit` that returns one. Header values may be bytes, sent
as they are (a GBK Content-Disposition); `Reply.chunked` sends Transfer-Encoding: chunked,
`Reply.gzip` compresses the body when the client accepts gzip, `Reply.delay` answers late.
Every request is logged in `hits` (method, path with query, Host, User-Agent, time), so a
test can say what was and was not requested.
"""
from __future__ import annotations

import gzip as gzipmod
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    """What a route answers."""

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str | bytes]] = field(default_factory=list)
    delay: float = 0.0
    gzip: bool = False
    chunked: bool = False

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Hit:
    """One request the site received."""

    method: str
    path: str
    """Path and query, as requested."""
    host: str
    user_agent: str
    accept_encoding: str
    at: float
    """time.monotonic() when the request arrived."""


Route = Reply | Callable[[Hit], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    site: LocalSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a crawl killed on purpose) is not the site's error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        hit = Hit("GET", self.path, self.headers.get("Host", ""),
                  self.headers.get("User-Agent", ""), self.headers.get("Accept-Encoding", ""),
                  time.monotonic())
        site = self.server.site
        site._log(hit)
        reply = site.reply_for(hit)
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.data()
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            if isinstance(value, bytes):
                self._headers_buffer.append(name.encode("latin-1") + b": " + value + b"\r\n")  # type: ignore[attr-defined]
            else:
                self.send_header(name, value)
        if reply.gzip and "gzip" in hit.accept_encoding:
            body = gzipmod.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 1000):
                piece = body[start:start + 1000]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 serving `routes` (path or path?query → Route)."""

    def __init__(self, routes: Mapping[str, Route] | None = None,
                 fallback: Callable[[Hit], Reply | None] | None = None,
                 host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.fallback = fallback
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self.server = _Server((host, 0), _Handler)
        self.server.site = self
        self.host = host
        self.port = self.server.server_address[1]
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def reply_for(self, hit: Hit) -> Reply:
        route = self.routes.get(hit.path) or self.routes.get(urlsplit(hit.path).path)
        if route is None and self.fallback is not None:
            route = self.fallback(hit)
        if route is None:
            return Reply("<html><head><title>404</title></head><body>没有找到</body></html>",
                         status=404)
        return route(hit) if callable(route) else route

    def _log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def paths(self) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits]

    def start(self) -> LocalSite:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
