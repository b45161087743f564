"""Migration 0003: each check records how its baseline was chosen; older checks keep their one
``baseline_batch`` with an unknown rule. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from dataguard.core.models import Baseline, BaselineRule, Batch, Role
from dataguard.store import open_store
from dataguard.store.engine import make_engine
from dataguard.store.migrate import downgrade, upgrade
from tests.store.builders import insert_old_check, make_check, round_trip

WINDOW = Baseline(BaselineRule.WINDOW, ("2026-11-18", "2026-11-19"), size=7)


def test_a_window_baseline_round_trips_through_the_store(store_url: str) -> None:
    check = replace(make_check(), baseline_batch=WINDOW.label, baseline=WINDOW)
    again = round_trip(store_url, check)
    store = open_store(store_url)
    with store.read() as q:
        first = q.first_check(check.dataset, check.batch)
    store.dispose()
    assert first is not None
    assert again.baseline == first.baseline == WINDOW
    assert again.baseline_batch == "window:7 (2 of 7: 2026-11-18..2026-11-19)"
    assert again.to_dict()["baseline"] == {"rule": "window", "batches": ["2026-11-18",
                                           "2026-11-19"], "name": None, "size": 7}


def test_preceding_batches_are_the_nearest_names_in_name_order(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with store.transaction() as tx:
            for name in ("2026-11-03", "2026-11-01", "2026-11-05", "2026-11-02", "B", "b"):
                tx.add_batch(Batch("taxi", name, Role.TRAINING, 1, f"mem://{name}", "0" * 64, "x"))
            tx.add_batch(Batch("taxi", "2026-11-04", Role.SERVING, 1, "mem://s", "0" * 64, "x"))
        with store.read() as q:
            names = [b.name for b in q.preceding_batches("taxi", "2026-11-05", 2)]
            everything = [b.name for b in q.preceding_batches("taxi", "c", 10)]
            none = q.preceding_batches("taxi", "2026-11-01", 3)
    finally:
        store.dispose()
    assert names == ["2026-11-02", "2026-11-03"]  # not the serving 2026-11-04
    assert everything == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-05", "B", "b"]
    assert none == []


def test_migrating_a_0002_store_keeps_its_checks_with_an_unknown_rule(store_url: str) -> None:
    engine = make_engine(store_url)
    assert upgrade(engine, "0002") == "0002"
    insert_old_check(engine, batch="new", verdict="pass", baseline_batch="old", findings=False)
    assert upgrade(engine, "0003") == "0003"
    columns = {c["name"] for c in sa.inspect(engine).get_columns("checks")}
    assert {"baseline_rule", "baseline_batches", "baseline_name", "baseline_size"} <= columns
    store = open_store(store_url)
    try:
        with store.read() as q:
            old = q.latest_check("taxi", "new")
    finally:
        store.dispose()
    assert old is not None
    assert (old.baseline_batch, old.baseline) == ("old", Baseline(None, ("old",)))
    assert old.to_dict()["baseline"] == {"rule": None, "batches": ["old"], "name": None,
                                         "size": None}
    assert downgrade(engine, "0002") == "0002"  # and back, keeping the check
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT baseline_batch FROM checks")).scalar() == "old"
    engine.dispose()
