"""`[[hooks]]` parsing: defaults, validation, plain-text secrets refused, plugin hook types."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from dataguard.core.models import Verdict
from dataguard.errors import UsageError
from dataguard.hooks import Event, deliver, hook_types, load_hooks
from tests.fixtures.receivers import HttpReceiver, make_result


def parse(**table: Any) -> Any:
    return load_hooks([{"name": "ops", **table}])[0]


def refused(**table: Any) -> str:
    with pytest.raises(UsageError) as info:
        parse(**table)
    return str(info.value)


def test_defaults_fire_on_fail_with_three_retries_and_ten_second_timeout() -> None:
    hook = parse(type="webhook", url="https://alerts.example.com/x")
    assert hook.spec.on == frozenset({Verdict.FAIL})
    assert (hook.spec.retries, hook.spec.backoff, hook.spec.timeout) == (3, 1.0, 10.0)
    assert hook.fires_on(Event(make_result(Verdict.FAIL)))
    assert not hook.fires_on(Event(make_result(Verdict.WARN)))


def test_command_hooks_default_to_no_retries_and_a_minute_timeout() -> None:
    hook = parse(type="command", command=["true"], on=["pass"])
    assert (hook.spec.retries, hook.spec.timeout) == (0, 60.0)
    assert hook.fires_on(Event(make_result(Verdict.PASS)))
    assert not hook.fires_on(Event(make_result(Verdict.FAIL)))


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"type": "smoke-signal"}, ["unknown type 'smoke-signal'", "webhook"]),
        ({"type": "webhook"}, ["exactly one of 'url' and 'url_env'"]),
        ({"type": "webhook", "url": "http://x", "colour": "red"}, ["unknown key 'colour'"]),
        ({"type": "webhook", "url": "http://x", "on": ["failed"]}, ["'on' must be"]),
        ({"type": "webhook", "url": "http://x", "retries": -1}, ["'retries'"]),
        ({"type": "webhook", "url": "http://x", "timeout": 0}, ["'timeout'"]),
        ({"type": "pagerduty"}, ["needs key 'routing_key_env'"]),
        ({"type": "pagerduty", "routing_key_env": "K", "on": ["pass"]}, ["resolves on 'pass'"]),
        ({"type": "email", "host": "h", "from": "a@b", "to": "nobody"}, ["'to'"]),
        ({"type": "command", "command": []}, ["'command'"]),
        ({"type": "webhook", "url": "ftp://x/y"}, ["'url' must be an http"]),
        ({"type": "webhook", "url_env": "not a name"}, ["'url_env' must be the NAME"]),
        ({"type": "webhook", "url": "http://x", "secret_env": "s3cr3t-v@lue"}, ["NAME of an"]),
        (
            {"type": "webhook", "url": "http://x", "header_env": {"X-Key": 5}},
            ["'header_env.X-Key'"],
        ),
    ],
)
def test_bad_hook_tables_are_refused_naming_the_hook_and_key(
    table: dict[str, Any], words: list[str]
) -> None:
    message = refused(**table)
    assert "'ops'" in message
    for word in words:
        assert word in message


def test_hook_names_must_be_unique_and_well_formed() -> None:
    table = {"type": "webhook", "url": "http://x"}
    with pytest.raises(UsageError, match="used twice"):
        load_hooks([{"name": "a", **table}, {"name": "a", **table}])
    with pytest.raises(UsageError, match="needs a 'name'"):
        load_hooks([{"name": "has space", **table}])


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"type": "webhook", "url": "http://x", "secret": "hunter2"}, "'secret'"),
        ({"type": "pagerduty", "routing_key": "abcdef0123456789abcdef0123456789"}, "'routing_key'"),
        ({"type": "email", "host": "h", "password": "pw"}, "'password'"),
        ({"type": "webhook", "url": "http://x", "api_key": "k"}, "'api_key'"),
        ({"type": "webhook", "url": "http://x", "token": "t"}, "'token'"),
    ],
)
def test_secret_keys_in_plain_text_are_refused(table: dict[str, Any], key: str) -> None:
    message = refused(**table)
    assert "'ops'" in message and key in message and "_env" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX", "Slack webhook URL"),
        ("https://user:pa55word@alerts.example.com/hook", "URL with a password"),
        ("https://discord.com/api/webhooks/123456/abcdefXYZ", "Discord webhook URL"),
        ("https://acme.webhook.office.com/webhookb2/1234-abcd@5678/IncomingWebhook/x", "Teams"),
        ("https://alerts.example.com/hook?token=abc123", "secret query parameter (token)"),
        ("https://alerts.example.com/hook?code=abc123", "secret query parameter (code)"),
    ],
)
def test_urls_holding_secrets_are_refused_and_url_env_suggested(url: str, what: str) -> None:
    message = refused(type="slack", url=url)
    assert what in message and "'url'" in message and "url_env" in message


def test_token_shaped_values_are_refused_anywhere() -> None:
    message = refused(type="webhook", url="http://x", headers={"X-Note": "xoxb-123456789-abcdefgh"})
    assert "Slack token" in message and "headers.X-Note" in message


def test_command_env_may_not_hold_secrets_but_may_hold_settings() -> None:
    message = refused(type="command", command="true", env={"API_TOKEN": "abc"})
    assert "'API_TOKEN'" in message and "inherits" in message
    hook = parse(type="command", command="true", env={"AIRFLOW_HOME": "/opt/airflow"})
    assert hook.target() == "true"


def test_credential_headers_must_come_from_header_env() -> None:
    message = refused(type="webhook", url="http://x", headers={"Authorization": "Bearer abc"})
    assert "header_env" in message and "'Authorization'" in message
    hook = parse(type="webhook", url="http://x", header_env={"Authorization": "OPS_AUTH"})
    assert hook.target() == "http://x"


def test_env_names_and_harmless_urls_are_accepted() -> None:
    hook = parse(
        type="webhook",
        url="https://alerts.example.com/hook?team=ml",
        secret_env="OPS_SECRET",
        headers={"X-Team": "ml"},
    )
    assert hook.target() == "https://alerts.example.com/hook?… (signed)"
    slack = parse(type="slack", url_env="SLACK_WEBHOOK_URL")
    assert slack.target() == "$SLACK_WEBHOOK_URL"


def test_a_third_party_hook_type_from_the_entry_point_group_is_loaded_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: HttpReceiver
) -> None:
    (tmp_path / "acme_hooks.py").write_text(
        textwrap.dedent(
            """
            from dataguard.hooks.base import Hook, post

            class AcmeHook(Hook):
                type = "acme"
                option_keys = frozenset({"url"})
                required_keys = frozenset({"url"})

                def target(self):
                    return "acme:" + self.options["url"]

                def send(self, event, client):
                    body = ("acme " + event.result.verdict.value).encode()
                    post(client, self.options["url"], body, {}, timeout=1, shown=self.target())
            """
        )
    )
    dist = tmp_path / "acme_hooks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-hooks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[dataguard.hooks]\nacme = acme_hooks:AcmeHook\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_hooks", raising=False)

    assert "acme" in hook_types()
    hook = parse(type="acme", url=receiver.url)
    assert deliver(hook, Event(make_result())).delivered
    assert receiver.requests[0].body == b"acme fail"


def test_token_like_path_segments_are_masked_in_the_target() -> None:
    hook = parse(type="webhook", url="https://example.com/hooks/a1B2c3D4e5F6g7H8i9J0k1L2/notify")
    assert hook.target() == "https://example.com/hooks/…/notify"
