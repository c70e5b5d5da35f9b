"""What kind of file this is, by its bytes first and its name second.

Crawled files are often misnamed (an HTML error page saved as .pdf), so magic bytes and an
HTML or MIME preamble decide before the suffix does.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

from toolkit.spec.errors import ReadError

HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
MHTML_SUFFIXES = frozenset({".mht", ".mhtml"})


def read_bytes(p: Path, max_bytes: int) -> bytes:
    try:
        with open(p, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise ReadError(p, _too_large(size, max_bytes))
            # Ask for the size fstat gives, plus a byte to see growth (or the limit when
            # fstat knows no size): asking for max_bytes allocates that much every time.
            data = f.read(size + 1 if size else max_bytes + 1)
            if size and len(data) > size:
                data += f.read(max_bytes + 1 - len(data))
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise ReadError(p, _too_large(len(data), max_bytes, at_least=True))
    return data


def _fmt_size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} KB"
    return f"{n} bytes"


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return f"file too large ({more}{_fmt_size(size)} > {_fmt_size(limit)} limit)"


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
)


def sniff_magic(data: bytes) -> str | None:
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for sig, name in _MAGIC:
        if data.startswith(sig):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP image"
    return None


def zip_members(data: bytes) -> frozenset[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return frozenset(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return frozenset()


_MIME_HEADER = re.compile(
    rb"\A(?:MIME-Version|Content-Type|From|Subject|Date|Content-Location|X-[\w-]+)\s*:", re.I)


def is_mhtml(data: bytes) -> bool:
    """A web page saved as one file (.mht): MIME headers, then the page and its parts."""
    return bool(_MIME_HEADER.match(data)) and b"multipart/related" in data[:4096].lower()



HTML_START_B = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html[\s>])",
    re.I | re.S,
)
HTML_START_S = re.compile(
    r"\A\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html[\s>])",
    re.I | re.S,
)


