"""Parse files in worker processes; every file comes back as a row, whatever happens.

A parse error becomes a status; a worker that crashes is replaced and the files it held
are parsed again one by one, each in a process of its own, so the crash names its file.

A task is a file's path, or a `WarcTask`: a document inside a WARC file, which the worker
reads from its record (so bodies never travel between processes), writes to a temporary
file named with the document's suffix and parses with its `source_url` and `hints` (a parse
function that takes neither is called with the path alone).
"""
from __future__ import annotations

import contextlib
import hashlib
import inspect
import logging
import os
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, NamedTuple

from tqdm import tqdm

from toolkit.parse.report import Report
from toolkit.spec.errors import ReadError, ToolkitError, reason_of, status_of
from toolkit.spec.fields import META_KEYS
from toolkit.spec.vocab import Status
from toolkit.store.schema import SCHEMAS

log = logging.getLogger(__name__)

ParseFn = Callable[..., Report]
_CHUNK = 64
_INT64 = 2**63


class WarcTask(NamedTuple):
    """A document archived in a WARC file, to parse."""

    path: str
    """Its `reports.path`: `WARC_FILE#offset=N`."""
    warc_file: str
    offset: int
    sha256: str
    """The body's hash when it was scanned: a record that reads otherwise is refused."""
    suffix: str
    source_url: str | None
    hints: tuple[tuple[str, str], ...]


Task = str | WarcTask


class Parsed(NamedTuple):
    status: str
    error: str | None
    meta: tuple[Any, ...]
    n_values: int
    n_flagged: int
    n_checks_failed: int
    facts: list[list[Any]]
    checks: list[list[Any]]
    sections: list[list[Any]]
    n_checks_passed: int = 0
    text: str | None = None
    """The text the parse read (`Report.text`), kept so locations lead to it."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _meta(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "year":
        try:
            year = int(value)
        except (TypeError, ValueError):
            return None
        return year if 0 < year < 10000 else None
    return str(value)


def _location(value: Any) -> int | None:
    if value is None:
        return None
    loc = int(value)
    return loc if -_INT64 <= loc < _INT64 else None


def _flatten(report: Report) -> Parsed:
    """Turn a Report into column lists typed like the parquet schemas.

    Columns rather than row tuples: the transpose happens here in the worker, so the
    parent only extends lists, and the pickle stays small.
    """
    fl = report.fact_list
    values = [_float(f.value) for f in fl]
    flags = [_text(f.flag) for f in fl]
    facts: list[list[Any]] = [
        [f.key for f in fl], [str(f.table) for f in fl], [str(f.row) for f in fl],
        [str(f.column) for f in fl], values, flags, [_text(f.label) for f in fl],
        [_text(f.raw) for f in fl], [_location(f.location) for f in fl],
    ]
    cl = report.check_list
    statuses = [str(c.status) for c in cl]
    checks: list[list[Any]] = [
        [str(c.check) for c in cl], [str(c.scope) for c in cl], statuses,
        [_float(c.left) for c in cl], [_float(c.right) for c in cl],
        [_text(c.keys) for c in cl], [_text(c.sentence) for c in cl],
        [None if c.location is None else _location(c.location) for c in cl],
    ]
    sections = [[str(k) for k in report.sections], [str(v) for v in report.sections.values()]]
    meta = tuple(_meta(k, report.meta.get(k)) for k in META_KEYS)
    return Parsed(
        str(report.status), _text(report.error), meta,
        sum(v is not None for v in values), sum(bool(f) for f in flags),
        statuses.count("fail"), facts, checks, sections, statuses.count("pass"),
        report.text or None,
    )


def failure_row(error: str, status: str = Status.FAILED) -> Parsed:
    empty: dict[str, list[list[Any]]] = {name: [[] for _ in SCHEMAS[name].names[1:]] for name in ("facts", "checks", "sections")}
    return Parsed(status, error, (None,) * len(META_KEYS), 0, 0, 0,
                   empty["facts"], empty["checks"], empty["sections"])


def _source_kwargs(parse: ParseFn, task: WarcTask) -> dict[str, Any]:
    """`source_url` and `hints` for a parse function that takes them."""
    try:
        params = inspect.signature(parse).parameters
    except (TypeError, ValueError):
        return {}
    anything = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    given = {"source_url": task.source_url, "hints": dict(task.hints)}
    return {k: v for k, v in given.items() if anything or k in params}


def _parse_warc(parse: ParseFn, task: WarcTask) -> Report:
    from toolkit.collect.archive import read_body

    try:
        body = read_body(task.warc_file, task.offset)
    except Exception as exc:
        raise ReadError(task.path, f"unreadable WARC record: {reason_of(exc)}") from exc
    if hashlib.sha256(body).hexdigest() != task.sha256:
        raise ReadError(task.path, "the WARC record reads differently than when it was "
                                   "scanned; ingest again")
    handle, name = tempfile.mkstemp(prefix="ogi-warc-", suffix=task.suffix)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(body)
        try:
            report = parse(Path(name), **_source_kwargs(parse, task))
        except Exception as exc:
            if isinstance(exc, ToolkitError):  # a reason naming the temporary file names the record
                exc.reason = exc.reason.replace(name, task.path)
            raise
        if isinstance(report, Report):
            report.source = task.path
        return report
    finally:
        os.unlink(name)


def _parse_one(parse: ParseFn, task: Task) -> Parsed:
    path = task.path if isinstance(task, WarcTask) else task
    try:
        report = _parse_warc(parse, task) if isinstance(task, WarcTask) else parse(Path(task))
        if not isinstance(report, Report):
            raise TypeError(f"parser returned {type(report).__name__}, not Report")
        return _flatten(report)
    except Exception as exc:
        status = status_of(exc)
        if status == Status.INTERNAL_ERROR:
            log.error("internal error while parsing %s", path, exc_info=exc)
        return failure_row(reason_of(exc), status)


def _parse_chunk(parse: ParseFn, tasks: Sequence[Task]) -> list[Parsed]:
    return [_parse_one(parse, t) for t in tasks]


# ---------------------------------------------------------------- parsing drivers

def _crashed() -> Parsed:
    return failure_row("worker process crashed while parsing this file", Status.INTERNAL_ERROR)


def _isolated(paths: Sequence[Task], parse: ParseFn, workers: int) -> list[Parsed]:
    """Parse each file in a single-worker pool of its own thread, so a crash names its file."""

    def run(share: Sequence[Task]) -> list[Parsed]:
        results: list[Parsed] = []
        pool = ProcessPoolExecutor(max_workers=1)
        try:
            for path in share:
                try:
                    results.append(pool.submit(_parse_chunk, parse, [path]).result()[0])
                except BrokenProcessPool:
                    results.append(_crashed())
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = ProcessPoolExecutor(max_workers=1)
                except Exception as exc:
                    results.append(failure_row(f"worker error: {reason_of(exc)}",
                                               Status.INTERNAL_ERROR))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return results

    n = max(1, min(workers, len(paths)))
    size = -(-len(paths) // n)
    shares = [paths[i:i + size] for i in range(0, len(paths), size)]
    with ThreadPoolExecutor(max_workers=n) as threads:
        return [r for share in threads.map(run, shares) for r in share]


def _pooled(
    paths: Sequence[Task], parse: ParseFn, workers: int
) -> Generator[Parsed, None, None]:
    """Yield results in input order, keeping at most 2*workers chunks in flight."""
    chunk = max(1, min(_CHUNK, -(-len(paths) // (workers * 4))))
    chunks = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
    inflight: deque[tuple[Sequence[Task], Future[list[Parsed]]]] = deque()
    pool = ProcessPoolExecutor(max_workers=workers)
    nxt = 0
    try:
        while inflight or nxt < len(chunks):
            broken = False
            while nxt < len(chunks) and len(inflight) < 2 * workers:
                try:
                    inflight.append((chunks[nxt], pool.submit(_parse_chunk, parse, chunks[nxt])))
                except BrokenProcessPool:
                    broken = True
                    break
                nxt += 1
            if not broken:
                head, fut = inflight[0]
                try:
                    results = fut.result()
                except BrokenProcessPool:
                    broken = True
                except Exception:
                    inflight.popleft()
                    yield from _isolated(head, parse, workers)
                    continue
                else:
                    inflight.popleft()
                    yield from results
                    continue
            suspects = [p for c, _ in inflight for p in c]
            inflight.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            yield from _isolated(suspects, parse, workers)
            pool = ProcessPoolExecutor(max_workers=workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def parse_all(
    paths: Sequence[Task], parse: ParseFn, workers: int, bar: tqdm
) -> Generator[Parsed, None, None]:
    source: Generator[Parsed, None, None]
    if workers == 1 or len(paths) <= 1:
        source = (_parse_one(parse, p) for p in paths)
    else:
        source = _pooled(paths, parse, min(workers, len(paths)))
    with contextlib.closing(source):
        for result in source:
            bar.update(1)
            yield result

