"""Migration 0004: each anomaly and metric keeps its slice; rows stored before are the whole
batch (NULL), and the metric series the trends and charts follow stay the whole batch's."""

from __future__ import annotations

from dataclasses import replace

from dataguard.store import open_store
from dataguard.store.engine import make_engine
from tests.store.builders import make_check, migrate_old_check, round_trip

CASH = "payment_type_Cash"


def _with_a_slice():
    check = make_check()
    anomalies = (*check.anomalies, replace(check.anomalies[0], slice=CASH))
    metrics = (*check.metrics, *(replace(m, slice=CASH) for m in check.metrics))
    return replace(check, anomalies=anomalies, metrics=metrics)


def test_slices_of_anomalies_and_metrics_round_trip_through_the_store(store_url: str) -> None:
    check = _with_a_slice()
    again = round_trip(store_url, check)
    store = open_store(store_url)
    with store.read() as q:
        series = q.metric_history(check.dataset)
    store.dispose()
    assert [a.slice for a in again.anomalies] == [a.slice for a in check.anomalies]
    assert [m.slice for m in again.metrics] == [m.slice for m in check.metrics]
    assert again.to_dict()["anomalies"][-1]["slice"] == CASH
    assert len(series) == len(make_check().metrics)  # the whole batch's series only


def test_migrating_a_0003_store_keeps_its_rows_as_the_whole_batch(store_url: str) -> None:
    columns = migrate_old_check(make_engine(store_url), "0003", "0004", "anomalies", "metrics",
                                outcome="fail")
    assert all("slice" in names for names in columns.values())
    store = open_store(store_url)
    try:
        with store.read() as q:
            old = q.latest_check("taxi", "old")
            series = q.metric_history("taxi")
    finally:
        store.dispose()
    assert old is not None and old.anomalies[0].slice is None and old.metrics[0].slice is None
    assert [p.value for p in series] == [0.5]
    assert old.to_dict()["metrics"][0]["slice"] is None
