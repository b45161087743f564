"""End to end through the command line on SQLite: stats → schema infer → check → gate, and run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import load_settings
from dataguard.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DAY1, DAY2, DAY3 = "2026-11-24", "2026-11-25", "2026-11-26"
CONFIG = """
[thresholds]
l_infinity = 0.01
jensen_shannon = 0.1

[datasets.taxi]
label = "tips"
"""


def dg(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def without_label(source: Path, target: Path) -> Path:
    with source.open(newline="") as src, target.open("w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, [f for f in reader.fieldnames or [] if f != "tips"],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)
    return target


def batches(workdir: Path) -> list[tuple[str, str]]:
    store = open_store(load_settings(env={}).store_url)
    try:
        with store.read() as q:
            return [(b.name, b.role.value) for b in q.list_batches("taxi")]
    finally:
        store.dispose()


def test_stats_infer_check_gate_run(workdir: Path, taxi: Path, capsys) -> None:
    (workdir / "dataguard.toml").write_text(CONFIG)
    code, _, err = dg(capsys, "run", "taxi", DAY1, "--input", str(taxi / "train.csv"))
    assert code == 2 and "has no schema version; run `dataguard schema infer taxi`" in err
    assert batches(workdir) == []  # refused before computing anything

    assert dg(capsys, "stats", "taxi", DAY1, "--input", str(taxi / "train.csv"))[0] == 0
    assert dg(capsys, "schema", "infer", "taxi")[1] == "1\n"
    assert dg(capsys, "stats", "taxi", DAY2, "--input", str(taxi / "batch_a.csv"))[0] == 0
    code, out, _ = dg(capsys, "check", "taxi", DAY2, "--format", "json", "--no-hooks")
    body = json.loads(out)
    assert (code, body["verdict"], body["baseline_batch"], body["num_examples"]) == (
        1, "fail", DAY1, 10000)
    payment = next(m for m in body["metrics"] if m["feature"] == "payment_type")
    assert payment["value"] == pytest.approx(0.0131775, abs=1e-7) and payment["exceeded"]
    assert {a["feature"] for a in body["anomalies"] if a["type"] == "UNEXPECTED_DATA_TYPE"} == {
        "trip_seconds", "dropoff_census_tract", "dropoff_community_area"}
    assert dg(capsys, "gate", "taxi")[0] == 1

    serving = without_label(taxi / "batch_b.csv", workdir / "serving.csv")
    code, _, err = dg(capsys, "run", "taxi", DAY3, "--input", str(taxi / "batch_a.csv"),
                      "--serving-input", str(workdir / "missing.csv"))
    assert code == 2 and "missing.csv" in err
    code, _, err = dg(capsys, "run", "taxi", DAY2, "--input", str(taxi / "batch_a.csv"))
    assert code == 2 and "already stored; pass --replace" in err
    assert (DAY3, "training") not in batches(workdir)  # nothing recorded by the refused runs
    code, out, _ = dg(capsys, "run", "taxi", DAY3, "--input", str(taxi / "batch_a.csv"),
                      "--serving-input", str(serving), "--format", "json", "--no-hooks")
    body = json.loads(out)
    assert (body["batch"], body["baseline_batch"], body["serving_batch"]) == (DAY3, DAY2, DAY3)
    skew = {m["feature"] for m in body["metrics"] if m["comparison"] == "skew"}
    assert "payment_type" in skew and "tips" not in skew
    assert not [a for a in body["anomalies"] if a["feature"] == "tips"]
    assert (DAY3, "serving") in batches(workdir)
    assert dg(capsys, "gate", "taxi", "--batch", DAY3)[0] == code
