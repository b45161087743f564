"""core.validate on the shared data, compared with TFDV called directly and with pandas."""

from __future__ import annotations

import pandas as pd
import pytest
from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2

from dataguard.core import schemas as sch
from dataguard.core.models import AnomalyKind, Verdict
from dataguard.core.policy import Policy
from dataguard.core.validate import validate

pytestmark = pytest.mark.slow  # TFDV reference statistics (shared per session)


def by(anomalies, kind=None):  # type: ignore[no-untyped-def]
    return {(a.feature, a.type) for a in anomalies if kind is None or a.kind == kind}


def metric(metrics, feature, comparison):  # type: ignore[no-untyped-def]
    (m,) = [m for m in metrics if m.feature == feature and m.comparison == comparison]
    return m


def without_feature(stats, name, empty=False):  # type: ignore[no-untyped-def]
    """A copy of ``stats`` where ``name`` is gone (or present with no values)."""
    out = statistics_pb2.DatasetFeatureStatisticsList()
    out.CopyFrom(stats)
    ds = out.datasets[0]
    kept = [f for f in ds.features if f.path.step[0] != name]
    del ds.features[:]
    ds.features.extend(kept)
    if empty:
        f = ds.features.add()
        f.path.step.append(name)
        f.type = statistics_pb2.FeatureNameStatistics.STRING
        f.string_stats.common_stats.num_missing = ds.num_examples
    return out


def test_taxi_batch_a_type_changes_and_dropped_column_are_schema_anomalies(
    reference_stats, taxi_schema
) -> None:
    result = validate(reference_stats("taxi/batch_a.csv"), taxi_schema)
    schema_found = by(result.anomalies, AnomalyKind.SCHEMA)
    for feature in ("trip_seconds", "dropoff_census_tract", "dropoff_community_area"):
        assert (feature, "UNEXPECTED_DATA_TYPE") in schema_found
        (a,) = [a for a in result.anomalies if a.feature == feature]
        assert a.short_description == "Unexpected data type"
        assert a.description == "Expected data of type: INT but got FLOAT"
        assert a.severity == "error"
    (dropped,) = [a for a in result.anomalies if a.feature == "pickup_census_tract"]
    assert dropped.short_description == "Column dropped"
    assert result.metrics == ()
    assert result.verdict == Verdict.FAIL


def test_schema_anomalies_match_tfdv_called_directly(reference_stats, taxi_schema) -> None:
    import tensorflow_data_validation as tfdv

    stats = reference_stats("taxi/batch_a.csv")
    direct = tfdv.validate_statistics(stats, taxi_schema, environment="TRAINING")
    expected = {
        (key, tfdv_type.type)
        for key, info in direct.anomaly_info.items()
        for tfdv_type in info.reason
    }
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    expected_named = {(k, anomalies_pb2.AnomalyInfo.Type.Name(t)) for k, t in expected}
    assert by(validate(stats, taxi_schema).anomalies) == expected_named


def test_check_fails_when_payment_type_drifts_past_l_infinity_threshold(
    reference_stats, taxi_schema
) -> None:
    result = validate(reference_stats("taxi/batch_a.csv"), taxi_schema,
                      baseline=reference_stats("taxi/train.csv"))
    m = metric(result.metrics, "payment_type", "drift")
    assert m.method == "l_infinity"
    assert m.value == pytest.approx(0.0131775, abs=1e-7)
    assert m.threshold == 0.01 and m.exceeded
    (a,) = [a for a in result.anomalies
            if a.feature == "payment_type" and a.kind == AnomalyKind.DRIFT]
    assert a.type == "COMPARATOR_L_INFTY_HIGH"
    assert a.description.endswith("The feature value with maximum difference is: Credit Card")
    assert result.verdict == Verdict.FAIL


def test_every_drift_measurement_is_recorded_as_tfdv_reports_it(
    reference_stats, taxi_schema
) -> None:
    import tensorflow_data_validation as tfdv

    current, previous = reference_stats("taxi/batch_a.csv"), reference_stats("taxi/train.csv")
    direct = tfdv.validate_statistics(current, taxi_schema, environment="TRAINING",
                                      previous_statistics=previous)
    expected = {
        (".".join(d.path.step), m.value, m.threshold)
        for d in direct.drift_skew_info for m in d.drift_measurements
    }
    result = validate(current, taxi_schema, baseline=previous)
    got = {(m.feature, m.value, m.threshold) for m in result.metrics
           if m.comparison == "drift" and m.method != "num_examples"}
    assert got == expected
    # TFDV lists every compared feature, not only the exceeding ones; the one it cannot compare
    # (pickup_census_tract has no values in batch_a) is reported instead of silently missing.
    compared = {f for f, _, _ in got}
    assert compared == set(sch.feature_names(taxi_schema)) - {"pickup_census_tract"}
    assert ("pickup_census_tract", "COMPARATOR_TREATMENT_DATA_MISSING") in by(
        result.anomalies, AnomalyKind.DRIFT)
    assert {m.feature for m in result.metrics if m.exceeded and m.comparison == "drift"} == {
        "payment_type", "fare", "trip_seconds"}


def l_infinity(current: pd.Series, previous: pd.Series) -> tuple[float, str]:
    """L-infinity distance of two categorical distributions, the way TFDV defines it."""
    p = current.dropna().value_counts(normalize=True)
    q = previous.dropna().value_counts(normalize=True)
    diff = p.sub(q, fill_value=0).abs()
    return float(diff.max()), str(diff.idxmax())


@pytest.mark.parametrize("feature", ["payment_type", "company"])
def test_l_infinity_distances_equal_an_independent_pandas_computation(
    reference_stats, taxi_schema, taxi, feature
) -> None:
    result = validate(reference_stats("taxi/batch_a.csv"), taxi_schema,
                      baseline=reference_stats("taxi/train.csv"))
    value, _ = l_infinity(pd.read_csv(taxi / "batch_a.csv")[feature],
                          pd.read_csv(taxi / "train.csv")[feature])
    assert metric(result.metrics, feature, "drift").value == pytest.approx(value, abs=1e-9)


def test_pandas_agrees_the_largest_payment_type_difference_is_credit_card(taxi) -> None:
    value, where = l_infinity(pd.read_csv(taxi / "batch_a.csv")["payment_type"],
                              pd.read_csv(taxi / "train.csv")["payment_type"])
    assert where == "Credit Card" and value == pytest.approx(0.0131775, abs=1e-7)


def test_penguin_skewed_serving_data_has_culmen_length_jsd_above_threshold(
    reference_stats, penguin_schema
) -> None:
    import tensorflow_data_validation as tfdv

    train, skewed = reference_stats("penguin/train.csv"), reference_stats("penguin/skewed.csv")
    result = validate(train, penguin_schema, serving=skewed)
    m = metric(result.metrics, "culmen_length_mm", "skew")
    assert m.method == "jensen_shannon"
    assert m.value == pytest.approx(0.0323799, abs=1e-7)
    assert m.exceeded
    assert ("culmen_length_mm", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH") in by(
        result.anomalies, AnomalyKind.SKEW)
    direct = tfdv.validate_statistics(train, penguin_schema, environment="TRAINING",
                                      serving_statistics=skewed)
    expected = {(".".join(d.path.step), m.value) for d in direct.drift_skew_info
                for m in d.skew_measurements}
    assert {(m.feature, m.value) for m in result.metrics} == expected
    # the label is not compared for skew (not expected at serving time) ...
    assert "species" not in {m.feature for m in result.metrics}
    # ... and a serving batch that carries it is flagged: the label leaked into serving data
    assert ("species", "SCHEMA_NEW_COLUMN") in by(result.anomalies, AnomalyKind.SKEW)
    assert result.verdict == Verdict.FAIL


def test_serving_requests_without_the_label_are_not_flagged_for_it(
    reference_stats, penguin_schema
) -> None:
    result = validate(reference_stats("penguin/train.csv"), penguin_schema,
                      serving=reference_stats("penguin/serving_unlabelled.csv"))
    assert "species" not in {a.feature for a in result.anomalies}
    assert {m.feature for m in result.metrics} == {
        "culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "body_mass_g"}


def test_a_batch_checked_against_itself_passes_with_every_drift_distance_zero(
    reference_stats, taxi_schema
) -> None:
    train = reference_stats("taxi/train.csv")
    result = validate(train, taxi_schema, baseline=train)
    assert result.verdict == Verdict.PASS, result.anomalies
    drift = [m for m in result.metrics if m.comparison == "drift"]
    assert len(drift) == len(taxi_schema.feature) + 1  # + the example-count ratio
    for m in drift:
        assert m.value == (1.0 if m.method == "num_examples" else 0.0)
        assert not m.exceeded


def test_drift_and_skew_anomalies_of_the_same_tfdv_type_keep_their_kind(
    reference_stats, taxi_schema
) -> None:
    a = reference_stats("taxi/batch_a.csv")
    result = validate(reference_stats("taxi/train.csv"), taxi_schema, baseline=a, serving=a)
    kinds = {a.kind for a in result.anomalies
             if a.feature == "payment_type" and a.type == "COMPARATOR_L_INFTY_HIGH"}
    assert kinds == {AnomalyKind.DRIFT, AnomalyKind.SKEW}
    assert {m.comparison for m in result.metrics if m.feature == "payment_type"} == {
        "drift", "skew"}


def test_an_empty_batch_fails_explicitly(taxi_schema, reference_stats) -> None:
    empty = statistics_pb2.DatasetFeatureStatisticsList()
    empty.datasets.add(num_examples=0)
    result = validate(empty, taxi_schema, baseline=reference_stats("taxi/train.csv"))
    assert [(a.type, a.kind) for a in result.anomalies] == [("NO_DATA_IN_SPAN", AnomalyKind.SCHEMA)]
    assert result.verdict == Verdict.FAIL
    ignoring = Policy(ignore_types=frozenset({"NO_DATA_IN_SPAN"}))
    assert validate(empty, taxi_schema, policy=ignoring).verdict == Verdict.FAIL


@pytest.mark.parametrize("empty", [False, True], ids=["absent", "no-values"])
def test_a_baseline_lacking_a_feature_shows_control_data_missing(
    reference_stats, taxi_schema, empty
) -> None:
    train = reference_stats("taxi/train.csv")
    result = validate(train, taxi_schema, baseline=without_feature(train, "payment_type", empty))
    assert ("payment_type", "COMPARATOR_CONTROL_DATA_MISSING") in by(
        result.anomalies, AnomalyKind.DRIFT)
    if not empty:  # TFDV measures nothing; with an empty histogram it measures a distance
        assert "payment_type" not in {m.feature for m in result.metrics}


def test_a_batch_half_the_size_of_its_baseline_fails_the_example_count_comparator(
    reference_stats, taxi_schema
) -> None:
    result = validate(reference_stats("taxi/batch_b.csv"), taxi_schema,
                      baseline=reference_stats("taxi/train.csv"))
    assert ("", "COMPARATOR_LOW_NUM_EXAMPLES") in by(result.anomalies, AnomalyKind.DRIFT)
    m = metric([m for m in result.metrics if m.method == "num_examples"], "", "drift")
    assert m.value == pytest.approx(5000 / 15002) and m.threshold == 0.5 and m.exceeded


def test_l_infinity_on_a_numeric_feature_is_a_schema_warning(reference_stats, taxi_schema) -> None:
    schema = schema_pb2.Schema()
    schema.CopyFrom(taxi_schema)
    fare = next(f for f in schema.feature if f.name == "fare")
    fare.drift_comparator.Clear()
    fare.drift_comparator.infinity_norm.threshold = 0.01
    train = reference_stats("taxi/train.csv")
    result = validate(train, schema, baseline=train)
    (trap,) = [a for a in result.anomalies if a.feature == "fare"]
    assert (trap.kind, trap.type, trap.severity) == (
        AnomalyKind.SCHEMA, "INVALID_SCHEMA_SPECIFICATION", "warning")
    assert "always measures 0" in trap.description
    assert result.verdict == Verdict.WARN


def test_an_environment_the_schema_does_not_declare_is_a_usage_error(reference_stats) -> None:
    from dataguard.errors import UsageError

    schema = sch.parse_schema('feature { name: "fare" type: FLOAT }', "inline")
    with pytest.raises(UsageError, match="Environment SERVING not found in the schema"):
        validate(reference_stats("taxi/train.csv"), schema, environment="SERVING")


def test_an_empty_baseline_or_serving_batch_is_reported_not_compared(
    reference_stats, taxi_schema
) -> None:
    empty = statistics_pb2.DatasetFeatureStatisticsList()
    empty.datasets.add(num_examples=0)
    result = validate(reference_stats("taxi/train.csv"), taxi_schema, baseline=empty,
                      serving=empty)
    assert by(result.anomalies) == {("", "COMPARATOR_CONTROL_DATA_MISSING")}
    assert {a.kind for a in result.anomalies} == {AnomalyKind.DRIFT, AnomalyKind.SKEW}
    assert result.metrics == ()
    assert result.verdict == Verdict.FAIL
