"""core.stats_view, the dashboard's reading of the text-proto batches: it agrees with the check."""

from __future__ import annotations

import pytest

from dataguard.core import stats_view as sv
from tests.core.fixtures import only


def test_the_dashboard_l_infinity_of_a_category_equals_the_checks_drift_metric(
    day1, day2, drift
) -> None:
    current = sv.dataset_stats(day2).feature("payment_type")
    reference = sv.dataset_stats(day1).feature("payment_type")
    assert current is not None and reference is not None
    measured = only(drift.metrics, feature="payment_type", comparison="drift").value
    assert sv.categorical_distance(current, reference) == pytest.approx(measured)


def test_the_features_that_moved_most_come_first(day1, day2) -> None:
    changes = sv.compare(sv.dataset_stats(day2), sv.dataset_stats(day1))
    assert [(c.feature, c.status) for c in changes] == [
        ("fare", "changed"), ("payment_type", "changed"), ("company", "changed"),
        ("tips", "changed"), ("trip_seconds", "changed")]
    # fare below $20: 90 % on day 1, 60 % on day 2 — the largest gap between the two CDFs
    assert changes[0].score == pytest.approx(0.3)
    assert [c.score for c in changes[2:]] == [0.0, 0.0, 0.0]


def test_a_label_absent_from_serving_shows_as_removed(day1, serving) -> None:
    (first, *_) = sv.compare(sv.dataset_stats(serving), sv.dataset_stats(day1))
    assert (first.feature, first.status, first.score) == ("tips", "removed", 1.0)


def test_the_summary_reads_missing_values_and_moments(day1) -> None:
    rows = {row["feature"]: row for row in sv.summary_rows(sv.dataset_stats(day1))}
    assert (rows["company"]["count"], rows["company"]["missing"], rows["company"]["missing %"],
            rows["company"]["unique"]) == (90, 10, 10.0, 2)
    assert (rows["fare"]["mean"], rows["fare"]["median"], rows["fare"]["max"]) == (
        11.0, 10.0, 30.0)
