"""The ``kcnalex`` command line.

::

    kcnalex --version
    kcnalex ingest SOURCE... -o corpus.parquet --report ingest.json
    kcnalex analyze SOURCE... -o doc_stats.parquet [--n-jobs 2]
    kcnalex report [SOURCE...] -o report.html          # no SOURCE: bundled default
    kcnalex reproduce out/manifest.json
    kcnalex fetch NAME | kcnalex fetch --list

Errors in the input are reported as one clear line on stderr (exit status 2), never as
a traceback from deep inside; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._version import __version__


def _progress_default(args) -> bool | None:
    return False if getattr(args, "no_progress", False) else None


def _cmd_ingest(args) -> int:
    from .io import read_corpus

    df, report = read_corpus(
        args.source if len(args.source) > 1 else args.source[0],
        format=args.format,
        lang=None if args.lang == "all" else args.lang,
        dedup=not args.keep_duplicates,
        strict=args.strict,
        progress=_progress_default(args),
        n_jobs=args.n_jobs,
        with_report=True,
    )
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        df.to_csv(out, index=False)
    elif out.suffix in (".jsonl", ".ndjson"):
        df.to_json(out, orient="records", lines=True, date_format="iso")
    else:
        df.to_parquet(out, index=False)
    summary = report.to_dict()
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        report.to_json(args.report)
    dropped = ", ".join(f"{k}={v}" for k, v in sorted(summary["dropped"].items()))
    print(f"records in: {summary['records_in']}  kept: {summary['kept']}  "
          f"dropped: {dropped or 'none'}  errors: {len(summary['errors'])}",
          file=sys.stderr)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _cmd_analyze(args) -> int:
    from .pipeline import analyze

    stats = analyze(args.source, n_jobs=args.n_jobs,
                    progress=_progress_default(args))
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        stats.to_csv(out, index=False)
    else:
        stats.to_parquet(out, index=False)
    print(f"wrote {out} ({len(stats)} rows)", file=sys.stderr)
    return 0


def _cmd_report(args) -> int:
    from .report import make_report

    path = make_report(args.source or None, output=args.output, freq=args.freq,
                       n_jobs=args.n_jobs, progress=_progress_default(args))
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _cmd_reproduce(args) -> int:
    from .report import reproduce

    result = reproduce(args.manifest, output=args.output)
    for name, ok in result["files"].items():
        print(f"{'OK ' if ok else 'DIFF'} {name}")
    return 0 if result["ok"] else 1


def _cmd_fetch(args) -> int:
    from .fetch import fetch_corpus, list_corpora

    if args.list or not args.name:
        print(list_corpora().to_string(index=False))
        return 0
    path = fetch_corpus(args.name, dest=args.dest, progress=_progress_default(args))
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kcnalex`` (exposed for the docs and tests)."""
    p = argparse.ArgumentParser(
        prog="kcnalex",
        description="Measure the language of North Korean state media (KCNA).",
    )
    p.add_argument("--version", action="version", version=f"kcnalex {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--no-progress", action="store_true",
                        help="no progress bar on stderr")

    ing = sub.add_parser("ingest", parents=[common],
                         help="read sources into a clean corpus file + report")
    ing.add_argument("source", nargs="+", help="files, folders or globs")
    ing.add_argument("-o", "--output", required=True,
                     help="corpus file (.parquet, .csv or .jsonl)")
    ing.add_argument("--report", help="write the ingest report (JSON) here")
    ing.add_argument("--format", default="auto",
                     help="auto, kcnawatch, kcna-co-jp, kcna-kp, json, jsonl, csv, "
                          "parquet, txt")
    ing.add_argument("--lang", default="en", help="language to keep, or 'all'")
    ing.add_argument("--keep-duplicates", action="store_true",
                     help="do not drop duplicates and near-duplicates")
    ing.add_argument("--strict", action="store_true",
                     help="stop at the first malformed record")
    ing.add_argument("--n-jobs", type=int, default=1,
                     help="worker processes parsing files (-1: all cores); the "
                          "same corpus and report")
    ing.set_defaults(func=_cmd_ingest)

    ana = sub.add_parser("analyze", parents=[common],
                         help="per-document measures of a corpus (one pass)")
    ana.add_argument("source", nargs="+")
    ana.add_argument("-o", "--output", required=True)
    ana.add_argument("--n-jobs", type=int, default=1)
    ana.set_defaults(func=_cmd_analyze)

    rep = sub.add_parser("report", parents=[common],
                         help="the whole chain to one HTML report + tables + manifest")
    rep.add_argument("source", nargs="*",
                     help="sources to read (default: the bundled real-archive stats)")
    rep.add_argument("-o", "--output", default="kcnalex-report/report.html")
    rep.add_argument("--freq", default="Y", help="period: W, M, Q or Y")
    rep.add_argument("--n-jobs", type=int, default=1)
    rep.set_defaults(func=_cmd_report)

    rpr = sub.add_parser("reproduce", help="rerun an analysis from its manifest")
    rpr.add_argument("manifest")
    rpr.add_argument("-o", "--output", help="where to write the rerun (default: temp)")
    rpr.set_defaults(func=_cmd_reproduce)

    fet = sub.add_parser("fetch", parents=[common],
                         help="download a public KCNA corpus to the cache")
    fet.add_argument("name", nargs="?")
    fet.add_argument("--list", action="store_true")
    fet.add_argument("--dest", help="folder (default: cache dir or $KCNALEX_DATA)")
    fet.set_defaults(func=_cmd_fetch)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, OSError, json.JSONDecodeError) as exc:
        if args.debug:
            raise
        print(f"kcnalex {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
