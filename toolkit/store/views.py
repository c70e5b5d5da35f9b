"""DuckDB views over a store's Parquet parts, and the one way to find a store."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import duckdb

from toolkit.spec.errors import StoreNotFound, ToolkitError
from toolkit.spec.fields import STORE_TABLES
from toolkit.spec.vocab import Flag, Status
from toolkit.store.schema import DB_NAME, DUCKDB_TYPES, REPAIRS_FILE, part_files


def _quoted(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _columns(table: str, prefix: str = "") -> str:
    """The declared columns of a table, quoted: the views show exactly these."""
    return ", ".join(f'{prefix}"{c}"' for c in STORE_TABLES[table].names)


_PART = "CAST(regexp_extract(filename, 'part-(\\d+)\\.parquet$', 1) AS BIGINT)"


def _view_sql(out: Path, relative: bool = False) -> dict[str, str]:
    """The views: `reports` is the newest row per path; `facts_parsed`, `checks`,
    `sections` and `texts` hold the rows of each current, non-duplicate content from the
    part its row names (`content_part`), so a content parsed again shows only its new
    parse. A row without `content_part` (written before the column existed) takes its
    content's rows from every part, as the store then held at most one parse per content.
    `repairs` is the file of cross-year repairs, and `facts` is `facts_parsed` with them
    applied (value replaced, flag `resolved_cross_year`). A table without parts (`texts` of
    a store written before it existed) is a view of no rows.

    `relative` writes the files' paths relative to the store (`reports/part-*.parquet`), as
    `corpus.duckdb` keeps them so a copied store still opens: DuckDB reads them against
    its `file_search_path` (else the working directory)."""
    base = Path() if relative else out

    def scan(name: str, extra: str = "") -> str:
        glob = _quoted(base / name / "part-*.parquet")
        return f"read_parquet('{glob}', union_by_name = true{extra})"

    parsed = f"status <> '{Status.DUPLICATE}' AND report_id IS NOT NULL"
    live = (
        "SELECT report_id, coalesce(content_part, first_part) AS content_part FROM reports "
        "LEFT JOIN (SELECT report_id, min(part) AS first_part FROM reports_history "
        f"WHERE {parsed} GROUP BY report_id) USING (report_id) WHERE {parsed}")
    sql = {
        "reports_history": (
            f"SELECT {_columns('reports')}, {_PART} AS part "
            f"FROM {scan('reports', ', filename = true')}"
        ),
        "reports": (
            "SELECT * EXCLUDE (part) FROM reports_history "
            "QUALIFY row_number() OVER (PARTITION BY path ORDER BY part DESC) = 1"
        ),
    }
    for name, view in (("facts", "facts_parsed"), ("checks", "checks"),
                       ("sections", "sections"), ("texts", "texts")):
        if not part_files(out / name):
            sql[view] = _no_rows(name)
            continue
        sql[view] = (
            f"SELECT {_columns(name, 't.')} FROM (SELECT *, {_PART} AS _part "
            f"FROM {scan(name, ', filename = true')}) AS t "
            f"SEMI JOIN ({live}) AS live "
            "ON t.report_id = live.report_id AND t._part = live.content_part"
        )
    sql["repairs"] = _repairs_sql(out, base)
    # The repairs apply to the cell as it was parsed (same flag), so a repair left from an
    # earlier parse of the content never lands on a cell it was not made for.
    applied = {"value": "coalesce(r.value, p.value)",
               "flag": f"CASE WHEN r.key IS NULL THEN p.flag ELSE '{Flag.RESOLVED_CROSS_YEAR}' END"}
    columns = ", ".join(f'{applied[c]} AS "{c}"' if c in applied else f'p."{c}"'
                        for c in STORE_TABLES["facts"].names)
    sql["facts"] = (
        f"SELECT {columns} FROM facts_parsed AS p LEFT JOIN repairs AS r "
        "ON p.report_id = r.report_id AND p.key = r.key AND p.flag = r.flag_before")
    return sql


def _repairs_sql(out: Path, base: Path) -> str:
    """The repairs file, or no rows with its columns (a store that has none yet)."""
    if (out / REPAIRS_FILE).is_file():
        return (f"SELECT {_columns('repairs')} "
                f"FROM read_parquet('{_quoted(base / REPAIRS_FILE)}')")
    return _no_rows("repairs")


def _no_rows(table: str) -> str:
    """A query of no rows with the declared columns of `table`."""
    columns = ", ".join(f'CAST(NULL AS {DUCKDB_TYPES[f.type]}) AS "{f.name}"'
                        for f in STORE_TABLES[table].fields)
    return f"SELECT {columns} WHERE false"


class StoreOutdated(ToolkitError):
    """The store's parts lack columns this version declares: it was written by an older one."""


def _create_views(con: duckdb.DuckDBPyConnection, out: Path, relative: bool = False) -> None:
    try:
        for name, sql in _view_sql(out, relative).items():
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
    except duckdb.BinderException as exc:
        raise StoreOutdated(
            f"{out} was written by an older version of the toolkit ({exc}); run "
            f"`python -m toolkit ingest DIR --out {out}` again to bring it up to date "
            "(only what changed is parsed again)") from exc


def write_db(out: Path) -> None:
    """`corpus.duckdb`: the views, with paths relative to the store so a copied or moved
    store opens anywhere with `SET file_search_path = 'STORE'` (or from inside STORE)."""
    try:
        with duckdb.connect(str(out / DB_NAME)) as con:
            con.execute(f"SET file_search_path = '{_quoted(out)}'")
            _create_views(con, out, relative=True)
    except (duckdb.Error, StoreOutdated) as exc:
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
    """An in-memory DuckDB connection with the store's views (`STORE_VIEWS`) over a store.

    In-memory rather than ``corpus.duckdb`` so a notebook never holds a file lock that
    would block a concurrent ingest, and the views follow the folder if it was moved.
    """
    out = resolve_store(store)
    con = duckdb.connect()
    _create_views(con, out)
    return con

