"""Bytes to text: BOMs, UTF-16 without BOM, strict UTF-8 and GB18030, a page's own charset,
and charset-normalizer as the last resort."""
from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_TEXT_BYTES = bytes([7, 8, 9, 10, 11, 12, 13, 27, *range(32, 256)])
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes to (text, codec name); raise ValueError if they are not text.

    Order: BOM, UTF-16 by its NUL pattern, strict UTF-8, strict GB18030 (a superset of
    GBK/GB2312, which is what Chinese government sites use), then charset-normalizer.
    Strict codecs come first because they are fast and, on real text, almost never wrong;
    the statistical guess is only a last resort.
    """
    if not data:
        return "", "utf-8"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(enc), enc)
            except UnicodeDecodeError:
                break

    utf16 = _utf16_by_nuls(data)
    if utf16 is not None:
        try:
            return _checked(data[: len(data) // 2 * 2].decode(utf16), utf16)
        except (UnicodeDecodeError, ValueError):
            pass

    for enc in ("utf-8", "gb18030"):
        text = _strict_decode(data, enc)
        if text is not None:
            return _checked(text, enc)

    sample = data[:65536]
    if len(sample.translate(None, _TEXT_BYTES)) > 0.01 * len(sample):
        raise ValueError("binary file, not text")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        raise ValueError("binary file, not text (no text encoding fits)")
    return _checked(str(best), best.encoding)


def _strict_decode(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        # A crawl cut off inside the last character is still in that encoding.
        if exc.reason.startswith(("unexpected end", "incomplete")) and exc.start >= len(data) - 4:
            try:
                return data[: exc.start].decode(enc)
            except UnicodeDecodeError:
                return None
        return None


def _checked(text: str, enc: str) -> tuple[str, str]:
    if text:
        bad = len(_BAD_CHARS.findall(text))
        if bad > 0.01 * len(text):
            raise ValueError("binary file, not text")
    return text, enc


def _utf16_by_nuls(data: bytes) -> str | None:
    """UTF-16 without BOM: ASCII characters put a NUL in every other byte."""
    if b"\x00" not in data[:65536]:
        return None
    sample = data[:65536]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    chars = len(sample) // 2 or 1
    if odd >= 0.75 * (odd + even) and odd >= 0.02 * chars and odd >= 2:
        return "utf-16-le"
    if even >= 0.75 * (odd + even) and even >= 0.02 * chars and even >= 2:
        return "utf-16-be"
    return None


_META_CHARSET = re.compile(rb"<meta[^>]{0,500}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_UNRELIABLE_CHARSETS = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252", "utf-16", "utf-32"})


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:262144])
    return charset_codec(m.group(1).decode("ascii")) if m else None


def charset_codec(name: str) -> str | None:
    """Python's codec for a declared charset; the GB family reads as GB18030, its superset."""
    name = name.lower()
    if name in {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML bytes: BOM, then the page's own charset, then decode_bytes.

    Valid UTF-8 beats a declared legacy charset: crawlers often re-encode pages to UTF-8
    without touching the <meta>.
    """
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_bytes(data)
    declared = _declared_charset(data)
    if declared and declared not in _UNRELIABLE_CHARSETS:
        if declared != "utf-8" and not data.isascii():
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(data)

