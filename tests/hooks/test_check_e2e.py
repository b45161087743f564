"""Hooks through `dataguard check` on real data: the check is stored and the exit code reflects the
data whatever the receivers do; alerts are not sent twice; `on = ["pass"]` triggers retraining."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import load_settings
from dataguard.store import open_store
from tests.fixtures.receivers import HttpReceiver

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DAY1, DAY2 = "2026-11-24", "2026-11-25"


def dg(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_alerts_on_fail_survives_a_dead_receiver_and_triggers_retraining_on_pass(
    workdir: Path,
    taxi: Path,
    receiver: HttpReceiver,
    down_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trigger = workdir / "retrain.json"
    command = [
        sys.executable,
        "-c",
        f"import shutil, sys; shutil.copyfileobj(sys.stdin, open({str(trigger)!r}, 'w'))",
    ]
    (workdir / "dataguard.toml").write_text(
        f"""
dashboard_url = "http://dash.local:8501"

[thresholds]
l_infinity = 0.01

[datasets.taxi]
label = "tips"

[[hooks]]
name = "ops"
type = "webhook"
url = "{receiver.url}"
on = ["fail", "warn"]

[[hooks]]
name = "dead"
type = "webhook"
url = "{down_url}"
retries = 1
backoff = 0.01

[[hooks]]
name = "retrain"
type = "command"
on = ["pass"]
command = {json.dumps(command)}
"""
    )
    assert dg(capsys, "stats", "taxi", DAY1, "--input", str(taxi / "train.csv"))[0] == 0
    assert dg(capsys, "schema", "infer", "taxi")[0] == 0
    assert dg(capsys, "stats", "taxi", DAY2, "--input", str(taxi / "batch_a.csv"))[0] == 0

    code, out, err = dg(capsys, "check", "taxi", DAY2, "--format", "json")

    assert code == 1  # the data failed; the dead receiver changes nothing
    (request,) = receiver.requests
    assert json.loads(request.body) == {"event": "check.completed", **json.loads(out)}
    assert "dataguard: hook 'dead' failed after 2 attempts: could not reach" in err
    assert not trigger.exists()
    store = open_store(load_settings(env={}).store_url)
    try:
        with store.read() as q:
            assert q.latest_check("taxi", DAY2).verdict.value == "fail"
            rows = {(d.hook, d.status) for d in q.list_deliveries("taxi")}
        assert rows == {("ops", "delivered"), ("dead", "failed")}
    finally:
        store.dispose()

    code, _, err = dg(capsys, "check", "taxi", DAY2)  # same batch, same verdict: no second alert
    assert code == 1 and len(receiver.requests) == 1
    assert "hook 'dead' failed" in err  # a failed delivery is tried again
    assert dg(capsys, "check", "taxi", DAY2, "--refire", "--no-hooks")[0] == 1
    assert len(receiver.requests) == 1
    assert dg(capsys, "check", "taxi", DAY2, "--refire")[0] == 1
    assert len(receiver.requests) == 2

    code, _, _ = dg(capsys, "check", "taxi", DAY1, "--no-baseline")  # good data: retrain
    assert code == 0
    sent = json.loads(trigger.read_text())
    assert (sent["event"], sent["batch"], sent["verdict"]) == ("check.completed", DAY1, "pass")
