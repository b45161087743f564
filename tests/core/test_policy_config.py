"""core.policy: findings + [policy] config → verdict."""

from __future__ import annotations

import pytest

from dataguard.core.models import Anomaly, AnomalyKind, Verdict
from dataguard.core.policy import Policy
from dataguard.errors import UsageError


def anomaly(kind: str = "drift", type_: str = "COMPARATOR_L_INFTY_HIGH",
            severity: str = "error") -> Anomaly:
    return Anomaly("payment_type", AnomalyKind(kind), type_, severity, "short", "long")


def test_no_anomalies_pass() -> None:
    assert Policy().decide([]) == Verdict.PASS


@pytest.mark.parametrize("kind", ["schema", "drift", "skew"])
def test_by_default_errors_of_every_kind_fail_and_warnings_warn(kind: str) -> None:
    assert Policy().decide([anomaly(kind)]) == Verdict.FAIL
    assert Policy().decide([anomaly(kind, severity="warning")]) == Verdict.WARN


def test_the_worst_finding_decides() -> None:
    assert Policy().decide([anomaly(severity="warning"), anomaly()]) == Verdict.FAIL


def test_a_kind_left_out_of_fail_only_warns() -> None:
    policy = Policy.from_config({"policy": {"fail": ["schema"]}})
    assert policy.decide([anomaly("skew")]) == Verdict.WARN
    assert policy.decide([anomaly("schema")]) == Verdict.FAIL


def test_failing_severities_are_configurable() -> None:
    strict = Policy.from_config({"policy": {"fail_severities": ["error", "warning"]}})
    assert strict.decide([anomaly("schema", severity="warning")]) == Verdict.FAIL
    with pytest.raises(UsageError, match="unknown severity 'info'"):
        Policy.from_config({"policy": {"fail_severities": ["info"]}})


def test_type_rules_beat_kind_and_severity() -> None:
    policy = Policy.from_config({"policy": {
        "warn_types": ["COMPARATOR_L_INFTY_HIGH"],
        "fail_types": ["FEATURE_TYPE_LOW_FRACTION_PRESENT"],
        "ignore_types": ["SCHEMA_NEW_COLUMN"],
    }})
    assert policy.decide([anomaly()]) == Verdict.WARN
    assert policy.decide([anomaly("schema", "FEATURE_TYPE_LOW_FRACTION_PRESENT",
                                  "warning")]) == Verdict.FAIL
    assert policy.decide([anomaly("schema", "SCHEMA_NEW_COLUMN")]) == Verdict.PASS


def test_a_dataset_policy_overrides_the_global_one_key_by_key() -> None:
    document = {
        "policy": {"fail": ["schema"], "warn_types": ["X"]},
        "datasets": {"taxi": {"policy": {"fail": ["schema", "drift"]}}},
    }
    taxi, other = Policy.from_config(document, "taxi"), Policy.from_config(document, "penguin")
    assert taxi.decide([anomaly("drift")]) == Verdict.FAIL
    assert other.decide([anomaly("drift")]) == Verdict.WARN
    assert taxi.warn_types == {"X"}


def test_an_empty_batch_fails_whatever_the_policy() -> None:
    policy = Policy(fail=frozenset(), ignore_types=frozenset({"NO_DATA_IN_SPAN"}))
    assert policy.decide([anomaly("schema", "NO_DATA_IN_SPAN")]) == Verdict.FAIL


@pytest.mark.parametrize("table, words", [
    ({"fail": ["drfit"]}, "unknown kind 'drfit'"),
    ({"fail_type": []}, "unknown key 'fail_type'"),
    ({"warn_types": "X"}, "must be a list of strings"),
])
def test_bad_policy_config_is_a_usage_error_naming_the_key(table, words) -> None:
    with pytest.raises(UsageError, match=words):
        Policy.from_config({"policy": table})
