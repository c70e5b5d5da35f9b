"""What a response is (a file or a page) and what the file is called.

Government sites serve attachments from URLs with and without extensions, with honest and
dishonest Content-Types, and name them in `Content-Disposition` in every encoding seen in
the wild: RFC 5987 (`filename*=UTF-8''%E5%B9%B4…`), raw GBK or UTF-8 bytes in `filename=`,
percent-encoded UTF-8 in `filename=`. These helpers decide by evidence in that order:
first bytes, Content-Disposition, Content-Type, the URL.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote, unquote_to_bytes, urlsplit

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", ".pdf"),
    (b"PK\x03\x04", ".zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".ole"),
    (b"{\\rtf", ".rtf"),
)
"""First bytes of the file formats reports come in (.zip: DOCX, XLSX or OFD; .ole: DOC, XLS, WPS)."""

_CONTENT_TYPE_SUFFIX = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "application/ofd": ".ofd",
    "application/vnd.ofd": ".ofd",
    "application/kswps": ".wps",
    "application/wps-office.wps": ".wps",
    "text/html": ".html",
    "text/plain": ".txt",
    "application/json": ".json",
    "text/xml": ".xml",
    "application/xml": ".xml",
}


def sniff(body: bytes) -> str | None:
    """The kind of file its first bytes say ('.pdf', '.zip', '.ole', '.rtf'), else None."""
    head = body[:16].lstrip()
    return next((suffix for magic, suffix in MAGIC if head.startswith(magic)), None)


def media_type(content_type: str | None) -> str:
    """'text/html' from 'text/html; charset=GBK' (lower case, '' when absent)."""
    return (content_type or "").split(";")[0].strip().lower()


def header_charset(content_type: str | None) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return m.group(1).lower() if m else None


def is_attachment_disposition(disposition: bytes | None) -> bool:
    return bool(disposition) and disposition.strip().lower().startswith(b"attachment")  # type: ignore[union-attr]


def is_file_response(body: bytes, content_type: str | None, disposition: bytes | None,
                     url: str, file_types: tuple[str, ...], extensions: frozenset[str]
                     ) -> bool:
    """A file (attachment) rather than a page: by bytes, disposition, Content-Type, URL."""
    if sniff(body) is not None:
        return True
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"{", b"[")):
        return False
    if is_attachment_disposition(disposition) or filename_from_disposition(disposition):
        return True
    mtype = media_type(content_type)
    if mtype and any(mtype.startswith(prefix) for prefix in file_types):
        return True
    if mtype.startswith(("text/", "application/json", "application/xml")):
        return False
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower() in extensions


_RFC5987 = re.compile(rb"filename\*\s*=\s*([\w!#$%&+^`{}~-]+)'[\w-]*'([^;\s]+)", re.IGNORECASE)
_PLAIN = re.compile(rb"""filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))""", re.IGNORECASE)


def _bytes_to_text(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def filename_from_disposition(disposition: bytes | str | None) -> str | None:
    """The file name a Content-Disposition header gives, decoded; None when it gives none.

    `filename*` (RFC 5987, any charset Python knows: UTF-8, GBK, GB2312) wins over
    `filename`. A plain `filename` may be raw UTF-8 or GBK bytes, percent-encoded UTF-8 or
    GBK, or mojibake (GBK bytes a server sent as Latin-1 text): each is tried strictly.
    """
    if not disposition:
        return None
    raw = disposition.encode("latin-1", "replace") if isinstance(disposition, str) else disposition
    m = _RFC5987.search(raw)
    if m:
        charset = m.group(1).decode("ascii", "replace")
        try:
            name = unquote_to_bytes(m.group(2).strip(b"\"'")).decode(charset)
            return _clean_name(name)
        except (LookupError, UnicodeDecodeError):
            pass
    m = _PLAIN.search(raw)
    if not m:
        return None
    value = m.group(1) if m.group(1) is not None else m.group(2).strip()
    value = value.replace(b'\\"', b'"')
    if re.search(rb"%[0-9A-Fa-f]{2}", value):
        value = unquote_to_bytes(value)
    return _clean_name(_bytes_to_text(value))


def filename_from_url(url: str) -> str | None:
    """The last segment of the URL's path, percent-decoded (UTF-8 or GBK); None if empty."""
    segment = urlsplit(url).path.rsplit("/", 1)[-1]
    if not segment:
        return None
    return _clean_name(_bytes_to_text(unquote_to_bytes(segment)))


def _clean_name(name: str) -> str | None:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip('"').strip()
    return name or None


def suffix_for(body: bytes, content_type: str | None, filename: str | None) -> str:
    """The extension a saved copy should have: by content first, then name, then type."""
    sniffed = sniff(body)
    name_suffix = PurePosixPath(filename).suffix.lower() if filename else ""
    if sniffed == ".pdf" or sniffed == ".rtf":
        return sniffed
    if sniffed == ".zip":
        for member, suffix in ((b"word/document.xml", ".docx"), (b"OFD.xml", ".ofd"),
                               (b"xl/workbook.xml", ".xlsx")):
            if member in body:
                return suffix
        return name_suffix or ".zip"
    if sniffed == ".ole":
        return name_suffix or ".doc"
    if name_suffix:
        return name_suffix
    return _CONTENT_TYPE_SUFFIX.get(media_type(content_type), "")
