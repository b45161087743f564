"""Deliver one event through one hook: attempts, exponential backoff, Retry-After, redaction.

    outcome = deliver(hook, event)          # never raises for a failing receiver
    outcome.status, outcome.attempts, outcome.last_error

Waits ``backoff * 2**(n-1)`` seconds before retry ``n`` (or the server's ``Retry-After`` when it
sends one), each capped at ``max_wait``. Only errors a later attempt can fix are retried: network
errors, timeouts, HTTP 5xx and 429 (see ``HookError.retryable``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from dataguard.hooks.base import Event, Hook, HookError

REDACTED = "***"


@dataclass(frozen=True)
class Outcome:
    status: str  # "delivered" | "failed"
    attempts: int
    last_error: str | None  # of the last failed attempt, secrets redacted
    seconds: float = 0.0

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"


def redact(text: str, secrets: list[str]) -> str:
    """Replace every secret value (longest first, so prefixes don't leak the rest)."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def deliver(
    hook: Hook,
    event: Event,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send with retries; the result says delivered or failed, with attempts and the last error."""
    spec = hook.spec
    started = time.monotonic()
    own_client = client is None
    try:
        http = client or httpx.Client(
            timeout=spec.timeout, follow_redirects=False, verify=hook.tls_verify()
        )
    except HookError as exc:
        return Outcome("failed", 1, redact(str(exc), _secrets(hook)), time.monotonic() - started)
    attempts = 0
    last_error: str | None = None
    try:
        while True:
            attempts += 1
            try:
                hook.send(event, http)
                return Outcome("delivered", attempts, last_error, time.monotonic() - started)
            except HookError as exc:
                error: HookError = exc
            except Exception as exc:  # a hook bug must not lose the check or the other hooks
                error = HookError(f"{type(exc).__name__}: {exc}", retryable=False)
            last_error = redact(str(error), _secrets(hook))
            if not error.retryable or attempts > spec.retries:
                return Outcome("failed", attempts, last_error, time.monotonic() - started)
            wait = spec.backoff * 2 ** (attempts - 1)
            if error.retry_after is not None:
                wait = error.retry_after
            sleep(min(wait, spec.max_wait))
    finally:
        if own_client:
            http.close()


def _secrets(hook: Hook) -> list[str]:
    try:
        return hook.secrets()
    except Exception:  # noqa: BLE001 - redaction must never be the thing that fails
        return []
