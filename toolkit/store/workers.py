"""Parse files in worker processes; every file comes back as a row, whatever happens.

A parse error becomes a status. Each worker parses one file at a time under the limits of
`toolkit.spec.limits`: a file that takes longer than `seconds` gets its worker killed and
replaced (the file's row is `limit_exceeded`, naming the limit), a worker's address space
may grow by `memory_bytes` at most (beyond, the parse fails with `limit_exceeded`), and a
worker that crashes names its file. Workers die with the process that started them
(`PR_SET_PDEATHSIG`, and a shutdown on the way out), so no orphan outlives an ingest.

A plain file's task is a `FileTask`: the worker reads the file's bytes once, checks them
against the hash the scan took, and parses those bytes, so a row's hash and facts are of
one content even when the file changes during the ingest.

A task is a file's path, or a `WarcTask`: a document inside a WARC file, which the worker
reads from its record (so bodies never travel between processes), writes to a temporary
file named with the document's suffix and parses with its `source_url` and `hints` (a parse
function that takes neither is called with the path alone).
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import inspect
import logging
import multiprocessing
import os
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple

from tqdm import tqdm

from toolkit.parse.report import Report
from toolkit.read.sniff import read_bytes
from toolkit.spec.errors import LimitExceeded, ReadError, ToolkitError, reason_of, status_of
from toolkit.spec.fields import META_KEYS
from toolkit.spec.limits import DEFAULT_LIMITS, Limits
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


class FileTask(NamedTuple):
    """A file to parse, with the sha256 its bytes had when the folder was scanned."""

    path: str
    sha256: str


Task = str | FileTask | WarcTask

CHANGED_WHILE_INGESTED = ("the file changed while it was being ingested (its bytes no longer "
                          "have the hash the scan read); ingest again")


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
    sha256: str | None = None
    """The hash of the bytes parsed, when the worker read them itself (a `FileTask`)."""
    detail: str | None = None


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
        detail=_text(report.detail),
    )


def failure_row(error: str, status: str = Status.FAILED) -> Parsed:
    empty: dict[str, list[list[Any]]] = {name: [[] for _ in SCHEMAS[name].names[1:]] for name in ("facts", "checks", "sections")}
    return Parsed(str(status), error, (None,) * len(META_KEYS), 0, 0, 0,
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


def _accepts(parse: ParseFn, name: str) -> bool:
    try:
        params = inspect.signature(parse).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD
                                 for p in params.values())


def _parse_file(parse: ParseFn, task: FileTask) -> Parsed:
    """Read the file once, check its hash, parse those bytes (when `parse` takes `data`)."""
    try:
        data = read_bytes(Path(task.path), DEFAULT_LIMITS.file_bytes)
    except ToolkitError as exc:
        return failure_row(exc.reason, status_of(exc))
    digest = hashlib.sha256(data).hexdigest()
    if digest != task.sha256:
        return failure_row(CHANGED_WHILE_INGESTED)._replace(sha256=digest)
    if _accepts(parse, "data"):
        report = parse(Path(task.path), data=data)
    else:
        report = parse(Path(task.path))
    if not isinstance(report, Report):
        raise TypeError(f"parser returned {type(report).__name__}, not Report")
    return _flatten(report)._replace(sha256=digest)


def _parse_one(parse: ParseFn, task: Task) -> Parsed:
    """One task's row; every exception becomes a status (MemoryError: `limit_exceeded`)."""
    path = task if isinstance(task, str) else task.path
    try:
        if isinstance(task, FileTask):
            return _parse_file(parse, task)
        report = _parse_warc(parse, task) if isinstance(task, WarcTask) else parse(Path(task))
        if not isinstance(report, Report):
            raise TypeError(f"parser returned {type(report).__name__}, not Report")
        return _flatten(report)
    except MemoryError:
        return failure_row(_over_memory(path), Status.LIMIT_EXCEEDED)
    except Exception as exc:
        status = status_of(exc)
        if status == Status.INTERNAL_ERROR:
            log.error("internal error while parsing %s", path, exc_info=exc)
        return failure_row(reason_of(exc), status)


def _parse_chunk(parse: ParseFn, tasks: Sequence[Task]) -> list[Parsed]:
    return [_parse_one(parse, t) for t in tasks]


def _over_memory(path: str, limits: Limits = DEFAULT_LIMITS) -> str:
    return LimitExceeded(path, "memory_bytes",
                         f"parsing needed more than {limits.memory_bytes // 2**20} MiB "
                         "of memory").reason


def _over_time(path: str, limits: Limits) -> str:
    return LimitExceeded(path, "seconds", f"parsing took longer than {limits.seconds:g} s; "
                                          "the worker was stopped").reason


# ---------------------------------------------------------------- worker processes

def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _address_space() -> int:
    """This process's address space in bytes (0 when /proc does not say)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _guard_memory(limits: Limits) -> None:
    """Let this worker's address space grow by `memory_bytes` beyond what it inherited."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + limits.memory_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _serve(conn: Connection, parse: ParseFn, limits: Limits, parent: int) -> None:
    """A worker's life: parse each task the pipe brings, send back its row, until None."""
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops
    _guard_memory(limits)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(_parse_one(parse, task))


class _Worker:
    """One worker process and its pipe; it holds at most one task at a time."""

    def __init__(self, parse: ParseFn, limits: Limits) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, there = context.Pipe()
        self.process = context.Process(target=_serve, args=(there, parse, limits, os.getpid()),
                                       daemon=True)
        self.process.start()
        there.close()
        self.index: int | None = None
        self.path = ""
        self.deadline = 0.0

    def give(self, index: int, task: Task, seconds: float) -> None:
        self.conn.send(task)
        self.index = index
        self.path = task if isinstance(task, str) else task.path
        self.deadline = time.monotonic() + seconds

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(OSError, ValueError):
            if not kill:
                self.conn.send(None)
        self.process.join(timeout=0 if kill else 2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _crashed(path: str, code: int | None) -> Parsed:
    how = f" (signal {-code})" if code is not None and code < 0 else (
        f" (exit {code})" if code else "")
    return failure_row(f"worker process crashed while parsing this file{how}",
                       Status.INTERNAL_ERROR)


_KEPT: dict[tuple[ParseFn, Limits, int], list[_Worker]] = {}
"""Idle workers kept for the next call (`keep`), by parser, limits and number."""


def _supervised(
    tasks: Sequence[Task], parse: ParseFn, workers: int, limits: Limits, keep: bool = False
) -> Generator[Parsed, None, None]:
    """Yield one row per task, in input order, parsing in `workers` supervised processes.

    A worker past its deadline is killed and replaced; one that dies is replaced; either
    way its file gets a row and the others go on. Workers stop when this generator is
    closed, however it ends (an interrupt, an error of the caller), unless `keep`: then
    workers that finished every task wait, idle, for the next call in this process."""
    pending: deque[tuple[int, Task]] = deque(enumerate(tasks))
    done: dict[int, Parsed] = {}
    window = 8 * workers
    pool: list[_Worker] = []
    nxt = 0
    finished = False
    try:
        for worker in _KEPT.pop((parse, limits, workers), []) if keep else []:
            if worker.process.is_alive():
                pool.append(worker)
            else:
                worker.stop(kill=True)
        pool += [_Worker(parse, limits) for _ in range(workers - len(pool))]
        while nxt < len(tasks):
            for slot, worker in enumerate(pool):
                if worker.index is None and pending and pending[0][0] < nxt + window:
                    try:
                        worker.give(*pending[0], limits.seconds)
                    except OSError:  # it died idle (the system's OOM killer): a new one
                        worker.stop(kill=True)
                        pool[slot] = worker = _Worker(parse, limits)
                        worker.give(*pending[0], limits.seconds)
                    pending.popleft()
            busy = [w for w in pool if w.index is not None]
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([w.conn for w in busy],
                             timeout=None if wait_for == float("inf") else wait_for))
            for slot, worker in enumerate(pool):
                if worker.index is None:
                    continue
                index = worker.index
                if worker.conn in ready:
                    try:
                        done[index] = worker.conn.recv()
                        worker.index = None
                        continue
                    except (EOFError, OSError):
                        worker.process.join(timeout=5)
                        done[index] = _crashed(worker.path, worker.process.exitcode)
                elif time.monotonic() >= worker.deadline:
                    log.warning("%s: %s", worker.path, _over_time(worker.path, limits))
                    done[index] = failure_row(_over_time(worker.path, limits),
                                              Status.LIMIT_EXCEEDED)
                else:
                    continue
                worker.stop(kill=True)
                pool[slot] = _Worker(parse, limits)
            while nxt in done:
                row = done.pop(nxt)
                nxt += 1
                finished = nxt == len(tasks)  # every worker idle: they may be kept
                yield row
    finally:
        if keep and finished:
            _KEPT[(parse, limits, workers)] = pool
        else:
            for worker in pool:
                worker.stop(kill=worker.index is not None)


def parse_all(
    paths: Sequence[Task], parse: ParseFn, workers: int, bar: tqdm,
    limits: Limits | None = DEFAULT_LIMITS, keep: bool = False,
) -> Generator[Parsed, None, None]:
    """One row per task, in order. With `limits` (the default) every file is parsed in a
    supervised worker process, even with one worker; `limits=None` parses in this process
    when `workers` is 1 (a debugger's breakpoint in the parser works) and without time or
    memory limits in a pool otherwise. `keep`: the worker processes outlive this call, for
    the next one in this process (a Dask worker's batches: a new process for each batch
    would parse with cold caches, ~0.5 ms a file more over a 2,000-file batch)."""
    source: Generator[Parsed, None, None]
    if not paths:
        return
    if limits is None and workers == 1:
        source = (_parse_one(parse, p) for p in paths)
    else:
        source = _supervised(paths, parse, max(1, min(workers, len(paths))),
                             limits or _NO_LIMITS, keep)
    with contextlib.closing(source):
        for result in source:
            bar.update(1)
            yield result


_NO_LIMITS = Limits(seconds=float("inf"), memory_bytes=2**62)
_PR_SET_PDEATHSIG = 1
