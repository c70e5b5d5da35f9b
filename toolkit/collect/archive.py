"""Reading a crawl back: the reports and attachments it archived, one at a time.

`iter_documents(DIR)` is what the store's ingest reads: for each response the manifest calls
a report page or an attachment (status 2xx), the body from its WARC record (chunking and
content encoding undone), with the URL asked and the URL answered, when, the page title, the
anchor text and referrer that led to it, and the attachment's file name (Content-Disposition,
GBK or RFC 5987, else the URL). Identical bodies are not merged here: `sha256` lets the
ingest do it.

A WARC file that cannot be read to its end (a corrupt or truncated gzip member, a record
that is not WARC) raises, unless `on_error` is given: then it is told what could not be
read (`Unreadable`) and the reading goes on with what can be read (the other records a
manifest lists; in a bare WARC file, nothing after the damage).
"""
from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from toolkit.collect.files import (
    filename_from_disposition,
    filename_from_url,
    header_charset,
    suffix_for,
)
from toolkit.collect.manifest import MANIFEST_PARQUET, read_manifest
from toolkit.collect.outcome import DOCUMENT_OUTCOMES


@dataclass(frozen=True)
class ArchivedDocument:
    """One report page or attachment as archived."""

    url: str
    """The URL the crawl asked for (the frontier's, the manifest's `url`)."""
    final_url: str
    """The URL that answered, after redirects."""
    fetched_at: datetime
    """When the answer arrived (UTC, the response record's WARC-Date)."""
    status: int
    content_type: str | None
    """The Content-Type header as sent ('text/html; charset=GBK')."""
    charset: str | None
    """The text encoding of a page (the crawl's reading of header and <meta>); None for files."""
    body: bytes
    """The document's bytes, transfer and content encodings undone."""
    sha256: str
    """sha256 of `body`: identical documents under several URLs share it."""
    outcome: str | None
    """'report' (an HTML report page) or 'attachment' (a file); None without a manifest."""
    title: str | None
    """The page's <title> (HTML only)."""
    anchor_text: str | None
    referrer: str | None
    filename: str | None
    """The file name from Content-Disposition (decoded), else the URL's last path segment."""
    suffix: str
    """What a saved copy should end with ('.pdf', '.docx', '.html'), by content first."""
    year: int | None
    """The year the link or the page title names, when one does."""
    warc_file: str
    """The WARC file, relative to the crawl folder (or as given)."""
    warc_offset: int
    """Offset of the response record in that file."""
    breadcrumb: str | None = None
    """The page's breadcrumb (当前位置：首页 > … ), without its label (HTML only)."""


@dataclass(frozen=True)
class Unreadable:
    """What could not be read back: a record the manifest lists, or a WARC file from a point on."""

    warc_file: str
    """The WARC file, relative to the crawl folder (or as given)."""
    offset: int | None
    """The record's offset; None when the file itself could not be read past some point."""
    url: str | None
    """The record's URL, as the manifest gives it (None for a file)."""
    reason: str


class _Damage(ValueError):
    """What the reader found wrong with a WARC file (its words need no exception name)."""


def _header_bytes(value: str | None) -> bytes | None:
    """warcio reads header lines as UTF-8, else Latin-1: turn them back into their bytes."""
    if value is None:
        return None
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def html_title(body: bytes, charset: str | None) -> str | None:
    """The <title> of an HTML body, decoded with its charset (GB18030 for any GB charset)."""
    m = _TITLE.search(body[:200_000])
    if not m:
        return None
    encoding = (charset or "utf-8").lower()
    if encoding in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
        encoding = "gb18030"
    try:
        text = m.group(1).decode(encoding, "replace")
    except LookupError:
        text = m.group(1).decode("utf-8", "replace")
    return " ".join(html.unescape(text).split()) or None


_CRUMB = re.compile(r"(?:当前位置|当前的位置|您的位置|你的位置|您现在的位置|你现在的位置|"
                    r"您当前的位置|所在位置)")
_CRUMB_END = re.compile(r"</(?:div|p|td|tr|nav|ol|ul)\s*>|<br", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def _decode(raw: bytes, charset: str | None) -> str:
    encoding = (charset or "utf-8").lower()
    if encoding in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
        encoding = "gb18030"
    try:
        return raw.decode(encoding, "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def html_breadcrumb(body: bytes, charset: str | None) -> str | None:
    """The breadcrumb of an HTML page (当前位置：首页 > 政务公开 > 年报), tags dropped."""
    text = _decode(body[:300_000], charset)
    m = _CRUMB.search(text)
    if m is None:
        return None
    rest = text[m.end():m.end() + 2000]
    end = _CRUMB_END.search(rest)
    rest = rest[:end.start()] if end else rest
    crumb = " ".join(html.unescape(_TAG.sub(" ", rest)).split()).lstrip(":： ")
    return crumb[:160] or None


def _read_record(fh: IO[bytes], offset: int) -> Any:
    fh.seek(offset)
    record = next(iter(ArchiveIterator(fh)), None)
    if record is None:
        raise _Damage(f"no complete WARC record at offset {offset}")
    return record


def read_body(warc_file: str | Path, offset: int) -> bytes:
    """The body of the response record at `offset`, transfer and content encodings undone."""
    with open(warc_file, "rb") as fh:
        return bytes(_read_record(fh, offset).content_stream().read())


def _document(record: Any, row: dict[str, Any], warc_file: str, offset: int,
              body: bytes | None = None) -> ArchivedDocument:
    if body is None:
        body = record.content_stream().read()
    http = record.http_headers
    content_type = http.get_header("Content-Type")
    disposition = _header_bytes(http.get_header("Content-Disposition"))
    final_url = record.rec_headers.get_header("WARC-Target-URI")
    date = record.rec_headers.get_header("WARC-Date")
    fetched_at = datetime.strptime(date[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    outcome = row.get("outcome")
    charset = row.get("charset") or (header_charset(content_type)
                                     if outcome != "attachment" else None)
    filename = row.get("filename") or filename_from_disposition(disposition) or (
        filename_from_url(final_url) if outcome != "report" else None)
    title = row.get("title")
    is_page = outcome != "attachment" and b"<" in body[:2048]
    if title is None and is_page:
        title = html_title(body, charset)
    return ArchivedDocument(
        url=row.get("url") or final_url, final_url=final_url, fetched_at=fetched_at,
        status=int(http.get_statuscode()), content_type=content_type, charset=charset,
        body=body, sha256=hashlib.sha256(body).hexdigest(), outcome=outcome, title=title,
        anchor_text=row.get("anchor_text"), referrer=row.get("referrer"), filename=filename,
        suffix=suffix_for(body, content_type, filename), year=row.get("year"),
        warc_file=warc_file, warc_offset=offset,
        breadcrumb=html_breadcrumb(body, charset) if is_page else None)


def _crawl_folder(path: Path) -> Path | None:
    for folder in (path, path.parent, path.parent.parent):
        if (folder / MANIFEST_PARQUET).is_file():
            return folder
    return None


def iter_documents(path: str | Path, on_error: Callable[[Unreadable], None] | None = None
                   ) -> Iterator[ArchivedDocument]:
    """Every report page and attachment a crawl archived, in WARC order.

    `path` is a crawl folder (`--out DIR` of `python -m toolkit collect`) or one of its WARC
    files. The manifest beside the WARC files says which responses are reports and
    attachments and adds anchor text, referrer and title; a WARC file with no manifest near
    it yields every 2xx response except robots.txt, with `outcome` None and the referrer its
    request record sent. What cannot be read raises, or, with `on_error`, is handed to it
    and skipped (see the module's docstring).
    """
    path = Path(path)
    folder = _crawl_folder(path)
    only = None if path.is_dir() else path.resolve()
    if folder is None:
        if path.is_dir():
            raise FileNotFoundError(f"{path}: no {MANIFEST_PARQUET} here; is it a crawl folder?")
        yield from _bare_warc(path, on_error)
        return
    table = read_manifest(folder).select(
        ["url", "status", "outcome", "warc_file", "warc_offset", "charset", "title",
         "anchor_text", "referrer", "filename", "year"])
    rows = [r for r in table.to_pylist()
            if r["outcome"] in DOCUMENT_OUTCOMES and r["warc_file"] is not None
            and r["status"] is not None and 200 <= r["status"] < 300]
    rows.sort(key=lambda r: (r["warc_file"], r["warc_offset"]))
    current: tuple[str, IO[bytes] | OSError] | None = None
    try:
        for row in rows:
            warc_path = folder / row["warc_file"]
            if only is not None and warc_path.resolve() != only:
                continue
            if current is None or current[0] != row["warc_file"]:
                if current is not None and not isinstance(current[1], OSError):
                    current[1].close()
                try:
                    current = (row["warc_file"], open(warc_path, "rb"))  # noqa: SIM115
                except OSError as exc:
                    if on_error is None:
                        raise
                    current = (row["warc_file"], exc)
            try:
                if isinstance(current[1], OSError):
                    raise current[1]
                record = _read_record(current[1], row["warc_offset"])
                document = _document(record, row, row["warc_file"], row["warc_offset"])
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(Unreadable(row["warc_file"], row["warc_offset"], row["url"],
                                    f"unreadable WARC record: {_why(exc)}"))
                continue
            yield document
    finally:
        if current is not None and not isinstance(current[1], OSError):
            current[1].close()


def _why(exc: BaseException) -> str:
    """The reason of a read failure in one printable line (warcio quotes the bytes it met)."""
    text = str(exc).split(", first line:")[0]
    text = "".join(c if c.isprintable() else "?" for c in text)[:160]
    if isinstance(exc, _Damage):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _bare_warc(path: Path, on_error: Callable[[Unreadable], None] | None
               ) -> Iterator[ArchivedDocument]:
    read = 0
    referrers: dict[str, str] = {}
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        offset = 0
        try:
            for record in iterator:
                offset = iterator.offset
                if record.format != "warc":
                    raise _Damage(f"not a WARC record ({record.format} format)")
                if record.rec_type == "request" and record.http_headers is not None:
                    referer = record.http_headers.get_header("Referer")
                    response_id = record.rec_headers.get_header("WARC-Concurrent-To")
                    if referer and response_id:
                        referrers[response_id] = referer
                    continue
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not 200 <= status < 300 or url.endswith("/robots.txt"):
                    continue
                row = {"referrer": referrers.pop(
                    record.rec_headers.get_header("WARC-Record-ID") or "", None)}
                body = record.content_stream().read()  # before the offset: asking for it
                offset = iterator.get_record_offset()  # reads the record to its end
                document = _document(record, row, str(path), offset, body)
                read += 1
                yield document
            end = iterator.offset
            size = path.stat().st_size
            if end < size:
                offset = end
                raise _Damage(f"truncated: its last {size - end} bytes are not a complete "
                              "record")
        except Exception as exc:
            if on_error is None:
                raise
            offset = max(offset, iterator.offset)
            on_error(Unreadable(str(path), None, None,
                                f"corrupt WARC: {_why(exc)} at offset {offset} ({read} "
                                "documents read before it; the rest of the file not read)"))
