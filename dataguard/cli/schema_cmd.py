"""`dataguard schema infer | list | show | diff | import`: immutable, versioned schemas.

`infer` and `import` print the new version number alone on stdout (for scripts) and say what
they wrote on stderr. `infer` with nothing changed writes nothing: it prints the latest version's
number and says `schema unchanged: v<N> (nothing written)` on stderr (exit 0).
"""

from __future__ import annotations

import argparse
import json
import sys

from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    """Add `schema` and its sub-commands to the `dataguard` parser."""
    schema = sub.add_parser(
        "schema",
        help="infer, list, show, diff and import schema versions",
        description="Schemas are TFDV text protos, versioned and immutable: "
        "schemas/<dataset>/v<N>.pbtxt, recorded in the store.",
    )
    cmds = schema.add_subparsers(dest="schema_command", metavar="SUBCOMMAND", required=True)

    infer = cmds.add_parser("infer", help="infer the next version from a training batch")
    infer.add_argument("dataset")
    infer.add_argument("--batch", help="training batch to infer from (default: the latest)")
    infer.add_argument("--label", help="the label: expected in training data only (SERVING "
                       "environment excludes it); default from [datasets.<name>] label")
    infer.add_argument("--message", "-m", default="", help="why this version")
    infer.add_argument("--value-ranges", action="store_true", default=None,
                       help="bound numeric features by the batch's min/max (widened by "
                       "value_range_margin, default 10%% of the range); default from "
                       "[datasets.<name>] infer_value_ranges")
    infer.set_defaults(handler=handle_infer)

    listing = cmds.add_parser("list", help="the versions of a dataset's schema")
    listing.add_argument("dataset")
    listing.set_defaults(handler=handle_list)

    show = cmds.add_parser("show", help="print a schema version (default: the latest)")
    show.add_argument("dataset")
    show.add_argument("--version", type=int, metavar="N")
    show.set_defaults(handler=handle_show)

    diff = cmds.add_parser("diff", help="what changed between two versions, in features")
    diff.add_argument("dataset")
    diff.add_argument("a", type=int, metavar="A")
    diff.add_argument("b", type=int, metavar="B")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(handler=handle_diff)

    imp = cmds.add_parser("import", help="record a hand-edited schema file as the next version")
    imp.add_argument("dataset")
    imp.add_argument("file")
    imp.add_argument("--message", "-m", default="", help="why this version")
    imp.set_defaults(handler=handle_import)


def handle_infer(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.schemas import infer_schema

    version = infer_schema(args.dataset, batch=args.batch, label=args.label,
                           message=args.message, value_ranges=args.value_ranges,
                           settings=settings)
    if version.written:
        print(f"schema v{version.version} of {version.dataset} written to {version.path} "
              f"({version.message})", file=sys.stderr)
    else:
        print(f"schema unchanged: v{version.version} (nothing written)", file=sys.stderr)
    print(version.version)
    return ExitCode.OK


def handle_import(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.schemas import import_schema

    version = import_schema(args.dataset, args.file, message=args.message, settings=settings)
    parent = f"v{version.parent_version}" if version.parent_version else "none"
    print(f"schema v{version.version} of {version.dataset} written to {version.path} "
          f"(parent {parent})", file=sys.stderr)
    if not _has_comparators(version.path):
        print("note: this schema sets no drift or skew comparators, so checks against it "
              "measure no drift or skew (`schema infer` adds them)", file=sys.stderr)
    print(version.version)
    return ExitCode.OK


def _has_comparators(path: str) -> bool:
    from dataguard.core import schemas as sch
    from dataguard.io.artifacts import read_bytes

    schema = sch.parse_schema(read_bytes(path).decode("utf-8"), path)
    return any(sch.comparators(f, c) for f in schema.feature for c in sch.COMPARISONS)


def handle_list(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.schemas import list_schemas

    versions = list_schemas(args.dataset, settings=settings)
    if not versions:
        print(f"{args.dataset}: no schema versions (run `dataguard schema infer {args.dataset}`)")
        return ExitCode.OK
    print(f"{'version':>7}  {'parent':>6}  {'created':<19}  {'sha256':<12}  message")
    for v in versions:
        created = f"{v.created_at:%Y-%m-%d %H:%M:%S}" if v.created_at else "-"
        parent = f"v{v.parent_version}" if v.parent_version else "-"
        print(f"{'v' + str(v.version):>7}  {parent:>6}  {created:<19}  {v.sha256[:12]:<12}  "
              f"{v.message}")
    return ExitCode.OK


def handle_show(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.schemas import show_schema

    shown = show_schema(args.dataset, args.version, settings=settings)
    print(f"# {shown.version.path} (v{shown.version.version}, sha256 {shown.version.sha256})")
    print(shown.text, end="" if shown.text.endswith("\n") else "\n")
    return ExitCode.OK


def handle_diff(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.schemas import diff_schemas

    diff = diff_schemas(args.dataset, args.a, args.b, settings=settings)
    print(json.dumps(diff.to_dict(), indent=2) if args.format == "json" else diff.to_text())
    return ExitCode.OK
