"""Checks that a file's markup stays within `toolkit.spec.limits` before a reader builds it.

A few KB of zip can expand to gigabytes, and a page of a million empty tags costs more
memory than any report: both are refused up front, by counting (declared sizes, tags)
instead of building the tree, so the refusal itself costs almost nothing.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from toolkit.spec.errors import LimitExceeded
from toolkit.spec.limits import DEFAULT_LIMITS, Limits

_CHUNK = 1 << 20


def tag_count(markup: str | bytes) -> int:
    """Elements in markup, counted by their opening tags (`<` not followed by `/`)."""
    if isinstance(markup, str):
        return markup.count("<") - markup.count("</")
    return markup.count(b"<") - markup.count(b"</")


def check_nodes(p: Path, markup: str | bytes, limits: Limits = DEFAULT_LIMITS,
                part: str = "page") -> None:
    """Raise LimitExceeded when `markup` holds more elements than `xml_nodes`."""
    count = tag_count(markup)
    if count > limits.xml_nodes:
        raise LimitExceeded(p, "xml_nodes", f"the {part} holds about {count:,} elements "
                                            f"(more than {limits.xml_nodes:,})")


def check_zip(p: Path, archive: zipfile.ZipFile, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise LimitExceeded when the members would expand past `expanded_bytes`, or an XML
    part holds more than `xml_nodes` elements.

    The declared sizes bound what `zipfile` will inflate (it stops at a member's declared
    size), so summing them is enough; the XML parts are inflated a chunk at a time and
    only their tags counted.
    """
    members = archive.infolist()
    expanded = sum(m.file_size for m in members)
    if expanded > limits.expanded_bytes:
        raise LimitExceeded(p, "expanded_bytes",
                            f"its parts expand to {expanded:,} bytes "
                            f"(more than {limits.expanded_bytes:,})")
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        count = 0
        with archive.open(member) as stream:
            carry = b""
            while chunk := stream.read(_CHUNK):
                chunk = carry + chunk
                carry = chunk[-1:]  # a `<` at the end may open `</` in the next chunk
                count += tag_count(chunk[:-1])
            count += tag_count(carry)
        if count > limits.xml_nodes:
            raise LimitExceeded(p, "xml_nodes", f"{member.filename} holds about {count:,} "
                                                f"elements (more than {limits.xml_nodes:,})")
