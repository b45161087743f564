"""Builders of the core dataclasses for store tests (no pytest import: the worker processes of
the concurrency tests use them too)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from dataguard.core.models import (
    Anomaly,
    AnomalyKind,
    Batch,
    CheckResult,
    HookDelivery,
    Metric,
    Role,
    Verdict,
)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def make_batch(
    name: str = "2026-01-01",
    dataset: str = "taxi",
    role: Role = Role.TRAINING,
    *,
    source: str | Path = "train.csv",
    num_examples: int = 10_000,
    created_at: datetime | None = None,
) -> Batch:
    digest = hashlib.sha256(f"{dataset}/{role.value}/{name}/{source}".encode()).hexdigest()
    return Batch(
        dataset=dataset,
        name=name,
        role=role,
        num_examples=num_examples,
        artifact_uri=f"/artifacts/{dataset}/{role.value}/{name}/stats-{digest[:8]}.pb",
        sha256=digest,
        source=str(source),
        created_at=created_at,
    )


def make_check(
    batch: str = "2026-01-02",
    dataset: str = "taxi",
    *,
    verdict: Verdict = Verdict.FAIL,
    features: tuple[str, ...] = ("payment_type", "trip_miles", "company"),
    created_at: datetime | None = None,
) -> CheckResult:
    anomalies = (
        Anomaly(
            feature="payment_type",
            kind=AnomalyKind.DRIFT,
            type="COMPARATOR_L_INFTY_HIGH",
            severity="error",
            short_description="High Linfty distance between current and previous",
            description="The Linfty distance between current and previous is 0.2 (up to six "
            "significant digits), above the threshold 0.01.",
        ),
        Anomaly(
            feature="",
            kind=AnomalyKind.SCHEMA,
            type="SCHEMA_NEW_COLUMN",
            severity="warning",
            short_description="New column",
            description="New column (column in data but not in schema)",
        ),
    )
    metrics = tuple(
        Metric(
            feature=f,
            comparison="drift",
            method="l_infinity",
            value=0.01 * i,
            threshold=0.05,
            exceeded=0.01 * i > 0.05,
        )
        for i, f in enumerate(features)
    ) + (Metric("trip_miles", "skew", "jensen_shannon", 0.2, None, False),)
    return CheckResult(
        dataset=dataset,
        batch=batch,
        verdict=verdict,
        schema_version=1,
        baseline_batch="2026-01-01",
        serving_batch="serving-2026-01-02",
        num_examples=10_000,
        anomalies=anomalies,
        metrics=metrics,
        created_at=created_at,
    )


def make_delivery(
    hook: str = "ops",
    *,
    status: str = "delivered",
    verdict: Verdict = Verdict.FAIL,
    batch: str = "2026-01-02",
    check_id: int | None = None,
) -> HookDelivery:
    return HookDelivery(
        hook=hook,
        dataset="taxi",
        batch=batch,
        verdict=verdict,
        status=status,
        attempts=1 if status == "delivered" else 3,
        last_error=None if status == "delivered" else "HTTP 503 from https://hooks.example/x",
        check_id=check_id,
        delivered_at=T0 + timedelta(minutes=1) if status == "delivered" else None,
    )


def insert_old_check(engine: Any, *, batch: str = "old", verdict: str = "fail",
                     baseline_batch: str | None = None, findings: bool = True,
                     outcome: str | None = None) -> None:
    """Check 1 of dataset ``taxi`` written with raw SQL, as a store migrated only to an older
    revision holds it (its columns only: ``outcome`` from 0002 on, when given), with one drift
    anomaly and its metric unless ``findings`` is false."""
    import sqlalchemy as sa

    judged = ", outcome" if outcome is not None else ""
    value = f", '{outcome}'" if outcome is not None else ""
    base = ", baseline_batch" if baseline_batch is not None else ""
    base_value = f", '{baseline_batch}'" if baseline_batch is not None else ""
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO datasets (id, name, created_at) VALUES "
                             "(1, 'taxi', '2026-11-20 00:00:00+00:00')"))
        conn.execute(sa.text(
            f"INSERT INTO checks (id, dataset_id, batch_name, batch_role, verdict, schema_version"
            f"{base}, num_examples, anomaly_count, created_at) VALUES (1, 1, '{batch}', "
            f"'training', '{verdict}', 1{base_value}, 10, {int(findings)}, "
            "'2026-11-20 00:00:00+00:00')"))
        if not findings:
            return
        conn.execute(sa.text(
            f"INSERT INTO anomalies (check_id, feature, kind, type, severity, short_description,"
            f" description{judged}) VALUES (1, 'f', 'drift', 'COMPARATOR_L_INFTY_HIGH', 'error',"
            f" 's', 'd'{value})"))
        conn.execute(sa.text(
            f"INSERT INTO metrics (check_id, feature, comparison, method, value, threshold,"
            f" exceeded{judged}) VALUES (1, 'f', 'drift', 'l_infinity', 0.5, 0.1, true{value})"))


def round_trip(store_url: str, check: CheckResult) -> CheckResult:
    """``check`` written to the store in one transaction and read back (its batch's latest)."""
    from dataguard.store import open_store

    store = open_store(store_url)
    try:
        with store.transaction() as tx:
            stored = tx.add_check(check)
        with store.read() as q:
            again = q.latest_check(check.dataset, check.batch)
    finally:
        store.dispose()
    assert again == stored  # the check as it was stored, read back
    return again


def migrate_old_check(engine: Any, old: str, new: str, *tables: str,
                      **check: Any) -> dict[str, set[str]]:
    """A store at revision ``old`` holding ``insert_old_check(**check)``, upgraded to ``new``:
    the column names of ``tables`` after the upgrade (the engine is disposed)."""
    import sqlalchemy as sa

    from dataguard.store.migrate import upgrade

    assert upgrade(engine, old) == old
    insert_old_check(engine, **check)
    assert upgrade(engine, new) == new
    columns = {t: {c["name"] for c in sa.inspect(engine).get_columns(t)} for t in tables}
    engine.dispose()
    return columns
