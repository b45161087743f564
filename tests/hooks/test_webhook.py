"""The webhook hook and the delivery loop, against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from dataguard.core.models import CheckResult
from dataguard.hooks import Event, Hook, deliver, load_hooks
from dataguard.hooks.base import parse_retry_after
from tests.fixtures.receivers import HttpReceiver, Reply, server_tls


def webhook(url: str, **options: Any) -> Hook:
    table = {"name": "ops", "type": "webhook", "url": url, "backoff": 0.01, **options}
    return load_hooks([table])[0]


def test_webhook_posts_the_check_json_with_event_check_completed(
    receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    outcome = deliver(webhook(receiver.url), Event(failed_check))

    assert outcome.status == "delivered" and outcome.attempts == 1 and outcome.last_error is None
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body == {"event": "check.completed", **failed_check.to_dict()}
    assert body["anomalies"][0]["type"] == "COMPARATOR_L_INFTY_HIGH"
    assert request.headers["Content-Type"] == "application/json"
    assert "X-Dataguard-Signature" not in request.headers


def test_webhook_signs_the_exact_body_bytes_with_hmac_sha256(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", "s3cr3t-value")
    deliver(webhook(receiver.url, secret_env="TEST_WEBHOOK_SECRET"), Event(failed_check))

    (request,) = receiver.requests
    expected = hmac.new(b"s3cr3t-value", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Dataguard-Signature"] == f"sha256={expected}"


def test_webhook_sends_custom_headers_and_header_values_from_the_environment(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_AUTH_HEADER", "Bearer abc.def")
    hook = webhook(
        receiver.url,
        headers={"X-Team": "ml-platform"},
        header_env={"Authorization": "TEST_AUTH_HEADER"},
    )
    deliver(hook, Event(failed_check))

    (request,) = receiver.requests
    assert request.headers["X-Team"] == "ml-platform"
    assert request.headers["Authorization"] == "Bearer abc.def"


def test_webhook_retries_after_a_500_and_then_delivers(
    receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    receiver.reply(Reply(500), Reply(502), Reply(200))
    outcome = deliver(webhook(receiver.url, retries=3), Event(failed_check))

    assert outcome.status == "delivered"
    assert outcome.attempts == 3
    assert len(receiver.requests) == 3
    assert receiver.requests[0].body == receiver.requests[2].body


def test_webhook_honours_retry_after_on_429(
    receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    receiver.reply(Reply(429, headers={"Retry-After": "1"}), Reply(200))
    outcome = deliver(webhook(receiver.url, retries=2, backoff=0.0), Event(failed_check))

    assert outcome.status == "delivered" and outcome.attempts == 2
    waited = receiver.requests[1].at - receiver.requests[0].at
    assert waited >= 0.95


def test_webhook_does_not_retry_a_400(receiver: HttpReceiver, failed_check: CheckResult) -> None:
    receiver.reply(Reply(400, body=b"invalid payload"))
    outcome = deliver(webhook(receiver.url, retries=3), Event(failed_check))

    assert outcome.status == "failed"
    assert outcome.attempts == 1
    assert len(receiver.requests) == 1
    assert outcome.last_error is not None and "HTTP 400" in outcome.last_error
    assert "invalid payload" in outcome.last_error


def test_webhook_gives_up_after_the_configured_retries(
    receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    receiver.reply(*[Reply(503)] * 5)
    outcome = deliver(webhook(receiver.url, retries=2), Event(failed_check))

    assert (outcome.status, outcome.attempts) == ("failed", 3)
    assert "HTTP 503" in (outcome.last_error or "")


def test_webhook_times_out_on_a_slow_receiver(
    receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    receiver.reply(Reply(200, delay=1.5))
    outcome = deliver(webhook(receiver.url, retries=0, timeout=0.3), Event(failed_check))

    assert outcome.status == "failed"
    assert "timed out after 0.3 s" in (outcome.last_error or "")
    assert outcome.seconds < 1.4


def test_webhook_to_a_receiver_that_is_down_fails_after_retries(
    down_url: str, failed_check: CheckResult
) -> None:
    outcome = deliver(webhook(down_url, retries=1), Event(failed_check))

    assert (outcome.status, outcome.attempts) == ("failed", 2)
    assert "could not reach http://127.0.0.1" in (outcome.last_error or "")


def test_secrets_echoed_by_a_receiver_are_redacted_from_the_error(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_AUTH_HEADER", "Bearer very-secret-token")
    receiver.reply(Reply(401, body=b"bad credentials: Bearer very-secret-token"))
    hook = webhook(receiver.url, header_env={"Authorization": "TEST_AUTH_HEADER"})
    outcome = deliver(hook, Event(failed_check))

    assert outcome.status == "failed"
    assert "very-secret-token" not in (outcome.last_error or "")
    assert "***" in (outcome.last_error or "")


def test_a_missing_secret_variable_fails_the_delivery_without_sending(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_WEBHOOK_SECRET", raising=False)
    outcome = deliver(webhook(receiver.url, secret_env="TEST_WEBHOOK_SECRET"), Event(failed_check))

    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert "TEST_WEBHOOK_SECRET" in (outcome.last_error or "")
    assert receiver.requests == []


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_webhook_over_https_verifies_the_certificate_and_accepts_a_private_ca(
    tls_files: tuple[Path, Path], failed_check: CheckResult
) -> None:
    https = HttpReceiver(tls=server_tls(tls_files))
    try:
        untrusted = deliver(webhook(https.url, retries=3), Event(failed_check))
        assert (untrusted.status, untrusted.attempts) == ("failed", 1)
        assert "not trusted" in (untrusted.last_error or "")

        trusted = deliver(webhook(https.url, ca_file=str(tls_files[0])), Event(failed_check))
        assert trusted.delivered, trusted.last_error
        assert json.loads(https.requests[-1].body)["event"] == "check.completed"
    finally:
        https.close()


def test_an_unreadable_ca_file_fails_the_delivery_once(
    tmp_path: Path, receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    hook = webhook(receiver.url, ca_file=str(tmp_path / "missing.pem"))
    outcome = deliver(hook, Event(failed_check))
    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert "missing.pem" in (outcome.last_error or "") and receiver.requests == []
