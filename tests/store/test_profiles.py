"""Batch profiles (migration 0005): each batch's trend series as rows, replaced with the batch,
read by batch list or by feature in batch-name order. SQLite and PostgreSQL."""

from __future__ import annotations

import math
from dataclasses import replace

import sqlalchemy as sa

from dataguard.core.models import Role
from dataguard.store import Store, open_store
from dataguard.store.engine import make_engine
from dataguard.store.migrate import downgrade, upgrade
from tests.store.builders import make_batch


def _profile(mean: float, rows: float = 1000.0) -> dict[tuple[str, str], float]:
    return {("", "num_examples"): rows, ("fare", "mean"): mean, ("fare", "std"): math.nan,
            ("company", "unique"): 7.0, ("company", "missing share"): 0.25}


def test_a_profile_is_read_back_by_batches_and_by_feature_in_name_order(store: Store) -> None:
    with store.transaction() as tx:
        for name, mean in (("b", 2.0), ("B", 1.0), ("c", 3.0)):
            tx.set_profile(tx.add_batch(make_batch(name)), _profile(mean))
        tx.set_profile(tx.add_batch(make_batch("a", role=Role.SERVING)), _profile(9.0))
        tx.set_profile(tx.add_batch(make_batch("b", dataset="other")), _profile(8.0))
    with store.read() as q:
        fare = q.profile_history("taxi", feature="fare")
        some = q.profile_history("taxi", batches=["c", "B"])
        serving = q.profile_history("taxi", feature="fare", role=Role.SERVING)
        features = q.profile_features("taxi")
    assert [(p.batch, p.stat, p.value) for p in fare if p.stat == "mean"] == [
        ("B", "mean", 1.0), ("b", "mean", 2.0), ("c", "mean", 3.0)]  # byte order
    assert all(math.isnan(p.value) for p in fare if p.stat == "std")  # NaN stored as NULL
    assert [p.batch for p in some] == ["B"] * 5 + ["c"] * 5
    assert {(p.feature, p.stat): p.value for p in some if p.batch == "c"}[("", "num_examples")] \
        == 1000.0
    assert [p.value for p in serving if p.stat == "mean"] == [9.0]
    assert features == ["company", "fare"]


def test_replacing_a_batch_replaces_its_profile_and_a_stale_one_is_not_written(
    store: Store,
) -> None:
    with store.transaction() as tx:
        old = tx.add_batch(make_batch("d"))
        tx.set_profile(old, _profile(1.0))
    newer = replace(make_batch("d", source="again.csv"))
    with store.transaction() as tx:
        stored = tx.add_batch(newer, replace=True)
        assert tx.set_profile(stored, {("", "num_examples"): 5.0, ("fare", "mean"): 4.0})
    with store.transaction() as tx:  # computed from the replaced artifact: not written
        assert not tx.set_profile(old, _profile(1.0))
        assert not tx.set_profile(make_batch("unknown"), _profile(1.0))
    with store.read() as q:
        rows = {(p.feature, p.stat): p.value for p in q.profile_history("taxi")}
    assert rows == {("", "num_examples"): 5.0, ("fare", "mean"): 4.0}


def test_a_failed_transaction_leaves_the_old_profile(store: Store) -> None:
    with store.transaction() as tx:
        tx.set_profile(tx.add_batch(make_batch("e")), _profile(1.0))
    try:
        with store.transaction() as tx:
            tx.set_profile(tx.add_batch(make_batch("e"), replace=True), _profile(2.0))
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    with store.read() as q:
        assert [p.value for p in q.profile_history("taxi", feature="fare")
                if p.stat == "mean"] == [1.0]


def test_migrating_a_0003_store_adds_an_empty_profile_table(store_url: str) -> None:
    engine = make_engine(store_url)
    assert upgrade(engine, "0003") == "0003"
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO datasets (id, name, created_at) VALUES "
                             "(1, 'taxi', '2026-11-20 00:00:00+00:00')"))
        conn.execute(sa.text(
            "INSERT INTO batches (id, dataset_id, role, name, source, num_examples, artifact_uri,"
            " sha256, created_at) VALUES (1, 1, 'training', 'old', 'x', 10, '/gone/stats.pb',"
            " 'f', '2026-11-20 00:00:00+00:00')"))
    store = open_store(store_url)  # migrates to head without reading any artifact
    try:
        with store.read() as q:
            assert q.get_batch("taxi", "old") is not None
            assert q.profile_history("taxi") == []
    finally:
        store.dispose()
    assert downgrade(engine, "0003") == "0003"
    assert "batch_profiles" not in sa.inspect(engine).get_table_names()
    engine.dispose()
