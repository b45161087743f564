"""`dataguard check`, `gate` and `run`: parse → service → render → exit code.

Exit codes (DESIGN.md): 0 pass or warn, 1 fail, 2 bad usage or input, 3 store/artifact/runner.
`gate` answers from the store only and never loads TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from dataguard.cli.inputs import add_input_options, add_slice_by, input_options, input_paths
from dataguard.cli.report import FORMATS, render_check, summary_line, verdict_exit_code
from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    """Add `check`, `gate` and `run` to the `dataguard` parser."""
    check = sub.add_parser(
        "check",
        help="check a batch against a schema version, a baseline (drift) and serving data (skew)",
        description="Validate a training batch's statistics: schema anomalies, drift against "
        "the baseline (default: the baseline of its first check, else by the dataset's rule "
        "the training batch named just before it), skew against a serving batch. "
        "Exit 0 pass/warn, 1 fail, 2 bad input, 3 store/artifact failure.",
    )
    check.add_argument("dataset")
    check.add_argument("batch")
    _check_options(check)
    check.add_argument("--dry-run", "--no-record", dest="dry_run", action="store_true",
                       help="check and print the result (same exit code) but record nothing "
                       "and run no hooks")
    check.set_defaults(handler=handle_check)

    gate = sub.add_parser(
        "gate",
        help="exit 0 if the latest (or that batch's) check passed, 1 if it failed",
        description="Answer from the store whether the latest check of DATASET (or of --batch) "
        "passed (exit 0, pass or warn) or failed (exit 1); exit 2 if there is no such check.",
    )
    gate.add_argument("dataset")
    gate.add_argument("--batch", help="that batch's latest check (default: the dataset's latest)")
    gate.add_argument("--format", choices=("text", "json"), default="text",
                      help="json: the check as `check --format json` prints it, plus its id")
    gate.set_defaults(handler=handle_gate)

    run = sub.add_parser(
        "run",
        help="statistics (+ serving statistics), then check, then hooks: the scheduled job",
        description="Compute statistics of a batch (and of serving data), then check it. "
        "Unknown options are passed to the Beam engine (e.g. --runner DataflowRunner ...).",
    )
    run.add_argument("dataset")
    run.add_argument("batch")
    add_input_options(run)
    run.add_argument("--serving-input", action="append", nargs="+", metavar="PATH",
                     help="serving data of the same period: checked for skew")
    run.add_argument("--serving-batch", metavar="NAME",
                     help="name of the serving batch (default: the batch name)")
    _check_options(run, serving=False)
    run.set_defaults(handler=handle_run, accepts_extra=True)


def _check_options(parser: argparse.ArgumentParser, serving: bool = True) -> None:
    parser.add_argument("--schema-version", type=int, metavar="N", help="default: the latest")
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--baseline", metavar="BATCH|reference:NAME|window:N",
                      help="what to measure drift against: a training batch, the batch pinned "
                           "as [datasets.X] references.NAME, or the last N training batches "
                           "merged (default: the baseline of the batch's first check, else the "
                           "dataset's rule, [datasets.X] baseline)")
    base.add_argument("--no-baseline", action="store_true", help="measure no drift")
    if serving:
        parser.add_argument("--serving", metavar="BATCH", help="serving batch to measure skew")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", metavar="FILE",
                        help="write the report there (atomically) and print a one-line summary")
    parser.add_argument("--no-hooks", action="store_true", help="do not run alert hooks")
    parser.add_argument("--refire", action="store_true",
                        help="send hooks again even if they already fired for this verdict")
    add_slice_by(parser, "check the slices of COLUMN against the same slices of the baseline "
                         "and serving batch" + (" (and compute them)" if not serving else ""))


def _baseline(args: argparse.Namespace) -> dict[str, Any]:
    if args.no_baseline:
        return {"baseline": None}
    if args.baseline:
        return {"baseline": args.baseline}
    return {}


def _color() -> bool:
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def _emit(result: Any, args: argparse.Namespace, settings: Settings) -> ExitCode:
    link = settings.dashboard_url
    if args.output:
        from dataguard.cli.report import write_report

        write_report(result, args.format, args.output, dashboard_url=link)
        print(f"{summary_line(result)} → {args.output}")
    else:
        print(render_check(result, args.format, color=args.format == "text" and _color(),
                           dashboard_url=link))
    return ExitCode(verdict_exit_code(result.verdict))


def handle_check(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.check import check

    result = check(
        args.dataset, args.batch, schema_version=args.schema_version, serving=args.serving,
        hooks=not args.no_hooks, refire=args.refire, record=not args.dry_run,
        slice_by=args.slice_by, settings=settings, **_baseline(args),
    )
    if args.dry_run:
        print("dry run: nothing recorded, no hooks run", file=sys.stderr)
    return _emit(result, args, settings)


def handle_gate(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.check import gate

    result = gate(args.dataset, args.batch, settings=settings)
    if args.format == "json":
        created = result.created_at.isoformat() if result.created_at else None
        print(json.dumps({**result.to_dict(settings.dashboard_url), "created_at": created},
                         indent=2))
        return ExitCode(verdict_exit_code(result.verdict))
    when = f" at {result.created_at:%Y-%m-%d %H:%M:%S}" if result.created_at else ""
    print(f"{result.dataset}/{result.batch}: {result.verdict.value} "
          f"(check {result.id}{when}, schema v{result.schema_version})")
    return ExitCode(verdict_exit_code(result.verdict))


def handle_run(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.api import run

    result = run(
        args.dataset,
        args.batch,
        input_paths(args.input),
        serving_inputs=input_paths(args.serving_input) or None,
        serving_batch=args.serving_batch,
        schema_version=args.schema_version,
        hooks=not args.no_hooks,
        refire=args.refire,
        slice_by=args.slice_by,
        settings=settings,
        **input_options(args),
        **_baseline(args),
    )
    return _emit(result, args, settings)
