"""The hook examples in README.md and docs/hooks.md are real: TOML loads, the trigger runs."""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest

from dataguard.core.models import Verdict
from dataguard.hooks import Event, deliver, load_hooks
from dataguard.hooks.webhook import sign
from tests.fixtures.receivers import make_result

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
DOCS = (REPO / "README.md", REPO / "docs" / "hooks.md")


def doc_text() -> str:
    return "\n".join(doc.read_text(encoding="utf-8") for doc in DOCS)


def toml_blocks() -> list[dict]:
    return [tomllib.loads(b) for b in re.findall(r"```toml\n(.*?)```", doc_text(), re.S)]


def test_every_hook_example_in_the_docs_is_a_valid_config() -> None:
    blocks = toml_blocks()
    assert len(blocks) >= 3
    names = [h.name for block in blocks for h in load_hooks(block.get("hooks"))]
    assert {"ops", "data-alerts", "oncall", "mail", "retrain", "retrain-taxi"} <= set(names)


def test_the_documented_on_pass_command_triggers_airflow_with_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "airflow"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path / "argv"}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    (hook,) = [
        h
        for block in toml_blocks()
        for h in load_hooks(block.get("hooks"))
        if h.name == "retrain-taxi"
    ]

    assert not hook.fires_on(Event(make_result(Verdict.FAIL)))
    outcome = deliver(hook, Event(make_result(Verdict.PASS, batch="2026-11-25")))

    assert outcome.delivered, outcome.last_error
    argv = (tmp_path / "argv").read_text().splitlines()
    assert argv[:3] == ["dags", "trigger", "retrain_taxi"]
    assert argv[3] == "--conf" and json.loads(argv[4]) == {"batch": "2026-11-25"}


def test_every_python_example_in_the_docs_parses() -> None:
    blocks = re.findall(r"```python\n(.*?)```", doc_text(), re.S)
    assert len(blocks) >= 4
    for block in blocks:
        ast.parse(block)


def test_the_documented_signature_check_accepts_what_the_webhook_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", doc_text(), re.S)
        if "is_from_dataguard" in b
    ]
    namespace: dict = {}
    exec(block, namespace)  # noqa: S102 - our own documentation
    monkeypatch.setenv("DATAGUARD_WEBHOOK_SECRET", "doc-secret")
    body = Event(make_result()).body()
    assert namespace["is_from_dataguard"](body, sign("doc-secret", body))
    assert not namespace["is_from_dataguard"](body + b" ", sign("doc-secret", body))
