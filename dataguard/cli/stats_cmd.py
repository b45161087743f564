"""`dataguard stats`: parse → ``api.compute_stats`` → render (text or JSON) → exit code.

    dataguard stats taxi 2026-11-24 --input data/day1.csv
    dataguard stats taxi 2026-11-24 --input 'gs://b/day1/*.gz' --engine beam \\
        --runner DataflowRunner --project p --region europe-west1     # Beam options pass through

Exit 0 stored, 2 bad usage or input (nothing written), 3 store / artifact / runner failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    """Add `stats` to the `dataguard` parser."""
    parser = sub.add_parser(
        "stats",
        help="compute TFDV statistics of a batch and store them",
        description="Compute TFDV statistics of a batch (CSV or TFRecord of tf.Example, local or "
        "gs://) and store them as an artifact plus a batch row. Unknown options are passed to "
        "the Beam engine as pipeline options (e.g. --runner DataflowRunner --project P).",
    )
    parser.add_argument("dataset", help="dataset name, e.g. taxi")
    parser.add_argument("batch", help="batch name, e.g. 2026-11-24")
    parser.add_argument("--input", action="append", nargs="+", required=True, metavar="PATH",
                        help="CSV/TFRecord file, folder or glob, local or gs:// (repeatable)")
    parser.add_argument("--input-format", choices=("csv", "tfrecord", "parquet"),
                        help="default: guessed from the file names")
    parser.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    parser.add_argument("--column-names", metavar="A,B,…",
                        help="CSV column names, for files without a header line")
    parser.add_argument("--role", choices=("training", "serving"), default="training")
    parser.add_argument("--engine", choices=("local", "beam"), default="local",
                        help="local: in process, streaming (default); beam: a Beam pipeline")
    parser.add_argument("--replace", action="store_true",
                        help="recompute a batch that is already stored")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_slice_by(parser, "compute statistics per value of COLUMN too (TFDV's slicing)")
    parser.set_defaults(handler=handle_stats, accepts_extra=True)


def add_slice_by(parser: argparse.ArgumentParser, what: str) -> None:
    """``--slice-by COLUMN`` (repeatable; beats ``[datasets.<name>] slice_by``)."""
    parser.add_argument("--slice-by", action="append", metavar="COLUMN", dest="slice_by",
                        help=f"{what}; repeatable (default: [datasets.<name>] slice_by)")


def handle_stats(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.api import compute_stats

    inputs = [path for group in args.input for path in group]
    column_names = (
        [name.strip() for name in args.column_names.split(",")] if args.column_names else None
    )
    result = compute_stats(
        args.dataset,
        args.batch,
        inputs,
        role=args.role,
        engine=args.engine,
        input_format=args.input_format,
        delimiter=_unescape(args.delimiter),
        column_names=column_names,
        replace=args.replace,
        pipeline_args=list(getattr(args, "extra", []) or []),
        slice_by=args.slice_by,
        settings=settings,
    )
    if args.format == "json":
        print(json.dumps(result.to_dict(), sort_keys=False))
    else:
        print(render_text(result))
    sys.stdout.flush()
    return ExitCode.OK


def render_text(result: Any) -> str:
    b = result.batch
    features = result.extra.get("num_features")
    what = f"{b.num_examples:,} examples" + (f", {features} features" if features else "")
    slices = result.extra.get("num_slices")
    what += f", {slices} slices" if slices else ""
    return (
        f"{b.dataset}/{b.name} ({b.role.value}): {what} "
        f"[{result.engine} engine, {result.seconds:.1f} s]\n"
        f"  source:   {b.source}\n"
        f"  artifact: {b.artifact_uri}"
    )


def _unescape(delimiter: str) -> str:
    """Let users type ``--delimiter '\\t'`` for tab-separated files."""
    return {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
