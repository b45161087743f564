"""Renderers of a CheckResult (pure: no TensorFlow, no store)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from dataguard.cli.report import render_check, summary_line, write_report
from dataguard.core.models import Anomaly, AnomalyKind, CheckResult, Metric, Verdict
from dataguard.errors import UsageError

RESULT = CheckResult(
    dataset="taxi", batch="2026-11-25", verdict=Verdict.WARN, schema_version=2,
    baseline_batch="2026-11-24", serving_batch=None, num_examples=10000,
    anomalies=(
        Anomaly("company", AnomalyKind.SCHEMA, "ENUM_TYPE_UNEXPECTED_STRING_VALUES", "warning",
                "Unexpected string values", "Examples contain values | missing from the schema"),
    ),
    metrics=(
        Metric("payment_type", "drift", "l_infinity", 0.004, 0.01, False),
        Metric("fare", "drift", "jensen_shannon", 0.2, 0.1, True),
        Metric("", "drift", "num_examples", 0.67, 0.5, False),
    ),
    id=7,
)


def test_text_lists_anomalies_then_measurements_exceeded_first() -> None:
    text = render_check(RESULT, "text")
    lines = text.splitlines()
    assert lines[0] == "taxi / 2026-11-25: WARN"
    assert "schema v2 · baseline 2026-11-24 · serving - · 10,000 examples · check 7" in lines[1]
    measurements = lines[lines.index("Measurements (3)") + 2:]
    assert measurements[0].split()[:2] == ["drift", "fare"] and "EXCEEDED" in measurements[0]
    assert "(dataset)" in text
    assert "\033[" not in text
    assert "\033[33mWARN\033[0m" in render_check(RESULT, "text", color=True)


def test_json_is_to_dict() -> None:
    assert json.loads(render_check(RESULT, "json")) == RESULT.to_dict()


def test_junit_fails_exceeded_measurements_and_keeps_warnings_passing() -> None:
    root = ET.fromstring(render_check(RESULT, "junit"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"schema: company", "schema: payment_type", "schema: fare",
                          "schema: (dataset)", "drift: payment_type", "drift: fare",
                          "drift: (dataset)"}
    assert cases["drift: fare"].find("failure").get("type") == "THRESHOLD_EXCEEDED"
    assert cases["schema: company"].find("failure") is None
    assert "ENUM_TYPE_UNEXPECTED_STRING_VALUES" in cases["schema: company"].find("system-out").text
    assert root.get("failures") == "1" and root.get("tests") == "7"


def test_markdown_escapes_table_cells() -> None:
    md = render_check(RESULT, "markdown")
    assert md.startswith("### ⚠️ dataguard check `taxi` / `2026-11-25`: **warn**")
    assert "values \\| missing" in md
    assert "<details open><summary>3 measurements, 1 over threshold</summary>" in md


def test_summary_line_and_atomic_output(tmp_path) -> None:
    assert summary_line(RESULT) == (
        "taxi/2026-11-25: warn — 1 anomaly, 1 of 3 measurements over threshold")
    target = tmp_path / "out" / "report.md"
    write_report(RESULT, "markdown", str(target))
    assert target.read_text() == render_check(RESULT, "markdown")
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--format 'xml'"):
        render_check(RESULT, "xml")
