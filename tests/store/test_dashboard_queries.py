"""Dashboard read models: right answers, newest-first where promised, and a fixed query count."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from dataguard.core.models import Role, Verdict
from dataguard.store import Store
from dataguard.store.views import CheckSummary
from tests.store.builders import T0, make_batch, make_check

VERDICTS = [Verdict.PASS, Verdict.WARN, Verdict.FAIL]


def _fill(store: Store, datasets: int, days: int, features: int) -> None:
    """``datasets`` × ``days`` batches, each checked, with ``features`` drift metrics per check."""
    names = tuple(f"f{i:02d}" for i in range(features))
    with store.transaction() as tx:
        for d in range(datasets):
            for day in range(days):
                at = T0 + timedelta(days=day, minutes=d)
                tx.add_batch(make_batch(f"day{day:03d}", f"ds{d:02d}", created_at=at))
                tx.add_check(
                    make_check(
                        f"day{day:03d}",
                        f"ds{d:02d}",
                        verdict=VERDICTS[(day + d) % 3],
                        features=names,
                        created_at=at + timedelta(seconds=30),
                    )
                )


@contextmanager
def _counting(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)


def test_overview_summarizes_every_dataset_in_two_queries(store: Store) -> None:
    _fill(store, datasets=4, days=35, features=3)
    with store.transaction() as tx:  # a dataset with a batch but no check yet
        tx.add_batch(make_batch("first", "new", role=Role.SERVING))
    with _counting(store) as statements, store.read() as q:
        overview = q.dataset_overview()
    assert len(statements) == 2
    assert [s.dataset for s in overview] == ["ds00", "ds01", "ds02", "ds03", "new"]
    ds1 = overview[1]
    assert (ds1.latest_batch, ds1.latest_batch_role) == ("day034", Role.TRAINING)
    assert ds1.latest_batch_at == T0 + timedelta(days=34, minutes=1)
    assert ds1.latest_check_batch == "day034"
    assert ds1.latest_verdict == VERDICTS[(34 + 1) % 3]
    assert ds1.latest_anomaly_count == 2
    assert len(ds1.recent_verdicts) == 30
    assert ds1.recent_verdicts[:3] == tuple(VERDICTS[(day + 1) % 3] for day in (34, 33, 32))
    assert (ds1.num_batches, ds1.num_checks) == (35, 35)
    with store.read() as q:
        assert ds1.latest_check_id == q.latest_check("ds01").id
        assert q.latest_check_id() == max(s.latest_check_id or 0 for s in overview)
    new = overview[-1]
    assert (new.latest_batch, new.latest_batch_role) == ("first", Role.SERVING)
    assert new.latest_check_id is None and new.latest_verdict is None
    assert new.recent_verdicts == () and new.num_checks == 0


def test_check_history_is_newest_first_and_limited(store: Store) -> None:
    _fill(store, datasets=2, days=10, features=2)
    with _counting(store) as statements, store.read() as q:
        history = q.check_history("ds01", limit=4)
    assert len(statements) == 1
    assert [c.batch for c in history] == ["day009", "day008", "day007", "day006"]
    assert all(c.dataset == "ds01" and c.anomaly_count == 2 for c in history)
    assert history[0].created_at == T0 + timedelta(days=9, minutes=1, seconds=30)
    assert history[0].baseline_batch == "2026-01-01" and history[0].schema_version == 1


def test_metric_history_covers_the_latest_checks_oldest_first(store: Store) -> None:
    _fill(store, datasets=2, days=10, features=3)
    with _counting(store) as statements, store.read() as q:
        points = q.metric_history("ds00", limit_checks=3)
        drift = q.metric_history("ds00", comparison="drift", limit_checks=3)
    assert len(statements) == 4  # two each: the newest checks, then their metrics
    assert [p.batch for p in points[::4]] == ["day007", "day008", "day009"]
    assert len(points) == 3 * 4  # 3 drift metrics + 1 skew metric per check
    assert len(drift) == 9 and {p.comparison for p in drift} == {"drift"}
    first = points[0]
    assert (first.feature, first.method, first.value, first.threshold, first.exceeded) == (
        "f00",
        "l_infinity",
        0.0,
        0.05,
        False,
    )
    assert first.created_at == T0 + timedelta(days=7, seconds=30)
    assert first.check_id == points[3].check_id != points[4].check_id


def test_dashboard_queries_on_an_unknown_dataset_are_empty(store: Store) -> None:
    with store.read() as q:
        assert q.dataset_overview() == []
        assert q.check_history("nope") == []
        assert q.metric_history("nope") == []
        assert q.latest_check_id() is None


def test_a_checks_summary_says_what_the_check_says(store: Store) -> None:
    with store.transaction() as tx:
        stored = tx.add_check(make_check("b1", created_at=T0))
    with store.read() as q:
        (summary,) = q.check_history("taxi")
    assert summary == CheckSummary(
        id=stored.id, dataset="taxi", batch="b1", verdict=stored.verdict,
        schema_version=stored.schema_version, baseline_batch=stored.baseline_batch,
        serving_batch=stored.serving_batch, num_examples=stored.num_examples,
        anomaly_count=len(stored.anomalies), created_at=T0,
    )
