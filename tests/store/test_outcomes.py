"""Migration 0002: each anomaly and metric keeps the policy's outcome; older rows show unknown."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from dataguard.store import open_store
from dataguard.store.engine import make_engine
from dataguard.store.migrate import upgrade
from tests.store.builders import make_check


def _with_outcomes():
    check = make_check()
    anomalies = tuple(replace(a, outcome="warn") for a in check.anomalies)
    metrics = tuple(replace(m, outcome="warn" if m.exceeded else None) for m in check.metrics)
    return replace(check, anomalies=anomalies, metrics=metrics)


def test_outcomes_of_anomalies_and_metrics_round_trip_through_the_store(store_url: str) -> None:
    check = _with_outcomes()
    store = open_store(store_url)
    try:
        with store.transaction() as tx:
            stored = tx.add_check(check)
        with store.read() as q:
            again = q.latest_check(check.dataset, check.batch)
    finally:
        store.dispose()
    assert again == stored  # the check as it was stored, read back
    assert [a.outcome for a in again.anomalies] == ["warn"] * len(check.anomalies)
    assert [m.outcome for m in again.metrics] == [m.outcome for m in check.metrics]
    assert again.to_dict()["anomalies"][0]["outcome"] == "warn"


def test_migrating_a_0001_store_keeps_its_checks_with_unknown_outcomes(store_url: str) -> None:
    engine = make_engine(store_url)
    assert upgrade(engine, "0001") == "0001"
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO datasets (id, name, created_at) VALUES "
                             "(1, 'taxi', '2026-11-20 00:00:00+00:00')"))
        conn.execute(sa.text(
            "INSERT INTO checks (id, dataset_id, batch_name, batch_role, verdict, schema_version,"
            " num_examples, anomaly_count, created_at) VALUES (1, 1, 'old', 'training', 'fail',"
            " 1, 10, 1, '2026-11-20 00:00:00+00:00')"))
        conn.execute(sa.text(
            "INSERT INTO anomalies (check_id, feature, kind, type, severity, short_description,"
            " description) VALUES (1, 'f', 'schema', 'ENUM_TYPE_UNEXPECTED_STRING_VALUES',"
            " 'error', 's', 'd')"))
        conn.execute(sa.text(
            "INSERT INTO metrics (check_id, feature, comparison, method, value, threshold,"
            " exceeded) VALUES (1, 'f', 'drift', 'l_infinity', 0.5, 0.1, true)"))
    assert upgrade(engine, "0002") == "0002"
    columns = {t: {c["name"] for c in sa.inspect(engine).get_columns(t)}
               for t in ("anomalies", "metrics")}
    engine.dispose()
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
