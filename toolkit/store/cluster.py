"""Ingest on a Dask cluster: batches of files parsed and written as Parquet parts by the
cluster's workers, the manifest and the DuckDB views written once by the client.

`ingest(..., scheduler=ADDRESS)` plans the run as always (what changed, what to parse, which
file is a duplicate of which), cuts the plan into batches and hands each to `run_batches`:
a worker parses its batch's files with the local pool's function (`workers._parse_one`, so a
parse error is a status row there as here), writes the batch's facts, checks and sections
and then its reports part (the commit marker: a batch cut short leaves no reports part and
is cleaned up on the next run), and sends back only each file's status. A batch whose worker
died (Dask retried it on others first) is written here, its files as `internal_error` rows,
so every input still gets its row.

`scheduler` is a Dask scheduler's address (`tcp://HOST:8786`) or "local" for a
`distributed.LocalCluster` of `workers` processes on this machine. Workers read the input
files (and the WARC files, one record per task) and write the store at the same paths as
here: a shared folder, as for the briefings on Dask.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from tqdm import tqdm

Batch = TypeVar("Batch")
LOCAL = "local"


@contextlib.contextmanager
def connect(scheduler: str, workers: int) -> Iterator[Any]:
    """A client of the scheduler at `scheduler`, or of a LocalCluster of `workers` processes
    (one thread each: the parse holds the GIL) that lives as long as the client."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ImportError("ingest on Dask needs the dask extra: pip install "
                          "'ogi-toolkit[store,dask]'") from error
    if scheduler != LOCAL:
        with Client(scheduler) as client:
            yield client
        return
    import dask

    # non-daemonic workers may start the supervised parse processes that hold each file to
    # its time and memory limits (`toolkit.store.workers`); a remote cluster's workers get
    # them when started with DASK_DISTRIBUTED__WORKER__DAEMON=False
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def same_parser(client: Any, fingerprint: str, current: Callable[[], str]) -> None:
    """Refuse a cluster whose workers run another parser: their rows would carry this
    machine's parser fingerprint and never be parsed again."""
    theirs = client.run(current)
    other = sorted(worker for worker, fp in theirs.items() if fp != fingerprint)
    if other:
        raise RuntimeError(f"Dask workers {', '.join(other)} run another version of the parser "
                           "than this machine; install the same toolkit on every worker")


def batch_size(client: Any, jobs: int, largest: int) -> int:
    """Files per batch: `largest` at most, and small enough that each worker gets four
    batches, so that the last batches do not leave workers idle."""
    workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    return max(1, min(largest, -(-jobs // (4 * workers))))


def run_batches(client: Any, batches: Sequence[Batch],
                write: Callable[[Batch], dict[str, str]],
                rescue: Callable[[Batch, str], dict[str, str]],
                sizes: Sequence[int], progress: bool = False) -> dict[str, str]:
    """`write` every batch on the cluster; the status of every path written. A batch that
    failed on the cluster goes to `rescue` here with the reason."""
    from distributed import as_completed

    futures = client.map(write, list(batches), pure=False,
                         key=[f"ingest-batch-{i}" for i in range(len(batches))])
    owner = {f.key: i for i, f in enumerate(futures)}
    statuses: dict[str, str] = {}
    with tqdm(total=sum(sizes), desc="parsing", unit="file", disable=not progress) as bar:
        for future in as_completed(futures):
            i = owner[future.key]
            try:
                statuses.update(future.result())
            except Exception as error:
                statuses.update(rescue(batches[i], f"Dask worker failed: "
                                                   f"{type(error).__name__}: {error}"))
            bar.update(sizes[i])
            future.release()
    return statuses
