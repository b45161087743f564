"""The dashboard's read models (``DashboardReads`` of the port): a fixed, small number of SQL
statements whatever the store size.

Sized for 50 datasets × 365 checks × 50 features (~900k metric rows): the overview ranks batches
and checks per dataset with window functions (two queries, no N+1), histories read the newest
checks through the (dataset_id, created_at) index and their metrics through metrics.check_id.

    reads = SqlDashboardReads(session)
    reads.dataset_overview()            # two queries for any number of datasets
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from dataguard.core.models import Role, Verdict
from dataguard.store.queries.checks import check_fields, newest_checks
from dataguard.store.tables import (
    BatchRow,
    CheckRow,
    DatasetRow,
    MetricRow,
)
from dataguard.store.views import CheckSummary, DatasetSummary, MetricPoint


class SqlDashboardReads:
    def __init__(self, session: Session) -> None:
        self.session = session

    def dataset_overview(self, recent: int = 30) -> list[DatasetSummary]:
        ranked_batches = _ranked(BatchRow, BatchRow.name, BatchRow.role, BatchRow.created_at)
        latest = (
            sa.select(
                DatasetRow.id,
                DatasetRow.name,
                ranked_batches.c.name,
                ranked_batches.c.role,
                ranked_batches.c.created_at,
                ranked_batches.c.total,
            )
            .outerjoin(
                ranked_batches,
                sa.and_(ranked_batches.c.dataset_id == DatasetRow.id, ranked_batches.c.rn == 1),
            )
            .order_by(DatasetRow.name)
        )
        ranked_checks = _ranked(
            CheckRow,
            CheckRow.id,
            CheckRow.batch_name,
            CheckRow.verdict,
            CheckRow.created_at,
            CheckRow.anomaly_count,
        )
        checks: dict[int, list[sa.Row]] = {}
        for row in self.session.execute(
            sa.select(ranked_checks)
            .where(ranked_checks.c.rn <= max(recent, 1))
            .order_by(ranked_checks.c.dataset_id, ranked_checks.c.rn)
        ):
            checks.setdefault(row.dataset_id, []).append(row)
        summaries = []
        for dataset_id, dataset, batch, role, batch_at, num_batches in self.session.execute(latest):
            recent_rows = checks.get(dataset_id, [])
            newest = recent_rows[0] if recent_rows else None
            summaries.append(
                DatasetSummary(
                    dataset=dataset,
                    latest_batch=batch,
                    latest_batch_role=None if role is None else Role(role),
                    latest_batch_at=batch_at,
                    latest_check_id=None if newest is None else newest.id,
                    latest_verdict=None if newest is None else Verdict(newest.verdict),
                    latest_check_batch=None if newest is None else newest.batch_name,
                    latest_check_at=None if newest is None else newest.created_at,
                    latest_anomaly_count=0 if newest is None else newest.anomaly_count,
                    recent_verdicts=tuple(Verdict(r.verdict) for r in recent_rows[:recent]),
                    num_batches=num_batches or 0,
                    num_checks=0 if newest is None else newest.total,
                )
            )
        return summaries

    def check_history(self, dataset: str, limit: int = 365) -> list[CheckSummary]:
        return [
            CheckSummary(**check_fields(row, dataset), anomaly_count=row.anomaly_count)
            for row in self.session.scalars(newest_checks(dataset, limit))
        ]

    def metric_history(
        self, dataset: str, comparison: str | None = None, limit_checks: int = 365
    ) -> list[MetricPoint]:
        conn = self.session.connection()  # Core rows: ~18k points, skip the ORM's per-row work
        checks = {
            check_id: (batch, created_at)
            for check_id, batch, created_at in conn.execute(
                newest_checks(dataset, limit_checks).with_only_columns(
                    CheckRow.id, CheckRow.batch_name, CheckRow.created_at
                )
            )
        }
        if not checks:
            return []
        query = sa.select(
            MetricRow.check_id,
            MetricRow.feature,
            MetricRow.comparison,
            MetricRow.method,
            MetricRow.value,
            MetricRow.threshold,
            MetricRow.exceeded,
        ).where(MetricRow.check_id.in_(list(checks)), MetricRow.slice.is_(None))  # whole batch
        if comparison is not None:
            query = query.where(MetricRow.comparison == comparison)
        rows = list(conn.execute(query.order_by(MetricRow.id)))
        order = {check_id: n for n, check_id in enumerate(reversed(checks))}  # oldest first
        rows.sort(key=lambda r: order[r[0]])  # stable: metric insertion order within a check
        nan = math.nan
        return [
            MetricPoint(
                checks[check_id][0],
                checks[check_id][1],
                check_id,
                feature,
                comparison,
                method,
                nan if value is None else value,
                threshold,
                bool(exceeded),
            )
            for check_id, feature, comparison, method, value, threshold, exceeded in rows
        ]

    def latest_check_id(self) -> int | None:
        return self.session.scalar(sa.select(sa.func.max(CheckRow.id)))


def _ranked(
    table: type[BatchRow] | type[CheckRow], *columns: QueryableAttribute[Any]
) -> sa.Subquery:
    """``columns`` of ``table`` with the dataset_id, numbered newest first within each dataset
    (``rn``, 1 = newest) and counted per dataset (``total``)."""
    return sa.select(
        table.dataset_id,
        *columns,
        sa.func.row_number()
        .over(partition_by=table.dataset_id, order_by=(table.created_at.desc(), table.id.desc()))
        .label("rn"),
        sa.func.count().over(partition_by=table.dataset_id).label("total"),
    ).subquery()
