"""``dataguard`` entry point: global flags, one sub-command module per area, one error boundary.

Each command module exposes ``register(subparsers)``; its handler takes ``(args, settings)`` and
returns an ``ExitCode``. Errors from the library become one line on stderr and their exit code.
Nothing here imports TensorFlow or Beam, so ``dataguard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from dataguard.errors import DataguardError, ExitCode

COMMAND_MODULES = (
    "dataguard.cli.stats_cmd",
    "dataguard.cli.schema_cmd",
    "dataguard.cli.check_cmd",
    "dataguard.cli.hooks_cmd",
    "dataguard.cli.convert_cmd",
    "dataguard.cli.dashboard_cmd",
    "dataguard.cli.admin_cmd",
    "dataguard.cli.demo_cmd",
)


def quiet_native_logging() -> None:
    """Keep TensorFlow/absl/Beam chatter off the user's terminal (set before they are imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("absl", "tensorflow", "apache_beam", "tensorflow_data_validation"):
        logging.getLogger(name).setLevel(logging.ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataguard",
        description="Validate ML data batches: statistics, schemas, drift and skew checks, alerts.",
    )
    parser.add_argument("--store", metavar="URL", help="store URL (env DATAGUARD_STORE_URL)")
    parser.add_argument("--artifacts", metavar="URI", help="artifacts root (DATAGUARD_ARTIFACTS)")
    parser.add_argument("--config", metavar="FILE", help="config file (default dataguard.toml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    quiet_native_logging()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "accepts_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    from dataguard.config import load_settings

    try:
        settings = load_settings(
            store_url=args.store, artifacts=args.artifacts, config_path=args.config
        )
        return int(args.handler(args, settings))
    except DataguardError as exc:
        print(f"dataguard: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("dataguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return int(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
