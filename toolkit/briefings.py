"""Render one briefing per region: papermill on reused kernels, offline HTML, an index.

`python -m toolkit briefings` plans the regions (a level, or adcodes), renders
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
import atexit
import contextlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

ADCODE = re.compile(r"^[0-9]{6}$")
REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "briefing.ipynb"
KERNEL = "python3"
ENGINE = "toolkit-reused-kernel"
CELL_TIMEOUT = 600
LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}


# ---------------------------------------------------------------- names and files

def check_adcode(adcode: str) -> str:
    """Adcodes name output files and are pasted into notebooks: six ASCII digits, nothing else."""
    text = str(adcode).strip()
    if not ADCODE.fullmatch(text):
        raise ValueError(f"region must be a six-digit adcode such as 150300, not {text!r}")
    return text


def write_json(record: dict[str, Any], path: Path) -> None:
    """Stable JSON (sorted keys, UTF-8), written atomically so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(_json_bytes(record))
    tmp.replace(path)


def _json_bytes(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


# ---------------------------------------------------------------- jobs and results

@dataclass(frozen=True)
class Job:
    """One briefing to render: everything a worker needs, as plain picklable values."""

    adcode: str
    store: str
    years: str = ""
    kind: str = "all"
    template: str = ""
    """The notebook's JSON (empty: notebooks/briefing.ipynb); sent along, so a remote
    Dask worker needs the package and the store, not this checkout."""


@dataclass
class Rendered:
    """What a worker sends back: status, timing, key figures and the files' bytes."""

    adcode: str
    status: str
    error: str | None = None
    seconds: float = 0.0
    record: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    kernel_reused: int = 0
    """How many notebooks the kernel had rendered before this one (0 = fresh kernel)."""


# ---------------------------------------------------------------- the reused kernel

class KernelSession:
    """One kernel kept alive across notebooks, with its client and a scratch working folder.

    The kernel's working folder is a private temporary folder: the notebook writes its key
    figures there under a relative name, so no path of this machine enters the notebook.
    """

    def __init__(self, kernel_name: str = KERNEL, startup_timeout: int = 120) -> None:
        from nbclient import NotebookClient

        self.workdir = Path(tempfile.mkdtemp(prefix="ogi-briefing-"))
        self.owner = threading.get_ident()
        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name=kernel_name,
                                 startup_timeout=startup_timeout, shutdown_kernel="immediate")
        starter.km = starter.create_kernel_manager()
        # local sockets rather than TCP ports: nothing listens on the network, and ipykernel
        # has no reason to warn about unencrypted TCP on every start
        starter.km.transport = "ipc"
        starter.km.ip = str(self.workdir / "kernel")
        starter.start_new_kernel(cwd=str(self.workdir))
        starter.start_new_kernel_client()
        self._starter = starter
        self.km = starter.km
        self.kc = starter.kc
        self.kernel_name = kernel_name
        self.notebooks = 0
        self.last: nbformat.NotebookNode | None = None

    def is_alive(self) -> bool:
        from jupyter_core.utils import ensure_async, run_sync

        async def alive() -> bool:
            return bool(await ensure_async(self.km.is_alive()))

        try:
            return run_sync(alive)()
        except Exception:
            return False

    def close(self) -> None:
        """Shut the kernel down (on the thread that started it) and remove the scratch folder."""
        try:
            if threading.get_ident() == self.owner:
                self._starter._cleanup_kernel()
            else:  # another thread's event loop owns the sockets: end the process directly
                provisioner = getattr(self.km, "provisioner", None)
                pid = getattr(provisioner, "pid", None) or getattr(
                    getattr(provisioner, "process", None), "pid", None)
                if pid:
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), 9)
                with contextlib.suppress(OSError):
                    Path(self.km.connection_file).unlink(missing_ok=True)
        except Exception:  # closing is best effort: the kernel also dies with its parent
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


_local = threading.local()
_open_sessions: list[KernelSession] = []
_sessions_lock = threading.Lock()
_cleanup_registered = False


def session(kernel_name: str = KERNEL) -> KernelSession:
    """This thread's kernel, started on first use and restarted if it died."""
    current: KernelSession | None = getattr(_local, "session", None)
    if current is not None and not current.is_alive():
        current.close()
        current = None
    if current is None:
        current = KernelSession(kernel_name)
        _local.session = current
        with _sessions_lock:
            _register_cleanup()
            _open_sessions.append(current)
    return current


def discard_session() -> None:
    """Drop this thread's kernel after a failure that may have left it busy or broken."""
    current: KernelSession | None = getattr(_local, "session", None)
    if current is None:
        return
    _local.session = None
    with _sessions_lock:
        if current in _open_sessions:
            _open_sessions.remove(current)
    current.close()


def close_sessions() -> None:
    """Shut every kernel this process started (batch end, worker exit, interpreter exit)."""
    with _sessions_lock:
        sessions = list(_open_sessions)
        _open_sessions.clear()
    for item in sessions:
        item.close()
    _local.session = None


def _register_cleanup() -> None:
    global _cleanup_registered
    if _cleanup_registered:
        return
    _cleanup_registered = True
    atexit.register(close_sessions)
    # worker processes of a pool leave through os._exit, which skips atexit: finalizers run
    from multiprocessing import util

    util.Finalize(None, close_sessions, exitpriority=100)


def _engine() -> type:
    """A papermill engine that executes in the thread's `KernelSession` (registered once)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class ReusedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None,
                                     start_timeout: int = 60, execution_timeout: int | None = None,
                                     **kwargs: Any) -> Any:
            kernel: KernelSession = kwargs["kernel_session"]
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, kernel_name=kernel_name, timeout=execution_timeout,
                startup_timeout=start_timeout, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file, record_timing=False)
            client.kc = kernel.kc
            client.kc.allow_stdin = False
            kernel.last = nb_man.nb  # papermill raises on a cell error without returning it
            # a fresh namespace and counter, so the notebook reads as if run in a new kernel
            reset = client.kc.execute(_RESET, silent=True, store_history=False)
            client.wait_for_reply(reset)
            kernel.notebooks += 1
            return client.execute()

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, ReusedKernelEngine)
    return ReusedKernelEngine


_RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
          "get_ipython().execution_count = 1\n")


# ---------------------------------------------------------------- one briefing

def execute(job: Job, kernel: KernelSession | None = None,
            key_figures_name: str = "") -> nbformat.NotebookNode:
    """Render the notebook for `job` with papermill; raises papermill's errors.

    With `kernel=None` papermill starts a fresh kernel (how the goldens are made);
    otherwise the notebook runs in `kernel`.
    """
    import papermill

    parameters = {"region": check_adcode(job.adcode), "years": job.years, "store": job.store,
                  "kind": job.kind, "key_figures_path": key_figures_name}
    template = nbformat.reads(job.template or NOTEBOOK.read_text(encoding="utf-8"),
                              as_version=4)
    if kernel is None:
        nb = papermill.execute_notebook(template, None, parameters=parameters, kernel_name=KERNEL,
                                        progress_bar=False, execution_timeout=CELL_TIMEOUT)
    else:
        _engine()
        try:
            nb = papermill.execute_notebook(
                template, None, parameters=parameters, engine_name=ENGINE, kernel_name=KERNEL,
                progress_bar=False, execution_timeout=CELL_TIMEOUT, kernel_session=kernel)
        except Exception as error:
            # papermill raises without returning the executed notebook; keep it for the files
            error.notebook = getattr(kernel, "last", None)  # type: ignore[attr-defined]
            raise
    return scrub(nb)


def scrub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what differs run to run or machine to machine: timings, paths, random cell ids."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path",
                "environment_variables", "exception"):
        meta.pop(key, None)
    nb.metadata.get("language_info", {}).pop("version", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        elif not cell.get("id"):
            cell["id"] = f"cell-{index:02d}"
    return nb


_EXPORTER: Any = None


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """A self-contained page: outputs only, charts as embedded SVG images, no script or CDN."""
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(template_name="basic", exclude_input=True,
                                 exclude_input_prompt=True, exclude_output_prompt=True,
                                 extra_loaders=[DictLoader({"briefing.html.j2": BODY_TEMPLATE})],
                                 template_file="briefing.html.j2")
    body, _ = _EXPORTER.from_notebook_node(nb)
    return PAGE.format(title=html.escape(title), css=PAGE_CSS, body=body)


BODY_TEMPLATE = """{%- extends 'classic/base.html.j2' -%}
{% block data_svg scoped -%}
<div class="output_svg output_subarea {{ extra_class }}">
<img alt="图表(数字见上表) chart: the figures are in the table above"
 src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}">
</div>
{%- endblock data_svg %}
"""
"""nbconvert's `basic` body (no head, no script) with charts as <img> that carry alt text."""

PAGE_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:980px;
 margin:1.5em auto;padding:0 1em;color:#1f2328;line-height:1.5}
img{max-width:100%}
.prompt,.input_prompt,.output_prompt{display:none}
.output_subarea{margin:.2em 0}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f3f5f7}
td.num{text-align:right}
.fails{background:#fde8e6}
.small{color:#8a8a8a}
.note{color:#555;font-size:12px}
nav{font-size:13px;margin-bottom:1em}
a.anchor-link{display:none}
"""

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<nav><a href="index.html">← 全部简报 (index)</a></nav>
{body}
</body>
</html>
"""


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
        files[f"{adcode}.json"] = _json_bytes(record)
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
    from toolkit.corpus import load

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
                failures.append(Rendered(code, "failed", f"KeyError: no reports for region {code} "
                                                         "in this store"))
                continue
            if level is None or known[code] == level:
                chosen.append(code)
    else:
        chosen = [c for c, lv in known.items() if level is None or lv == level]
    chosen.sort(key=lambda c: (LEVEL_ORDER.get(known[c], 9), c))
    return chosen, failures


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
        notebook: str | Path = NOTEBOOK, progress: bool = True) -> list[Rendered]:
    """The whole batch: plan, render, write files, write the index. Returns every result."""
    store = Path(store).resolve()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    codes, results = plan(store, level, regions)
    template = Path(notebook).read_text(encoding="utf-8")
    jobs = [Job(code, str(store), years, kind, template) for code in codes]

    def keep(result: Rendered) -> None:
        write_outputs(result, out)
        results.append(result)

    render_all(jobs, workers or os.cpu_count() or 1, scheduler, progress, on_result=keep)
    order = {c: i for i, c in enumerate(codes)}
    results.sort(key=lambda r: (order.get(r.adcode, len(order)), r.adcode))
    write_index(results, out, years=years, kind=kind)
    return results


# ---------------------------------------------------------------- index.html

def index_rows(results: Iterable[Rendered]) -> list[dict[str, Any]]:
    """The index as data (also written as index.json): one row per region."""
    from toolkit.briefing import INDEX_FIGURES

    rows = []
    for result in results:
        record = result.record or {}
        region = record.get("region", {})
        latest = record.get("latest_year")
        figures = {f["indicator"]: f for f in record.get("figures", []) if f["year"] == latest}
        rows.append({
            "adcode": result.adcode, "status": result.status, "error": result.error,
            "name": region.get("name"), "level": region.get("level"), "path": region.get("path"),
            "n_bodies": record.get("n_bodies"), "n_reports": record.get("n_reports"),
            "years_covered": record.get("years_covered", []), "latest_year": latest,
            "n_reports_failing_checks": record.get("n_reports_failing_checks"),
            "figures": {name: figures.get(name) for name in INDEX_FIGURES},
            "files": sorted(result.files) if result.status == "ok" else [],
            "seconds": round(result.seconds, 2),
        })
    return rows


def _figure_cell(figure: dict[str, Any] | None) -> str:
    from toolkit.briefing import fmt_count, fmt_rate

    if not figure or figure.get("value") is None:
        return '<td class="num small">—</td>'
    if figure["is_rate"]:
        text = (f"{fmt_rate(figure['value'])} ({fmt_count(figure['numerator'])}/"
                f"{fmt_count(figure['denominator'])})")
    else:
        text = fmt_count(figure["value"])
    css = "num" + (" small" if figure["is_small"] else "")
    if figure["n_reports_failing_checks"]:
        text += " ⚠"
        css += " fails"
    return f'<td class="{css}">{html.escape(text)}</td>'


def index_html(rows: Sequence[dict[str, Any]], years: str = "", kind: str = "all") -> str:
    """index.html: a link to every briefing with its key figures; failures with their error."""
    from toolkit.briefing import INDEX_FIGURES, KIND_LABELS

    e = html.escape
    body = []
    for row in rows:
        code = check_adcode(row["adcode"]) if row["status"] == "ok" else row["adcode"]
        if row["status"] == "ok":
            name = f'<a href="{e(code)}.html">{e(row["name"] or code)}</a>'
            status = f'ok · <a href="{e(code)}.ipynb">ipynb</a> · <a href="{e(code)}.json">json</a>'
        else:
            name = e(row["name"] or "—")
            status = f'<span class="fails">失败 failed: {e(row["error"] or "")}</span>'
        cells = [
            f"<td>{name}</td>", f"<td>{e(str(code))}</td>",
            f"<td>{e(LEVEL_LABELS.get(row['level'] or '', row['level'] or '—'))}</td>",
            f"<td>{e(row['path'] or '—')}</td>",
            f'<td class="num">{e(str(row["n_bodies"] if row["n_bodies"] is not None else "—"))}</td>',
            f"<td>{e('、'.join(map(str, row['years_covered'])) or '—')}</td>",
            *(_figure_cell(row["figures"].get(n)) for n in INDEX_FIGURES),
            f'<td class="num">{e(str(row["n_reports_failing_checks"] or 0))}</td>',
            f"<td>{status}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    failed = sum(r["status"] != "ok" for r in rows)
    scope = f"年份 {e(years)}" if years else "语料全部年份"
    head = ("<tr><th>地区</th><th>代码</th><th>层级</th><th>位置</th><th>机关</th><th>有报告的年份</th>"
            "<th>新收申请(最新年)</th><th>公开率</th><th>不予公开率</th><th>复议纠错率</th>"
            "<th>未通过校验的报告</th><th>状态</th></tr>")
    summary = (f"<p>{len(rows)} 个地区,{len(rows) - failed} 份简报,{failed} 个失败;{scope};"
               f"机关范围:{e(KIND_LABELS.get(kind, kind))}。数字为各地区最新有报告年份;括号内为分子/分母件数;"
               "灰色 = 分母少于30件(不排名);⚠ = 含未通过勾稽校验的报告。</p>")
    return INDEX_PAGE.format(css=PAGE_CSS, summary=summary, head=head, rows="\n".join(body))


INDEX_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>政府信息公开工作年度报告 · 地区简报</title>
<style>{css} body{{max-width:1400px}} td:nth-child(2),td:nth-child(3){{white-space:nowrap}}</style>
</head>
<body>
<h1>政府信息公开工作年度报告 · 地区简报</h1>
{summary}
<table>
<thead>{head}</thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def write_index(results: Sequence[Rendered], out: Path, years: str = "", kind: str = "all"
                ) -> Path:
    """Write index.html and index.json (the same rows) into `out`."""
    rows = index_rows(results)
    (out / "index.html").write_text(index_html(rows, years, kind), encoding="utf-8")
    write_json({"years": years, "kind": kind, "regions": rows}, out / "index.json")
    return out / "index.html"


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
    parser.add_argument("--kind", default="all", choices=("all", "government", "department"))
    parser.add_argument("--out", default="reports_out", help="output folder (default reports_out)")
    parser.add_argument("--store", default="data/store", help="store written by `ingest`")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes, one kernel each (default: CPU count)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    parser.add_argument("--notebook", default=str(NOTEBOOK),
                        help="template notebook (default notebooks/briefing.ipynb)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    """`python -m toolkit briefings ...`: 0 when every briefing rendered, 1 when some failed."""
    args = build_parser().parse_args(argv)
    store = Path(args.store)
    if not (store / "reports").is_dir():
        print(f"error: {store}: no store here; run `python -m toolkit ingest DIR --out {store}` "
              "first", file=sys.stderr)
        return 2
    try:
        results = run(store, args.out, args.level, args.region, args.years, args.kind,
                      args.workers, args.scheduler, args.notebook, progress=not args.quiet)
    except Exception as error:
        print(f"error: {describe(error)}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 2
    failed = [r for r in results if r.status != "ok"]
    index = Path(args.out) / "index.html"
    print(f"{len(results) - len(failed)} briefings, {len(failed)} failed -> {index}")
    for result in failed:
        print(f"  {result.adcode}: {result.error}", file=sys.stderr)
    return 1 if failed else 0


__all__ = ["Job", "KernelSession", "Rendered", "close_sessions", "execute", "export_html",
           "index_html", "main", "plan", "render_all", "render_job", "run", "scrub",
           "write_index"]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
