"""The batch-input options of ``stats`` and ``run``, declared and read in one place so both
commands take the same flags the same way (``--delimiter '\\t'``, ``--column-names 'a, b'``).

    add_input_options(parser)                                   # --input … --engine --replace
    compute_stats(dataset, batch, input_paths(args.input), **input_options(args))
"""

from __future__ import annotations

import argparse
from typing import Any

INPUT_FORMATS = ("csv", "tfrecord", "parquet")


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """``--input``, ``--input-format``, ``--delimiter``, ``--column-names``, ``--engine`` and
    ``--replace`` (unknown options go to the Beam engine: set ``accepts_extra``)."""
    parser.add_argument("--input", action="append", nargs="+", required=True, metavar="PATH",
                        help="CSV/TFRecord file, folder or glob, local or gs:// (repeatable)")
    parser.add_argument("--input-format", choices=INPUT_FORMATS,
                        help="default: guessed from the file names")
    parser.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    parser.add_argument("--column-names", metavar="A,B,…",
                        help="CSV column names, for files without a header line")
    parser.add_argument("--engine", choices=("local", "beam"), default="local",
                        help="local: in process, streaming (default); beam: a Beam pipeline")
    parser.add_argument("--replace", action="store_true",
                        help="recompute a batch that is already stored")


def add_slice_by(parser: argparse.ArgumentParser, what: str) -> None:
    """``--slice-by COLUMN`` of ``stats``, ``check`` and ``run`` (repeatable; beats
    ``[datasets.<name>] slice_by``)."""
    parser.add_argument("--slice-by", action="append", metavar="COLUMN", dest="slice_by",
                        help=f"{what}; repeatable (default: [datasets.<name>] slice_by)")


def input_paths(groups: list[list[str]] | None) -> list[str]:
    """``--input a b --input c`` → ``[a, b, c]``."""
    return [path for group in groups or [] for path in group]


def input_options(args: argparse.Namespace) -> dict[str, Any]:
    """What those options say, as the keyword arguments of ``compute_stats`` and ``run``."""
    return {
        "engine": args.engine,
        "input_format": args.input_format,
        "delimiter": _unescape(args.delimiter),
        "column_names": (
            [name.strip() for name in args.column_names.split(",")] if args.column_names else None
        ),
        "replace": args.replace,
        "pipeline_args": list(getattr(args, "extra", None) or []),
    }


def _unescape(delimiter: str) -> str:
    """Let users type ``--delimiter '\\t'`` for tab-separated files."""
    return {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
