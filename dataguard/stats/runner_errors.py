"""The one translation of Beam runner failures into dataguard's exception tree.

Runners wrap whatever a worker raises in their own types and text (the FnApiRunner a
RuntimeError quoting the worker's traceback, Dataflow its job log), so the class and message of
a dataguard error raised on a worker would be lost. Workers therefore raise it *marked*, and the
launcher finds the first mark in whatever the runner raised:

    # on a worker, in a DoFn
    raise bad_input(f"{path}: line 3: 1 fields, expected 2")   # → BadInputError on the launcher
    with on_worker():
        record_statistics(...)              # a UsageError leaves marked, comes back a UsageError

    # on the launcher (like httpx's ``map_exceptions``)
    with map_runner_errors("DataflowRunner"):
        result = pipeline.run()
        result.wait_until_finish()          # anything else: one-line RunnerError (exit 3)

The mark is ``[dataguard-error <class>] <message> [/dataguard-error]``; only this module writes
or reads it. No Beam import: the marks are plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from dataguard import errors
from dataguard.errors import BadInputError, DataguardError, RunnerError

_MARK = re.compile(r"\[dataguard-error (\w+)\]\s*(.*?)\s*\[/dataguard-error\]")


def marked(exc: DataguardError) -> ValueError:
    """``exc`` as a worker raises it, so the launcher raises the same class and message."""
    return ValueError(f"[dataguard-error {type(exc).__name__}] {exc} [/dataguard-error]")


def bad_input(message: str) -> ValueError:
    """Bad data found on a worker (the message names the file and line/record)."""
    return marked(BadInputError(message))


@contextmanager
def on_worker() -> Iterator[None]:
    """Mark the dataguard errors raised inside (the services called from a DoFn)."""
    try:
        yield
    except DataguardError as exc:
        raise marked(exc) from None


def translate_runner_error(exc: BaseException, runner: str) -> DataguardError:
    """A runner's exception → the marked dataguard error inside it, else ``RunnerError`` with
    the runner's first line (its text can be a whole worker traceback)."""
    text = str(exc)
    found = _MARK.search(text)
    if found:
        cls = getattr(errors, found.group(1), None)
        if not (isinstance(cls, type) and issubclass(cls, DataguardError)):
            cls = RunnerError
        return cls(found.group(2).replace("\\'", "'"))  # the text may quote it with repr()
    first = next((ln for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    return RunnerError(f"Beam runner {runner} failed: {first.strip()[:300]}")


@contextmanager
def map_runner_errors(runner: str) -> Iterator[None]:
    """Run a pipeline inside: dataguard errors pass, any other failure is translated."""
    try:
        yield
    except DataguardError:
        raise
    except Exception as exc:  # runners wrap worker errors in their own types and text
        raise translate_runner_error(exc, runner) from None
