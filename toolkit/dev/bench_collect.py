"""`python -m toolkit.dev.bench_collect`: the collector's speed, memory and politeness.

Three runs against generated sites served on 127.0.0.1 from this process (`httpsite`),
each crawl in its own process (Twisted's reactor runs once a process; `os.wait4` gives
that process's peak RSS):

1. throughput: a site of N pages (departments' 年报 columns, each a TRS list of two pages,
   25 report pages a list page) crawled with politeness off (no delay, no AutoThrottle,
   16 requests at a time): pages/s and peak RSS;
2. a big frontier: a crawl folder with F pending URLs (100,000 by default) and one with
   2 × S, the same slice of S pages fetched from each (`--resume --max-pages S`): peak RSS
   must not grow with the frontier;
3. politeness on (`--delay 0.5`, one request at a time per host, AutoThrottle): the request
   rate per host read from the server's log.

Results go to stdout (a Markdown table) and to benchmarks/out/collect.md.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from toolkit.dev.httpsite import Hit, LocalSite, Reply

REPORTS_PER_LIST_PAGE = 25
LIST_PAGES = 2
REPO = Path(__file__).resolve().parents[2]

_FILLER = ("本年度报告根据《中华人民共和国政府信息公开条例》编制，全文包括总体情况、主动公开政府信息"
           "情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题"
           "及改进情况、其他需要报告的事项。") * 12
_CHROME = ('<div class="top"><a href="/">首页</a> <a href="/xxgk/">政府信息公开</a> '
           '<a href="/hdjl/">互动交流</a></div>')


def _html(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{_CHROME}<div id='main'>{body}</div></body></html>").encode()


class GeneratedSite:
    """Departments × (list pages + reports): about `pages` pages, generated on request."""

    def __init__(self, pages: int) -> None:
        per_column = LIST_PAGES * (1 + REPORTS_PER_LIST_PAGE)
        self.columns = max(1, round(pages / per_column))
        self.pages = 1 + self.columns * per_column

    def __call__(self, hit: Hit) -> Reply | None:
        path = hit.path.split("?")[0]
        if path == "/":
            links = "".join(f'<li><a href="/bm{c}/nb/index.html">政府信息公开年报</a></li>'
                            for c in range(self.columns))
            return Reply(_html("政府信息公开", f"<ul>{links}</ul>"))
        if path == "/xxgk/":
            return Reply(_html("政府信息公开", "<p>目录</p>"))
        if path.startswith("/big/"):  # the big frontier's URLs
            return Reply(_html(f"第{path[5:]}号2020年政府信息公开工作年度报告", f"<p>{_FILLER}</p>"))
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0].startswith("bm") and parts[1] == "nb":
            column, name = parts[0][2:], parts[2]
            if name.startswith("index"):
                n = 0 if name == "index.html" else int(name[6:-5])
                items = "".join(
                    f'<li><a href="r{n}_{i}.html">第{column}部门{2000 + i % 24}年政府信息公开工作'
                    f"年度报告</a></li>" for i in range(REPORTS_PER_LIST_PAGE))
                return Reply(_html("年报", f"<ul>{items}</ul><script>createPageHTML("
                                   f'{LIST_PAGES}, {n}, "index", "html");</script>'))
            if name.startswith("r"):
                return Reply(_html(f"第{column}部门政府信息公开工作年度报告", f"<p>{_FILLER}</p>"))
        return None


@dataclass
class Run:
    what: str
    seconds: float
    answers: int
    peak_rss_mb: float
    exit_status: int

    @property
    def rate(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0


def _child(config: dict) -> int:
    """Run one crawl with a CollectConfig given as JSON (settings the CLI does not offer)."""
    from toolkit.collect.run import CollectConfig, collect

    config["out"] = Path(config["out"])
    return collect(CollectConfig(**config))


def _crawl(what: str, config: dict, answers_of: str) -> Run:
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.dev.bench_collect", "--child",
                             json.dumps(config)], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{what}: the crawl failed ({proc.returncode}):\n{stderr[-2000:]}")
    import sqlite3

    with sqlite3.connect(Path(config["out"]) / "frontier.sqlite") as db:
        answers = db.execute(f"SELECT count(*) FROM urls WHERE {answers_of}").fetchone()[0]
    return Run(what, seconds, answers, usage.ru_maxrss / 1024, proc.returncode)


def _fast(out: Path, start: list[str], **extra: object) -> dict:
    return {"out": str(out), "start_urls": start, "delay": 0.0, "autothrottle": False,
            "concurrency_per_host": 16, "concurrency": 32, "progress_interval": 0.0,
            "contact": "bench@example.org", **extra}


def _big_frontier(out: Path, site: LocalSite, n: int) -> None:
    from toolkit.collect.frontier import FRONTIER_FILE, Frontier
    from toolkit.collect.outcome import Kind

    out.mkdir(parents=True)
    frontier = Frontier(out / FRONTIER_FILE)
    frontier.set_meta("domains", ["127.0.0.1"])
    for i in range(n):
        frontier.add(site.url(f"/big/{i}"), Kind.REPORT, depth=1, year=2020,
                     anchor_text=f"第{i}号2020年政府信息公开工作年度报告")
    frontier.commit()
    frontier.close()


def politeness(hits: list[Hit], delay: float) -> dict[str, float]:
    """Requests per second per host and the shortest gap between two, from a server log."""
    times = sorted(h.at for h in hits if not h.path.startswith("/robots.txt"))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    most_in_a_second = max((sum(1 for t in times if s <= t < s + 1.0) for s in times), default=0)
    return {"requests": len(times), "span_s": span,
            "rate_per_s": (len(times) - 1) / span if span else 0.0,
            "limit_per_s": 1 / delay, "min_gap_s": min(gaps) if gaps else 0.0,
            "most_in_any_second": most_in_a_second}


def run(pages: int, frontier: int, slice_: int, polite_pages: int, delay: float
        ) -> tuple[list[Run], dict[str, float]]:
    site_gen = GeneratedSite(pages)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp, \
            LocalSite(fallback=site_gen) as site:
        root = Path(tmp)
        runs.append(_crawl(f"{site_gen.pages:,}-page site, politeness off",
                           _fast(root / "site", [site.url("/")]), "status IS NOT NULL"))
        for n in (min(frontier, 2 * slice_), frontier):  # the same slice from both
            out = root / f"frontier-{n}"
            _big_frontier(out, site, n)
            runs.append(_crawl(f"{n:,}-URL frontier, {slice_:,} fetched",
                               _fast(out, [], resume=True, max_pages=slice_),
                               "status IS NOT NULL"))
    polite_site = GeneratedSite(polite_pages)
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp, \
            LocalSite(fallback=polite_site) as site:
        config = {"out": str(Path(tmp) / "polite"), "start_urls": [site.url("/")],
                  "delay": delay, "max_pages": polite_pages, "progress_interval": 0.0,
                  "contact": "bench@example.org"}
        runs.append(_crawl(f"politeness on (--delay {delay}, 1 per host, AutoThrottle)",
                           config, "status IS NOT NULL"))
        polite = politeness(list(site.hits), delay)
    return runs, polite


def report(runs: list[Run], polite: dict[str, float], argv: list[str]) -> str:
    lines = [
        f"`python -m toolkit.dev.bench_collect {' '.join(argv)}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; the site is served by "
        "this process's threaded http.server on the same cores.", "",
        "| run | answers | seconds | answers/s | peak RSS of the crawl (MB) |",
        "|---|---:|---:|---:|---:|",
        *(f"| {r.what} | {r.answers:,} | {r.seconds:.1f} | {r.rate:.0f} | {r.peak_rss_mb:.0f} |"
          for r in runs), "",
        "Politeness on, from the server's log (robots.txt left out): "
        f"{polite['requests']:.0f} requests in {polite['span_s']:.1f} s = "
        f"{polite['rate_per_s']:.2f} requests/s to the host (limit {polite['limit_per_s']:.2f}); "
        f"shortest gap {polite['min_gap_s']:.3f} s; at most {polite['most_in_any_second']:.0f} "
        "in any one second.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return _child(json.loads(argv[1]))
    p = argparse.ArgumentParser(prog="python -m toolkit.dev.bench_collect", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, default=10_000)
    p.add_argument("--frontier", type=int, default=100_000)
    p.add_argument("--slice", type=int, default=2_000, dest="slice_")
    p.add_argument("--polite-pages", type=int, default=30)
    p.add_argument("--delay", type=float, default=0.5)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = p.parse_args(argv)
    if min(args.pages, args.frontier, args.slice_, args.polite_pages) < 1 or args.delay <= 0:
        print("error: sizes must be at least 1 and --delay above 0", file=sys.stderr)
        return 2
    runs, polite = run(args.pages, args.frontier, args.slice_, args.polite_pages, args.delay)
    text = report(runs, polite, argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "collect.md").write_text(text, encoding="utf-8")
    (args.out / "collect.json").write_text(json.dumps(
        {"runs": [asdict(r) | {"rate": r.rate} for r in runs], "politeness": polite},
        indent=2), encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
