"""`dataguard hooks list` and `dataguard hooks test [NAME]` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataguard.cli.main import main
from tests.fixtures.receivers import HttpReceiver, Reply


def write_config(workdir: Path, text: str) -> Path:
    path = workdir / "dataguard.toml"
    path.write_text(text)
    return path


@pytest.fixture
def two_hooks(workdir: Path, receiver: HttpReceiver) -> Path:
    return write_config(
        workdir,
        f"""
[[hooks]]
name = "ops"
type = "webhook"
url = "{receiver.url}?team=ml"
secret_env = "OPS_SECRET"
on = ["warn", "fail"]
backoff = 0.01

[[hooks]]
name = "chat"
type = "slack"
url_env = "CHAT_URL"
""",
    )


def test_hooks_list_shows_name_type_verdicts_masked_target_and_unset_variables(
    two_hooks: Path,
    receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPS_SECRET", "ops-secret")
    monkeypatch.delenv("CHAT_URL", raising=False)
    assert main(["hooks", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "ON", "TARGET"]
    assert lines[1].split() == ["ops", "webhook", "fail,warn", f"{receiver.url}?…", "(signed)"]
    assert lines[2].split() == ["chat", "slack", "fail", "$CHAT_URL", "(not", "set:", "CHAT_URL)"]
    assert "ops-secret" not in "\n".join(lines)


def test_hooks_list_as_json(two_hooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hooks", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["type"], r["on"]) for r in rows] == [
        ("ops", "webhook", "fail,warn"),
        ("chat", "slack", "fail"),
    ]


def test_hooks_list_refuses_a_config_with_a_plain_secret(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(
        workdir,
        '[[hooks]]\nname = "chat"\ntype = "slack"\n'
        'url = "https://hooks.slack.com/services/T0001/B0001/abcdefabcdef"\n',
    )
    assert main(["hooks", "list"]) == 2
    err = capsys.readouterr().err
    assert "hook 'chat'" in err and "'url'" in err and "url_env" in err
    assert "abcdefabcdef" not in err


def test_hooks_test_sends_a_marked_test_event_to_the_named_hook(
    two_hooks: Path,
    receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPS_SECRET", "ops-secret")
    assert main(["hooks", "test", "ops"]) == 0

    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body["event"] == "test" and body["dataset"] == "dataguard-test"
    assert request.headers["X-Dataguard-Signature"].startswith("sha256=")
    assert "ok" in capsys.readouterr().out
    assert not (two_hooks.parent / ".dataguard").exists()  # nothing recorded


def test_hooks_test_exits_3_when_a_hook_fails(
    two_hooks: Path,
    receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPS_SECRET", "ops-secret")
    monkeypatch.setenv("CHAT_URL", receiver.url + "/chat")
    receiver.reply(Reply(404, body=b"no_service"), path="/hook/chat")
    assert main(["hooks", "test"]) == 3

    captured = capsys.readouterr()
    assert "ok     ops" in captured.out and "FAILED chat" in captured.out
    assert "hook 'chat' failed after 1 attempt: HTTP 404 from $CHAT_URL" in captured.err
    assert receiver.url not in captured.err


def test_hooks_test_with_an_unknown_name_is_a_usage_error(
    two_hooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hooks", "test", "nope"]) == 2
    assert "no hook named 'nope'" in capsys.readouterr().err


def test_hooks_test_without_hooks_is_a_usage_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hooks", "test"]) == 2
    assert "no hooks configured" in capsys.readouterr().err


def test_hooks_test_can_send_a_stored_check_as_a_test_event(
    two_hooks: Path,
    receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dataguard.config import load_settings
    from dataguard.core.models import Batch, Role, Verdict
    from dataguard.store import open_store
    from tests.fixtures.receivers import make_result

    monkeypatch.setenv("OPS_SECRET", "ops-secret")
    store = open_store(load_settings(env={}).store_url)
    try:
        with store.transaction() as tx:
            tx.add_batch(Batch("taxi", "day9", Role.TRAINING, 1, "/a.pb", "0" * 64, "test"))
            tx.add_check(make_result(Verdict.WARN, batch="day9", check_id=None))
    finally:
        store.dispose()

    assert main(["hooks", "test", "ops", "--dataset", "taxi"]) == 0
    body = json.loads(receiver.requests[0].body)
    assert (body["event"], body["dataset"], body["batch"], body["verdict"]) == (
        "test",
        "taxi",
        "day9",
        "warn",
    )
    assert main(["hooks", "test", "ops", "--dataset", "taxi", "--batch", "nope"]) == 2
    assert "no check of batch 'nope' of dataset 'taxi'" in capsys.readouterr().err
