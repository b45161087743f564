"""Builders of the core dataclasses for store tests (no pytest import: the worker processes of
the concurrency tests use them too)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

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
