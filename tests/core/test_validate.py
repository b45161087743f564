"""core.validate on inline text-proto statistics: schema anomalies, drift, skew, environments.

The numbers are small enough to check by hand (see ``fixtures.py``): TFDV's answers are compared
with the arithmetic, not with other dataguard code.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from tensorflow_metadata.proto.v0.statistics_pb2 import DatasetFeatureStatisticsList as Stats

from dataguard.core import schemas as sch
from dataguard.core.models import AnomalyKind, Verdict
from dataguard.core.validate import feature_statistics, validate
from dataguard.errors import UsageError
from tests.core import fixtures as fx
from tests.core.fixtures import findings, only, statistics


# --- schema anomalies -----------------------------------------------------------------------
def test_a_batch_that_matches_its_schema_has_no_anomalies_and_no_metrics(schema, day1) -> None:
    result = validate(day1, schema)
    assert result.anomalies == () and result.metrics == ()
    assert result.verdict == Verdict.PASS


def test_floats_in_an_int_feature_are_an_unexpected_data_type_error(schema) -> None:
    batch = statistics(100, fx.PAYMENT_DAY1, fx.FARE_DAY1, fx.TRIP_SECONDS_AS_FLOAT, fx.COMPANY,
                       fx.TIPS)
    (anomaly,) = validate(batch, schema).anomalies
    assert (anomaly.kind, anomaly.feature, anomaly.type, anomaly.severity) == (
        AnomalyKind.SCHEMA, "trip_seconds", "UNEXPECTED_DATA_TYPE", "error")
    assert anomaly.short_description == "Unexpected data type"
    assert anomaly.description == "Expected data of type: INT but got FLOAT"


def test_a_required_column_that_is_gone_is_reported_as_dropped(schema) -> None:
    batch = statistics(100, fx.PAYMENT_DAY1, fx.FARE_DAY1, fx.TRIP_SECONDS, fx.TIPS)
    result = validate(batch, schema)
    assert findings(result.anomalies) == {("schema", "company", "SCHEMA_MISSING_COLUMN")}
    assert result.anomalies[0].short_description == "Column dropped"
    assert result.verdict == Verdict.FAIL


def test_a_value_outside_the_string_domain_is_named_with_its_share(schema) -> None:
    batch = statistics(100, fx.PAYMENT_WITH_DISPUTE, fx.FARE_DAY1, fx.TRIP_SECONDS, fx.COMPANY,
                       fx.TIPS)
    (anomaly,) = validate(batch, schema).anomalies
    assert (anomaly.feature, anomaly.type) == ("payment_type", "ENUM_TYPE_UNEXPECTED_STRING_VALUES")
    assert "values missing from the schema: Dispute (~5%)" in anomaly.description


def test_missing_values_of_an_always_present_feature_are_reported_with_the_fraction(
    schema,
) -> None:
    batch = statistics(100, fx.PAYMENT_DAY1, fx.FARE_PARTLY_MISSING, fx.TRIP_SECONDS, fx.COMPANY,
                       fx.TIPS)
    (anomaly,) = validate(batch, schema).anomalies
    assert (anomaly.feature, anomaly.type) == ("fare", "FEATURE_TYPE_LOW_FRACTION_PRESENT")
    assert "minimum fraction = 1.000000, actual = 0.800000" in anomaly.description


def test_missing_values_of_an_optional_feature_are_fine(schema, day1) -> None:
    company = feature_statistics(day1)["company"]
    assert company.string_stats.common_stats.num_missing == 10
    assert "company" not in {a.feature for a in validate(day1, schema).anomalies}


# --- drift against the baseline -------------------------------------------------------------
def test_drift_fails_when_l_infinity_exceeds_the_threshold(drift) -> None:
    m = only(drift.metrics, feature="payment_type", comparison="drift")
    # day 1: Cash 60, Credit Card 40 of 100; day 2: Cash 40, Credit Card 55, Mobile 5 of 100
    by_hand = max(abs(40 / 100 - 60 / 100), abs(55 / 100 - 40 / 100), abs(5 / 100 - 0))
    assert (m.method, m.threshold, m.exceeded) == ("l_infinity", 0.1, True)
    assert m.value == pytest.approx(by_hand)
    anomaly = only(drift.anomalies, feature="payment_type", kind="drift")
    assert (anomaly.type, anomaly.severity) == ("COMPARATOR_L_INFTY_HIGH", "error")
    assert anomaly.description.endswith("The feature value with maximum difference is: Cash")
    assert drift.verdict == Verdict.FAIL


def test_drift_fails_when_jensen_shannon_of_a_numeric_histogram_exceeds_the_threshold(
    drift,
) -> None:
    m = only(drift.metrics, feature="fare", comparison="drift")
    # the same three $10 buckets on both days, so the divergence is the textbook one (log base 2)
    p, q = (0.50, 0.40, 0.10), (0.25, 0.35, 0.40)
    mid = [(a + b) / 2 for a, b in zip(p, q, strict=True)]

    def kl(x: tuple[float, ...]) -> float:
        return sum(a * math.log2(a / b) for a, b in zip(x, mid, strict=True))

    assert (m.method, m.threshold, m.exceeded) == ("jensen_shannon", 0.05, True)
    assert m.value == pytest.approx((kl(p) + kl(q)) / 2)
    assert only(drift.anomalies, feature="fare", kind="drift").type == (
        "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH")


def test_a_feature_that_did_not_move_is_measured_and_passes(drift) -> None:
    m = only(drift.metrics, feature="tips", comparison="drift")
    assert (m.value, m.exceeded) == (0.0, False)
    assert "tips" not in {a.feature for a in drift.anomalies}


def test_a_distance_equal_to_the_threshold_does_not_exceed_it(day1, day2) -> None:
    drift = validate(day2, fx.schema(), baseline=day1)
    value = only(drift.metrics, feature="payment_type").value
    at_threshold = fx.schema(fx.SCHEMA.replace("infinity_norm { threshold: 0.1 }",
                                               f"infinity_norm {{ threshold: {value!r} }}"))
    result = validate(day2, at_threshold, baseline=day1)
    assert not only(result.metrics, feature="payment_type").exceeded
    assert "payment_type" not in {a.feature for a in result.anomalies}


def test_every_exceeded_metric_comes_with_the_anomaly_that_decides_the_verdict(
    drift, skew
) -> None:
    for result in (drift, skew):
        exceeded = {(m.comparison, m.feature) for m in result.metrics if m.exceeded}
        high = {(a.kind.value, a.feature) for a in result.anomalies if a.type.endswith("_HIGH")}
        assert exceeded == high


def test_without_a_baseline_there_is_no_drift_to_measure(schema, day2) -> None:
    result = validate(day2, schema)
    assert result.metrics == ()
    assert not [a for a in result.anomalies if a.kind != AnomalyKind.SCHEMA]


def test_a_label_missing_from_the_batch_is_a_dropped_column_and_its_drift_is_unmeasured(
    schema, day1
) -> None:
    unlabelled = statistics(100, fx.PAYMENT_DAY1, fx.FARE_DAY1, fx.TRIP_SECONDS, fx.COMPANY)
    result = validate(unlabelled, schema, baseline=day1)
    assert findings(result.anomalies) == {
        ("schema", "tips", "SCHEMA_MISSING_COLUMN"),
        ("drift", "tips", "COMPARATOR_TREATMENT_DATA_MISSING"),
    }
    assert "tips" not in {m.feature for m in result.metrics}


# --- skew against serving, environments -----------------------------------------------------
def test_skew_fails_when_serving_fares_diverge_from_training(skew, drift) -> None:
    m = only(skew.metrics, feature="fare", comparison="skew")
    assert (m.method, m.threshold, m.exceeded) == ("jensen_shannon", 0.05, True)
    # serving requests carry day 2's fares: the skew is day 2's drift
    assert m.value == pytest.approx(only(drift.metrics, feature="fare").value)
    assert findings(skew.anomalies) == {
        ("skew", "fare", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH")}
    payment = only(skew.metrics, feature="payment_type", comparison="skew")
    assert (payment.value, payment.exceeded) == (0.0, False)


def test_the_label_is_not_expected_in_serving_and_not_compared_for_skew(skew) -> None:
    assert "tips" not in {a.feature for a in skew.anomalies}
    assert "tips" not in {m.feature for m in skew.metrics}
    assert {m.comparison for m in skew.metrics} == {"skew"}


def test_a_label_that_leaks_into_serving_requests_is_a_skew_anomaly(schema, day1) -> None:
    leaking = statistics(100, fx.PAYMENT_DAY1, fx.FARE_DAY1, fx.TRIP_SECONDS, fx.COMPANY, fx.TIPS)
    result = validate(day1, schema, serving=leaking)
    anomaly = only(result.anomalies, feature="tips")
    assert (anomaly.kind, anomaly.type) == (AnomalyKind.SKEW, "SCHEMA_NEW_COLUMN")
    assert anomaly.description.startswith("Serving batch: ")
    assert "not in the environment SERVING" in anomaly.description


def test_serving_requests_pass_the_schema_in_the_serving_environment(schema, serving) -> None:
    assert validate(serving, schema, environment=sch.SERVING).verdict == Verdict.PASS
    training = validate(serving, schema)  # the default environment is TRAINING: tips is due
    assert findings(training.anomalies) == {("schema", "tips", "SCHEMA_MISSING_COLUMN")}


def test_a_feature_absent_from_serving_cannot_be_compared_for_skew(schema, day1) -> None:
    no_payment = statistics(100, fx.FARE_DAY1, fx.TRIP_SECONDS, fx.COMPANY)
    result = validate(day1, schema, serving=no_payment)
    assert {("skew", "payment_type", "COMPARATOR_CONTROL_DATA_MISSING"),
            ("skew", "payment_type", "SCHEMA_MISSING_COLUMN")} <= findings(result.anomalies)
    assert "payment_type" not in {m.feature for m in result.metrics}


def test_drift_and_skew_findings_of_one_check_keep_their_kind(failed_check) -> None:
    assert {(a.kind.value, a.feature, a.type) for a in failed_check.anomalies} == {
        ("drift", "payment_type", "COMPARATOR_L_INFTY_HIGH"),
        ("drift", "fare", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"),
        ("skew", "payment_type", "COMPARATOR_L_INFTY_HIGH"),
    }
    assert [a.kind for a in failed_check.anomalies] == sorted(
        (a.kind for a in failed_check.anomalies), key=["schema", "drift", "skew"].index)


def test_an_environment_the_schema_does_not_declare_is_a_usage_error(day1) -> None:
    bare = fx.schema('feature { name: "fare" type: FLOAT }')
    with pytest.raises(UsageError, match="Environment SERVING not found in the schema"):
        validate(day1, bare, environment=sch.SERVING)


def test_an_empty_batch_fails_without_any_other_check(schema, day1) -> None:
    result = validate(statistics(0), schema, baseline=day1)
    assert findings(result.anomalies) == {("schema", "", "NO_DATA_IN_SPAN")}
    assert result.metrics == () and result.verdict == Verdict.FAIL


def sliced(all_examples_name: str = "All Examples") -> Stats:
    """Day 1 as TFDV writes it with a slicing function: the slice first, then all examples."""
    cash_only = fx.day2().datasets[0]
    cash_only.name = "payment_type_Cash"
    everything = fx.day1().datasets[0]
    everything.name = all_examples_name
    return Stats(datasets=[cash_only, everything])


def test_sliced_statistics_are_judged_on_their_all_examples_slice(schema, day2) -> None:
    result = validate(day2, schema, baseline=sliced())
    assert only(result.metrics, feature="payment_type").value == pytest.approx(0.2)


def test_sliced_statistics_without_an_all_examples_slice_are_a_usage_error(schema, day2) -> None:
    with pytest.raises(UsageError, match=r"no default slice \('All Examples'\)"):
        validate(day2, schema, baseline=sliced("payment_type_Credit Card"))


EXAMPLE_COUNT_BOUNDS = fx.schema("""
dataset_constraints { num_examples_drift_comparator { min_fraction_threshold: 0.5
                                                      max_fraction_threshold: 2.0 } }
""")


@pytest.mark.parametrize("examples, finding, threshold", [
    (40, "COMPARATOR_LOW_NUM_EXAMPLES", 0.5),
    (50, None, 0.5),
    (200, None, 2.0),
    (250, "COMPARATOR_HIGH_NUM_EXAMPLES", 2.0),
], ids=["shrunk", "half", "double", "grown"])
def test_a_batch_outside_half_to_double_its_baseline_size_fails(
    examples, finding, threshold
) -> None:
    result = validate(statistics(examples), EXAMPLE_COUNT_BOUNDS, baseline=statistics(100))
    ratio = only(result.metrics, method="num_examples")
    assert (ratio.feature, ratio.value, ratio.threshold) == ("", examples / 100, threshold)
    assert ratio.exceeded == (finding is not None)
    expected = {("drift", "", finding)} if finding else set()
    assert findings(result.anomalies) == expected
    assert result.verdict == (Verdict.FAIL if finding else Verdict.PASS)


def test_a_check_loads_neither_tensorflow_nor_beam() -> None:
    """Why these tests (and `dataguard check`) are fast: TFDV's C++ validation only."""
    script = (
        "import sys\n"
        "from tests.core import fixtures as fx\n"
        "from dataguard.core.validate import validate\n"
        "assert validate(fx.day2(), fx.schema(), baseline=fx.day1()).anomalies\n"
        "print(sorted(m for m in ('tensorflow', 'apache_beam', 'tensorflow_data_validation')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parents[2])
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr[-2000:]
