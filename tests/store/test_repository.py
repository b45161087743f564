"""Round trips of every store port method, on SQLite and PostgreSQL (``store_url``)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from dataguard.core.models import Role, Verdict
from dataguard.errors import StoreError, UsageError
from dataguard.store import Store
from tests.store.builders import T0, make_batch, make_check, make_delivery


def test_a_new_store_is_empty(store: Store) -> None:
    assert store.is_empty()
    with store.read() as q:
        assert q.list_datasets() == []
        assert q.list_batches("taxi") == []
        assert q.latest_batch("taxi") is None
        assert q.latest_check("taxi") is None
        assert q.get_schema_version("taxi") is None
        assert q.next_schema_version("taxi") == 1
        assert q.list_deliveries() == []
        assert q.latest_check_id() is None


def test_batch_round_trip_creates_dataset_and_returns_id_and_utc_time(store: Store, taxi) -> None:
    with store.transaction() as tx:
        stored = tx.add_batch(make_batch(source=taxi / "train.csv"))
    assert stored.id is not None
    assert stored.created_at is not None and stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    with store.read() as q:
        assert q.list_datasets() == ["taxi"]
        assert q.get_batch("taxi", "2026-01-01") == stored
        assert q.get_batch("taxi", "2026-01-01", Role.SERVING) is None
        assert q.get_batch("nope", "2026-01-01") is None
    assert not store.is_empty()


def test_existing_batch_is_refused_with_a_message_naming_replace(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_batch(make_batch())
    with pytest.raises(UsageError) as err, store.transaction() as tx:
        tx.add_batch(make_batch(num_examples=5))
    assert str(err.value) == (
        "batch '2026-01-01' of dataset 'taxi' (training) already exists; "
        "pass --replace to recompute it"
    )
    with store.read() as q:
        assert q.get_batch("taxi", "2026-01-01").num_examples == 10_000


def test_same_batch_name_in_another_role_or_dataset_is_a_different_batch(store: Store) -> None:
    with store.transaction() as tx:
        a = tx.add_batch(make_batch())
        b = tx.add_batch(make_batch(role=Role.SERVING))
        c = tx.add_batch(make_batch(dataset="penguin"))
    assert len({a.id, b.id, c.id}) == 3
    with store.read() as q:
        assert q.list_datasets() == ["penguin", "taxi"]
        assert [b.role for b in q.list_batches("taxi")] == [Role.TRAINING, Role.SERVING]


def test_replace_keeps_id_and_created_at_and_updates_the_rest(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.add_batch(make_batch("b1", created_at=T0))
        tx.add_batch(make_batch("b2", created_at=T0 + timedelta(hours=1)))
    with store.transaction() as tx:
        again = tx.add_batch(make_batch("b1", source="new.csv", num_examples=7), replace=True)
    assert again.id == first.id
    assert again.created_at == T0
    assert (again.num_examples, again.source) == (7, "new.csv")
    assert again.sha256 != first.sha256
    with store.read() as q:
        assert [b.name for b in q.list_batches("taxi")] == ["b1", "b2"]
        assert q.get_batch("taxi", "b1") == again


def test_replace_of_a_new_batch_just_adds_it(store: Store) -> None:
    with store.transaction() as tx:
        stored = tx.add_batch(make_batch(), replace=True)
    assert stored.id is not None


def test_batches_are_listed_in_the_order_they_were_stored(store: Store) -> None:
    with store.transaction() as tx:
        for i, name in enumerate(["c", "a", "b"]):  # names out of order on purpose
            tx.add_batch(make_batch(name, created_at=T0 + timedelta(days=i)))
        tx.add_batch(make_batch("s1", role=Role.SERVING, created_at=T0 + timedelta(days=5)))
    with store.read() as q:
        assert [b.name for b in q.list_batches("taxi", Role.TRAINING)] == ["c", "a", "b"]
        assert [b.name for b in q.list_batches("taxi")] == ["c", "a", "b", "s1"]
        # the latest batch and baselines follow batch names, not this order (like TFX spans):
        # tests/store/test_baseline_queries.py
        assert q.latest_batch("taxi").name == "c"
        assert q.latest_batch("taxi", Role.SERVING).name == "s1"


def test_batches_created_in_the_same_instant_are_ordered_by_id(store: Store) -> None:
    with store.transaction() as tx:
        for name in ["x", "y", "z"]:
            tx.add_batch(make_batch(name, created_at=T0))
    with store.read() as q:
        assert [b.name for b in q.list_batches("taxi")] == ["x", "y", "z"]
        assert q.latest_batch("taxi").name == "z"


def test_timestamps_given_in_another_zone_come_back_in_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    with store.transaction() as tx:
        tx.add_batch(make_batch(created_at=T0.astimezone(plus_two)))
    with store.read() as q:
        created = q.get_batch("taxi", "2026-01-01").created_at
    assert created == T0 and created.tzinfo is not None and created.utcoffset() == timedelta(0)


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_batch(make_batch("b1"))
        tx.add_schema_version("taxi", path="s/v1", sha256="0" * 64, parent_version=None, message="")
        tx.add_check(make_check("b1"))
        tx.add_delivery(make_delivery())
        raise RuntimeError("the artifact could not be written")
    assert store.is_empty()
    with store.read() as q:
        assert q.list_batches("taxi") == []
        assert q.list_schema_versions("taxi") == []
        assert q.list_deliveries() == []


def test_schema_versions_are_numbered_from_one_per_dataset(store: Store) -> None:
    with store.transaction() as tx:
        v1 = tx.add_schema_version(
            "taxi",
            path="schemas/taxi/v1.pbtxt",
            sha256="a" * 64,
            parent_version=None,
            message="inferred from 2026-01-01",
        )
        v2 = tx.add_schema_version(
            "taxi",
            path="schemas/taxi/v2.pbtxt",
            sha256="b" * 64,
            parent_version=1,
            message="relax company domain",
        )
        p1 = tx.add_schema_version(
            "penguin",
            path="schemas/penguin/v1.pbtxt",
            sha256="c" * 64,
            parent_version=None,
            message="",
        )
    assert (v1.version, v2.version, p1.version) == (1, 2, 1)
    assert v2.parent_version == 1 and v2.created_at.tzinfo is not None
    with store.read() as q:
        assert q.next_schema_version("taxi") == 3
        assert q.get_schema_version("taxi") == v2
        assert q.get_schema_version("taxi", 1) == v1
        assert q.get_schema_version("taxi", 9) is None
        assert q.list_schema_versions("taxi") == [v1, v2]


def test_check_round_trip_keeps_anomalies_and_metrics_in_order(store: Store) -> None:
    check = make_check()
    with store.transaction() as tx:
        stored = tx.add_check(check)
    assert stored.id is not None and stored.created_at is not None
    assert stored.anomalies == check.anomalies and stored.metrics == check.metrics
    identified = replace(check, id=stored.id, created_at=stored.created_at)  # check_id, checked_at
    assert stored.to_dict() == identified.to_dict()
    with store.read() as q:
        assert q.latest_check("taxi", stored.batch) == stored
        assert q.latest_check("taxi", "nope") is None
        assert q.latest_check("taxi") == stored
        assert q.latest_check_id() == stored.id


def test_adding_a_check_returns_what_a_read_gives_without_reading_it_back(store: Store) -> None:
    """``add_check`` answers from what it wrote: no SELECT of checks, anomalies or metrics, and
    the result equals a later read (stored words normalised: a ``"warn"`` outcome, a ``"fail"``
    verdict, the baseline of a ``baseline_batch`` alone, a NaN)."""
    import sqlalchemy as sa

    check = make_check()
    nan_metric = replace(check.metrics[0], value=float("nan"), exceeded=False)
    check = replace(check, verdict="fail", baseline=None, metrics=(nan_metric, *check.metrics),
                    anomalies=tuple(replace(a, outcome="warn") for a in check.anomalies))
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()).lower())

    engine = store.engine  # type: ignore[attr-defined]
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with store.transaction() as tx:
            stored = tx.add_check(check)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    reads = [s for s in statements if s.startswith("select") and any(
        f"from {table}" in s for table in ("checks", "anomalies", "metrics"))]
    assert reads == []
    with store.read() as q:
        again = q.latest_check(check.dataset, check.batch)
    assert again is not None and again.created_at == stored.created_at
    assert repr(replace(again, created_at=None)) == repr(replace(stored, created_at=None))


def test_check_without_anomalies_or_metrics_round_trips(store: Store) -> None:
    bare = make_check(verdict=Verdict.PASS)
    bare = type(bare)(
        **{
            **bare.__dict__,
            "anomalies": (),
            "metrics": (),
            "baseline_batch": None,
            "serving_batch": None,
        }
    )
    with store.transaction() as tx:
        stored = tx.add_check(bare)
    with store.read() as q:
        again = q.latest_check(bare.dataset, bare.batch)
    identified = replace(bare, id=stored.id, created_at=stored.created_at)
    assert again.to_dict() == identified.to_dict()


def test_a_nan_metric_survives_the_round_trip(store: Store) -> None:
    check = make_check(features=("fare",))
    nan_metric = type(check.metrics[0])("fare", "drift", "jensen_shannon", math.nan, 0.1, False)
    check = type(check)(**{**check.__dict__, "metrics": (nan_metric,)})
    with store.transaction() as tx:
        tx.add_check(check)
    with store.read() as q:
        (metric,) = q.latest_check(check.dataset, check.batch).metrics
    assert math.isnan(metric.value) and metric.threshold == 0.1


def test_latest_check_by_dataset_and_batch_and_list_newest_first(store: Store) -> None:
    with store.transaction() as tx:
        one = tx.add_check(make_check("b1", created_at=T0))
        two = tx.add_check(make_check("b2", verdict=Verdict.PASS, created_at=T0 + timedelta(1)))
        again = tx.add_check(make_check("b1", verdict=Verdict.WARN, created_at=T0 + timedelta(2)))
        tx.add_check(make_check("b1", dataset="penguin", created_at=T0 + timedelta(3)))
    with store.read() as q:
        assert q.latest_check("taxi") == again
        assert q.latest_check("taxi", "b2") == two
        assert q.latest_check("taxi", "b1") == again
        assert q.latest_check("taxi", "b9") is None
        assert [c.id for c in q.check_history("taxi")] == [again.id, two.id, one.id]
        assert [c.id for c in q.check_history("taxi", limit=2)] == [again.id, two.id]
        assert q.first_check("taxi", "b1") == one


def test_deliveries_round_trip_and_find_only_a_delivered_one(store: Store) -> None:
    with store.transaction() as tx:
        check = tx.add_check(make_check())
        failed = tx.add_delivery(make_delivery(status="failed", check_id=check.id))
    with store.read() as q:
        assert q.find_delivery("ops", "taxi", "2026-01-02", Verdict.FAIL) is None
        assert q.list_deliveries() == [failed]
    assert failed.last_error.startswith("HTTP 503") and failed.attempts == 3
    with store.transaction() as tx:
        ok = tx.add_delivery(make_delivery(check_id=check.id))
        tx.add_delivery(make_delivery("retrain", verdict=Verdict.PASS, batch="b0"))
    with store.read() as q:
        assert q.find_delivery("ops", "taxi", "2026-01-02", Verdict.FAIL) == ok
        assert q.find_delivery("ops", "taxi", "2026-01-02", Verdict.WARN) is None
        assert q.find_delivery("other", "taxi", "2026-01-02", Verdict.FAIL) is None
        assert [d.hook for d in q.list_deliveries()] == ["retrain", "ops", "ops"]
        assert [d.hook for d in q.list_deliveries(limit=1)] == ["retrain"]
        assert q.list_deliveries(dataset="penguin") == []
    assert ok.delivered_at == T0 + timedelta(minutes=1) and ok.check_id == check.id


def test_delivery_for_a_dataset_without_batches_is_recorded(store: Store) -> None:
    """``dataguard hooks test`` records a delivery for a made-up dataset and batch."""
    with store.transaction() as tx:
        tx.add_delivery(make_delivery("ops", verdict=Verdict.WARN, batch="test"))
    with store.read() as q:
        assert q.list_deliveries("taxi")[0].batch == "test"


def test_read_sessions_do_not_write(store: Store) -> None:
    with store.read() as q:
        q.add_batch(make_batch())  # not committed: read() always rolls back
    assert store.is_empty()


def test_database_errors_become_one_line_store_errors(store: Store) -> None:
    store.dispose()
    with pytest.raises(StoreError) as err, store.transaction() as tx:
        tx.session.execute(__import__("sqlalchemy").text("SELECT * FROM no_such_table"))
    message = str(err.value)
    assert "\n" not in message and "no_such_table" in message
    assert message.startswith("store ")


def test_a_nested_write_transaction_fails_fast_instead_of_waiting_on_itself(store: Store) -> None:
    with store.transaction() as outer:
        outer.add_batch(make_batch("b1"))
        with (
            pytest.raises(StoreError, match="already open in this thread"),
            store.transaction(),
        ):
            pass  # pragma: no cover
        with store.read() as q:  # reading meanwhile is fine
            q.list_datasets()
    with store.read() as q:
        assert [b.name for b in q.list_batches("taxi")] == ["b1"]
    with store.transaction() as tx:  # and the flag is cleared afterwards
        tx.add_batch(make_batch("b2"))
