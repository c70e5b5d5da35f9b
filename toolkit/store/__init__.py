"""The embedded store: ingest a folder into Parquet parts, query them through DuckDB views."""
from toolkit.store.ingest import IngestSummary, ingest
from toolkit.store.views import open_store, resolve_store

__all__ = ["IngestSummary", "ingest", "open_store", "resolve_store"]
