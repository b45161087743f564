"""A minimum sample size for drift and skew (issue 14, item 4), in the pure core.

Below ``min_examples`` on either side a comparison is not measured: no distance, no
JSD / L-infinity anomaly, but one ``COMPARISON_NOT_MEASURABLE`` warning of that kind that names
both sample sizes and the minimum, so the default policy warns instead of failing.
"""

from __future__ import annotations

import pytest

from dataguard.core.models import AnomalyKind, Verdict
from dataguard.core.schemas import DEFAULT_MIN_EXAMPLES, ComparatorConfig
from dataguard.core.validate import validate
from dataguard.errors import UsageError
from tests.core import fixtures as fx

MINIMUM = {"drift": 30, "skew": 30}


def ten_serving_requests():  # type: ignore[no-untyped-def]
    return fx.statistics(10, fx.PAYMENT_DAY1, fx.FARE_DAY2, fx.TRIP_SECONDS, fx.COMPANY)


def test_ten_serving_rows_are_not_measured_for_skew_and_only_warn(schema, day1) -> None:
    measured = validate(day1, schema, serving=ten_serving_requests())
    assert measured.verdict == Verdict.FAIL  # what happens without a minimum: fare "skews"
    result = validate(day1, schema, serving=ten_serving_requests(), min_examples=MINIMUM)
    (anomaly,) = [a for a in result.anomalies if a.kind == AnomalyKind.SKEW]
    assert (anomaly.feature, anomaly.type, anomaly.severity) == (
        "", "COMPARISON_NOT_MEASURABLE", "warning")
    assert "100 examples" in anomaly.description and "serving batch 10" in anomaly.description
    assert "at least 30" in anomaly.description
    assert not [m for m in result.metrics if m.comparison == "skew"]
    assert result.verdict == Verdict.WARN


def test_a_small_baseline_is_not_measured_for_drift_but_its_example_count_still_counts(
    schema, day2
) -> None:
    small = fx.statistics(10, fx.PAYMENT_DAY1, fx.FARE_DAY1, fx.TRIP_SECONDS, fx.COMPANY, fx.TIPS)
    schema.dataset_constraints.num_examples_drift_comparator.max_fraction_threshold = 2.0
    result = validate(day2, schema, baseline=small, min_examples=MINIMUM)
    drift = {(a.feature, a.type, a.severity) for a in result.anomalies if a.kind == "drift"}
    assert drift == {("", "COMPARISON_NOT_MEASURABLE", "warning"),
                     ("", "COMPARATOR_HIGH_NUM_EXAMPLES", "error")}
    assert [(m.method, m.value) for m in result.metrics] == [("num_examples", 10.0)]


def test_exactly_the_minimum_is_measured(schema, day1, day2) -> None:
    result = validate(day2, schema, baseline=day1, min_examples={"drift": 100, "skew": 100})
    assert "COMPARISON_NOT_MEASURABLE" not in {a.type for a in result.anomalies}
    assert {m.feature for m in result.metrics} >= {"payment_type", "fare"}


def test_min_examples_resolves_like_the_thresholds() -> None:
    assert ComparatorConfig().min_examples("skew") == DEFAULT_MIN_EXAMPLES == 30
    document = {
        "thresholds": {"min_examples": 50, "skew": {"min_examples": 10}},
        "datasets": {"taxi": {"thresholds": {"drift": {"min_examples": 200}}}},
    }
    penguin = ComparatorConfig.from_config(document, "penguin")
    taxi = ComparatorConfig.from_config(document, "taxi")
    assert (penguin.min_examples("drift"), penguin.min_examples("skew")) == (50, 10)
    assert (taxi.min_examples("drift"), taxi.min_examples("skew")) == (200, 10)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "30"])
def test_min_examples_must_be_a_whole_number(bad: object) -> None:
    config = ComparatorConfig.from_config({"thresholds": {"min_examples": bad}}, "taxi")
    with pytest.raises(UsageError, match="'min_examples': must be a whole number"):
        config.min_examples("drift")
