"""Run briefing notebooks with papermill in a kernel kept alive across notebooks.

Why a custom papermill engine: starting a kernel and importing pandas, altair and the
store costs seconds, more than rendering a briefing. Each worker process keeps one
kernel (`KernelSession`) and executes notebook after notebook in it, resetting the
namespace and the execution counter in between, so every notebook looks as if it ran in
a fresh kernel (the golden tests check this).
"""
from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from toolkit.briefings.jobs import Job, check_adcode

NOTEBOOK = "briefing.ipynb"
"""The briefing template, shipped inside this package (`notebooks/briefing.ipynb` links to it)."""
KERNEL = "python3"
ENGINE = "toolkit-reused-kernel"
CELL_TIMEOUT = 600


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

def notebook_template() -> str:
    """The briefing notebook's JSON, read from the installed package (works from a wheel)."""
    return (resources.files("toolkit.briefings") / NOTEBOOK).read_text(encoding="utf-8")


def execute(job: Job, kernel: KernelSession | None = None,
            key_figures_name: str = "") -> nbformat.NotebookNode:
    """Render the notebook for `job` with papermill; raises papermill's errors.

    With `kernel=None` papermill starts a fresh kernel (how the goldens are made);
    otherwise the notebook runs in `kernel`.
    """
    import papermill

    parameters = {"region": check_adcode(job.adcode), "years": job.years, "store": job.store,
                  "kind": job.kind, "key_figures_path": key_figures_name}
    template = nbformat.reads(job.template or notebook_template(), as_version=4)
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


def execute_fresh(template: str, parameters: dict[str, Any]) -> nbformat.NotebookNode:
    """Render a notebook (its JSON) with papermill in a kernel of its own, shut down after;
    scrubbed like a briefing. For one-off pages (`python -m toolkit compare`)."""
    import papermill

    _engine()
    try:
        nb = papermill.execute_notebook(
            nbformat.reads(template, as_version=4), None, parameters=parameters,
            engine_name=ENGINE, kernel_name=KERNEL, progress_bar=False,
            execution_timeout=CELL_TIMEOUT, kernel_session=session())
    finally:
        close_sessions()
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

