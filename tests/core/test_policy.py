"""core.policy applied to the findings of real checks of the text-proto batches.

The drift check (day 2 against day 1) finds two TFDV errors, COMPARATOR_L_INFTY_HIGH on
payment_type and COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH on fare; the policy decides what
they mean for the verdict (and so for the exit code and the alert hooks).
"""

from __future__ import annotations

from dataguard.core.models import Verdict
from dataguard.core.policy import Policy
from dataguard.core.validate import validate
from tests.core import fixtures as fx

L_INFTY_HIGH = "COMPARATOR_L_INFTY_HIGH"
JSD_HIGH = "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"


def policy(**table: list[str]) -> Policy:
    """The policy a ``[policy]`` table of dataguard.toml with these keys gives."""
    return Policy.from_config({"policy": table})


def test_a_batch_like_its_baseline_passes_with_every_distance_zero(schema, day1) -> None:
    result = validate(day1, schema, baseline=day1)
    assert result.anomalies == ()
    assert {m.value for m in result.metrics} == {0.0}
    assert result.verdict == Verdict.PASS


def test_by_default_a_drift_error_fails_the_check(drift) -> None:
    assert Policy().decide(drift.anomalies) == drift.verdict == Verdict.FAIL


def test_drift_only_warns_when_its_types_are_warn_types(drift) -> None:
    assert policy(warn_types=[L_INFTY_HIGH, JSD_HIGH]).decide(drift.anomalies) == Verdict.WARN


def test_one_type_left_failing_still_fails_the_check(drift) -> None:
    assert policy(warn_types=[L_INFTY_HIGH]).decide(drift.anomalies) == Verdict.FAIL


def test_drift_only_warns_when_only_schema_findings_fail(drift) -> None:
    assert policy(fail=["schema"]).decide(drift.anomalies) == Verdict.WARN


def test_ignored_types_are_left_out_of_the_verdict_but_still_reported(schema, day1, day2) -> None:
    ignoring = policy(ignore_types=[L_INFTY_HIGH, JSD_HIGH])
    result = validate(day2, schema, baseline=day1, policy=ignoring)
    assert result.verdict == Verdict.PASS
    assert {a.type for a in result.anomalies} == {L_INFTY_HIGH, JSD_HIGH}


def test_ignoring_one_type_leaves_the_verdict_to_the_others(drift) -> None:
    assert policy(ignore_types=[L_INFTY_HIGH]).decide(drift.anomalies) == Verdict.FAIL


def numeric_l_infinity_schema():  # type: ignore[no-untyped-def]
    """The schema with an L-infinity drift comparator on numeric fare: a TFDV-blind spot that
    dataguard reports as a schema *warning*."""
    return fx.schema(fx.SCHEMA.replace(
        "drift_comparator { jensen_shannon_divergence { threshold: 0.05 } }\n"
        "  skew_comparator { jensen_shannon_divergence { threshold: 0.05 } }",
        "drift_comparator { infinity_norm { threshold: 0.05 } }", 1))


def test_a_check_with_only_warnings_warns(day1) -> None:
    result = validate(day1, numeric_l_infinity_schema(), baseline=day1)
    (warning,) = result.anomalies
    assert (warning.feature, warning.type, warning.severity) == (
        "fare", "INVALID_SCHEMA_SPECIFICATION", "warning")
    assert "always measures 0" in warning.description
    assert result.verdict == Verdict.WARN


def test_warnings_fail_when_warning_is_a_failing_severity(day1) -> None:
    strict = policy(fail_severities=["error", "warning"])
    assert validate(day1, numeric_l_infinity_schema(), policy=strict).verdict == Verdict.FAIL


def test_a_fail_type_fails_even_a_tfdv_warning(day1) -> None:
    strict = policy(fail_types=["INVALID_SCHEMA_SPECIFICATION"])
    assert validate(day1, numeric_l_infinity_schema(), policy=strict).verdict == Verdict.FAIL


def test_a_dataset_policy_replaces_the_global_keys_it_sets(drift) -> None:
    document = {"policy": {"warn_types": [L_INFTY_HIGH, JSD_HIGH]},
                "datasets": {"taxi": {"policy": {"warn_types": [JSD_HIGH]}}}}
    assert Policy.from_config(document, "taxi").decide(drift.anomalies) == Verdict.FAIL
    assert Policy.from_config(document, "penguin").decide(drift.anomalies) == Verdict.WARN


def test_an_empty_batch_fails_even_when_every_kind_only_warns(schema) -> None:
    lenient = policy(fail=[], ignore_types=["NO_DATA_IN_SPAN"])
    assert validate(fx.statistics(0), schema, policy=lenient).verdict == Verdict.FAIL
