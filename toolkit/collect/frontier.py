"""The crawl's record of truth: every URL the rules selected, on disk, with what became of it.

A SQLite file (`DIR/frontier.sqlite`, WAL journal) holds one row per URL. Scrapy is fed a
few rows at a time (`take`), so a frontier of 100,000 URLs costs disk, not memory. A row is
`pending` until taken, `queued` while Scrapy has it, and `fetched`, `failed` or `skipped`
once recorded. A response's row and the links found in it are committed together, after
its WARC records are written: a crawl killed at any point (SIGKILL included) resumes with
every recorded URL done and every other one pending (`requeue`).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.collect.outcome import Kind, Outcome, State

FRONTIER_FILE = "frontier.sqlite"

_PRIORITY = {Kind.ATTACHMENT: 0, Kind.REPORT: 1, Kind.START: 2, Kind.LIST: 2}
"""Lower first: a report's files, then reports, then further list pages."""

MANIFEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("url", "TEXT NOT NULL UNIQUE"),
    ("final_url", "TEXT"),
    ("status", "INTEGER"),
    ("content_type", "TEXT"),
    ("charset", "TEXT"),
    ("bytes", "INTEGER"),
    ("sha256", "TEXT"),
    ("fetched_at", "TEXT"),
    ("referrer", "TEXT"),
    ("anchor_text", "TEXT"),
    ("warc_file", "TEXT"),
    ("warc_offset", "INTEGER"),
    ("outcome", "TEXT"),
    ("reason", "TEXT"),
    ("kind", "TEXT NOT NULL"),
    ("family", "TEXT"),
    ("depth", "INTEGER NOT NULL"),
    ("year", "INTEGER"),
    ("title", "TEXT"),
    ("filename", "TEXT"),
    ("list_key", "TEXT"),
)
"""The manifest's columns, in order, as the frontier stores them."""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS urls (
    id INTEGER PRIMARY KEY,
    {', '.join(f'{name} {sql}' for name, sql in MANIFEST_COLUMNS)},
    state TEXT NOT NULL,
    priority INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS urls_next ON urls (state, priority, id);
CREATE INDEX IF NOT EXISTS urls_list ON urls (list_key) WHERE list_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Entry:
    """A frontier row handed to Scrapy: what a request needs to be made and recorded."""

    id: int
    url: str
    kind: Kind
    family: str | None
    depth: int
    referrer: str | None
    anchor_text: str | None
    year: int | None
    list_key: str | None


class Frontier:
    """The SQLite frontier of one crawl folder."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.commit()
        self._pending = self._count_pending()

    # -- settings kept with the crawl ------------------------------------------------

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        (key, json.dumps(value, ensure_ascii=False)))
        self.db.commit()

    # -- adding and taking ------------------------------------------------------------

    def add(self, url: str, kind: Kind, *, depth: int, family: str | None = None,
            referrer: str | None = None, anchor_text: str | None = None,
            year: int | None = None, list_key: str | None = None,
            state: State = State.PENDING, reason: str | None = None) -> bool:
        """Insert a URL unless it is known; False when it was. Not committed: see `commit`."""
        outcome = {State.SKIPPED: Outcome.SKIPPED, State.FAILED: Outcome.ERROR}.get(state)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO urls (url, kind, family, depth, referrer, anchor_text, year,"
            " list_key, state, outcome, reason, priority) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (url, str(kind), family, depth, referrer, anchor_text or None, year, list_key,
             str(state), outcome, reason, _PRIORITY[kind]))
        added = cursor.rowcount == 1
        if added and state == State.PENDING:
            self._pending += 1
        return added

    def knows(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM urls WHERE url = ?", (url,)).fetchone() is not None

    def list_pages(self, list_key: str) -> int:
        """How many pages of one list are in the frontier, not counting skipped ones."""
        row = self.db.execute("SELECT count(*) FROM urls WHERE list_key = ? AND state != ?",
                              (list_key, str(State.SKIPPED))).fetchone()
        return int(row[0])

    def take(self, n: int) -> list[Entry]:
        """Up to `n` pending rows, marked queued and committed, lowest priority value first."""
        rows = self.db.execute(
            "SELECT id, url, kind, family, depth, referrer, anchor_text, year, list_key"
            " FROM urls WHERE state = ? ORDER BY priority, id LIMIT ?",
            (str(State.PENDING), n)).fetchall()
        if rows:
            self.db.executemany("UPDATE urls SET state = ? WHERE id = ?",
                                [(str(State.QUEUED), row[0]) for row in rows])
            self.db.commit()
            self._pending -= len(rows)
        return [Entry(r[0], r[1], Kind(r[2]), r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]

    def requeue(self) -> int:
        """Rows left queued by a crawl that stopped (killed, interrupted) go back to pending."""
        cursor = self.db.execute("UPDATE urls SET state = ? WHERE state = ?",
                                 (str(State.PENDING), str(State.QUEUED)))
        self.db.commit()
        self._pending = self._count_pending()
        return cursor.rowcount

    def finish(self, url_id: int, state: State, outcome: Outcome, reason: str | None = None,
               **fields: Any) -> None:
        """Record what became of a taken row (fields: manifest columns). Not committed."""
        names = ["state", "outcome", "reason", *fields]
        unknown = set(fields) - {name for name, _ in MANIFEST_COLUMNS}
        if unknown:
            raise KeyError(f"not manifest columns: {sorted(unknown)}")
        self.db.execute(f"UPDATE urls SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                        (str(state), str(outcome), reason, *fields.values(), url_id))

    def skip_known(self, url: str, reason: str) -> None:
        """Mark a pending or queued URL skipped (reached already through a redirect).

        A queued one is already in Scrapy's hands: the spider's gate (middlewares.py) sees
        the state and drops the request before it is sent. Not committed.
        """
        for state in (State.PENDING, State.QUEUED):
            cursor = self.db.execute(
                "UPDATE urls SET state = ?, outcome = ?, reason = ? WHERE url = ? AND state = ?",
                (str(State.SKIPPED), str(Outcome.SKIPPED), reason, url, str(state)))
            if state == State.PENDING:
                self._pending -= cursor.rowcount

    def state(self, url_id: int) -> State | None:
        row = self.db.execute("SELECT state FROM urls WHERE id = ?", (url_id,)).fetchone()
        return State(row[0]) if row else None

    def commit(self) -> None:
        self.db.commit()

    # -- reading ------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Rows waiting to be taken (kept in memory: Scrapy asks for it all the time)."""
        return self._pending

    def _count_pending(self) -> int:
        row = self.db.execute("SELECT count(*) FROM urls WHERE state = ?",
                              (str(State.PENDING),)).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        """Rows by outcome, with `pending` for rows not recorded yet (queued ones included)."""
        rows = self.db.execute(
            "SELECT coalesce(outcome, 'pending'), count(*) FROM urls GROUP BY 1").fetchall()
        return {str(outcome): int(n) for outcome, n in rows}

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM urls").fetchone()[0])

    def manifest_rows(self, batch: int = 2_000) -> Iterator[list[tuple[Any, ...]]]:
        """Every row's manifest columns, in insertion order, a batch at a time."""
        names = ", ".join(name for name, _ in MANIFEST_COLUMNS)
        outcome_at = [name for name, _ in MANIFEST_COLUMNS].index("outcome")
        last = 0
        while True:
            rows = self.db.execute(f"SELECT id, {names} FROM urls WHERE id > ? ORDER BY id LIMIT ?",
                                   (last, batch)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            out = []
            for row in rows:
                values = list(row[1:])
                if values[outcome_at] is None:
                    values[outcome_at] = str(Outcome.PENDING)
                out.append(tuple(values))
            yield out

    def close(self) -> None:
        self.db.commit()
        self.db.close()
