"""Which parser wrote a stored parse: the package version and a hash of the parsing code.

Ingest keeps a content's facts, checks and sections until the parser changes; then it parses
the content again. "The parser" is everything a parse runs: the template and the department
names (`spec/template*.toml`, `places/departments.toml`, the site evidence's
`places/sites.toml` and `places/site_pinyin.csv`) and the source of `toolkit.spec`,
`toolkit.read`, `toolkit.parse` and `toolkit.places`. The fingerprint hashes those files'
source as well as naming the version because in development the version does not move: a
fix to a label variant or to the table reader changes the files, not `__version__`, and
a store built before the fix must not keep the old parse.
"""
from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
"""The installed `toolkit` folder."""
PARSER_PACKAGES = ("spec", "read", "parse", "places")
"""The subpackages whose files decide what a parse gives."""
_SUFFIXES = (".py", ".toml", ".csv")


def package_version() -> str:
    """The installed version of ogi-toolkit ("unknown" when run from a bare checkout)."""
    try:
        return metadata.version("ogi-toolkit")
    except metadata.PackageNotFoundError:
        return "unknown"


def parser_files(root: Path | None = None) -> list[Path]:
    """The files hashed into the fingerprint, in a stable order."""
    root = PACKAGE if root is None else root
    return sorted(
        p for package in PARSER_PACKAGES for p in (root / package).rglob("*")
        if p.suffix in _SUFFIXES and p.is_file() and "__pycache__" not in p.parts)


@cache
def parser_fingerprint() -> str:
    """`VERSION+HASH`: the package version and 16 hex digits of the parser's files' sha256."""
    root = PACKAGE
    digest = hashlib.sha256()
    for path in parser_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{package_version()}+{digest.hexdigest()[:16]}"
