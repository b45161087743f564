"""SQLAlchemy implementation of ``StoreSession``: ORM rows in, frozen dataclasses out.

Races between writer processes are settled by the database, not by luck: a missing dataset row is
created with ``INSERT … ON CONFLICT DO NOTHING``, and allocations that depend on what is already
there (batch name, next schema version) lock the dataset row first (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite write transactions are ``BEGIN IMMEDIATE`` and so already serialized).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.core.models import (
    Anomaly,
    AnomalyKind,
    Batch,
    CheckResult,
    HookDelivery,
    Metric,
    Role,
    SchemaVersion,
    Verdict,
)
from dataguard.errors import UsageError
from dataguard.store.dashboard import DashboardQueries
from dataguard.store.tables import (
    AnomalyRow,
    BatchRow,
    CheckRow,
    DatasetRow,
    HookDeliveryRow,
    MetricRow,
    SchemaVersionRow,
    utcnow,
)


class SqlStoreSession(DashboardQueries):
    """The StoreSession port on one SQLAlchemy ORM session (one transaction)."""

    def __init__(self, session: Session, *, write: bool = False) -> None:
        self.session = session
        self.write = write

    # --- datasets -------------------------------------------------------------------------
    def list_datasets(self) -> list[str]:
        return list(self.session.scalars(sa.select(DatasetRow.name).order_by(DatasetRow.name)))

    def _dataset_id(self, name: str, *, create: bool = False, lock: bool = False) -> int | None:
        query = sa.select(DatasetRow.id).where(DatasetRow.name == name)
        if lock:
            query = query.with_for_update()
        found = self.session.scalar(query)
        if found is not None or not create:
            return found
        self.session.execute(_insert_ignore(self.session, name))
        return self.session.scalar(query)

    # --- batches --------------------------------------------------------------------------
    def add_batch(self, batch: Batch, *, replace: bool = False) -> Batch:
        role = Role(batch.role)
        dataset_id = self._dataset_id(batch.dataset, create=True, lock=True)
        row = self.session.scalar(
            sa.select(BatchRow).where(
                BatchRow.dataset_id == dataset_id,
                BatchRow.role == role.value,
                BatchRow.name == batch.name,
            )
        )
        if row is not None and not replace:
            raise UsageError(
                f"batch '{batch.name}' of dataset '{batch.dataset}' ({role.value}) already "
                "exists; pass --replace to recompute it"
            )
        if row is None:
            row = BatchRow(
                dataset_id=dataset_id,
                role=role.value,
                name=batch.name,
                created_at=batch.created_at or utcnow(),
            )
            self.session.add(row)
        else:
            row.updated_at = utcnow()
        row.source = batch.source
        row.num_examples = batch.num_examples
        row.artifact_uri = batch.artifact_uri
        row.sha256 = batch.sha256
        self.session.flush()
        return _batch(row, batch.dataset)

    def _batches(self, dataset: str, role: Role | None) -> sa.Select[BatchRow]:
        query = sa.select(BatchRow).join(BatchRow.dataset).where(DatasetRow.name == dataset)
        return query if role is None else query.where(BatchRow.role == Role(role).value)

    def get_batch(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None:
        row = self.session.scalar(self._batches(dataset, role).where(BatchRow.name == name))
        return None if row is None else _batch(row, dataset)

    def list_batches(self, dataset: str, role: Role | None = None) -> list[Batch]:
        rows = self.session.scalars(
            self._batches(dataset, role).order_by(BatchRow.created_at, BatchRow.id)
        )
        return [_batch(row, dataset) for row in rows]

    def previous_batch(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None:
        this = self.session.scalar(self._batches(dataset, role).where(BatchRow.name == name))
        if this is None:
            return None
        row = self.session.scalar(
            self._batches(dataset, role)
            .where(
                sa.or_(
                    BatchRow.created_at < this.created_at,
                    sa.and_(BatchRow.created_at == this.created_at, BatchRow.id < this.id),
                )
            )
            .order_by(BatchRow.created_at.desc(), BatchRow.id.desc())
            .limit(1)
        )
        return None if row is None else _batch(row, dataset)

    def latest_batch(self, dataset: str, role: Role = Role.TRAINING) -> Batch | None:
        row = self.session.scalar(
            self._batches(dataset, role)
            .order_by(BatchRow.created_at.desc(), BatchRow.id.desc())
            .limit(1)
        )
        return None if row is None else _batch(row, dataset)

    # --- schema versions ------------------------------------------------------------------
    def add_schema_version(
        self, dataset: str, *, path: str, sha256: str, parent_version: int | None, message: str
    ) -> SchemaVersion:
        dataset_id = self._dataset_id(dataset, create=True, lock=True)
        version = self._max_version(dataset_id) + 1
        row = SchemaVersionRow(
            dataset_id=dataset_id,
            version=version,
            path=path,
            sha256=sha256,
            parent_version=parent_version,
            message=message,
            created_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        return _schema_version(row, dataset)

    def _max_version(self, dataset_id: int | None) -> int:
        if dataset_id is None:
            return 0
        query = sa.select(sa.func.max(SchemaVersionRow.version)).where(
            SchemaVersionRow.dataset_id == dataset_id
        )
        return self.session.scalar(query) or 0

    def next_schema_version(self, dataset: str) -> int:
        """In a write transaction this also locks (creating) the dataset row, so the number stays
        this writer's until it commits: a concurrent writer waits, then gets the next one."""
        dataset_id = self._dataset_id(dataset, create=self.write, lock=self.write)
        return self._max_version(dataset_id) + 1

    def get_schema_version(self, dataset: str, version: int | None = None) -> SchemaVersion | None:
        query = sa.select(SchemaVersionRow).join(SchemaVersionRow.dataset)
        query = query.where(DatasetRow.name == dataset)
        if version is None:
            query = query.order_by(SchemaVersionRow.version.desc()).limit(1)
        else:
            query = query.where(SchemaVersionRow.version == version)
        row = self.session.scalar(query)
        return None if row is None else _schema_version(row, dataset)

    def list_schema_versions(self, dataset: str) -> list[SchemaVersion]:
        rows = self.session.scalars(
            sa.select(SchemaVersionRow)
            .join(SchemaVersionRow.dataset)
            .where(DatasetRow.name == dataset)
            .order_by(SchemaVersionRow.version)
        )
        return [_schema_version(row, dataset) for row in rows]

    # --- checks ---------------------------------------------------------------------------
    def add_check(self, result: CheckResult) -> CheckResult:
        dataset_id = self._dataset_id(result.dataset, create=True)
        row = CheckRow(
            dataset_id=dataset_id,
            batch_name=result.batch,
            batch_role=Role.TRAINING.value,
            verdict=Verdict(result.verdict).value,
            schema_version=result.schema_version,
            baseline_batch=result.baseline_batch,
            serving_batch=result.serving_batch,
            num_examples=result.num_examples,
            anomaly_count=len(result.anomalies),
            created_at=result.created_at or utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        if result.anomalies:
            self.session.execute(
                sa.insert(AnomalyRow),
                [
                    {
                        "check_id": row.id,
                        "feature": a.feature,
                        "kind": AnomalyKind(a.kind).value,
                        "type": a.type,
                        "severity": a.severity,
                        "short_description": a.short_description,
                        "description": a.description,
                    }
                    for a in result.anomalies
                ],
            )
        if result.metrics:
            self.session.execute(
                sa.insert(MetricRow),
                [
                    {
                        "check_id": row.id,
                        "feature": m.feature,
                        "comparison": m.comparison,
                        "method": m.method,
                        "value": None if math.isnan(m.value) else float(m.value),
                        "threshold": m.threshold,
                        "exceeded": bool(m.exceeded),
                    }
                    for m in result.metrics
                ],
            )
        return self._results([row], result.dataset)[0]

    def get_check(self, check_id: int) -> CheckResult | None:
        row = self.session.get(CheckRow, check_id)
        return None if row is None else self._results([row], row.dataset.name)[0]

    def latest_check(self, dataset: str, batch: str | None = None) -> CheckResult | None:
        query = self._newest_checks(dataset, 1)
        if batch is not None:
            query = query.where(CheckRow.batch_name == batch)
        row = self.session.scalar(query)
        return None if row is None else self._results([row], dataset)[0]

    def list_checks(self, dataset: str, limit: int | None = None) -> list[CheckResult]:
        rows = list(self.session.scalars(self._newest_checks(dataset, limit)))
        return self._results(rows, dataset)

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
        return [
            CheckResult(
                dataset=dataset,
                batch=row.batch_name,
                verdict=Verdict(row.verdict),
                schema_version=row.schema_version,
                baseline_batch=row.baseline_batch,
                serving_batch=row.serving_batch,
                num_examples=row.num_examples,
                anomalies=tuple(anomalies[row.id]),
                metrics=tuple(metrics[row.id]),
                id=row.id,
                created_at=row.created_at,
            )
            for row in rows
        ]

    # --- hook deliveries ------------------------------------------------------------------
    def add_delivery(self, delivery: HookDelivery) -> HookDelivery:
        row = HookDeliveryRow(
            hook=delivery.hook,
            dataset=delivery.dataset,
            batch=delivery.batch,
            verdict=Verdict(delivery.verdict).value,
            status=delivery.status,
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            check_id=delivery.check_id,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at or utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        return _delivery(row)

    def find_delivery(
        self, hook: str, dataset: str, batch: str, verdict: Verdict
    ) -> HookDelivery | None:
        row = self.session.scalar(
            sa.select(HookDeliveryRow)
            .where(
                HookDeliveryRow.hook == hook,
                HookDeliveryRow.dataset == dataset,
                HookDeliveryRow.batch == batch,
                HookDeliveryRow.verdict == Verdict(verdict).value,
                HookDeliveryRow.status == "delivered",
            )
            .order_by(HookDeliveryRow.id.desc())
            .limit(1)
        )
        return None if row is None else _delivery(row)

    def list_deliveries(self, dataset: str | None = None, limit: int = 100) -> list[HookDelivery]:
        query = sa.select(HookDeliveryRow)
        if dataset is not None:
            query = query.where(HookDeliveryRow.dataset == dataset)
        query = query.order_by(HookDeliveryRow.created_at.desc(), HookDeliveryRow.id.desc())
        return [_delivery(row) for row in self.session.scalars(query.limit(limit))]


def _insert_ignore(session: Session, name: str) -> sa.Executable:
    """INSERT the dataset unless another writer just did (both SQLite and PostgreSQL)."""
    values = {"name": name, "created_at": utcnow()}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return (
            postgresql.insert(DatasetRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["name"])
        )
    from sqlalchemy.dialects import sqlite

    return (
        sqlite.insert(DatasetRow).values(**values).on_conflict_do_nothing(index_elements=["name"])
    )


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batch(row: BatchRow, dataset: str) -> Batch:
    return Batch(
        dataset=dataset,
        name=row.name,
        role=Role(row.role),
        num_examples=row.num_examples,
        artifact_uri=row.artifact_uri,
        sha256=row.sha256,
        source=row.source,
        created_at=row.created_at,
        id=row.id,
    )


def _schema_version(row: SchemaVersionRow, dataset: str) -> SchemaVersion:
    return SchemaVersion(
        dataset=dataset,
        version=row.version,
        path=row.path,
        sha256=row.sha256,
        parent_version=row.parent_version,
        message=row.message,
        created_at=row.created_at,
    )


def _anomaly(row: AnomalyRow) -> Anomaly:
    return Anomaly(
        feature=row.feature,
        kind=AnomalyKind(row.kind),
        type=row.type,
        severity=row.severity,
        short_description=row.short_description,
        description=row.description,
    )


def _metric(row: MetricRow) -> Metric:
    return Metric(
        feature=row.feature,
        comparison=row.comparison,
        method=row.method,
        value=math.nan if row.value is None else row.value,
        threshold=row.threshold,
        exceeded=row.exceeded,
    )


def _delivery(row: HookDeliveryRow) -> HookDelivery:
    return HookDelivery(
        hook=row.hook,
        dataset=row.dataset,
        batch=row.batch,
        verdict=Verdict(row.verdict),
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        check_id=row.check_id,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
        id=row.id,
    )
