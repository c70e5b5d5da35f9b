"""Command line: `python -m toolkit parse|ingest|summary|export|briefings|compare|bench|collect`.

One error style for every command (`main` handles it, once): a mistake prints
`error: …` on stderr, never a traceback (`-v` adds it to the log), and the exit code says
what happened: 0 done, 1 a batch with failures (some file failed), 2 a usage or input
mistake (a missing file or folder, a selection that selects nothing, a busy store).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from toolkit.spec.errors import ToolkitError, reason_of, status_of
from toolkit.spec.limits import DEFAULT_LIMITS
from toolkit.spec.paths import display_path
from toolkit.spec.vocab import Status

log = logging.getLogger("toolkit")

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
FAILURE_STATUSES = frozenset({Status.FAILED, Status.INTERNAL_ERROR, Status.LIMIT_EXCEEDED})
"""Statuses that make a batch exit 1 (unsupported formats and duplicates do not)."""


class UsageError(ToolkitError):
    """A command given what it cannot work with: exit 2, with the message."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its mistakes in the command line's one error style."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def print_line(line: str) -> None:
    """Write one line to stdout as UTF-8, whatever the locale says."""
    sys.stdout.flush()
    sys.stdout.buffer.write(line.encode("utf-8", "backslashreplace") + b"\n")
    sys.stdout.buffer.flush()


def json_line(record: dict[str, Any]) -> str:
    """One JSON line that is always valid UTF-8: a name's undecodable bytes (lone
    surrogates) are written as `\\udcXX` escapes, which JSON readers give back."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(record, ensure_ascii=True)
    return line


def failure_record(source: str, status: str, error: str) -> dict[str, Any]:
    return {"source": source, "status": status, "error": error, "detail": None, "meta": {},
            "values": {}, "flags": {}, "checks": []}


def parse_record(path: str) -> dict[str, Any]:
    """The JSON object for one input; errors become a status, never an exception."""
    from toolkit.parse import parse_report

    try:
        return parse_report(path).to_record()
    except Exception as error:  # a batch never stops on one file
        status = status_of(error)
        if status == Status.INTERNAL_ERROR:
            log.error("internal error while parsing %s", path, exc_info=error)
        return failure_record(path, status, reason_of(error))


def _cmd_parse(args: argparse.Namespace) -> int:
    """Every input gets its line, whatever the others do; then the exit code: 2 when an
    input is missing, 1 when one failed."""
    missing = failed = 0
    for path in args.paths:
        record = parse_record(path)
        missing += not Path(path).is_file()
        failed += record["status"] in FAILURE_STATUSES
        if args.json:
            print_line(json_line(record))
            continue
        name = display_path(path)
        if record["status"] in FAILURE_STATUSES or record["status"] == Status.UNSUPPORTED:
            print_line(f"{name}: {record['status']} ({record['error']})")
            continue
        meta = record["meta"]
        values = record["values"]
        known = sum(v is not None for v in values.values())
        print_line(f"{name}: {record['status']}"
                   f"{' (' + record['error'] + ')' if record['error'] else ''} | "
                   f"{meta.get('agency') or '(agency not found)'} "
                   f"{meta.get('year') or '(year not found)'} template {meta.get('template')} | "
                   f"{known}/{len(values)} values")
    if missing:
        print(f"error: {missing} of {len(args.paths)} inputs not found or not files",
              file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FAILURES if failed else EXIT_OK


def _cmd_ingest(args: argparse.Namespace) -> int:
    from toolkit.store import ingest

    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"{args.root}: no such folder" if not root.exists()
                         else f"{args.root}: not a folder (ingest reads a folder of reports)")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out}: a file, not a folder (the store is a folder)")
    limits = replace(DEFAULT_LIMITS, seconds=args.time_limit,
                     memory_bytes=int(args.memory_limit * 2**20))
    summary = ingest(root, out, workers=args.workers, progress=not args.quiet,
                     reparse=args.reparse, limits=limits,
                     scheduler=args.scheduler)
    print(summary)
    if summary.files_seen == 0:
        raise UsageError(f"{args.root}: no files found (is it the folder of reports?)")
    failed = sum(n for status, n in summary.by_status.items() if status in FAILURE_STATUSES)
    if failed:
        print(f"error: {failed} file(s) failed; `python -m toolkit summary {args.out}` "
              "lists them with their reasons", file=sys.stderr)
    return EXIT_FAILURES if failed else EXIT_OK


def _cmd_summary(args: argparse.Namespace) -> int:
    from toolkit.present.summary import summary_text

    _require_reports(args.store)
    print(summary_text(args.store))
    return EXIT_OK


def _require_reports(store: str) -> None:
    """A store with no reports is a mistake to say, not an empty summary to print."""
    from toolkit.store import open_store

    con = open_store(store)
    try:
        count = con.execute("SELECT count(*) FROM reports").fetchone()
    finally:
        con.close()
    if not count or not count[0]:
        raise UsageError(f"{store}: the store holds no reports; ingest a folder of reports "
                         f"first: python -m toolkit ingest DIR --out {store}")


def _cmd_export(args: argparse.Namespace) -> int:
    from toolkit.present.export import parse_formats, write_export

    print(write_export(args.store, args.out, parse_formats(args.format)))
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    from toolkit.dev.bench import main as bench_main

    return bench_main(args.bench_args)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="python -m toolkit [-v]",
                            description="OGI annual report toolkit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    p = sub.add_parser("parse", help="parse report files and print what was read")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON object per input, one per line")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("ingest", help="parse a folder tree into the Parquet + DuckDB store")
    p.add_argument("root", help="a folder: report files, crawl folders of `collect` and "
                                ".warc / .warc.gz files, at any depth")
    p.add_argument("--out", default="data/store")
    p.add_argument("--workers", type=positive_int, default=None)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--time-limit", type=positive_float, default=DEFAULT_LIMITS.seconds,
                   metavar="SECONDS", help="stop parsing a file after this long; its row says "
                   f"limit_exceeded (default {DEFAULT_LIMITS.seconds:g})")
    p.add_argument("--memory-limit", type=positive_float,
                   default=DEFAULT_LIMITS.memory_bytes / 2**20, metavar="MIB",
                   help="memory a worker may add while parsing one file (default "
                   f"{DEFAULT_LIMITS.memory_bytes // 2**20})")
    p.add_argument("--reparse", action="store_true",
                   help="parse every file again, even if the parser has not changed")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="parse on a Dask cluster (tcp://HOST:8786), or 'local' for a "
                        "LocalCluster of --workers processes")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("summary", help="summarise a store: statuses, years, regions, indicators")
    p.add_argument("store", nargs="?", default="data/store")
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser("export", help="write research files: reports, facts, a body × year "
                                      "panel and region figures, with a codebook")
    p.add_argument("store", help="the store folder written by `ingest`")
    p.add_argument("--out", required=True, help="the folder to write the files into")
    p.add_argument("--format", default=None,
                   help="comma-separated: csv, xlsx, dta, parquet (default: all)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("briefings", help="render one briefing per region into reports_out/")
    p.add_argument("briefing_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("compare", help="one body's reports of two years side by side (HTML, PDF)")
    p.add_argument("compare_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("collect", help="fetch reports from government websites into WARC files")
    p.add_argument("collect_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("bench", help="benchmark parsing and ingest on a generated corpus")
    p.add_argument("bench_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_bench)
    return parser


def configure_logging(verbose: bool = False) -> None:
    """The command line's logging: warnings (or everything with -v) to stderr, one line each.

    Only the command line configures logging; library calls log through their module's
    logger and leave the process's logging to the application that imports them.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every mistake ends here as `error: …` and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in argv[:1] or "--verbose" in argv[:1]
    if verbose:
        argv = argv[1:]
    configure_logging(verbose)
    try:
        return _dispatch(argv)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except ToolkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        name = display_path(str(error.filename)) + ": " if error.filename else ""
        print(f"error: {name}{error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a bug: one line, the traceback in the log with -v
        log.debug("internal error", exc_info=error)
        print(f"error: internal error: {reason_of(error)} (run with -v for the traceback)",
              file=sys.stderr)
        return EXIT_FAILURES


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["bench"]:
        from toolkit.dev.bench import main as bench_main

        return bench_main(argv[1:])
    if argv[:1] == ["collect"]:
        try:
            from toolkit.collect.run import main as collect_main
        except ModuleNotFoundError as error:  # the `collect` extra is not installed
            raise UsageError(f"`collect` needs {error.name}: "
                             "pip install 'ogi-toolkit[collect]'") from None
        return collect_main(argv[1:])
    if argv[:1] == ["briefings"]:
        from toolkit.briefings.batch import main as briefings_main

        return briefings_main(argv[1:])
    if argv[:1] == ["compare"]:
        from toolkit.briefings.comparison import main as compare_main

        return compare_main(argv[1:])
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # argparse printed the usage, the mistake or the help
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
