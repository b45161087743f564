"""The store's baseline queries (issue 14, item 2), on SQLite and PostgreSQL (``store_url``):
batches are ordered by name in byte order, whenever they were stored, and the last-passing
baseline skips batches whose latest check failed or that were never checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dataguard.core.models import Role, Verdict
from dataguard.store import Store
from tests.store.builders import T0, make_batch, make_check


def _add(store: Store, *names: str, role: Role = Role.TRAINING) -> None:
    with store.transaction() as tx:
        for i, name in enumerate(names):
            tx.add_batch(make_batch(name, role=role, created_at=T0 + timedelta(days=i)))


def _name(batch) -> str | None:  # type: ignore[no-untyped-def]
    return None if batch is None else batch.name


def test_the_preceding_batch_is_the_one_named_just_before_not_the_one_stored_before(
    store: Store,
) -> None:
    _add(store, "2026-11-01", "2026-11-03", "2026-11-02")  # 11-02 backfilled last
    _add(store, "2026-11-00", role=Role.SERVING)
    with store.read() as q:
        assert _name(q.preceding_batch("taxi", "2026-11-02")) == "2026-11-01"
        assert _name(q.preceding_batch("taxi", "2026-11-03")) == "2026-11-02"
        assert q.preceding_batch("taxi", "2026-11-01") is None  # the serving batch never counts
        assert _name(q.preceding_batch("taxi", "2026-12-01")) == "2026-11-03"  # need not exist
        assert _name(q.preceding_batch("taxi", "2026-11-01", Role.SERVING)) == "2026-11-00"
        assert q.preceding_batch("cabs", "2026-11-02") is None


def test_batch_names_are_compared_byte_by_byte_on_every_backend(store: Store) -> None:
    # a PostgreSQL locale collation would sort these a, b, B (case-insensitively first)
    _add(store, "b", "B", "a")
    with store.read() as q:
        assert q.preceding_batch("taxi", "B") is None
        assert _name(q.preceding_batch("taxi", "a")) == "B"
        assert _name(q.preceding_batch("taxi", "b")) == "a"


def test_last_passing_is_the_latest_batch_before_whose_latest_check_passed_or_warned(
    store: Store,
) -> None:
    _add(store, "d0", "d1", "d2", "d3", "d4")
    at = iter(T0 + timedelta(hours=h) for h in range(100))
    with store.transaction() as tx:
        for batch, verdict in [("d1", Verdict.PASS), ("d2", Verdict.FAIL),
                               ("d3", Verdict.FAIL), ("d3", Verdict.WARN),  # re-checked: warn
                               ("d4", Verdict.PASS), ("d4", Verdict.FAIL)]:  # re-checked: fail
            tx.add_check(make_check(batch, verdict=verdict, created_at=next(at)))
    with store.read() as q:
        assert _name(q.last_passing_batch("taxi", "d5")) == "d3"
        assert _name(q.last_passing_batch("taxi", "d3")) == "d1"  # d2 failed
        assert _name(q.last_passing_batch("taxi", "d2")) == "d1"
        assert q.last_passing_batch("taxi", "d1") is None  # d0 was never checked
        assert q.last_passing_batch("cabs", "d5") is None


def test_first_check_of_a_batch_is_the_oldest(store: Store) -> None:
    _add(store, "2026-01-01", "2026-01-02")
    with store.transaction() as tx:
        first = tx.add_check(make_check(created_at=T0 + timedelta(days=1)))
        tx.add_check(replace(make_check(created_at=T0 + timedelta(days=2)), baseline_batch=None))
    with store.read() as q:
        found = q.first_check("taxi", "2026-01-02")
        assert found is not None and found.id == first.id
        assert found.baseline_batch == "2026-01-01"
        assert q.first_check("taxi", "2026-01-01") is None
