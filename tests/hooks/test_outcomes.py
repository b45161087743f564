"""Hooks say why: each anomaly's policy outcome, TFDV's full description, and the check's id,
time and dashboard link in the webhook body; `hooks test` of PagerDuty leaves no open incident."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from dataguard.cli.main import main
from dataguard.core.models import CheckResult, Verdict
from dataguard.core.policy import Policy
from dataguard.hooks import Event, Hook, deliver, load_hooks
from tests.fixtures.receivers import HttpReceiver, Reply, SmtpReceiver, make_result


def hook(type_: str, **options: Any) -> Hook:
    return load_hooks([{"name": f"my-{type_}", "type": type_, "backoff": 0.01, **options}])[0]


def judged(result: CheckResult, policy: Policy) -> CheckResult:
    anomalies, metrics, verdict = policy.apply(result.anomalies, result.metrics)
    return replace(result, anomalies=anomalies, metrics=metrics, verdict=verdict)


@pytest.fixture
def warned_check() -> CheckResult:
    """taxi batch_a, ``warn_types = ["COMPARATOR_L_INFTY_HIGH"]``: drift warns, the type fails."""
    result = replace(make_result(Verdict.FAIL),
                     created_at=datetime(2026, 11, 25, 6, 0, 12, tzinfo=timezone.utc))
    return judged(result, Policy(warn_types=frozenset({"COMPARATOR_L_INFTY_HIGH"})))


def test_webhook_body_carries_check_id_time_dashboard_link_and_outcomes(
    receiver: HttpReceiver, warned_check: CheckResult
) -> None:
    event = Event(warned_check, dashboard_url="https://dash.example.com/")
    assert deliver(hook("webhook", url=receiver.url), event).delivered

    body = json.loads(receiver.requests[0].body)
    assert body["check_id"] == 7
    assert body["checked_at"] == "2026-11-25T06:00:12Z"
    assert body["dashboard_url"] == "https://dash.example.com/batch?dataset=taxi&batch=2026-11-25"
    assert [(a["type"], a["outcome"]) for a in body["anomalies"]] == [
        ("COMPARATOR_L_INFTY_HIGH", "warn"), ("UNEXPECTED_DATA_TYPE", "fail")]
    assert [(m["method"], m["outcome"]) for m in body["metrics"]] == [
        ("l_infinity", "warn"), ("jensen_shannon", None)]


def test_webhook_body_has_a_null_dashboard_url_when_none_is_configured(
    receiver: HttpReceiver, warned_check: CheckResult
) -> None:
    assert deliver(hook("webhook", url=receiver.url), Event(warned_check)).delivered
    body = json.loads(receiver.requests[0].body)
    assert "dashboard_url" in body and body["dashboard_url"] is None


def test_slack_shows_each_anomalys_outcome_and_tfdvs_full_description(
    receiver: HttpReceiver, warned_check: CheckResult
) -> None:
    assert deliver(hook("slack", url=receiver.url), Event(warned_check)).delivered
    blocks = json.loads(receiver.requests[0].body)["blocks"]
    lines = blocks[2]["text"]["text"].splitlines()
    assert lines[1].startswith(":x: fail", 2) and "`trip_seconds`" in lines[1]
    assert "Expected data of type: INT but got FLOAT" in lines[1]
    assert lines[2].startswith("• :warning: warn `payment_type` (drift)")
    assert "above the threshold 0.01" in lines[2]


def test_email_shows_each_anomalys_outcome_and_tfdvs_full_description(
    smtp: SmtpReceiver, warned_check: CheckResult
) -> None:
    h = hook("email", host="127.0.0.1", port=smtp.port, security="none",
             **{"from": "dg@example.com", "to": ["team@example.com"]})
    assert deliver(h, Event(warned_check)).delivered
    message = message_from_bytes(smtp.messages[0].original_content)
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
             if not p.is_multipart()}
    text, page = parts["text/plain"], parts["text/html"]
    assert "fail: trip_seconds" in text and "Expected data of type: INT but got FLOAT" in text
    assert "warn: payment_type" in text
    assert "Expected data of type: INT but got FLOAT &lt;script&gt;" in page
    assert "<td>warn</td>" in page and "<td>fail</td>" in page


def test_hooks_test_of_a_pagerduty_hook_resolves_its_own_test_incident(
    workdir: Path, receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    (workdir / "dataguard.toml").write_text(
        f'[[hooks]]\nname = "oncall"\ntype = "pagerduty"\nrouting_key_env = "TEST_PD_KEY"\n'
        f'url = "{receiver.url}"\nbackoff = 0.01\n'
    )
    accepted = Reply(202, body=b'{"status":"success"}')
    receiver.reply(accepted, accepted)
    assert main(["hooks", "test", "oncall"]) == 0

    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["event_action"] for b in bodies] == ["trigger", "resolve"]
    assert bodies[0]["dedup_key"] == bodies[1]["dedup_key"] == "dataguard-test/test-event/test"
    assert bodies[0]["payload"]["summary"].startswith("[TEST]")
    assert "ok" in capsys.readouterr().out
