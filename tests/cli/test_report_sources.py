"""The text report says whose severity an anomaly carries: TFDV's, a rule's, or dataguard's."""

from __future__ import annotations

from dataguard.cli.report import render_check
from dataguard.core.models import Anomaly, AnomalyKind, CheckResult, Verdict


def anomaly(kind: AnomalyKind, type_: str, severity: str) -> Anomaly:
    return Anomaly("fare", kind, type_, severity, "short", "long")


def test_dataguards_own_findings_are_not_labelled_as_tfdvs() -> None:
    result = CheckResult("taxi", "b2", Verdict.WARN, 1, "b1", "s1", 100, anomalies=(
        anomaly(AnomalyKind.DRIFT, "COMPARATOR_L_INFTY_HIGH", "error"),
        anomaly(AnomalyKind.SKEW, "COMPARISON_NOT_MEASURABLE", "warning"),
        anomaly(AnomalyKind.TREND, "TREND_OUT_OF_CONTROL", "warning"),
        anomaly(AnomalyKind.RULE, "CUSTOM_RULE_FAILED", "warning"),
    ))
    text = render_check(result, "text")
    assert "COMPARATOR_L_INFTY_HIGH (TFDV error)" in text
    assert "COMPARISON_NOT_MEASURABLE (dataguard warning)" in text
    assert "TREND_OUT_OF_CONTROL (dataguard warning)" in text
    assert "CUSTOM_RULE_FAILED (rule warning)" in text
