"""The dashboard with dataguard's own methods in the store (issue 13): the dataset page draws one
line per feature (TFDV's comparator), the batch page lists every measurement and shows, next to
an anomaly, the value of the method that caused it."""

from __future__ import annotations

from dataguard.core.distances import METHODS
from tests.dashboard.conftest import DAY2, FilledStore
from tests.dashboard.test_pages import frame_with, open_page


def test_dataset_page_keeps_one_method_per_feature(dashboard_env: FilledStore) -> None:
    at = open_page("dataset", dataset="taxi")
    order = frame_with(at, "worst")
    assert set(order["method"]) <= {"l_infinity", "jensen_shannon"}
    assert order["feature"].is_unique


def test_batch_page_lists_every_method_and_the_causing_value(dashboard_env: FilledStore) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2)
    measured = frame_with(at, "method")
    assert set(METHODS) <= set(measured["method"])
    anomalies = frame_with(at, "severity").set_index(["kind", "feature", "type"])
    payment = anomalies.loc[("drift", "payment_type", "COMPARATOR_L_INFTY_HIGH")]
    assert round(float(payment["value"]), 7) == 0.0131775
