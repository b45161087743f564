"""Checks with their anomalies and metrics, rebuilt as ``CheckResult``s in two extra queries.

A check row carries its anomaly count, so lists and the dashboard need not touch the anomalies;
``newest_checks`` is the one ordering (newest first) every reader of checks shares.

    stored = checks.add(result)           # with id and created_at
    checks.latest("taxi", "2024-03-02")   # anomalies and metrics included
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.core.models import (
    Anomaly,
    AnomalyKind,
    Baseline,
    BaselineRule,
    CheckResult,
    Comparison,
    Metric,
    Outcome,
    Role,
    Verdict,
)
from dataguard.store.queries.datasets import DatasetRows
from dataguard.store.tables import AnomalyRow, CheckRow, DatasetRow, MetricRow, utcnow


class SqlChecks:
    def __init__(self, session: Session, datasets: DatasetRows) -> None:
        self.session = session
        self.datasets = datasets

    def add(self, result: CheckResult) -> CheckResult:
        """Record the check; returns it as reading it back would (with id and created_at),
        rebuilt from the rows just written instead of read again."""
        row = CheckRow(
            dataset_id=self.datasets.id_of(result.dataset, create=True),
            batch_name=result.batch,
            batch_role=Role.TRAINING.value,
            verdict=Verdict(result.verdict).value,
            schema_version=result.schema_version,
            baseline_batch=result.baseline_batch,
            **_baseline_columns(result.baseline),
            serving_batch=result.serving_batch,
            num_examples=result.num_examples,
            anomaly_count=len(result.anomalies),
            created_at=result.created_at or utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        anomalies = [
            {
                "check_id": row.id,
                "feature": a.feature,
                "kind": AnomalyKind(a.kind).value,
                "type": a.type,
                "severity": a.severity,
                "short_description": a.short_description,
                "description": a.description,
                "outcome": _value(a.outcome),
                "slice": a.slice,
            }
            for a in result.anomalies
        ]
        metrics = [
            {
                "check_id": row.id,
                "feature": m.feature,
                "comparison": m.comparison.value,
                "method": m.method,
                "value": None if math.isnan(m.value) else float(m.value),
                "threshold": m.threshold,
                "exceeded": bool(m.exceeded),
                "outcome": _value(m.outcome),
                "slice": m.slice,
            }
            for m in result.metrics
        ]
        for table, values in ((AnomalyRow, anomalies), (MetricRow, metrics)):
            if values:
                self.session.execute(sa.insert(table), values)
        return _result(
            row,
            result.dataset,
            [_anomaly(AnomalyRow(**v)) for v in anomalies],  # rows never added to the session
            [_metric(MetricRow(**v)) for v in metrics],
        )

    def latest(self, dataset: str, batch: str | None = None) -> CheckResult | None:
        query = newest_checks(dataset, 1)
        if batch is not None:
            query = query.where(CheckRow.batch_name == batch)
        row = self.session.scalar(query)
        return None if row is None else self._results([row], dataset)[0]

    def first(self, dataset: str, batch: str) -> CheckResult | None:
        """The batch's first check (oldest by created_at, then id)."""
        row = self.session.scalar(
            sa.select(CheckRow)
            .join(CheckRow.dataset)
            .where(DatasetRow.name == dataset, CheckRow.batch_name == batch)
            .order_by(CheckRow.created_at, CheckRow.id)
            .limit(1)
        )
        return None if row is None else self._results([row], dataset)[0]

    def _results(self, rows: list[CheckRow], dataset: str) -> list[CheckResult]:
        """Rebuild CheckResults with anomalies and metrics in two queries (not two per check)."""
        ids = [row.id for row in rows]
        anomalies: dict[int, list[Anomaly]] = {i: [] for i in ids}
        metrics: dict[int, list[Metric]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            for a in self.session.scalars(
                sa.select(AnomalyRow).where(AnomalyRow.check_id.in_(chunk)).order_by(AnomalyRow.id)
            ):
                anomalies[a.check_id].append(_anomaly(a))
            for m in self.session.scalars(
                sa.select(MetricRow).where(MetricRow.check_id.in_(chunk)).order_by(MetricRow.id)
            ):
                metrics[m.check_id].append(_metric(m))
        return [_result(row, dataset, anomalies[row.id], metrics[row.id]) for row in rows]


def _result(
    row: CheckRow, dataset: str, anomalies: list[Anomaly], metrics: list[Metric]
) -> CheckResult:
    return CheckResult(**check_fields(row, dataset), anomalies=tuple(anomalies),
                       metrics=tuple(metrics), baseline=_baseline(row))


def check_fields(row: CheckRow, dataset: str) -> dict[str, Any]:
    """What a check row says of its check, the same for a ``CheckResult`` and the dashboard's
    ``CheckSummary``."""
    return {
        "id": row.id,
        "dataset": dataset,
        "batch": row.batch_name,
        "verdict": Verdict(row.verdict),
        "schema_version": row.schema_version,
        "baseline_batch": row.baseline_batch,
        "serving_batch": row.serving_batch,
        "num_examples": row.num_examples,
        "created_at": row.created_at,
    }


def _baseline_columns(baseline: Baseline | None) -> dict[str, Any]:
    if baseline is None:
        return {}
    return {
        "baseline_rule": None if baseline.rule is None else baseline.rule.value,
        "baseline_batches": json.dumps(list(baseline.batches)),
        "baseline_name": baseline.name,
        "baseline_size": baseline.size,
    }


def _baseline(row: CheckRow) -> Baseline | None:
    """The recorded baseline; a check stored before 0003 has its one batch and no rule."""
    if row.baseline_batches is None:
        if row.baseline_batch is None:
            return None
        return Baseline(rule=None, batches=(row.baseline_batch,))
    return Baseline(
        rule=None if row.baseline_rule is None else BaselineRule(row.baseline_rule),
        batches=tuple(json.loads(row.baseline_batches)),
        name=row.baseline_name,
        size=row.baseline_size,
    )


def newest_checks(dataset: str, limit: int | None) -> sa.Select[CheckRow]:
    """The dataset's checks, newest first (``limit`` None: all of them)."""
    return (
        sa.select(CheckRow)
        .join(CheckRow.dataset)
        .where(DatasetRow.name == dataset)
        .order_by(CheckRow.created_at.desc(), CheckRow.id.desc())
        .limit(limit)
    )


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _anomaly(row: AnomalyRow) -> Anomaly:
    return Anomaly(
        feature=row.feature,
        kind=AnomalyKind(row.kind),
        type=row.type,
        severity=row.severity,
        short_description=row.short_description,
        description=row.description,
        outcome=_outcome(row.outcome),
        slice=row.slice,
    )


def _metric(row: MetricRow) -> Metric:
    return Metric(
        feature=row.feature,
        comparison=Comparison(row.comparison),
        method=row.method,
        value=math.nan if row.value is None else row.value,
        threshold=row.threshold,
        exceeded=row.exceeded,
        outcome=_outcome(row.outcome),
        slice=row.slice,
    )


def _value(outcome: Outcome | None) -> str | None:
    return None if outcome is None else Outcome(outcome).value


def _outcome(stored: str | None) -> Outcome | None:
    """NULL: a metric within its threshold, or a row stored before outcomes were (unknown)."""
    return None if stored is None else Outcome(stored)
