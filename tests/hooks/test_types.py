"""Slack, PagerDuty, email and command hooks against real local receivers."""

from __future__ import annotations

import json
import sys
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from dataguard.core.models import CheckResult, Verdict
from dataguard.hooks import Event, Hook, deliver, load_hooks
from dataguard.hooks.slack import worst_anomalies
from tests.fixtures.receivers import HttpReceiver, Reply, SmtpReceiver, make_result, server_tls


def hook(type_: str, **options: Any) -> Hook:
    return load_hooks([{"name": f"my-{type_}", "type": type_, "backoff": 0.01, **options}])[0]


# --- slack -------------------------------------------------------------------------------------
def test_slack_message_shows_verdict_dataset_batch_worst_anomaly_and_dashboard_link(
    receiver: HttpReceiver, failed_check: CheckResult
) -> None:
    event = Event(failed_check, dashboard_url="https://dash.example.com/")
    outcome = deliver(hook("slack", url=receiver.url), event)

    assert outcome.delivered
    message = json.loads(receiver.requests[0].body)
    assert message["text"] == "dataguard check fail: taxi / 2026-11-25"
    header, fields, worst, actions = message["blocks"]
    assert header["type"] == "header" and "FAIL" in header["text"]["text"]
    texts = [f["text"] for f in fields["fields"]]
    assert "*Dataset*\ntaxi" in texts and "*Batch*\n2026-11-25" in texts
    assert "*Verdict*\nfail" in texts
    lines = worst["text"]["text"].splitlines()
    assert lines[1].startswith("• `payment_type` (drift): High Linfty distance")
    assert "l_infinity 0.01318 vs threshold 0.01" in lines[1]
    button = actions["elements"][0]
    assert button["url"] == "https://dash.example.com/batch?dataset=taxi&batch=2026-11-25"


def test_slack_escapes_markup_in_data_and_has_no_button_without_dashboard_url(
    receiver: HttpReceiver,
) -> None:
    result = make_result(Verdict.FAIL, batch="b<1>&2")
    deliver(hook("slack", url=receiver.url), Event(result))

    blocks = json.loads(receiver.requests[0].body)["blocks"]
    assert "*Batch*\nb&lt;1&gt;&amp;2" in [f["text"] for f in blocks[1]["fields"]]
    assert all(b["type"] != "actions" for b in blocks)


def test_slack_lists_errors_before_warnings_and_larger_excess_first() -> None:
    result = make_result(Verdict.FAIL)
    assert [a.feature for a, _ in worst_anomalies(result, 5)] == ["payment_type", "trip_seconds"]


def test_slack_url_is_read_from_url_env(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url)
    h = hook("slack", url_env="TEST_SLACK_URL")
    assert h.target() == "$TEST_SLACK_URL"
    assert deliver(h, Event(failed_check)).delivered
    assert len(receiver.requests) == 1


# --- pagerduty ---------------------------------------------------------------------------------
def test_pagerduty_triggers_on_fail_with_dedup_key_dataset_slash_batch(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    receiver.reply(Reply(202, body=b'{"status":"success"}'))
    h = hook("pagerduty", routing_key_env="TEST_PD_KEY", url=receiver.url)
    assert deliver(h, Event(failed_check, dashboard_url="http://dash:8501")).delivered

    body = json.loads(receiver.requests[0].body)
    assert body["routing_key"] == "R0UT1NGKEY0000000000000000000000"
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == "taxi/2026-11-25"
    assert body["payload"]["severity"] == "error"
    assert body["payload"]["summary"].startswith("dataguard: taxi/2026-11-25 check fail")
    assert body["payload"]["custom_details"]["verdict"] == "fail"
    assert body["links"][0]["href"] == "http://dash:8501/batch?dataset=taxi&batch=2026-11-25"


def test_pagerduty_resolves_open_alerts_when_a_later_check_passes(
    receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    h = hook("pagerduty", routing_key_env="TEST_PD_KEY", url=receiver.url)
    passed = make_result(Verdict.PASS, batch="2026-11-27")

    assert not h.fires_on(Event(passed))  # nothing open: nothing to say
    event = Event(passed, open_alerts=("2026-11-26", "2026-11-25"))
    assert h.fires_on(event)
    assert deliver(h, event).delivered

    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [(b["event_action"], b["dedup_key"]) for b in bodies] == [
        ("resolve", "taxi/2026-11-26"),
        ("resolve", "taxi/2026-11-25"),
    ]


def test_pagerduty_routing_key_never_appears_in_errors(
    receiver: HttpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    receiver.reply(
        Reply(400, body=b'{"message":"Invalid routing key R0UT1NGKEY0000000000000000000000"}')
    )
    h = hook("pagerduty", routing_key_env="TEST_PD_KEY", url=receiver.url)
    outcome = deliver(h, Event(failed_check))

    assert outcome.status == "failed" and outcome.attempts == 1
    assert "R0UT1NGKEY" not in (outcome.last_error or "")
    assert "R0UT1NGKEY" not in h.target()


# --- what the HTTP hooks share -----------------------------------------------------------------
@pytest.mark.parametrize("type_", ["slack", "pagerduty", "webhook"])
def test_http_hooks_post_json_and_never_show_a_url_from_the_environment(
    type_: str, receiver: HttpReceiver, failed_check: CheckResult,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One way to post (``Hook.post_to_url``): JSON, this hook's timeout, and errors that name
    ``$URL_ENV``, never the URL read from it (it may hold a token)."""
    monkeypatch.setenv("TEST_HOOK_URL", f"{receiver.url}/T0KEN-in-the-path")
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    where = ({"routing_key_env": "TEST_PD_KEY", "url": f"{receiver.url}/T0KEN-in-the-path"}
             if type_ == "pagerduty" else {"url_env": "TEST_HOOK_URL"})  # pagerduty: no url_env
    h = hook(type_, **where)
    assert deliver(h, Event(failed_check)).delivered
    (request,) = receiver.requests
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body)

    receiver.reply(Reply(400, body=b"no"))
    failed = deliver(h, Event(failed_check))
    assert failed.status == "failed" and h.shown_url() in (failed.last_error or "")
    if type_ != "pagerduty":
        assert h.target() == "$TEST_HOOK_URL" and "T0KEN" not in (failed.last_error or "")


@pytest.mark.parametrize("type_, options, what", [
    ("webhook", {"secret_env": "TEST_UNSET"}, "(from 'secret_env')"),
    ("webhook", {"header_env": {"Authorization": "TEST_UNSET"}}, "(header 'Authorization')"),
    ("pagerduty", {"routing_key_env": "TEST_UNSET"}, "(from 'routing_key_env')"),
])
def test_an_unset_secret_variable_is_named_and_nothing_is_sent(
    type_: str, options: dict[str, Any], what: str, receiver: HttpReceiver,
    failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_UNSET", raising=False)
    outcome = deliver(hook(type_, url=receiver.url, **options), Event(failed_check))
    assert (outcome.status, outcome.attempts) == ("failed", 1)  # a retry cannot help
    assert outcome.last_error == f"environment variable TEST_UNSET {what} is not set"
    assert receiver.requests == []


@pytest.mark.parametrize("type_, options, redacted", [
    ("slack", {"url_env": "TEST_SECRET"}, ["s0"]),
    ("webhook", {"url_env": "TEST_SECRET", "secret_env": "TEST_SECRET_1",
                 "header_env": {"Authorization": "TEST_SECRET_2"}}, ["s0", "s1", "s2"]),
    ("pagerduty", {"routing_key_env": "TEST_SECRET"}, ["s0"]),
    ("email", {"host": "h", "from": "a@b", "to": "c@d", "user_env": "TEST_USER",
               "password_env": "TEST_SECRET"}, ["s0"]),  # the user name is no secret
])
def test_the_values_of_secret_variables_are_what_errors_redact(
    type_: str, options: dict[str, Any], redacted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n, name in enumerate(("TEST_SECRET", "TEST_SECRET_1", "TEST_SECRET_2")):
        monkeypatch.setenv(name, f"s{n}")
    monkeypatch.setenv("TEST_USER", "not-a-secret")
    assert hook(type_, **options).secrets() == redacted


# --- email -------------------------------------------------------------------------------------
def _parts(raw: bytes) -> tuple[Message, str, str]:
    msg = message_from_bytes(raw)
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in msg.walk()
        if not p.is_multipart()
    }
    return msg, parts["text/plain"], parts["text/html"]


def test_email_sends_plain_text_and_escaped_html_parts(
    smtp: SmtpReceiver, failed_check: CheckResult
) -> None:
    h = hook(
        "email",
        host="127.0.0.1",
        port=smtp.port,
        security="none",
        **{"from": "dataguard@example.com", "to": ["data-team@example.com"]},
    )
    outcome = deliver(h, Event(failed_check, dashboard_url="http://dash"))

    assert outcome.delivered, outcome.last_error
    (envelope,) = smtp.messages
    assert envelope.rcpt_tos == ["data-team@example.com"]
    msg, text, html = _parts(envelope.original_content)
    assert msg["Subject"] == "[dataguard] FAIL: taxi / 2026-11-25 (2 anomalies)"
    assert "payment_type [drift, error] COMPARATOR_L_INFTY_HIGH" in text
    assert "Dashboard: http://dash/batch?dataset=taxi&batch=2026-11-25" in text
    assert "<td>payment_type</td>" in html
    assert "<script>" not in html


def test_email_does_not_retry_a_refused_recipient(
    smtp: SmtpReceiver, failed_check: CheckResult
) -> None:
    smtp.refuse["nobody@example.com"] = "550 5.1.1 no such user"
    h = hook(
        "email",
        host="127.0.0.1",
        port=smtp.port,
        security="none",
        retries=3,
        **{"from": "dataguard@example.com", "to": "nobody@example.com"},
    )
    outcome = deliver(h, Event(failed_check))

    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert "550" in (outcome.last_error or "")
    assert smtp.messages == []


def test_email_starttls_against_a_server_without_tls_fails_clearly(
    smtp: SmtpReceiver, failed_check: CheckResult
) -> None:
    h = hook(
        "email",
        host="127.0.0.1",
        port=smtp.port,
        retries=0,
        **{"from": "dataguard@example.com", "to": "a@example.com"},
    )
    outcome = deliver(h, Event(failed_check))

    assert outcome.status == "failed"
    assert "STARTTLS" in (outcome.last_error or "") or "starttls" in (outcome.last_error or "")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_logs_in_with_user_and_password_from_the_environment(
    smtp_with_login: SmtpReceiver, failed_check: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SMTP_USER", "dataguard")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "mail-pa55word")
    options = {
        "host": "127.0.0.1",
        "port": smtp_with_login.port,
        "security": "none",
        "user_env": "TEST_SMTP_USER",
        "password_env": "TEST_SMTP_PASSWORD",
        "from": "dataguard@example.com",
        "to": "a@example.com",
    }
    assert deliver(hook("email", **options), Event(failed_check)).delivered
    assert smtp_with_login.logins == ["dataguard"] and len(smtp_with_login.messages) == 1

    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong-pa55word")
    outcome = deliver(hook("email", **options), Event(failed_check))
    assert (outcome.status, outcome.attempts) == ("failed", 1)  # 535: retrying won't help
    assert "535" in (outcome.last_error or "")
    assert "wrong-pa55word" not in (outcome.last_error or "")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_verified_tls_with_a_private_ca(
    security: str, tls_files: tuple[Path, Path], failed_check: CheckResult
) -> None:
    context = server_tls(tls_files)
    server = (
        SmtpReceiver(starttls=context)
        if security == "starttls"
        else SmtpReceiver(implicit_tls=context)
    )
    try:
        options = {
            "host": "127.0.0.1",
            "port": server.port,
            "security": security,
            "retries": 0,
            "from": "dataguard@example.com",
            "to": "a@example.com",
        }
        untrusted = deliver(hook("email", **options), Event(failed_check))
        assert untrusted.status == "failed" and "not trusted" in (untrusted.last_error or "")
        assert server.messages == []

        trusted = deliver(hook("email", ca_file=str(tls_files[0]), **options), Event(failed_check))
        assert trusted.delivered, trusted.last_error
        assert len(server.messages) == 1
    finally:
        server.close()


# --- command -----------------------------------------------------------------------------------
def test_command_gets_the_check_json_on_stdin_and_dataguard_variables(
    tmp_path: Path, failed_check: CheckResult
) -> None:
    out = tmp_path / "out.json"
    script = (
        "import json, os, sys; data = json.load(sys.stdin); "
        "keys = ['DATAGUARD_EVENT', 'DATAGUARD_DATASET', 'DATAGUARD_BATCH', 'DATAGUARD_VERDICT', "
        "'DATAGUARD_CHECK_ID']; "
        f"open({str(out)!r}, 'w').write(json.dumps([data, {{k: os.environ[k] for k in keys}}]))"
    )
    outcome = deliver(hook("command", command=[sys.executable, "-c", script]), Event(failed_check))

    assert outcome.delivered, outcome.last_error
    data, env = json.loads(out.read_text())
    assert data == {"event": "check.completed", **failed_check.to_dict()}
    assert env == {
        "DATAGUARD_EVENT": "check.completed",
        "DATAGUARD_DATASET": "taxi",
        "DATAGUARD_BATCH": "2026-11-25",
        "DATAGUARD_VERDICT": "fail",
        "DATAGUARD_CHECK_ID": "7",
    }


def test_command_as_a_shell_string_writes_stdin_to_a_file(
    tmp_path: Path, failed_check: CheckResult
) -> None:
    out = tmp_path / "stdin.json"
    outcome = deliver(hook("command", command=f"cat > '{out}'"), Event(failed_check))

    assert outcome.delivered
    assert json.loads(out.read_text())["verdict"] == "fail"


def test_command_with_non_zero_exit_is_a_failed_delivery_not_retried_by_default(
    tmp_path: Path, failed_check: CheckResult
) -> None:
    count = tmp_path / "count"
    h = hook("command", command=f"echo x >> '{count}'; echo boom >&2; exit 3")
    outcome = deliver(h, Event(failed_check))

    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert "exited with 3" in (outcome.last_error or "") and "boom" in (outcome.last_error or "")
    assert count.read_text().count("x") == 1


def test_command_that_runs_too_long_is_killed_and_failed(failed_check: CheckResult) -> None:
    h = hook("command", command=[sys.executable, "-c", "import time; time.sleep(10)"], timeout=0.5)
    outcome = deliver(h, Event(failed_check))

    assert outcome.status == "failed"
    assert "timed out after 0.5 s" in (outcome.last_error or "")
    assert outcome.seconds < 5
