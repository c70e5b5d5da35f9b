"""Command line: `python -m toolkit parse|ingest|summary|briefings|bench|collect`."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from toolkit.spec.errors import ToolkitError, reason_of, status_of
from toolkit.spec.vocab import Status

log = logging.getLogger("toolkit")


def failure_record(source: str, status: str, error: str) -> dict[str, Any]:
    return {"source": source, "status": status, "error": error, "meta": {}, "values": {},
            "flags": {}, "checks": []}


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
    for path in args.paths:
        record = parse_record(path)
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            meta = record["meta"]
            values = record["values"]
            known = sum(v is not None for v in values.values())
            print(f"{path}: {record['status']}"
                  f"{' (' + record['error'] + ')' if record['error'] else ''} | "
                  f"{meta.get('agency')} {meta.get('year')} template {meta.get('template')} | "
                  f"{known}/{len(values)} values")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from toolkit.store import ingest

    summary = ingest(args.root, args.out, workers=args.workers, progress=not args.quiet,
                     reparse=args.reparse, scheduler=args.scheduler)
    print(summary)
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from toolkit.present.summary import summary_text

    print(summary_text(args.store))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from toolkit.dev.bench import main as bench_main

    return bench_main(args.bench_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m toolkit [-v]",
                                     description="OGI annual report toolkit")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report files and print what was read")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON object per input, one per line")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("ingest", help="parse a folder tree into the Parquet + DuckDB store")
    p.add_argument("root", help="a folder: report files, crawl folders of `collect` and "
                                ".warc / .warc.gz files, at any depth")
    p.add_argument("--out", default="data/store")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--reparse", action="store_true",
                   help="parse every file again, even if the parser has not changed")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="parse on a Dask cluster (tcp://HOST:8786), or 'local' for a "
                        "LocalCluster of --workers processes")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("summary", help="summarise a store: statuses, years, regions, indicators")
    p.add_argument("store", nargs="?", default="data/store")
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser("briefings", help="render one briefing per region into reports_out/")
    p.add_argument("briefing_args", nargs=argparse.REMAINDER)

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
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in argv[:1] or "--verbose" in argv[:1]
    if verbose:
        argv = argv[1:]
    configure_logging(verbose)
    if argv[:1] == ["bench"]:
        from toolkit.dev.bench import main as bench_main

        return bench_main(argv[1:])
    if argv[:1] == ["collect"]:
        try:
            from toolkit.collect.run import main as collect_main
        except ModuleNotFoundError as error:  # the `collect` extra is not installed
            print(f"error: `collect` needs {error.name}: pip install 'ogi-toolkit[collect]'",
                  file=sys.stderr)
            return 2
        return collect_main(argv[1:])
    if argv[:1] == ["briefings"]:
        from toolkit.briefings.batch import main as briefings_main

        return briefings_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ToolkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
