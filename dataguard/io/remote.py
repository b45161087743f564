"""Bounded waits on remote locations (gs://, s3://, …): a location that does not answer is an
``ArtifactError`` (exit 3) naming it after ``DATAGUARD_REMOTE_TIMEOUT`` seconds (default 20),
with progress lines on stderr meanwhile, instead of minutes of silent client retries:

    found = bounded("gs://acme/taxi/*.csv", "listing input", lambda: FileSystems.match([...]))

    dataguard: waiting for gs://acme/taxi/*.csv (listing input, 5 s of 20 s)…
    dataguard: error: gs://acme/taxi/*.csv: unreachable: no answer within 20 s (listing input) …

The call runs in a daemon thread; when the time is up it is abandoned (cloud clients cannot be
interrupted), and the command fails. Errors the call raises in time are re-raised unchanged.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO, TypeVar

from dataguard.errors import ArtifactError, UsageError

T = TypeVar("T")
TIMEOUT_ENV = "DATAGUARD_REMOTE_TIMEOUT"
DEFAULT_TIMEOUT = 20.0
PROGRESS_EVERY = 5.0  # seconds between progress lines (the first after min(2 s, timeout / 2))


def remote_timeout() -> float:
    """Seconds to wait for a remote location: ``DATAGUARD_REMOTE_TIMEOUT`` or 20."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400:
        raise UsageError(f"{TIMEOUT_ENV}={raw!r}: give the seconds to wait, e.g. 20")
    return value


def bounded(
    location: str,
    what: str,
    call: Callable[[], T],
    *,
    timeout: float | None = None,
    stderr: TextIO | None = None,
) -> T:
    """``call()``, or ``ArtifactError`` naming ``location`` when it takes over ``timeout`` s."""
    limit = remote_timeout() if timeout is None else timeout
    box: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name=f"dataguard-remote {location}", daemon=True).start()
    start = time.monotonic()
    next_line = min(2.0, limit / 2)
    while not done.wait(max(0.0, min(next_line, limit) - (time.monotonic() - start))):
        waited = time.monotonic() - start
        if waited >= limit:
            raise ArtifactError(
                f"{location}: unreachable: no answer within {limit:g} s ({what}); check the "
                f"network, the bucket name and credentials, or set {TIMEOUT_ENV} to wait longer"
            )
        if waited >= next_line:
            print(f"dataguard: waiting for {location} ({what}, {waited:.0f} s of {limit:g} s)…",
                  file=stderr or sys.stderr, flush=True)
            next_line += PROGRESS_EVERY
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
