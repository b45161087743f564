"""`dataguard convert csv-to-tfrecord`: parse → ``api.csv_to_tfrecord`` → render.

    dataguard convert csv-to-tfrecord data/day1.csv out/day1.tfrecord.gz
    dataguard convert csv-to-tfrecord 'data/*.csv' out/data.gz --shards 4 --schema schema.pbtxt
    dataguard convert csv-to-tfrecord 'gs://b/day1/*.csv' gs://b/tfr/day1.gz --engine beam \\
        --runner DataflowRunner --project p --region europe-west1   # Beam options pass through

Exit 0 written, 2 bad usage or input (nothing written), 3 output location or runner failure.
"""

from __future__ import annotations

import argparse
import json
import sys

from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    """Add `convert` (and its `csv-to-tfrecord` sub-command) to the `dataguard` parser."""
    parser = sub.add_parser("convert", help="convert data between formats (CSV → TFRecord)")
    kinds = parser.add_subparsers(dest="conversion", metavar="CONVERSION", required=True)
    csv_tfr = kinds.add_parser(
        "csv-to-tfrecord",
        help="write CSV rows as TFRecord files of tf.Example",
        description="Write CSV rows as tf.Example records (INT → int64_list, FLOAT → float_list, "
        "STRING → bytes_list; types from --schema or inferred as TFDV does; missing values are "
        "absent features). Unknown options go to the Beam engine as pipeline options.",
    )
    csv_tfr.add_argument("input", metavar="INPUT", help="CSV file, folder or glob")
    csv_tfr.add_argument("output", metavar="OUTPUT", help="output file (or prefix with --shards)")
    csv_tfr.add_argument("--schema", metavar="FILE", help="TFDV schema (.pbtxt) giving the types")
    csv_tfr.add_argument(
        "--compression", choices=("gzip", "none"), help="default: gzip if OUTPUT ends in .gz"
    )
    csv_tfr.add_argument(
        "--shards",
        type=int,
        help="number of output files OUTPUT-0000i-of-0000N (default: 1 locally, "
        "the runner's choice with --engine beam)",
    )
    csv_tfr.add_argument("--engine", choices=("local", "beam"), default="local")
    csv_tfr.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    csv_tfr.add_argument("--format", choices=("text", "json"), default="text")
    csv_tfr.set_defaults(handler=handle_csv_to_tfrecord, accepts_extra=True)


def handle_csv_to_tfrecord(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.api import csv_to_tfrecord

    result = csv_to_tfrecord(
        args.input,
        args.output,
        schema=args.schema,
        compression=args.compression,
        shards=args.shards,
        engine=args.engine,
        delimiter=args.delimiter,
        pipeline_args=tuple(getattr(args, "extra", ()) or ()),
    )
    if args.format == "json":
        print(json.dumps(result.to_dict()))
    else:
        files = (
            ", ".join(result.outputs)
            if len(result.outputs) <= 3
            else (f"{result.outputs[0]} … {result.outputs[-1]} ({len(result.outputs)} files)")
        )
        rows = f"{result.rows:,} rows" if result.rows >= 0 else "rows"
        print(
            f"converted {rows} from {result.source} to {files} "
            f"({result.engine} engine, {result.seconds:.1f} s)",
            file=sys.stdout,
        )
    return ExitCode.OK
