"""DuckDB views over a store's Parquet parts, and the one way to find a store."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import duckdb

from toolkit.spec.errors import StoreNotFound
from toolkit.spec.vocab import Status
from toolkit.store.schema import DB_NAME, part_files


def _glob(out: Path, name: str) -> str:
    return str(out / name / "part-*.parquet").replace("'", "''")


def _view_sql(out: Path) -> dict[str, str]:
    def scan(name: str, extra: str = "") -> str:
        return f"read_parquet('{_glob(out, name)}', union_by_name = true{extra})"

    live = ("SELECT report_id FROM reports "
            f"WHERE status <> '{Status.DUPLICATE}' AND report_id IS NOT NULL")
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


def write_db(out: Path) -> None:
    try:
        with duckdb.connect(str(out / DB_NAME)) as con:
            _create_views(con, out)
    except duckdb.Error as exc:
        warnings.warn(f"could not update {out / DB_NAME}: {exc}; the parquet files are complete",
                      RuntimeWarning, stacklevel=3)


STORE_ENV = "OGI_STORE"
"""Environment variable naming the store when none is given."""
DEFAULT_STORE = Path("data") / "store"
_REPO = Path(__file__).resolve().parents[2]


def resolve_store(store: str | Path | None = None) -> Path:
    """The store folder to read: the only way the toolkit finds one.

    `store` if given, else $OGI_STORE, else data/store. A relative path is looked for in the
    working directory, then beside the notebooks and at the root of this checkout (Voilà,
    papermill and JupyterLab start in different folders). Raises `StoreNotFound` naming
    every place looked at and how to build a store.
    """
    chosen = Path(str(store)) if store else Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)
    chosen = chosen.expanduser()
    candidates = [chosen] if chosen.is_absolute() else list(dict.fromkeys(
        [chosen, _REPO / "notebooks" / chosen, _REPO / chosen]))
    for candidate in candidates:
        if part_files(candidate / "reports"):
            return candidate.resolve()
    raise StoreNotFound(
        f"no store at {str(chosen)!r} (looked in {', '.join(str(c) for c in candidates)}); "
        "build one with `make run` or `python -m toolkit ingest DIR --out "
        f"{chosen if chosen != DEFAULT_STORE else 'data/store'}`")


def open_store(store: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with views reports, facts, checks, sections over a store.

    In-memory rather than ``corpus.duckdb`` so a notebook never holds a file lock that
    would block a concurrent ingest, and the views follow the folder if it was moved.
    """
    out = resolve_store(store)
    con = duckdb.connect()
    _create_views(con, out)
    return con

