"""`service.alerts.notify`: hooks after a committed check, recorded in a real store (both DBs)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

import pytest

from dataguard.config import load_settings
from dataguard.core.models import Batch, CheckResult, Role, Verdict
from dataguard.service.alerts import notify
from dataguard.service.context import Context
from tests.fixtures.receivers import HttpReceiver, Reply, make_result


def context(store_url: str, *hooks: dict[str, Any], dashboard_url: str | None = None) -> Context:
    settings = load_settings(store_url=store_url, env={})
    settings = replace(settings, document={"hooks": list(hooks)}, dashboard_url=dashboard_url)
    return Context(settings)


def committed(ctx: Context, verdict: Verdict, batch: str = "2026-11-25") -> CheckResult:
    """Store a batch and its check the way `dataguard check` does, and return the stored check."""
    result = make_result(verdict, batch=batch, check_id=None)
    with ctx.store.transaction() as tx:
        tx.add_batch(
            Batch("taxi", batch, Role.TRAINING, 10000, f"/artifacts/{batch}.pb", "0" * 64, "test")
        )
        return tx.add_check(result)


def webhook(url: str, **options: Any) -> dict[str, Any]:
    return {"name": "ops", "type": "webhook", "url": url, "backoff": 0.01, **options}


def deliveries(ctx: Context) -> list:
    with ctx.store.read() as q:
        return q.list_deliveries("taxi")


def test_a_failed_check_is_delivered_and_recorded_with_its_check_id(
    store_url: str, receiver: HttpReceiver
) -> None:
    ctx = context(store_url, webhook(receiver.url))
    check = committed(ctx, Verdict.FAIL)

    (made,) = notify(ctx, check)

    assert made.status == "delivered" and made.attempts == 1 and made.check_id == check.id
    assert json.loads(receiver.requests[0].body)["event"] == "check.completed"
    (row,) = deliveries(ctx)
    assert (row.hook, row.dataset, row.batch, row.verdict) == ("ops", "taxi", "2026-11-25", "fail")
    assert row.status == "delivered" and row.delivered_at is not None and row.last_error is None


def test_rerunning_the_same_check_does_not_alert_twice_unless_refire(
    store_url: str, receiver: HttpReceiver
) -> None:
    ctx = context(store_url, webhook(receiver.url))
    check = committed(ctx, Verdict.FAIL)
    notify(ctx, check)

    assert notify(ctx, check) == []
    assert len(receiver.requests) == 1
    assert [d.status for d in notify(ctx, check, refire=True)] == ["delivered"]
    assert len(receiver.requests) == 2
    assert len(deliveries(ctx)) == 2


def test_a_verdict_not_in_on_sends_and_records_nothing(
    store_url: str, receiver: HttpReceiver
) -> None:
    ctx = context(store_url, webhook(receiver.url, on=["fail"]))
    assert notify(ctx, committed(ctx, Verdict.WARN)) == []
    assert receiver.requests == [] and deliveries(ctx) == []


def test_a_receiver_that_is_down_leaves_the_check_stored_and_records_the_failure(
    store_url: str, down_url: str
) -> None:
    ctx = context(store_url, webhook(down_url, retries=2))
    check = committed(ctx, Verdict.FAIL)
    err = io.StringIO()

    (made,) = notify(ctx, check, stderr=err)

    assert (made.status, made.attempts) == ("failed", 3)
    line = err.getvalue().strip()
    assert line.startswith("dataguard: hook 'ops' failed after 3 attempts: could not reach")
    assert "\n" not in line
    with ctx.store.read() as q:
        assert q.latest_check("taxi") == check
        (row,) = q.list_deliveries("taxi")
    assert row.status == "failed" and row.attempts == 3 and "could not reach" in row.last_error
    assert row.delivered_at is None


def test_a_failed_delivery_is_tried_again_on_the_next_run(
    store_url: str, receiver: HttpReceiver
) -> None:
    ctx = context(store_url, webhook(receiver.url, retries=0))
    check = committed(ctx, Verdict.FAIL)
    receiver.reply(Reply(500))
    assert notify(ctx, check, stderr=io.StringIO())[0].status == "failed"
    assert notify(ctx, check)[0].status == "delivered"


def test_secrets_never_reach_stderr_or_the_store(
    store_url: str, receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OPS_TOKEN", "Bearer tok-1234567890")
    ctx = context(store_url, webhook(receiver.url, header_env={"Authorization": "TEST_OPS_TOKEN"}))
    receiver.reply(Reply(403, body=b"forbidden for Bearer tok-1234567890"))
    err = io.StringIO()

    notify(ctx, committed(ctx, Verdict.FAIL), stderr=err)

    assert "tok-1234567890" not in err.getvalue()
    (row,) = deliveries(ctx)
    assert "tok-1234567890" not in (row.last_error or "") and "***" in (row.last_error or "")


def test_pagerduty_resolves_incidents_of_earlier_failed_batches_when_a_check_passes(
    store_url: str, receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    pd = {"name": "oncall", "type": "pagerduty", "routing_key_env": "TEST_PD_KEY"}
    ctx = context(store_url, {**pd, "url": receiver.url, "on": ["fail", "warn"]})

    notify(ctx, committed(ctx, Verdict.FAIL, "day1"))
    notify(ctx, committed(ctx, Verdict.WARN, "day2"))
    notify(ctx, committed(ctx, Verdict.PASS, "day3"))
    assert notify(ctx, committed(ctx, Verdict.PASS, "day4")) == []  # nothing left open

    sent = [(b["event_action"], b["dedup_key"]) for b in map(json.loads, receiver.bodies())]
    assert sent[:2] == [("trigger", "taxi/day1"), ("trigger", "taxi/day2")]
    assert sorted(sent[2:]) == [("resolve", "taxi/day1"), ("resolve", "taxi/day2")]


def test_a_bad_hook_config_is_reported_and_never_raises(store_url: str) -> None:
    ctx = context(store_url, {"name": "ops", "type": "webhook", "url": "http://x", "token": "t"})
    err = io.StringIO()
    assert notify(ctx, make_result(), stderr=err) == []
    assert "hooks not run: hook 'ops': key 'token'" in err.getvalue()


def test_test_events_go_to_every_hook_whatever_on_and_are_not_recorded(
    store_url: str, receiver: HttpReceiver
) -> None:
    ctx = context(store_url, webhook(receiver.url, on=["pass"]))
    (made,) = notify(ctx, make_result(Verdict.FAIL), test=True)

    assert made.status == "delivered"
    assert json.loads(receiver.requests[0].body)["event"] == "test"
    assert deliveries(ctx) == []


def test_hooks_are_delivered_in_parallel_so_a_slow_receiver_delays_no_one(
    store_url: str, receiver: HttpReceiver
) -> None:
    other = HttpReceiver()
    try:
        receiver.reply(Reply(200, delay=0.8))
        other.reply(Reply(200, delay=0.8))
        ctx = context(store_url, webhook(receiver.url), {**webhook(other.url), "name": "ops-2"})
        check = committed(ctx, Verdict.FAIL)

        made = notify(ctx, check)

        # In parallel, the second request arrives while the first receiver is still sleeping on
        # its 0.8 s reply; one after the other, it would arrive at least 0.8 s later.
        assert abs(receiver.requests[0].at - other.requests[0].at) < 0.8
        assert [(d.hook, d.status) for d in made] == [("ops", "delivered"), ("ops-2", "delivered")]
    finally:
        other.close()
