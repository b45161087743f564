"""Run the configured hooks for a committed check, and record every delivery in the store.

    deliveries = notify(ctx, result)          # after the check's transaction committed
    deliveries = notify(ctx, result, refire=True)   # `check --refire`: send again

Rules (issue 4):
- A hook fires when the check's verdict is in its ``on`` list (default ``["fail"]``); a PagerDuty
  hook also fires on a later ``pass`` to resolve the incidents it opened for the dataset.
- No double alerts: a hook that already delivered for the same dataset, batch and verdict is
  skipped unless ``refire``.
- Hooks are delivered in parallel (a dead receiver retrying never delays the others), recorded
  and reported in config order.
- Never raises for a failing hook: the check is already stored and the exit code reflects the
  data. A bad ``[[hooks]]`` config is refused by ``check``/``run`` before anything is computed
  (exit 2); should one reach here anyway, it is one line on stderr. A hook that finally fails
  is one line on stderr and a row in the store (status, attempts, last error — secrets
  redacted); each delivery is recorded in its own transaction.
- ``test=True`` (``dataguard hooks test``) sends an ``"event": "test"`` to every (or the ``only``)
  hook whatever its ``on`` list, records nothing, and raises ``UsageError`` for a bad config.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import TextIO

import httpx

from dataguard.core.models import (
    Anomaly,
    AnomalyKind,
    CheckResult,
    Comparison,
    HookDelivery,
    Metric,
    Verdict,
)
from dataguard.core.models import Outcome as PolicyOutcome  # hooks' Outcome is a delivery's
from dataguard.errors import DataguardError, UsageError
from dataguard.hooks import CHECK_EVENT, TEST_EVENT, Event, Hook, Outcome, deliver, load_hooks
from dataguard.service.context import Context

OPEN_ALERT_SCAN = 1000  # deliveries of a dataset scanned for unresolved fail alerts
MAX_PARALLEL = 8  # hooks delivered at once


def configured_hooks(ctx: Context) -> list[Hook]:
    """The ``[[hooks]]`` of the config file, validated (``UsageError`` naming hook and key)."""
    return load_hooks(ctx.settings.document.get("hooks"))


def sample_result() -> CheckResult:
    """The check that ``hooks test`` sends: clearly fake (dataset ``dataguard-test``), realistic."""
    return CheckResult(
        dataset="dataguard-test",
        batch="test-event",
        verdict=Verdict.FAIL,
        schema_version=1,
        baseline_batch="baseline-batch",
        serving_batch=None,
        num_examples=10000,
        anomalies=(
            Anomaly(
                "payment_type",
                AnomalyKind.DRIFT,
                "COMPARATOR_L_INFTY_HIGH",
                "error",
                "High Linfty distance between current and previous",
                "Test event from `dataguard hooks test`: the Linfty distance 0.0132 is above the "
                "threshold 0.01.",
                PolicyOutcome.FAIL,
            ),
        ),
        metrics=(Metric("payment_type", Comparison.DRIFT, "l_infinity", 0.0132, 0.01, True,
                        PolicyOutcome.FAIL),),
    )


def notify(
    ctx: Context,
    result: CheckResult,
    *,
    refire: bool = False,
    only: str | None = None,
    test: bool = False,
    client: httpx.Client | None = None,
    stderr: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
    hooks: Sequence[Hook] | None = None,
) -> list[HookDelivery]:
    """Deliver ``result`` to the hooks it fires (``hooks``: those already read from the config,
    else read now); returns the deliveries made (skipped ones not)."""
    err = stderr or sys.stderr
    if hooks is None:
        try:
            hooks = configured_hooks(ctx)
        except UsageError as exc:
            if test:
                raise
            print(f"dataguard: hooks not run: {exc}", file=err)
            return []
    if only is not None:
        hooks = [h for h in hooks if h.name == only]
        if not hooks:
            raise UsageError(f"no hook named {only!r} in the config; see `dataguard hooks list`")

    history = {} if test else _history(ctx, hooks, result, err)
    todo: list[tuple[Hook, Event]] = []
    for hook in hooks:
        already, open_alerts = history.get(hook.name, (False, ()))
        event = Event(
            result,
            name=TEST_EVENT if test else CHECK_EVENT,
            dashboard_url=ctx.settings.dashboard_url,
            open_alerts=open_alerts,
        )
        resolving = result.verdict == Verdict.PASS and bool(open_alerts)
        if not test and (not hook.fires_on(event) or (already and not refire and not resolving)):
            continue
        todo.append((hook, event))

    def send(item: tuple[Hook, Event]) -> Outcome:
        return deliver(item[0], item[1], client=client, sleep=sleep)

    # In parallel, so a dead receiver retrying with backoff never delays the others' alerts.
    if len(todo) > 1:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(todo))) as pool:
            outcomes = list(pool.map(send, todo))
    else:
        outcomes = [send(item) for item in todo]

    deliveries: list[HookDelivery] = []
    for (hook, _), outcome in zip(todo, outcomes, strict=True):
        delivery = HookDelivery(
            hook=hook.name,
            dataset=result.dataset,
            batch=result.batch,
            verdict=result.verdict,
            status=outcome.status,
            attempts=outcome.attempts,
            last_error=outcome.last_error,
            check_id=result.id,
            delivered_at=datetime.now(timezone.utc) if outcome.delivered else None,
        )
        if not test:
            delivery = _record(ctx, delivery, err)
        if not outcome.delivered:
            where = "" if test else " (recorded in the store)"
            print(
                f"dataguard: hook {hook.name!r} failed after {outcome.attempts} attempt"
                f"{'s' if outcome.attempts != 1 else ''}: {outcome.last_error}{where}",
                file=err,
            )
        deliveries.append(delivery)
    return deliveries


def _history(
    ctx: Context, hooks: Sequence[Hook], result: CheckResult, err: TextIO
) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Per hook: already delivered for this batch and verdict? and its unresolved alerts."""
    if not hooks:
        return {}
    try:
        with ctx.store.read() as q:
            done = {
                h.name: q.find_delivery(h.name, result.dataset, result.batch, result.verdict)
                is not None
                for h in hooks
            }
            recent = (
                q.list_deliveries(result.dataset, limit=OPEN_ALERT_SCAN)
                if result.verdict == Verdict.PASS
                else []
            )
    except DataguardError as exc:
        print(f"dataguard: hook history unavailable, sending anyway: {exc}", file=err)
        return {}
    history: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for hook in hooks:
        open_alerts: list[str] = []
        for d in recent:  # newest first: alerts since this hook last sent a pass (a resolve)
            if d.hook != hook.name or d.status != "delivered":
                continue
            if d.verdict == Verdict.PASS:
                break
            if d.batch not in open_alerts:  # a fail (or warn) alert still open
                open_alerts.append(d.batch)
        history[hook.name] = (done[hook.name], tuple(open_alerts))
    return history


def _record(ctx: Context, delivery: HookDelivery, err: TextIO) -> HookDelivery:
    try:
        with ctx.store.transaction() as tx:
            return tx.add_delivery(delivery)
    except DataguardError as exc:
        print(f"dataguard: hook {delivery.hook!r}: delivery not recorded: {exc}", file=err)
        return delivery
