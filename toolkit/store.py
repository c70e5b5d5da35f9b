"""Ingest a folder of reports into a Parquet + DuckDB store that notebooks query with SQL.

Layout of ``out``::

    reports/part-NNNNN.parquet   one row per file (or unlistable directory) per change
    facts/    checks/    sections/   parsed content, written once per distinct file content
    corpus.duckdb                views over the parquet globs

Rules, chosen so that runs are cheap to repeat and outputs are deterministic:

* ``report_id`` is the sha256 of the file's bytes. Content is parsed at most once per
  store; facts, checks and sections are keyed by it.
* Identical files: the first path (sorted) is parsed, the others get status
  ``duplicate`` with ``duplicate_of`` = that path. A path that was already canonical
  for its content in an earlier run stays canonical.
* Re-running skips every path whose (path, report_id) is already current, so an
  unchanged folder writes nothing. A changed file at a known path gets a new row in a
  later part; the ``reports`` view keeps only the newest row per path (highest part
  number), so the old row is superseded without rewriting any part. If the displaced
  content is still held by duplicates, the first of them is promoted to canonical.
* Files that vanish from ``root`` keep their rows: ingest only adds.
* Each batch writes facts, checks and sections first and its reports part last; parts
  without a reports part of the same number are leftovers of an interrupted run and are
  deleted on the next run, so an interrupted run resumes where it stopped.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import sys
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from toolkit.report import META_KEYS, Report

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

ParseFn = Callable[[Path], Report]

_S = pa.string()
REPORTS_SCHEMA = pa.schema([
    ("report_id", _S), ("path", _S), ("size_bytes", pa.int64()), ("status", _S), ("error", _S),
    ("title", _S), ("agency", _S), ("year", pa.int32()), ("published", _S), ("template", _S),
    ("province", _S), ("city", _S), ("county", _S), ("adcode", _S), ("level", _S),
    ("agency_kind", _S), ("body_id", _S), ("region_evidence", _S), ("region_reason", _S),
    ("n_values", pa.int64()), ("n_flagged", pa.int64()),
    ("n_checks_failed", pa.int64()), ("duplicate_of", _S), ("parsed_at_version", _S),
])
FACTS_SCHEMA = pa.schema([
    ("report_id", _S), ("key", _S), ("table", _S), ("row", _S), ("column", _S),
    ("value", pa.float64()), ("flag", _S), ("label", _S), ("raw", _S), ("location", pa.int64()),
])
CHECKS_SCHEMA = pa.schema([
    ("report_id", _S), ("check", _S), ("scope", _S), ("status", _S),
    ("expected", pa.float64()), ("actual", pa.float64()), ("keys", _S),
])
SECTIONS_SCHEMA = pa.schema([("report_id", _S), ("section", _S), ("text", _S)])
SCHEMAS = {
    "facts": FACTS_SCHEMA, "checks": CHECKS_SCHEMA,
    "sections": SECTIONS_SCHEMA, "reports": REPORTS_SCHEMA,
}
DB_NAME = "corpus.duckdb"

_PART_RE = re.compile(r"^part-(\d+)\.parquet$")
_CHUNK = 64
_INT64 = 2**63
_PARSE_STATUSES = {"ok", "partial", "failed", "unsupported"}


@dataclass
class IngestSummary:
    """What one ingest run did. ``by_status`` counts the current status of every entry seen."""

    files_seen: int
    parsed_now: int
    skipped_known: int
    duplicates: int
    by_status: dict[str, int] = field(default_factory=dict)
    out_dir: Path = Path()
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [
            f"ingest -> {self.out_dir}  ({self.seconds:.1f} s)",
            f"  files seen     {self.files_seen:>8}",
            f"  parsed now     {self.parsed_now:>8}",
            f"  skipped known  {self.skipped_known:>8}",
            f"  new duplicates {self.duplicates:>8}",
            "  status",
        ]
        lines += [f"    {k:<12} {v:>8}" for k, v in sorted(self.by_status.items())]
        return "\n".join(lines)


# ---------------------------------------------------------------- worker side

class _Parsed(NamedTuple):
    status: str
    error: str | None
    meta: tuple[Any, ...]
    n_values: int
    n_flagged: int
    n_checks_failed: int
    facts: list[list[Any]]
    checks: list[list[Any]]
    sections: list[list[Any]]


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


def _flatten(report: Report) -> _Parsed:
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
        [_float(c.expected) for c in cl], [_float(c.actual) for c in cl],
        [_text(c.keys) for c in cl],
    ]
    sections = [[str(k) for k in report.sections], [str(v) for v in report.sections.values()]]
    meta = tuple(_meta(k, report.meta.get(k)) for k in META_KEYS)
    return _Parsed(
        str(report.status), _text(report.error), meta,
        sum(v is not None for v in values), sum(bool(f) for f in flags),
        statuses.count("fail"), facts, checks, sections,
    )


def _failure(error: str, status: str = "failed") -> _Parsed:
    empty: dict[str, list[list[Any]]] = {name: [[] for _ in SCHEMAS[name].names[1:]] for name in ("facts", "checks", "sections")}
    return _Parsed(status, error, (None,) * len(META_KEYS), 0, 0, 0,
                   empty["facts"], empty["checks"], empty["sections"])


def _describe(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"{type(exc).__name__}: {exc}"


def _parse_one(parse: ParseFn, path: str) -> _Parsed:
    try:
        report = parse(Path(path))
        if not isinstance(report, Report):
            raise TypeError(f"parser returned {type(report).__name__}, not Report")
        return _flatten(report)
    except Exception as exc:
        status = getattr(exc, "status", "failed")
        return _failure(_describe(exc), status if status in _PARSE_STATUSES else "failed")


def _parse_chunk(parse: ParseFn, paths: Sequence[str]) -> list[_Parsed]:
    return [_parse_one(parse, p) for p in paths]


# ---------------------------------------------------------------- parsing drivers

def _crashed() -> _Parsed:
    return _failure("worker process crashed while parsing this file")


def _isolated(paths: Sequence[str], parse: ParseFn, workers: int) -> list[_Parsed]:
    """Parse each file in a single-worker pool of its own thread, so a crash names its file."""

    def run(share: Sequence[str]) -> list[_Parsed]:
        results: list[_Parsed] = []
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
                    results.append(_failure(f"worker error: {_describe(exc)}"))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return results

    n = max(1, min(workers, len(paths)))
    size = -(-len(paths) // n)
    shares = [paths[i:i + size] for i in range(0, len(paths), size)]
    with ThreadPoolExecutor(max_workers=n) as threads:
        return [r for share in threads.map(run, shares) for r in share]


def _pooled(
    paths: Sequence[str], parse: ParseFn, workers: int
) -> Generator[_Parsed, None, None]:
    """Yield results in input order, keeping at most 2*workers chunks in flight."""
    chunk = max(1, min(_CHUNK, -(-len(paths) // (workers * 4))))
    chunks = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
    inflight: deque[tuple[Sequence[str], Future[list[_Parsed]]]] = deque()
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


def _parse_all(
    paths: Sequence[str], parse: ParseFn, workers: int, bar: tqdm
) -> Generator[_Parsed, None, None]:
    source: Generator[_Parsed, None, None]
    if workers == 1 or len(paths) <= 1:
        source = (_parse_one(parse, p) for p in paths)
    else:
        source = _pooled(paths, parse, min(workers, len(paths)))
    with contextlib.closing(source):
        for result in source:
            bar.update(1)
            yield result


# ---------------------------------------------------------------- scanning and hashing

class _Seen(NamedTuple):
    path: str
    is_dir: bool
    report_id: str | None
    size: int | None
    error: str | None


def _scan(root: Path, skip: set[tuple[int, int]]) -> list[_Seen]:
    """Every non-directory entry under root, plus a row for each directory that cannot be listed."""
    found: list[_Seen] = []
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
            found.append(_Seen(str(directory), True, None, None,
                               "permission denied: directory could not be listed"))
            continue
        except OSError as exc:
            found.append(_Seen(str(directory), True, None, None,
                               f"directory could not be listed: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir():
                    if not entry.name.startswith("."):
                        subdirs.append(Path(entry.path))
                elif entry.is_file():
                    found.append(_Seen(entry.path, False, None, None, None))
                elif entry.is_symlink():
                    found.append(_Seen(entry.path, False, None, None, "broken symlink"))
                else:
                    found.append(_Seen(entry.path, False, None, None, "not a regular file"))
            except OSError as exc:
                found.append(_Seen(entry.path, False, None, None, f"cannot stat: {exc}"))
        stack.extend(reversed(subdirs))
    found.sort(key=lambda s: s.path)
    return found


def _hash(seen: _Seen) -> _Seen:
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


def _hash_all(seen: list[_Seen], workers: int, bar: tqdm) -> list[_Seen]:
    """Hash with threads: hashlib releases the GIL, and reading is I/O bound anyway."""
    out: list[_Seen] = []
    with ThreadPoolExecutor(max_workers=max(1, min(32, 2 * workers))) as threads:
        for i in range(0, len(seen), 1024):
            for s in threads.map(_hash, seen[i:i + 1024]):
                out.append(s)
                bar.update(1)
    return out


# ---------------------------------------------------------------- store state

def _parts(directory: Path) -> dict[int, Path]:
    if not directory.is_dir():
        return {}
    found = {}
    for p in directory.iterdir():
        m = _PART_RE.match(p.name)
        if m:
            found[int(m.group(1))] = p
    return found


def _clean_interrupted(out: Path) -> None:
    """Drop temp files and content parts whose reports part (the commit marker) never landed."""
    committed = set(_parts(out / "reports"))
    for name in SCHEMAS:
        directory = out / name
        if not directory.is_dir():
            continue
        for p in directory.iterdir():
            if p.name.endswith(".tmp"):
                p.unlink()
        if name != "reports":
            for number, p in _parts(directory).items():
                if number not in committed:
                    p.unlink()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    cols = [
        table.column(f.name).cast(f.type) if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)


class _State:
    """The reports rows already in the store: which row is current per path, what content is parsed."""

    def __init__(self, out: Path) -> None:
        parts = sorted(_parts(out / "reports").items())
        tables = [_conform(pq.read_table(p), REPORTS_SCHEMA) for _, p in parts]
        self.table = pa.concat_tables(tables) if tables else REPORTS_SCHEMA.empty_table()
        self.next_part = parts[-1][0] + 1 if parts else 0
        ids = self.table.column("report_id").to_pylist()
        paths = self.table.column("path").to_pylist()
        statuses = self.table.column("status").to_pylist()
        dup_of = self.table.column("duplicate_of").to_pylist()
        self.current: dict[str, int] = {}
        self.parsed: dict[str, int] = {}
        for i, (rid, path, status) in enumerate(zip(ids, paths, statuses, strict=True)):
            self.current[path] = i
            if rid is not None and status != "duplicate":
                self.parsed[rid] = i
        self.ids, self.statuses, self.dup_of = ids, statuses, dup_of
        self.sizes = self.table.column("size_bytes").to_pylist()
        self.by_id: dict[str, list[str]] = {}
        for path, i in self.current.items():
            if ids[i] is not None:
                self.by_id.setdefault(ids[i], []).append(path)

    def row(self, i: int) -> dict[str, Any]:
        return dict(self.table.slice(i, 1).to_pylist()[0])


# ---------------------------------------------------------------- writing

class _Writer:
    """Accumulates one batch in column-friendly lists and writes it as part files."""

    def __init__(self, out: Path, first_part: int) -> None:
        self.out = out
        self.part = first_part
        self._reset()

    def _reset(self) -> None:
        self.reports: list[dict[str, Any]] = []
        self.columns: dict[str, list[list[Any]]] = {
            name: [[] for _ in SCHEMAS[name].names] for name in ("facts", "checks", "sections")
        }

    def add(self, row: dict[str, Any], parsed: _Parsed | None = None) -> None:
        self.reports.append(row)
        if parsed is None:
            return
        for name, data in (("facts", parsed.facts), ("checks", parsed.checks),
                           ("sections", parsed.sections)):
            ids, *cols = self.columns[name]
            ids.extend([row["report_id"]] * len(data[0]))
            for col, values in zip(cols, data, strict=True):
                col.extend(values)

    def __len__(self) -> int:
        return len(self.reports)

    def flush(self, force: bool = False) -> None:
        if not self.reports and not force:
            return
        for name, cols in self.columns.items():
            self._write(name, dict(zip(SCHEMAS[name].names, cols, strict=True)))
        self._write("reports", {n: [r.get(n) for r in self.reports] for n in REPORTS_SCHEMA.names})
        self.part += 1
        self._reset()

    def _write(self, name: str, data: dict[str, list[Any]]) -> None:
        schema = SCHEMAS[name]
        try:
            table = pa.Table.from_pydict(data, schema=schema)
        except (UnicodeEncodeError, pa.ArrowException):
            table = pa.Table.from_pydict({k: _scrub(v) for k, v in data.items()}, schema=schema)
        directory = self.out / name
        directory.mkdir(parents=True, exist_ok=True)
        final = directory / f"part-{self.part:05d}.parquet"
        tmp = directory / f".{final.name}.tmp"
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, final)


def _scrub(values: list[Any]) -> list[Any]:
    """Replace lone surrogates (from lossy decoding) that UTF-8 parquet strings cannot hold."""
    return [
        v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str) else v
        for v in values
    ]


# ---------------------------------------------------------------- views

def _glob(out: Path, name: str) -> str:
    return str(out / name / "part-*.parquet").replace("'", "''")


def _view_sql(out: Path) -> dict[str, str]:
    def scan(name: str, extra: str = "") -> str:
        return f"read_parquet('{_glob(out, name)}', union_by_name = true{extra})"

    live = ("SELECT report_id FROM reports "
            "WHERE status <> 'duplicate' AND report_id IS NOT NULL")
    sql = {
        "reports_history": (
            "SELECT * EXCLUDE (filename), "
            "CAST(regexp_extract(filename, 'part-(\\d+)\\.parquet$', 1) AS BIGINT) AS part "
            f"FROM {scan('reports', ', filename = true')}"
        ),
        "reports": (
            "SELECT * EXCLUDE (part) FROM reports_history "
            "QUALIFY row_number() OVER (PARTITION BY path ORDER BY part DESC) = 1"
        ),
    }
    for name in ("facts", "checks", "sections"):
        sql[name] = f"SELECT * FROM {scan(name)} WHERE report_id IN ({live})"
    return sql


def _create_views(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    for name, sql in _view_sql(out).items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def _write_db(out: Path) -> None:
    try:
        with duckdb.connect(str(out / DB_NAME)) as con:
            _create_views(con, out)
    except duckdb.Error as exc:
        warnings.warn(f"could not update {out / DB_NAME}: {exc}; the parquet files are complete",
                      RuntimeWarning, stacklevel=3)


def open_store(out: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with views reports, facts, checks, sections over ``out``.

    In-memory rather than ``corpus.duckdb`` so a notebook never holds a file lock that
    would block a concurrent ingest, and the views follow the folder if it was moved.
    """
    out = Path(out).resolve()
    if not _parts(out / "reports"):
        raise FileNotFoundError(f"{out}: no store here (run ingest first)")
    con = duckdb.connect()
    _create_views(con, out)
    return con


# ---------------------------------------------------------------- ingest

def _version() -> str:
    try:
        return metadata.version("ogi-toolkit")
    except metadata.PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    with open(out / ".ingest.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"{out}: another ingest is writing to this store") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _parsed_row(rid: str, path: str, size: int | None, parsed: _Parsed, version: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "report_id": rid, "path": path, "size_bytes": size, "status": parsed.status,
        "error": parsed.error, "n_values": parsed.n_values, "n_flagged": parsed.n_flagged,
        "n_checks_failed": parsed.n_checks_failed, "parsed_at_version": version,
    }
    row.update(zip(META_KEYS, parsed.meta, strict=True))
    return row


class _Job(NamedTuple):
    path: str
    row: dict[str, Any]
    parse: bool


def _plan(seen: list[_Seen], state: _State, version: str) -> tuple[list[_Job], set[str]]:
    """Decide the new reports rows: which paths changed, which content needs parsing.

    Returns the jobs (sorted by path) and the paths whose rows are unchanged.
    """
    changed: dict[str, _Seen] = {}
    unchanged: set[str] = set()
    for s in seen:
        i = state.current.get(s.path)
        if i is not None and state.ids[i] == s.report_id:
            unchanged.add(s.path)
        else:
            changed[s.path] = s

    jobs: dict[str, _Job] = {}
    affected: set[str] = set()
    incoming: dict[str, list[str]] = {}
    for s in changed.values():
        if s.report_id is None:
            jobs[s.path] = _Job(s.path, {"path": s.path, "size_bytes": s.size, "status": "failed",
                                         "error": s.error, "parsed_at_version": version}, False)
        else:
            affected.add(s.report_id)
            incoming.setdefault(s.report_id, []).append(s.path)
        i = state.current.get(s.path)
        if i is not None and state.ids[i] is not None:
            affected.add(state.ids[i])

    for rid in sorted(affected):
        kept = [p for p in state.by_id.get(rid, []) if p not in changed]
        holders = sorted(kept + incoming.get(rid, []))
        if not holders:
            continue
        canon = next((p for p in kept if state.statuses[state.current[p]] != "duplicate"),
                     holders[0])
        for path in holders:
            i = state.current.get(path)
            size = changed[path].size if path in changed else state.sizes[i]
            if path == canon:
                if path in kept and state.statuses[i] != "duplicate":
                    continue
                if rid in state.parsed:
                    row = state.row(state.parsed[rid]) | {"path": path, "size_bytes": size,
                                                          "duplicate_of": None}
                    jobs[path] = _Job(path, row, False)
                else:
                    jobs[path] = _Job(path, {"report_id": rid, "path": path, "size_bytes": size}, True)
            elif path in kept and state.statuses[i] == "duplicate" and state.dup_of[i] == canon:
                continue
            else:
                jobs[path] = _Job(path, {
                    "report_id": rid, "path": path, "size_bytes": size, "status": "duplicate",
                    "duplicate_of": canon, "parsed_at_version": version,
                }, False)
    return [jobs[p] for p in sorted(jobs)], unchanged


def ingest(
    root: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    progress: bool = True,
    parse: Callable[[Path], Report] | None = None,
    batch_size: int = 2000,
) -> IngestSummary:
    """Parse every file under ``root`` into the store at ``out``; safe to re-run.

    Every file (and every directory that cannot be listed) gets a reports row; per-file
    problems become ``failed`` rows instead of exceptions. See the module docstring for
    the duplicate and incremental rules.
    """
    started = time.perf_counter()
    if parse is None:
        from toolkit.parse import parse_report
        parse = parse_report
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1 or batch_size < 1:
        raise ValueError("workers and batch_size must be >= 1")
    if workers > 1:
        try:
            pickle.dumps(parse)
        except Exception:
            warnings.warn("parse function cannot be pickled; parsing in-process",
                          RuntimeWarning, stacklevel=2)
            workers = 1

    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise NotADirectoryError(f"{root_path}: not a directory")
    out_path = Path(out).resolve()
    out_path.mkdir(parents=True, exist_ok=True)
    show = progress and sys.stderr.isatty()
    version = _version()

    with _locked(out_path):
        _clean_interrupted(out_path)
        st = out_path.stat()
        scanned = _scan(root_path, {(st.st_dev, st.st_ino)})
        with tqdm(total=len(scanned), desc="hashing", unit="file", disable=not show) as bar:
            scanned = _hash_all(scanned, workers, bar)
        state = _State(out_path)
        jobs, unchanged = _plan(scanned, state, version)

        to_parse = [j.path for j in jobs if j.parse]
        writer = _Writer(out_path, state.next_part)
        statuses: dict[str, str] = {}
        with tqdm(total=len(to_parse), desc="parsing", unit="file", disable=not show) as bar:
            with contextlib.closing(_parse_all(to_parse, parse, workers, bar)) as results:
                for job in jobs:
                    if job.parse:
                        parsed = next(results)
                        row = _parsed_row(job.row["report_id"], job.path, job.row["size_bytes"],
                                          parsed, version)
                        writer.add(row, parsed)
                    else:
                        row = job.row
                        writer.add(row)
                    statuses[job.path] = row["status"]
                    if len(writer) >= batch_size:
                        writer.flush()
            writer.flush(force=not _parts(out_path / "reports"))
        _write_db(out_path)

    by_status: Counter[str] = Counter()
    for s in scanned:
        if s.path in statuses:
            by_status[statuses[s.path]] += 1
        else:
            by_status[state.statuses[state.current[s.path]]] += 1
    return IngestSummary(
        files_seen=sum(not s.is_dir for s in scanned),
        parsed_now=len(to_parse),
        skipped_known=sum(p not in statuses for p in unchanged),
        duplicates=sum(j.row.get("status") == "duplicate" for j in jobs),
        by_status=dict(sorted(by_status.items())),
        out_dir=out_path,
        seconds=time.perf_counter() - started,
    )
