"""Every hook says which slice a finding is about (``payment_type_Cash``): Slack, e-mail,
PagerDuty's summary, and the webhook's check JSON (``slice``, null for the whole batch)."""

from __future__ import annotations

import json
from dataclasses import replace
from email import message_from_bytes

import pytest

from dataguard.core.models import CheckResult, Verdict
from dataguard.hooks import Event, deliver, load_hooks
from tests.fixtures.receivers import HttpReceiver, SmtpReceiver, make_result

CASH = "payment_type_Cash"


def sliced_check() -> CheckResult:
    """The failed check, its first anomaly and the metrics that caused it found in one slice."""
    result = make_result(Verdict.FAIL)
    first, *rest = result.anomalies
    metrics = tuple(replace(m, slice=CASH) if m.feature == first.feature else m
                    for m in result.metrics)
    return replace(result, anomalies=(replace(first, slice=CASH), *rest), metrics=metrics)


def hook(type_: str, **options: object):  # type: ignore[no-untyped-def]
    return load_hooks([{"name": f"my-{type_}", "type": type_, "backoff": 0.01, **options}])[0]


def test_slack_names_the_slice_of_an_anomaly(receiver: HttpReceiver) -> None:
    assert deliver(hook("slack", url=receiver.url), Event(sliced_check())).delivered
    text = json.loads(receiver.requests[0].body)["blocks"][2]["text"]["text"]
    assert f"`payment_type` in slice `{CASH}` (drift)" in text
    assert "l_infinity 0.01318 vs threshold 0.01" in text  # its metric is the slice's


def test_webhook_json_carries_the_slice_of_each_finding(receiver: HttpReceiver) -> None:
    assert deliver(hook("webhook", url=receiver.url), Event(sliced_check())).delivered
    body = json.loads(receiver.requests[0].body)
    assert body["format_version"] == 1
    assert [a["slice"] for a in body["anomalies"]][:2] == [CASH, None]


def test_email_and_pagerduty_show_the_slice(smtp: SmtpReceiver, receiver: HttpReceiver,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    h = hook("email", host="127.0.0.1", port=smtp.port, security="none",
             **{"from": "dataguard@example.com", "to": ["data-team@example.com"]})
    assert deliver(h, Event(sliced_check())).delivered
    message = message_from_bytes(smtp.messages[0].original_content)
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
             if not p.is_multipart()}
    assert f"payment_type [{CASH}] [drift, error]" in parts["text/plain"]
    assert f"<td>payment_type [{CASH}]</td>" in parts["text/html"]
    monkeypatch.setenv("PD_KEY", "k" * 32)
    pager = hook("pagerduty", url=receiver.url, routing_key_env="PD_KEY")
    assert deliver(pager, Event(sliced_check())).delivered
    summary = json.loads(receiver.requests[0].body)["payload"]["summary"]
    assert f"payment_type [{CASH}]" in summary
