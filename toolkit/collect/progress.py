"""The crawl's progress on stderr: one line every few seconds and one at the end."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from toolkit.collect.frontier import Frontier
from toolkit.collect.outcome import Outcome


def progress_line(frontier: Frontier, fetched_this_run: int, elapsed: float) -> str:
    """'collect: 120 fetched (3.1/s) | 14 reports, 9 attachments, … | 250 pending'."""
    counts = frontier.counts()
    found = ", ".join(f"{counts.get(o, 0)} {o}s" if o != Outcome.ATTACHMENT
                      else f"{counts.get(o, 0)} attachments"
                      for o in (Outcome.REPORT, Outcome.ATTACHMENT, Outcome.LIST, Outcome.PAGE))
    rate = fetched_this_run / elapsed if elapsed > 0 else 0.0
    return (f"collect: {fetched_this_run} fetched this run ({rate:.1f}/s) | {found} | "
            f"{counts.get(Outcome.ERROR, 0)} errors, {counts.get(Outcome.SKIPPED, 0)} skipped | "
            f"{counts.get(Outcome.PENDING, 0)} pending")


class Progress:
    """Prints `progress_line` at most every `interval` seconds (0: never, except `final`)."""

    def __init__(self, frontier: Frontier, interval: float = 5.0,
                 stream: TextIO | None = None) -> None:
        self.frontier = frontier
        self.interval = interval
        self.stream = stream or sys.stderr
        self.fetched = 0
        self.started = time.monotonic()
        self._last = self.started

    def tick(self) -> None:
        self.fetched += 1
        now = time.monotonic()
        if self.interval and now - self._last >= self.interval:
            self._last = now
            self.show()

    def show(self) -> None:
        line = progress_line(self.frontier, self.fetched, time.monotonic() - self.started)
        print(line, file=self.stream, flush=True)
