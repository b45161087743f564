"""Read models for the dashboard: small frozen rows answered by one or two SQL queries each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dataguard.core.models import Role, Verdict


@dataclass(frozen=True)
class DatasetSummary:
    """One line of the overview page: the dataset's latest batch and check, and recent verdicts."""

    dataset: str
    latest_batch: str | None
    latest_batch_role: Role | None
    latest_batch_at: datetime | None
    latest_check_id: int | None
    latest_verdict: Verdict | None
    latest_check_batch: str | None
    latest_check_at: datetime | None
    latest_anomaly_count: int
    recent_verdicts: tuple[Verdict, ...]  # newest first, up to 30
    num_batches: int = 0
    num_checks: int = 0


@dataclass(frozen=True)
class CheckSummary:
    id: int
    dataset: str
    batch: str
    verdict: Verdict
    schema_version: int
    baseline_batch: str | None
    serving_batch: str | None
    num_examples: int
    anomaly_count: int
    created_at: datetime


@dataclass(frozen=True)
class MetricPoint:
    """One metric of one check, with the check's batch and time (a point of a drift chart)."""

    batch: str
    created_at: datetime
    check_id: int
    feature: str
    comparison: str
    method: str
    value: float
    threshold: float | None
    exceeded: bool


@dataclass(frozen=True)
class ProfilePoint:
    """One number of one batch's profile (a point of a statistics trend series): ``feature`` ""
    is the batch itself (``num_examples``); ``value`` NaN where the statistic has none."""

    batch: str
    feature: str
    stat: str
    value: float
