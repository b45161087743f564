"""Reports say why a check failed: each anomaly and measurement shows the policy's outcome
(fail / warn / ignored) in text, JSON, JUnit and Markdown, and JUnit follows the policy, not
TFDV's severity. taxi batch_a drifts in payment_type (L-infinity 0.0132 > 0.01, a TFDV error
made a warning by ``warn_types``), drops pickup_census_tract (ignored by ``ignore_types``) and
has FLOATs in INT columns (errors that fail)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import load_settings

pytestmark = pytest.mark.slow

DAY1, DAY2 = "2026-11-24", "2026-11-25"
CONFIG = """
dashboard_url = "https://dq.example.com/"

[thresholds]
l_infinity = 0.01
jensen_shannon = 0.01

[datasets.taxi]
label = "tips"

[datasets.taxi.policy]
warn_types = ["COMPARATOR_L_INFTY_HIGH"]
ignore_types = ["FEATURE_TYPE_NOT_PRESENT"]
"""


@pytest.fixture
def warned(workdir: Path, record_batch, capsys):  # type: ignore[no-untyped-def]
    """Two taxi days, a schema, and a policy: L-infinity drift warns, a dropped column is
    ignored."""
    (workdir / "dataguard.toml").write_text(CONFIG)
    settings = load_settings(env={})
    record_batch(settings, "taxi", DAY1, "taxi/train.csv")
    record_batch(settings, "taxi", DAY2, "taxi/batch_a.csv")
    assert main(["schema", "infer", "taxi", "--batch", DAY1]) == 0
    capsys.readouterr()
    return workdir


def check(capsys, fmt: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    code = main(["check", "taxi", DAY2, "--no-hooks", "--format", fmt])
    return code, capsys.readouterr().out


def lines_with(out: str, *words: str) -> list[str]:
    return [x.strip() for x in out.splitlines() if all(w in x for w in words)]


def test_text_shows_each_anomalys_outcome_not_tfdvs_severity(warned, capsys) -> None:
    code, out = check(capsys, "text")
    assert code == 1 and out.splitlines()[0] == f"taxi / {DAY2}: FAIL"
    (drift,) = lines_with(out, "COMPARATOR_L_INFTY_HIGH")
    assert drift.startswith("! warn") and "payment_type" in drift
    (dropped,) = lines_with(out, "FEATURE_TYPE_NOT_PRESENT")
    assert dropped.startswith("· ignored") and "pickup_census_tract" in dropped
    typed = lines_with(out, "UNEXPECTED_DATA_TYPE")
    assert typed and all(x.startswith("✗ fail") for x in typed)
    (measured,) = lines_with(out, "l_infinity", "payment_type")
    assert measured.endswith("EXCEEDED ! warn")


def test_json_gives_outcomes_check_id_time_and_the_batch_page(warned, capsys) -> None:
    code, out = check(capsys, "json")
    body = json.loads(out)
    assert code == 1 and body["verdict"] == "fail" and body["format_version"] == 1
    outcomes = {(a["feature"], a["type"]): a["outcome"] for a in body["anomalies"]}
    assert outcomes[("trip_seconds", "UNEXPECTED_DATA_TYPE")] == "fail"
    assert outcomes[("pickup_census_tract", "FEATURE_TYPE_NOT_PRESENT")] == "ignored"
    assert outcomes[("payment_type", "COMPARATOR_L_INFTY_HIGH")] == "warn"
    exceeded = {m["feature"]: m["outcome"] for m in body["metrics"] if m["exceeded"]}
    assert exceeded["payment_type"] == "warn" and exceeded["fare"] == "fail"  # JSD: an error
    assert all(m["outcome"] is None for m in body["metrics"] if not m["exceeded"])
    assert isinstance(body["check_id"], int)
    assert body["checked_at"].endswith("Z") and body["checked_at"][:2] == "20"
    assert body["dashboard_url"] == f"https://dq.example.com/batch?dataset=taxi&batch={DAY2}"


def test_junit_follows_the_policy_not_tfdvs_severity(warned, capsys) -> None:
    _, out = check(capsys, "junit")
    root = ET.fromstring(out)
    failed = sorted(c.get("name") for c in root.iter("testcase") if c.find("failure") is not None)
    assert "schema: trip_seconds" in failed and "drift: fare" in failed
    assert "schema: pickup_census_tract" not in failed  # ignored
    assert root.get("failures") == str(len(failed))
    drift = root.find(".//testcase[@name='drift: payment_type']")
    assert drift is not None and drift.find("failure") is None  # a TFDV error, made a warning
    assert "! warn" in (drift.findtext("system-out") or "")


def test_markdown_shows_the_outcome_column(warned, capsys) -> None:
    _, out = check(capsys, "markdown")
    assert "| outcome | kind | feature |" in out
    assert "| ⚠️ warn | drift | `payment_type` | COMPARATOR_L_INFTY_HIGH |" in out
    assert "| ignored | schema | `pickup_census_tract` | FEATURE_TYPE_NOT_PRESENT |" in out
    assert "| ❌ fail | schema | `trip_seconds` | UNEXPECTED_DATA_TYPE |" in out


def test_gate_json_has_the_same_additive_fields(warned, capsys) -> None:
    check(capsys, "text")
    assert main(["gate", "taxi", "--format", "json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["dashboard_url"].startswith("https://dq.example.com/batch?")
    assert {a["outcome"] for a in body["anomalies"]} == {"fail", "warn", "ignored"}
