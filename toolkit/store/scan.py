"""Find every file under a root (and every directory that cannot be listed) and hash it.

The sha256 of a file's bytes is its `report_id`: identical files are parsed once.
"""
from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from tqdm import tqdm

log = logging.getLogger(__name__)


class Seen(NamedTuple):
    path: str
    is_dir: bool
    report_id: str | None
    size: int | None
    error: str | None


def _outside(entry: os.DirEntry[str], root: Path) -> bool:
    """A symlink whose target lies outside `root` (`root/up -> ..` would pull in the
    folders beside the root): not followed."""
    if not entry.is_symlink():
        return False
    try:
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return False  # a broken or looping link: reported as such below
    return not target.is_relative_to(root)


def scan_tree(root: Path, skip: set[tuple[int, int]]) -> list[Seen]:
    """Every non-directory entry under root, plus a row for each directory that cannot be
    listed. Symlinks are followed only to targets inside `root` (resolved)."""
    root = root.resolve()
    found: list[Seen] = []
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = directory.stat()
            ident = (st.st_dev, st.st_ino)
            if ident in visited or ident in skip:
                continue
            visited.add(ident)
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            found.append(Seen(str(directory), True, None, None,
                               "permission denied: directory could not be listed"))
            continue
        except OSError as exc:
            found.append(Seen(str(directory), True, None, None,
                               f"directory could not be listed: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            try:
                if _outside(entry, root):
                    log.info("%s: a link out of %s, not followed", entry.path, root)
                    continue
                if entry.is_dir():
                    if not entry.name.startswith("."):
                        subdirs.append(Path(entry.path))
                elif entry.is_file():
                    found.append(Seen(entry.path, False, None, None, None))
                elif entry.is_symlink():
                    found.append(Seen(entry.path, False, None, None, "broken symlink"))
                else:
                    found.append(Seen(entry.path, False, None, None, "not a regular file"))
            except OSError as exc:
                found.append(Seen(entry.path, False, None, None, f"cannot stat: {exc}"))
        stack.extend(reversed(subdirs))
    found.sort(key=lambda s: s.path)
    return found


def _hash(seen: Seen) -> Seen:
    if seen.is_dir or seen.error:
        return seen
    size = None
    try:
        size = os.stat(seen.path).st_size
        with open(seen.path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return seen._replace(report_id=digest, size=size)
    except PermissionError:
        return seen._replace(size=size, error="permission denied")
    except OSError as exc:
        return seen._replace(size=size, error=f"cannot read: {exc.strerror or exc}")


def hash_all(seen: list[Seen], workers: int, bar: tqdm) -> list[Seen]:
    """Hash with threads: hashlib releases the GIL, and reading is I/O bound anyway."""
    out: list[Seen] = []
    with ThreadPoolExecutor(max_workers=max(1, min(32, 2 * workers))) as threads:
        for i in range(0, len(seen), 1024):
            for s in threads.map(_hash, seen[i:i + 1024]):
                out.append(s)
                bar.update(1)
    return out

