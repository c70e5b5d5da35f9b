"""Ingest a folder of reports into a Parquet + DuckDB store that notebooks query with SQL.

Inputs are the files under the root and the documents archived in WARC files there: a
crawl folder of `python -m toolkit collect` or bare `.warc` / `.warc.gz` files (see
`toolkit.store.crawls`); a WARC document's `path` is `WARC_FILE#offset=N` and its row
records where it came from (`source_url`, `source_referrer`, `source_title`, `fetched_at`).

Layout of ``out``::

    reports/part-NNNNN.parquet   one row per file (or unlistable directory) per change
    facts/    checks/    sections/    texts/   parsed content (texts: what was parsed),
                                 written once per distinct file content
    repairs.parquet              cells decided across years (`toolkit.store.repair`)
    corpus.duckdb                views over the parquet globs (paths relative to the store)

Rules, chosen so that runs are cheap to repeat and outputs are deterministic:

* ``report_id`` is the sha256 of the file's bytes. Content is parsed once per store and
  parser (see below); facts, checks and sections are keyed by it.
* Identical files: the first path (sorted; a WARC file's documents by offset) is parsed,
  the others get status
  ``duplicate`` with ``duplicate_of`` = that path. A path that was already canonical
  for its content in an earlier run stays canonical. The same bytes under two URLs are
  two inputs of one content: one parse, both rows, each with its own ``source_url``; the
  parse is the canonical input's (its URL and page title are the site evidence used).
* Re-running skips every path whose (path, report_id) is already current and whose
  content was parsed by the same parser (``parser_fingerprint``, see
  `toolkit.store.fingerprint`), so an unchanged folder writes nothing. When the parser
  changed (or with ``reparse=True``), each content whose canonical file is still there is
  parsed again: its new facts, checks and sections go to a new part, its row records that
  part (``content_part``) and the views read only it. Duplicates stay duplicates.
* A changed file at a known path gets a new row in a later part; the ``reports`` view
  keeps only the newest row per path (highest part number), so the old row is
  superseded without rewriting any part. If the displaced content is still held by
  duplicates, the first of them is promoted to canonical.
* Files that vanish from ``root`` keep their rows (and their parse, even a stale one:
  there is nothing to read again): ingest only adds. A folder that could not be listed and
  can be now gets a ``cleared`` row, which the ``reports`` view leaves out.
* After the parse, every ingest recomputes the cross-year repairs of the whole store from
  the current parse (`toolkit.store.repair`): adding, changing or re-parsing either year
  of a body re-decides the cells they decide. `repairs.parquet` is rewritten only when
  it changed.
* Each batch writes facts, checks and sections first and its reports part last; parts
  without a reports part of the same number are leftovers of an interrupted run and are
  deleted on the next run, so an interrupted run resumes where it stopped.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from toolkit.parse.report import Report
from toolkit.spec.errors import ToolkitError
from toolkit.spec.fields import META_KEYS
from toolkit.spec.limits import DEFAULT_LIMITS, Limits
from toolkit.spec.paths import os_path, store_path
from toolkit.spec.vocab import Status
from toolkit.store.crawls import NO_ORIGIN, path_order, read_warcs, split
from toolkit.store.fingerprint import package_version, parser_fingerprint
from toolkit.store.repair import refresh_repairs
from toolkit.store.scan import Seen, hash_all, scan_tree
from toolkit.store.schema import REPAIRS_FILE, REPORTS_SCHEMA, SCHEMAS, conform, part_files
from toolkit.store.views import StoreOutdated, open_store, write_db
from toolkit.store.workers import FileTask, Parsed, Task, _parse_one, failure_row, parse_all

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    """What one ingest run did. ``by_status`` counts the current status of every entry seen."""

    files_seen: int
    parsed_now: int
    skipped_known: int
    duplicates: int
    by_status: dict[str, int] = field(default_factory=dict)
    reparsed: int = 0
    """Of `parsed_now`, contents parsed before by another parser (or again, on request)."""
    repaired: int = 0
    """Cells of the whole store a cross-year identity decides (the `repairs` table)."""
    out_dir: Path = Path()
    seconds: float = 0.0
    from_warc: int = 0
    """Of `files_seen`, the inputs read from WARC files (documents, and what was unreadable)."""
    warc_files: int = 0

    def __str__(self) -> str:
        lines = [
            f"ingest -> {self.out_dir}  ({self.seconds:.1f} s)",
            f"  files seen     {self.files_seen:>8}",
            f"  from WARC      {self.from_warc:>8}  (in {self.warc_files} WARC files)",
            f"  parsed now     {self.parsed_now:>8}",
            f"  skipped known  {self.skipped_known:>8}",
            f"  new duplicates {self.duplicates:>8}",
            f"  parsed again   {self.reparsed:>8}",
            f"  repaired cells {self.repaired:>8}",
            "  status",
        ]
        lines += [f"    {k:<12} {v:>8}" for k, v in sorted(self.by_status.items())]
        return "\n".join(lines)


def _clean_interrupted(out: Path) -> None:
    """Drop temp files and content parts whose reports part (the commit marker) never landed."""
    (out / f".{REPAIRS_FILE}.tmp").unlink(missing_ok=True)
    committed = set(part_files(out / "reports"))
    for name in SCHEMAS:
        directory = out / name
        if not directory.is_dir():
            continue
        for p in directory.iterdir():
            if p.name.endswith(".tmp"):
                p.unlink()
        if name != "reports":
            for number, p in part_files(directory).items():
                if number not in committed:
                    p.unlink()


class _State:
    """The reports rows already in the store: which row is current per path, what content is parsed."""

    def __init__(self, out: Path) -> None:
        parts = sorted(part_files(out / "reports").items())
        tables = [conform(pq.read_table(p), REPORTS_SCHEMA) for _, p in parts]
        self.table = pa.concat_tables(tables) if tables else REPORTS_SCHEMA.empty_table()
        self.next_part = parts[-1][0] + 1 if parts else 0
        ids = self.table.column("report_id").to_pylist()
        paths = [os_path(p) for p in self.table.column("path").to_pylist()]
        statuses = self.table.column("status").to_pylist()
        dup_of: Any = [None if p is None else os_path(p)
                  for p in self.table.column("duplicate_of").to_pylist()]
        self.current: dict[str, int] = {}
        self.parsed: dict[str, int] = {}
        for i, (rid, path, status) in enumerate(zip(ids, paths, statuses, strict=True)):
            self.current[path] = i
            if rid is not None and status != Status.DUPLICATE:
                self.parsed[rid] = i
        self.ids, self.statuses, self.dup_of = ids, statuses, dup_of
        self.sizes = self.table.column("size_bytes").to_pylist()
        self.fingerprints = self.table.column("parser_fingerprint").to_pylist()
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
            name: [[] for _ in SCHEMAS[name].names]
            for name in ("facts", "checks", "sections", "texts")
        }

    def add(self, row: dict[str, Any], parsed: Parsed | None = None) -> None:
        """One reports row; with its parse, whose rows go to this batch's part."""
        if parsed is not None:
            row["content_part"] = self.part
        self.reports.append(row)
        if parsed is None:
            return
        texts = [[parsed.text]] if parsed.text is not None else [[]]
        for name, data in (("facts", parsed.facts), ("checks", parsed.checks),
                           ("sections", parsed.sections), ("texts", texts)):
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
        self._write("reports", {n: [_stored(n, r.get(n)) for r in self.reports]
                                for n in REPORTS_SCHEMA.names})
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


def _stored(column: str, value: Any) -> Any:
    """A reports cell as written: a path keeps the bytes of a non-UTF-8 name (`spec.paths`)."""
    if column in ("path", "duplicate_of") and isinstance(value, str):
        return store_path(value)
    return value


def _scrub(values: list[Any]) -> list[Any]:
    """Replace lone surrogates (from lossy decoding) that UTF-8 parquet strings cannot hold."""
    return [
        v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str) else v
        for v in values
    ]


# ---------------------------------------------------------------- ingest

LOCK_FILE = ".ingest.lock"


class StoreBusy(ToolkitError):
    """Another ingest holds the store's lock; the message says which process."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_holder(out: Path) -> str:
    """Who wrote the store's lock file last: `pid N (started T)`, and whether it still runs.

    The lock itself is an `flock`, which the system releases when every process holding it
    is gone (the ingest and its workers, which die with it); this says who holds it.
    """
    try:
        pid_text, _, started = (out / LOCK_FILE).read_text().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return "an unknown process"
    if _alive(pid):
        return f"ingest pid {pid} (started {started.strip()}), still running"
    return (f"processes left by ingest pid {pid} (started {started.strip()}), which has "
            "exited; they release the lock when they end (they are its workers: stop them "
            f"with `pkill -P {pid}` if they linger)")


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the store's lock; an ingest that died is reported, its lock is free again."""
    if fcntl is None:
        yield
        return
    with open(out / LOCK_FILE, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(f"{out}: another ingest is writing to this store: "
                            f"{lock_holder(out)}") from None
        fh.seek(0)
        previous = fh.read().strip()
        if previous:
            log.info("%s: the previous ingest (pid %s) did not finish; resuming where it "
                     "stopped", out, previous)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n")
        fh.flush()
        try:
            yield
            fh.truncate(0)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class _Stamp(NamedTuple):
    """What every row written by this run records about the code that wrote it."""

    version: str
    fingerprint: str

    def row(self) -> dict[str, Any]:
        return {"parsed_at_version": self.version, "parser_fingerprint": self.fingerprint}


def _parsed_row(rid: str, path: str, size: int | None, parsed: Parsed, stamp: _Stamp
                ) -> dict[str, Any]:
    row: dict[str, Any] = {
        "report_id": rid, "path": path, "size_bytes": size, "status": parsed.status,
        "error": parsed.error, "detail": parsed.detail, "n_values": parsed.n_values,
        "n_flagged": parsed.n_flagged,
        "n_checks_failed": parsed.n_checks_failed, "n_checks_passed": parsed.n_checks_passed,
        **stamp.row(),
    }
    row.update(zip(META_KEYS, parsed.meta, strict=True))
    if parsed.sha256 is not None and parsed.sha256 != rid:
        row["report_id"] = None  # no content of the row's: the next ingest reads it afresh
    return row


class _Job(NamedTuple):
    path: str
    row: dict[str, Any]
    parse: bool


def _lost_original(state: _State, i: int) -> bool:
    """A duplicate whose original's row no longer holds its content (it changed, or its
    content changed while it was ingested): the content needs a canonical file again."""
    if state.statuses[i] != Status.DUPLICATE:
        return False
    original = state.current.get(state.dup_of[i])
    return original is None or state.ids[original] != state.ids[i]


def _plan(seen: list[Seen], state: _State, stamp: _Stamp, reparse: bool = False,
          root: Path | None = None) -> tuple[list[_Job], set[str]]:
    """Decide the new reports rows: which paths changed, which content needs parsing.

    A content is parsed when no row of the store holds its parse, or when the parse it holds
    is stale (another parser fingerprint, or `reparse`) and its canonical file was seen now
    (a file no longer under `root` cannot be read again, so its row is left as it is).
    A folder under `root` whose row says it could not be listed and that can be listed now
    gets a `cleared` row (the `reports` view leaves it out): the failure no longer applies.
    Returns the jobs (sorted by path) and the paths whose rows are unchanged.
    """
    readable = {s.path for s in seen if s.report_id is not None}
    stale = {rid for rid, i in state.parsed.items()
             if reparse or state.fingerprints[i] != stamp.fingerprint}
    changed: dict[str, Seen] = {}
    unchanged: set[str] = set()
    affected: set[str] = set()
    for s in seen:
        i = state.current.get(s.path)
        if (i is not None and state.ids[i] == s.report_id
                and state.statuses[i] != Status.CLEARED):
            unchanged.add(s.path)
            if s.report_id is not None and (s.report_id in stale or _lost_original(state, i)):
                affected.add(s.report_id)
        else:
            changed[s.path] = s

    jobs: dict[str, _Job] = {}
    incoming: dict[str, list[str]] = {}
    for s in changed.values():
        if s.report_id is None:
            jobs[s.path] = _Job(s.path, {"path": s.path, "size_bytes": s.size,
                                         "status": Status.FAILED, "error": s.error,
                                         **stamp.row()}, False)
        else:
            affected.add(s.report_id)
            incoming.setdefault(s.report_id, []).append(s.path)
        i = state.current.get(s.path)
        if i is not None and state.ids[i] is not None:
            affected.add(state.ids[i])

    for rid in sorted(affected):
        kept = [p for p in state.by_id.get(rid, []) if p not in changed]
        holders = sorted(kept + incoming.get(rid, []), key=path_order)
        if not holders:
            continue
        canon = next((p for p in kept if state.statuses[state.current[p]] != Status.DUPLICATE),
                     holders[0])
        for path in holders:
            i = state.current.get(path)
            size = changed[path].size if path in changed else state.sizes[i]
            if path == canon:
                parse = rid not in state.parsed or (rid in stale and path in readable)
                if path in kept and state.statuses[i] != Status.DUPLICATE and not parse:
                    continue
                if not parse:
                    row = state.row(state.parsed[rid]) | {"path": path, "size_bytes": size,
                                                          "duplicate_of": None}
                    jobs[path] = _Job(path, row, False)
                else:
                    jobs[path] = _Job(path, {"report_id": rid, "path": path, "size_bytes": size},
                                      True)
            elif (path in kept and state.statuses[i] == Status.DUPLICATE
                  and state.dup_of[i] == canon):
                continue
            else:
                jobs[path] = _Job(path, {
                    "report_id": rid, "path": path, "size_bytes": size,
                    "status": Status.DUPLICATE, "duplicate_of": canon, **stamp.row(),
                }, False)
    for path in _cleared(state, root, {s.path for s in seen}):
        jobs[path] = _Job(path, {"path": path, "status": Status.CLEARED, **stamp.row()}, False)
    return [jobs[p] for p in sorted(jobs, key=path_order)], unchanged


def _cleared(state: _State, root: Path | None, seen: set[str]) -> list[str]:
    """Failure rows of folders under `root` that can be listed now: they no longer apply."""
    if root is None:
        return []
    out = []
    for path, i in state.current.items():
        if (path in seen or state.ids[i] is not None or state.statuses[i] != Status.FAILED
                or not Path(path).is_relative_to(root) or not Path(path).is_dir()):
            continue
        try:
            with os.scandir(path):
                out.append(path)
        except OSError:
            continue
    return out


class _Batch(NamedTuple):
    """Consecutive jobs that make one part: what a Dask worker gets (`toolkit.store.cluster`)."""

    out: Path
    part: int
    jobs: list[_Job]
    tasks: list[Task | None]
    origins: list[dict[str, Any]]
    parse: Callable[..., Report]
    stamp: _Stamp
    limits: Limits | None


def _write_batch(batch: _Batch, failed: str | None = None) -> dict[str, str]:
    """Parse a batch's files and write its part, reports last; the status of each path.
    With `failed` (its worker died), nothing is parsed: every file is an `internal_error`."""
    writer = _Writer(batch.out, batch.part)
    statuses: dict[str, str] = {}
    with contextlib.closing(_parse_batch(batch) if failed is None else _none()) as results:
        for job, task, origin in zip(batch.jobs, batch.tasks, batch.origins, strict=True):
            if job.parse and task is not None:
                parsed = (next(results) if failed is None
                          else failure_row(failed, Status.INTERNAL_ERROR))
                row = _parsed_row(job.row["report_id"], job.path, job.row["size_bytes"],
                                  parsed, batch.stamp)
                row.update(origin)
                writer.add(row, parsed if row["report_id"] is not None else None)
            else:
                row = {**job.row, **origin}
                writer.add(row)
            statuses[job.path] = row["status"]
    writer.flush()
    return statuses


def _none() -> Generator[Parsed, None, None]:
    yield from ()


def _parse_batch(batch: _Batch) -> Generator[Parsed, None, None]:
    """The batch's files parsed on this (Dask) worker, one row at a time: in a supervised
    process under the batch's limits, as the local pool does, kept for the worker's next
    batch, where this process may have children (a LocalCluster's workers may:
    `toolkit.store.cluster`); else here, with the readers' own bounds only (pages,
    characters, expanded size, elements, the digit search)."""
    tasks = [t for j, t in zip(batch.jobs, batch.tasks, strict=True) if j.parse and t is not None]
    if batch.limits is not None and not multiprocessing.current_process().daemon:
        with tqdm(total=len(tasks), disable=True) as bar, \
                contextlib.closing(parse_all(tasks, batch.parse, 1, bar, batch.limits,
                                             keep=True)) as results:
            yield from results
        return
    yield from (_parse_one(batch.parse, t) for t in tasks)


def _rescue_batch(batch: _Batch, reason: str) -> dict[str, str]:
    return _write_batch(batch, failed=reason)


def _on_dask(scheduler: str, workers: int, jobs: list[_Job], tasks: Mapping[str, Task],
             origins: Mapping[str, dict[str, Any]], parse: Callable[..., Report], stamp: _Stamp,
             writer: _Writer, batch_size: int, progress: bool, limits: Limits | None
             ) -> dict[str, str]:
    """The jobs in batches (of `batch_size` at most, fewer so that every worker gets
    several), each parsed and written as one part on the cluster (`toolkit.store.cluster`);
    `writer` moves on past their part numbers."""
    from toolkit.store import cluster

    with cluster.connect(scheduler, workers) as client:
        cluster.same_parser(client, stamp.fingerprint, parser_fingerprint)
        size = cluster.batch_size(client, len(jobs), batch_size)
        batches = []
        for n, start in enumerate(range(0, len(jobs), size)):
            share = jobs[start:start + size]
            batches.append(_Batch(writer.out, writer.part + n, share,
                                  [(tasks.get(j.path) or FileTask(j.path, j.row["report_id"]))
                                   if j.parse else None for j in share],
                                  [origins.get(j.path, NO_ORIGIN) for j in share], parse, stamp,
                                  limits))
        statuses = cluster.run_batches(client, batches, _write_batch, _rescue_batch,
                                       [sum(j.parse for j in b.jobs) for b in batches], progress)
    writer.part += len(batches)
    return statuses


def _repair(out: Path) -> int:
    """Recompute the cross-year repairs of the whole store (`toolkit.store.repair`)."""
    try:
        con = open_store(out)
    except StoreOutdated as exc:
        warnings.warn(f"{out}: cross-year repairs not computed: {exc}", RuntimeWarning,
                      stacklevel=3)
        return 0
    try:
        return refresh_repairs(con, out)
    finally:
        con.close()


def ingest(
    root: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    progress: bool = True,
    parse: Callable[[Path], Report] | None = None,
    batch_size: int = 2000,
    reparse: bool = False,
    limits: Limits | None = DEFAULT_LIMITS,
    scheduler: str | None = None,
) -> IngestSummary:
    """Parse every file under ``root`` into the store at ``out``; safe to re-run.

    Every input (a file, a document of a WARC file, every directory that cannot be listed
    and every WARC record or file that cannot be read) gets a reports row; per-input
    problems become ``failed`` rows instead of exceptions. See the module docstring for
    the duplicate and incremental rules; ``reparse`` parses every content under ``root``
    again, as if the parser had changed. A `parse` function that takes `source_url` and
    `hints` gets them for WARC documents, one that takes `data` gets the bytes the worker
    read and hashed. `limits` bound each file's parse (`seconds`, `memory_bytes`: see
    `toolkit.store.workers`); `limits=None` with one worker parses in this process.
    """
    started = time.perf_counter()
    if parse is None:
        from toolkit.parse import parse_report
        parse = parse_report
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1 or batch_size < 1:
        raise ValueError("workers and batch_size must be >= 1")

    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise NotADirectoryError(f"{root_path}: not a directory")
    out_path = Path(out).resolve()
    out_path.mkdir(parents=True, exist_ok=True)
    show = progress and sys.stderr.isatty()
    stamp = _Stamp(package_version(), parser_fingerprint())

    with _locked(out_path):
        _clean_interrupted(out_path)
        st = out_path.stat()
        found = split(scan_tree(root_path, {(st.st_dev, st.st_ino)}))
        with tqdm(total=len(found.loose), desc="hashing", unit="file", disable=not show) as bar:
            scanned = hash_all(found.loose, workers, bar)
        warcs = read_warcs(found.crawls, found.bare, workers)
        scanned = sorted(scanned + warcs.seen, key=lambda s: path_order(s.path))
        state = _State(out_path)
        jobs, unchanged = _plan(scanned, state, stamp, reparse, root_path)

        to_parse: list[Task] = [warcs.tasks.get(j.path) or FileTask(j.path, j.row["report_id"])
                                for j in jobs if j.parse]
        writer = _Writer(out_path, state.next_part)
        statuses: dict[str, str] = {}
        here = jobs
        if scheduler is not None:
            statuses = _on_dask(scheduler, workers, jobs, warcs.tasks, warcs.origins, parse,
                                stamp, writer, batch_size, show, limits)
            here, to_parse = [], []
        with tqdm(total=len(to_parse), desc="parsing", unit="file", disable=not show) as bar:
            with contextlib.closing(parse_all(to_parse, parse, workers, bar, limits)) as results:
                for job in here:
                    if job.parse:
                        parsed = next(results)
                        row = _parsed_row(job.row["report_id"], job.path, job.row["size_bytes"],
                                          parsed, stamp)
                        row.update(warcs.origins.get(job.path, NO_ORIGIN))
                        writer.add(row, parsed if row["report_id"] is not None else None)
                    else:
                        row = job.row
                        row.update(warcs.origins.get(job.path, NO_ORIGIN))
                        writer.add(row)
                    statuses[job.path] = row["status"]
                    if len(writer) >= batch_size:
                        writer.flush()
            writer.flush(force=not part_files(out_path / "reports"))
        repaired = _repair(out_path)
        write_db(out_path)

    by_status: Counter[str] = Counter()
    for s in scanned:
        if s.path in statuses:
            by_status[statuses[s.path]] += 1
        else:
            by_status[state.statuses[state.current[s.path]]] += 1
    return IngestSummary(
        files_seen=sum(not s.is_dir for s in scanned),
        parsed_now=sum(j.parse for j in jobs),
        skipped_known=sum(p not in statuses for p in unchanged),
        duplicates=sum(j.row.get("status") == Status.DUPLICATE for j in jobs),
        reparsed=sum(j.parse and j.row["report_id"] in state.parsed for j in jobs),
        repaired=repaired,
        by_status=dict(sorted(by_status.items())),
        out_dir=out_path,
        seconds=time.perf_counter() - started,
        from_warc=len(warcs.seen),
        warc_files=found.warc_files,
    )
