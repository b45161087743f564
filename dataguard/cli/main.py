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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from dataguard.errors import DataguardError

COMMAND_MODULES = (
    "dataguard.cli.stats_cmd",
    "dataguard.cli.schema_cmd",
    "dataguard.cli.check_cmd",
    "dataguard.cli.hooks_cmd",
    "dataguard.cli.convert_cmd",
    "dataguard.cli.dashboard_cmd",
    "dataguard.cli.admin_cmd",
    "dataguard.cli.doctor_cmd",
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


class ReaderMayLeave:
    """stdout for a reader that may stop reading early (``| head``, ``| true``).

    The exit code is the gate's contract and the printed report only a courtesy: once the pipe is
    closed, the rest of the output goes to /dev/null and the command runs to its own exit code.
    Without this, EPIPE surfaced as an exception (or as exit 120 at interpreter shutdown) and a
    failed check could exit 0.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard_the_rest()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard_the_rest()

    def _discard_the_rest(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def stdout_reader_may_leave() -> Iterator[None]:
    original = sys.stdout
    guarded = ReaderMayLeave(original)
    sys.stdout = guarded  # type: ignore[assignment]
    try:
        yield
    finally:
        guarded.flush()
        sys.stdout = original


def version_line() -> str:
    """dataguard's version and the TFDV and Beam it runs on (from package metadata: no imports)."""
    from importlib.metadata import PackageNotFoundError, version

    from dataguard import __version__

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return (f"dataguard {__version__} (TFDV {installed('tensorflow-data-validation')}, "
            f"Apache Beam {installed('apache-beam')}, Python {sys.version.split()[0]})")


class _VersionAction(argparse._VersionAction):
    """``--version``, its line computed only when asked: reading package metadata costs ~0.6 s,
    which every other command (``gate`` in CI) would pay at parser build time."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        self.version = version_line()
        super().__call__(parser, *args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataguard",
        description="Validate ML data batches: statistics, schemas, drift and skew checks, alerts.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--store", metavar="URL", help="store URL (env DATAGUARD_STORE_URL)")
    parser.add_argument("--artifacts", metavar="URI", help="artifacts root (DATAGUARD_ARTIFACTS)")
    parser.add_argument("--config", metavar="FILE", help="config file (default dataguard.toml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with stdout_reader_may_leave():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
