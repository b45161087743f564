"""cli.report renders the CheckResult of a real check of the text-proto batches.

``failed_check`` (conftest): day 2 against day 1 (drift on payment_type and fare) and against the
serving requests (skew on payment_type), verdict fail.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

from dataguard.cli.report import render_check
from dataguard.core.models import Anomaly, AnomalyKind, Verdict

DESIGN_FIELDS = ["format_version", "dataset", "batch", "verdict", "schema_version",
                 "baseline_batch", "baseline", "serving_batch", "num_examples",
                 "check_id", "checked_at", "dashboard_url",  # added (issue 14), not breaking
                 "anomalies", "metrics"]
ANOMALY_FIELDS = {"feature", "kind", "type", "severity", "short_description", "description",
                  "outcome", "slice"}
METRIC_FIELDS = {"feature", "comparison", "method", "value", "threshold", "exceeded", "outcome",
                 "slice"}


# --- json: the DESIGN.md contract -----------------------------------------------------------
def test_json_carries_exactly_the_design_fields(failed_check) -> None:
    document = json.loads(render_check(failed_check, "json"))
    assert list(document) == DESIGN_FIELDS
    assert document["format_version"] == 1
    assert (document["dataset"], document["batch"], document["verdict"]) == (
        "taxi", "2026-11-25", "fail")
    assert (document["schema_version"], document["baseline_batch"], document["serving_batch"],
            document["num_examples"]) == (3, "2026-11-24", "requests-2026-11-25", 100)
    assert all(set(a) == ANOMALY_FIELDS for a in document["anomalies"])
    assert all(set(m) == METRIC_FIELDS for m in document["metrics"])


def test_json_speaks_the_design_vocabulary(failed_check) -> None:
    document = json.loads(render_check(failed_check, "json"))
    assert {a["kind"] for a in document["anomalies"]} == {"drift", "skew"}
    assert {m["method"] for m in document["metrics"]} == {"l_infinity", "jensen_shannon"}
    assert {a["severity"] for a in document["anomalies"]} == {"error"}


def test_json_reports_the_drifted_metric_with_value_threshold_and_exceeded(failed_check) -> None:
    document = json.loads(render_check(failed_check, "json"))
    (payment,) = [m for m in document["metrics"]
                  if (m["feature"], m["comparison"]) == ("payment_type", "drift")]
    assert payment["method"] == "l_infinity" and payment["threshold"] == 0.1
    assert abs(payment["value"] - 0.2) < 1e-9 and payment["exceeded"] is True


# --- junit: CI test reports -----------------------------------------------------------------
def junit_cases(result) -> dict[str, ET.Element]:  # type: ignore[no-untyped-def]
    root = ET.fromstring(render_check(result, "junit"))  # raises if it is not well-formed XML
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_junit_has_a_failure_for_every_failing_anomaly(failed_check) -> None:
    cases = junit_cases(failed_check)
    for anomaly in failed_check.anomalies:
        failure = cases[f"{anomaly.kind.value}: {anomaly.feature}"].find("failure")
        assert failure is not None, anomaly
        assert anomaly.type in (failure.text or "")
    failing = sorted(name for name, case in cases.items() if case.find("failure") is not None)
    assert failing == ["drift: fare", "drift: payment_type", "skew: payment_type"]


def test_junit_counts_its_failures_and_passes_the_features_that_did_not_move(
    failed_check,
) -> None:
    root = ET.fromstring(render_check(failed_check, "junit"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "dataguard.taxi.2026-11-25"
    assert root.get("failures") == suite.get("failures") == "3"
    assert root.get("tests") == str(len(list(root.iter("testcase"))))
    tips = junit_cases(failed_check)["drift: tips"]
    assert tips.find("failure") is None
    assert "jensen_shannon = 0 (threshold 0.05)" in (tips.findtext("system-out") or "")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["verdict"] == "fail" and properties["baseline_batch"] == "2026-11-24"


def test_junit_of_a_passing_check_has_no_failures(failed_check) -> None:
    passed = replace(failed_check, verdict=Verdict.PASS, anomalies=(), metrics=())
    root = ET.fromstring(render_check(passed, "junit"))
    assert root.get("failures") == "0" and root.find(".//failure") is None


def test_junit_keeps_xml_valid_whatever_tfdv_writes_in_a_description(failed_check) -> None:
    nasty = Anomaly('a<b & "c"', AnomalyKind.SCHEMA, "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
                    "error", "<values>", "Examples contain values missing: </failure> & ]]>")
    cases = junit_cases(replace(failed_check, anomalies=(nasty,)))
    failure = cases['schema: a<b & "c"'].find("failure")
    assert failure is not None and failure.get("message") == "<values>"
    assert "</failure> & ]]>" in (failure.text or "")


# --- text and markdown: people ---------------------------------------------------------------
def test_text_names_the_verdict_and_lists_the_exceeded_measurements_first(failed_check) -> None:
    text = render_check(failed_check, "text")
    lines = text.splitlines()
    assert lines[0] == "taxi / 2026-11-25: FAIL"
    assert "baseline 2026-11-24 · serving requests-2026-11-25 · 100 examples" in lines[1]
    payment = [line for line in lines if "payment_type" in line and "COMPARATOR" in line]
    assert {line.split()[2] for line in payment} == {"drift", "skew"}  # after "✗ fail"
    exceeded = [line.split() for line in lines if "EXCEEDED" in line]
    # what to look at first: exceeded measurements, drift before skew, the largest first
    assert [words[:5] for words in exceeded] == [
        ["drift", "payment_type", "l_infinity", "0.2", "0.1"],
        ["drift", "fare", "jensen_shannon", "0.10136", "0.05"],
        ["skew", "payment_type", "l_infinity", "0.2", "0.1"],
    ]


def test_markdown_headline_shows_the_verdict_and_the_table_the_features(failed_check) -> None:
    md = render_check(failed_check, "markdown")
    assert md.startswith("### ❌ dataguard check `taxi` / `2026-11-25`: **fail**")
    assert "| drift | `payment_type` | COMPARATOR_L_INFTY_HIGH | error |" in md
    assert "| drift | `fare` | COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH | error |" in md
    assert "<details open><summary>5 measurements, 3 over threshold</summary>" in md


def test_a_passing_check_says_so_in_text_and_markdown(failed_check) -> None:
    passed = replace(failed_check, verdict=Verdict.PASS, anomalies=(), metrics=())
    assert "No anomalies." in render_check(passed, "text")
    md = render_check(passed, "markdown")
    assert md.startswith("### ✅") and "**pass**" in md and "No anomalies." in md
