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

from dataguard.cli.inputs import add_input_options, add_slice_by, input_options, input_paths
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
    add_input_options(parser)
    parser.add_argument("--role", choices=("training", "serving"), default="training")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_slice_by(parser, "compute statistics per value of COLUMN too (TFDV's slicing)")
    parser.set_defaults(handler=handle_stats, accepts_extra=True)


def handle_stats(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.api import compute_stats

    result = compute_stats(
        args.dataset,
        args.batch,
        input_paths(args.input),
        role=args.role,
        slice_by=args.slice_by,
        settings=settings,
        **input_options(args),
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
