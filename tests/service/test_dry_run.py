"""`dataguard check --dry-run` / `dataguard.check(..., record=False)` (issue 14, item 6): the same
result and exit code, and the store row for row (SQLite: byte for byte) as it was, no hook run."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import load_settings
from dataguard.service.check import check
from dataguard.service.schemas import infer_schema

pytestmark = pytest.mark.slow

D1, D2 = "2026-11-01", "2026-11-02"


@pytest.fixture
def penguin_store(workdir: Path, store_url: str, add_batch):  # type: ignore[no-untyped-def]
    """dataguard.toml (strict thresholds, a command hook on every verdict), two penguin days
    (D2 fails: skewed.csv) and D1 checked; returns the hook's output file."""
    fired = workdir / "hook-fired.json"
    (workdir / "dataguard.toml").write_text(f"""
store = "{store_url}"
[thresholds]
jensen_shannon = 0.01
[datasets.penguin]
label = "species"
[[hooks]]
name = "log"
type = "command"
on = ["pass", "warn", "fail"]
command = ["sh", "-c", "cat > {fired}"]
""")
    settings = load_settings(env={})
    add_batch(settings, "penguin", D1, "penguin/train.csv")
    add_batch(settings, "penguin", D2, "penguin/skewed.csv")
    infer_schema("penguin", settings=settings)
    check("penguin", D1, hooks=False, settings=settings)
    return fired


def sqlite_bytes(url: str) -> str | None:
    if not url.startswith("sqlite:///"):
        return None
    return hashlib.sha256(Path(url.removeprefix("sqlite:///")).read_bytes()).hexdigest()


def test_check_dry_run_prints_the_result_and_records_nothing(
    penguin_store, store_url, snapshot, capsys
) -> None:
    settings = load_settings(env={})
    rows, data = snapshot(settings), sqlite_bytes(store_url)
    code = main(["check", "penguin", D2, "--dry-run", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1
    body = json.loads(out)
    assert (body["verdict"], body["baseline_batch"]) == ("fail", D1)
    assert "dry run: nothing recorded, no hooks run" in err
    assert snapshot(settings) == rows
    assert sqlite_bytes(store_url) == data
    assert not penguin_store.exists()

    assert main(["check", "penguin", D2, "--no-record", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr()[0]) == body
    assert snapshot(settings) == rows

    assert main(["check", "penguin", D2, "--format", "json"]) == 1  # the real check
    recorded = json.loads(capsys.readouterr()[0])
    assert (body["check_id"], body["checked_at"]) == (None, None)  # a dry run has neither
    assert recorded["check_id"] is not None and recorded["checked_at"] is not None
    assert {**recorded, "check_id": None, "checked_at": None} == body
    assert len(snapshot(settings)["checks"]) == len(rows["checks"]) + 1
    assert penguin_store.exists()


def test_library_check_with_record_false_returns_the_result_unrecorded(
    penguin_store, snapshot
) -> None:
    settings = load_settings(env={})
    rows = snapshot(settings)
    result = check("penguin", D2, record=False, settings=settings)
    assert (result.verdict.value, result.id, result.created_at) == ("fail", None, None)
    assert snapshot(settings) == rows
    assert not penguin_store.exists()
    recorded = check("penguin", D2, hooks=False, settings=settings)
    assert (recorded.anomalies, recorded.metrics) == (result.anomalies, result.metrics)
