"""Migration 0002: each anomaly and metric keeps the policy's outcome; older rows show unknown."""

from __future__ import annotations

from dataclasses import replace

from dataguard.store import open_store
from dataguard.store.engine import make_engine
from tests.store.builders import make_check, migrate_old_check, round_trip


def _with_outcomes():
    check = make_check()
    anomalies = tuple(replace(a, outcome="warn") for a in check.anomalies)
    metrics = tuple(replace(m, outcome="warn" if m.exceeded else None) for m in check.metrics)
    return replace(check, anomalies=anomalies, metrics=metrics)


def test_outcomes_of_anomalies_and_metrics_round_trip_through_the_store(store_url: str) -> None:
    check = _with_outcomes()
    again = round_trip(store_url, check)
    assert [a.outcome for a in again.anomalies] == ["warn"] * len(check.anomalies)
    assert [m.outcome for m in again.metrics] == [m.outcome for m in check.metrics]
    assert again.to_dict()["anomalies"][0]["outcome"] == "warn"


def test_migrating_a_0001_store_keeps_its_checks_with_unknown_outcomes(store_url: str) -> None:
    columns = migrate_old_check(make_engine(store_url), "0001", "0002", "anomalies", "metrics")
    assert all("outcome" in names for names in columns.values())
    store = open_store(store_url)
    try:
        with store.read() as q:
            old = q.latest_check("taxi", "old")
    finally:
        store.dispose()
    assert old is not None and old.verdict == "fail"
    assert old.anomalies[0].outcome is None and old.metrics[0].outcome is None
    document = old.to_dict()
    assert document["anomalies"][0]["outcome"] is None
    assert document["metrics"][0]["outcome"] is None
