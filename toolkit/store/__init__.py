"""The embedded store: ingest a folder into Parquet parts, query them through DuckDB views.

Needs the `store` extra (pyarrow, duckdb, tqdm): without it, importing this package raises
`toolkit.spec.extras.MissingExtra` saying `pip install 'ogi-toolkit[store]'`.
"""
from toolkit.spec.extras import require

require("store")

from toolkit.store.ingest import IngestSummary, ingest  # noqa: E402
from toolkit.store.views import open_store, resolve_store  # noqa: E402

__all__ = ["IngestSummary", "ingest", "open_store", "resolve_store"]
