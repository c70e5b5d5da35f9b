"""File names as the toolkit stores and shows them: lossless, and always printable.

A name that is not valid UTF-8 (a GBK name from a Windows zip) reaches Python as a `str`
with lone surrogates (`os.fsdecode`'s surrogateescape), which round-trips to the very bytes
(`os.fsencode`) but cannot be written as UTF-8. The stored `path` keeps that form, escaped
as `\\udcXX` wherever text must be UTF-8 (Parquet, JSON), so the same file is the same path
on every run; `display_path` is the name for people: decoded as UTF-8, else GB18030.
"""
from __future__ import annotations

import os

_ESCAPE = "surrogateescape"


def is_lossless_text(path: str) -> bool:
    """Whether `path` encodes as UTF-8 as it is (no bytes escaped from a foreign name)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def store_path(path: str) -> str:
    """`path` as UTF-8 text that maps back to its bytes (`os_path`): each byte the file
    system's name held outside UTF-8 is written `\\udcXX`. (A name that holds that very
    text and also undecodable bytes would read back wrong: no real report's does.)"""
    if is_lossless_text(path):
        return path
    return "".join(c if not 0xDC80 <= ord(c) <= 0xDCFF else f"\\udc{ord(c) - 0xDC00:02x}"
                   for c in path)


def os_path(stored: str) -> str:
    """The name `store_path` stored, back as the `str` the file system gave."""
    if "\\udc" not in stored:
        return stored
    out, i = [], 0
    while i < len(stored):
        chunk = stored[i:i + 6]
        if chunk.startswith("\\udc") and len(chunk) == 6:
            try:
                value = int(chunk[4:], 16)
            except ValueError:
                value = -1
            if 0x80 <= value <= 0xFF:
                out.append(chr(0xDC00 + value))
                i += 6
                continue
        out.append(stored[i])
        i += 1
    return "".join(out)


def display_path(path: str) -> str:
    """A name to print: its bytes decoded as UTF-8, else as GB18030, else with `\\xNN`."""
    if is_lossless_text(path):
        return path
    raw = os.fsencode(path) if os.name != "nt" else path.encode("utf-8", _ESCAPE)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")
