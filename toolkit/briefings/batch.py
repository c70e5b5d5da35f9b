"""Render one briefing per region: papermill on reused kernels, offline HTML, an index.

`python -m toolkit briefings` plans the regions (a level, or adcodes), leaves out a region
whose every report is a report of one of its children (its index row points to the child's
briefing; `identical_regions`), renders
`notebooks/briefing.ipynb` for each with papermill, exports each to HTML without input cells
(charts are SVG images inside the page: no script, no CDN) and writes `index.html`
linking every briefing with its key figures. A region that fails becomes a row of the
index with its error; the batch goes on.

Why a custom papermill engine: starting a kernel and importing pandas, altair and the
store costs seconds, more than rendering a briefing. Each worker process keeps one
kernel (`KernelSession`) and executes notebook after notebook in it, resetting the
namespace and the execution counter in between, so every notebook looks as if it ran in
a fresh kernel (the golden tests check this). Workers are local processes, or the
workers of a Dask cluster (`--scheduler ADDRESS`); either way a worker returns the files'
bytes and the client writes them, so only the store has to be reachable from the workers.

File names come from the adcode (six ASCII digits, checked), never from text in the data;
every string from the data is escaped in the HTML.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from toolkit.briefings.jobs import Job, Rendered, check_adcode, json_bytes
from toolkit.briefings.kernel import (
    close_sessions,
    discard_session,
    execute,
    notebook_template,
    scrub,
    session,
)
from toolkit.briefings.pages import export_html, write_index
from toolkit.spec.errors import StoreNotFound
from toolkit.spec.vocab import ALL_KINDS, KINDS, REGION_LEVELS
from toolkit.store.views import resolve_store

LEVEL_ORDER = {str(level): order for order, level in enumerate(REGION_LEVELS)}


def render_job(job: Job) -> Rendered:
    """Render, export and collect one briefing in this thread's kernel; errors become a status."""
    started = time.perf_counter()
    adcode = job.adcode
    try:
        adcode = check_adcode(job.adcode)
        kernel = session()
        reused = kernel.notebooks
        name = f"{adcode}.json"
        target = kernel.workdir / name
        target.unlink(missing_ok=True)
        files: dict[str, bytes] = {}
        try:
            nb = execute(job, kernel, key_figures_name=name)
        except Exception as error:
            if not getattr(error, "ename", None):  # not the notebook's own error: the kernel
                discard_session()                   # may be dead, busy or half-reset
            partial = getattr(error, "notebook", None)
            if partial is not None:
                files[f"{adcode}.ipynb"] = nbformat.writes(scrub(partial)).encode()
            return Rendered(adcode, "failed", describe(error), time.perf_counter() - started,
                            files=files, kernel_reused=reused)
        record = json.loads(target.read_text(encoding="utf-8"))
        target.unlink()
        region = record["region"]
        files[f"{adcode}.ipynb"] = nbformat.writes(nb).encode()
        files[f"{adcode}.json"] = json_bytes(record)
        files[f"{adcode}.html"] = export_html(
            nb, f"{region['name']}({adcode})政府信息公开年报简报").encode()
        return Rendered(adcode, "ok", None, time.perf_counter() - started, record, files,
                        kernel_reused=reused)
    except Exception as error:
        return Rendered(adcode, "failed", describe(error), time.perf_counter() - started)


def describe(error: BaseException) -> str:
    """One line: the notebook's own error when papermill reports one, else the exception."""
    ename = getattr(error, "ename", None)
    if ename:
        cell = getattr(error, "exec_count", None)
        return f"{ename}: {getattr(error, 'evalue', '')} (cell {cell})".strip()
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


# ---------------------------------------------------------------- the batch

def plan(store: str | Path, level: str | None = None, regions: Sequence[str] = ()
         ) -> tuple[list[str], list[Rendered]]:
    """The adcodes to render, and failure rows for requested codes that cannot be rendered.

    Regions come from the store's region tree (every level when neither `level` nor
    `regions` is given), in level then adcode order.
    """
    from toolkit.analysis.corpus import load

    tree = load(store).region_tree()
    known = dict(zip(tree["adcode"], tree["level"], strict=True))
    failures: list[Rendered] = []
    if regions:
        chosen = []
        for code in dict.fromkeys(str(r).strip() for r in regions):
            try:
                check_adcode(code)
            except ValueError as error:
                failures.append(Rendered(code, "failed", str(error)))
                continue
            if code not in known:
                failures.append(Rendered(code, "failed", f"no reports for region {code} "
                                                         "in this store"))
                continue
            if level is None or known[code] == level:
                chosen.append(code)
    else:
        chosen = [c for c, lv in known.items() if level is None or lv == level]
    chosen.sort(key=lambda c: (LEVEL_ORDER.get(known[c], 9), c))
    return chosen, failures


def identical_regions(store: str | Path, codes: Sequence[str], years: str = "",
                      kind: str = "all") -> dict[str, str]:
    """Regions whose briefing would repeat a lower region's: every report in them (usable
    or not, in `years`, of `kind`) is a report of one of their children. Each maps to the
    lowest such region among `codes` (辽宁省 → 沈阳市 → 于洪区: both to 于洪区)."""
    from toolkit.analysis.corpus import load
    from toolkit.briefings.content import parse_years

    corpus = load(store)
    span = parse_years(years)
    wanted = set(codes)

    def reports(code: str) -> frozenset[str]:
        usable = corpus.reports_in(code, kind, span)["report_id"]
        unusable = corpus.unusable_in(code, kind, span)["report_id"]
        return frozenset([*usable, *unusable])

    tree = corpus.region_tree()
    sets = {str(code): reports(str(code)) for code in tree["adcode"]}
    aliases: dict[str, str] = {}
    for code in sorted(sets, key=lambda c: -LEVEL_ORDER.get(corpus.region(c).level, 0)):
        if code not in wanted or not sets[code]:
            continue
        for child in corpus.children(code)["adcode"]:
            child = str(child)
            if child in wanted and sets[child] == sets[code]:
                aliases[code] = aliases.get(child, child)
                break
    return aliases


def alias_result(store: str | Path, code: str, target: str) -> Rendered:
    """The index row of a region whose briefing is `target`'s."""
    from toolkit.analysis.corpus import load

    corpus = load(store)
    region, other = corpus.region(code), corpus.region(target)
    record = {"region": {"adcode": region.adcode, "name": region.name, "level": region.level,
                         "parent": region.parent, "path": region.path},
              "status": "same_as", "same_as": {"adcode": other.adcode, "name": other.name}}
    return Rendered(code, "same_as", None, 0.0, record)


def render_all(jobs: Sequence[Job], workers: int = 1, scheduler: str | None = None,
               progress: bool = True, on_result: Callable[[Rendered], None] | None = None
               ) -> list[Rendered]:
    """Render every job: in this process, in a pool of processes, or on a Dask cluster."""
    from tqdm import tqdm

    results: list[Rendered] = []
    bar = tqdm(total=len(jobs), desc="briefings", unit="region", disable=not progress,
               file=sys.stderr)

    def done(result: Rendered) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)
        bar.set_postfix_str(f"{result.adcode} {result.status}", refresh=False)
        bar.update()

    try:
        if scheduler:
            _on_dask(jobs, scheduler, done)
        elif workers <= 1 or len(jobs) <= 1:
            try:
                for job in jobs:
                    done(render_job(job))
            finally:
                close_sessions()
        else:
            _on_pool(jobs, workers, done)
    finally:
        bar.close()
    return results


def _on_pool(jobs: Sequence[Job], workers: int, done: Callable[[Rendered], None]) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures: dict[Future[Rendered], Job] = {pool.submit(render_job, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                done(future.result())
            except Exception as error:  # a worker process died: record, go on with the rest
                done(Rendered(futures[future].adcode, "failed", describe(error)))


def _on_dask(jobs: Sequence[Job], scheduler: str, done: Callable[[Rendered], None]) -> None:
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = client.map(_dask_render, list(jobs), pure=False,
                             key=[f"briefing-{j.adcode}-{i}" for i, j in enumerate(jobs)])
        owners = {f.key: j for f, j in zip(futures, jobs, strict=True)}
        for future in dask_completed(futures):
            try:
                done(future.result())
            except Exception as error:
                done(Rendered(owners[future.key].adcode, "failed", describe(error)))


def _dask_render(job: Job) -> Rendered:
    """On a Dask worker: one kernel per worker thread, kept for the worker's lifetime."""
    return render_job(job)


def write_outputs(result: Rendered, out: Path) -> None:
    """Write a result's files into `out`; names are the worker's adcode-derived ones, checked."""
    for name, data in result.files.items():
        stem, _, suffix = name.partition(".")
        if check_adcode(stem) != result.adcode or suffix not in ("ipynb", "html", "json"):
            raise ValueError(f"refusing to write unexpected file name {name!r}")
        target = out / name
        tmp = target.with_name(name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)


def run(store: str | Path, out: str | Path, level: str | None = None,
        regions: Sequence[str] = (), years: str = "", kind: str = "all",
        workers: int | None = None, scheduler: str | None = None,
        notebook: str | Path | None = None, progress: bool = True) -> list[Rendered]:
    """The whole batch: plan, render, write files, write the index. Returns every result."""
    store = Path(store).resolve()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    codes, results = plan(store, level, regions)
    aliases = {} if regions else identical_regions(store, codes, years, kind)
    results += [alias_result(store, code, target) for code, target in aliases.items()]
    template = Path(notebook).read_text(encoding="utf-8") if notebook else notebook_template()
    jobs = [Job(code, str(store), years, kind, template) for code in codes
            if code not in aliases]

    def keep(result: Rendered) -> None:
        write_outputs(result, out)
        results.append(result)

    render_all(jobs, workers or os.cpu_count() or 1, scheduler, progress, on_result=keep)
    order = {c: i for i, c in enumerate(codes)}
    results.sort(key=lambda r: (order.get(r.adcode, len(order)), r.adcode))
    write_index(results, out, years=years, kind=kind)
    return results


# ---------------------------------------------------------------- command line

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m toolkit briefings",
        description="Render one briefing notebook + offline HTML per region, and an index.")
    parser.add_argument("--level", choices=sorted(LEVEL_ORDER, key=LEVEL_ORDER.__getitem__),
                        help="every region at this level (default: every level)")
    parser.add_argument("--region", action="append", default=[], metavar="ADCODE",
                        help="a six-digit adcode; repeat for several")
    parser.add_argument("--years", default="", help="2021 or 2019-2021 (default: every year)")
    parser.add_argument("--kind", default=ALL_KINDS, choices=[str(kind) for kind in KINDS])
    parser.add_argument("--out", default="reports_out", help="output folder (default reports_out)")
    parser.add_argument("--store", default=None,
                        help="store written by `ingest` (default: $OGI_STORE, else data/store)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes, one kernel each (default: CPU count)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    parser.add_argument("--notebook", default=None,
                        help="template notebook (default: the one shipped with the package)")
    parser.add_argument("--pdf", action="store_true",
                        help="also print each briefing to <adcode>.pdf (headless Chromium)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def write_pdfs(results: Sequence[Rendered], out: Path) -> list[Rendered]:
    """A PDF beside each rendered briefing's HTML; a briefing whose PDF fails becomes a
    failure row (its HTML stays), so the batch goes on."""
    from toolkit.briefings.pdf import html_to_pdf

    failed = []
    for result in results:
        page = out / f"{result.adcode}.html"
        if result.status != "ok" or not page.exists():
            continue
        try:
            html_to_pdf(page, page.with_suffix(".pdf"))
        except Exception as error:
            failed.append(Rendered(result.adcode, "failed", f"pdf: {describe(error)}"))
    return failed


def main(argv: list[str] | None = None) -> int:
    """`python -m toolkit briefings ...`: 0 when every briefing rendered, 1 when some failed."""
    args = build_parser().parse_args(argv)
    try:
        store = resolve_store(args.store)
    except StoreNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.pdf:
        from toolkit.briefings.pdf import find_chromium

        if find_chromium() is None:
            print("error: --pdf needs Chromium: install Debian's chromium "
                  "(scripts/install_system_deps.sh) or set $OGI_CHROMIUM", file=sys.stderr)
            return 2
    if args.region:
        codes, unknown = plan(store, args.level, args.region)
        if not codes and len(unknown) == len(set(args.region)):
            for result in unknown:
                print(f"error: --region {result.adcode}: {result.error}", file=sys.stderr)
            return 2
    try:
        results = run(store, args.out, args.level, args.region, args.years, args.kind,
                      args.workers, args.scheduler, args.notebook, progress=not args.quiet)
    except Exception as error:
        print(f"error: {describe(error)}", file=sys.stderr)
        logging.getLogger(__name__).debug("briefings failed", exc_info=error)
        return 2
    if not results:
        chosen = " ".join([*(f"--region {r}" for r in args.region),
                           *([f"--level {args.level}"] if args.level else [])])
        print(f"error: {chosen or 'the store'} selects no region with reports in {store}"
              + ("" if chosen else "; ingest a folder of reports first"), file=sys.stderr)
        return 2
    failed = [r for r in results if r.status == "failed"]
    if args.pdf:
        failed += write_pdfs(results, Path(args.out))
    same = sum(r.status == "same_as" for r in results)
    empty = sum(bool(r.record) and (r.record or {}).get("status") == "no_usable_data"
                for r in results)
    index = Path(args.out) / "index.html"
    print(f"{len(results) - len(failed) - same} briefings ({empty} without usable data), "
          f"{same} the same as a lower region's, {len(failed)} failed -> {index}")
    for result in failed:
        print(f"  {result.adcode}: {result.error}", file=sys.stderr)
    return 1 if failed else 0

