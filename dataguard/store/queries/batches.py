"""Batches of a dataset, unique per (dataset, role, name).

Listings are in the order batches were stored; baselines follow the order of batch *names*
(byte order, so ``2026-11-24`` < ``2026-11-25``, as TFX orders spans), whatever the order in which
they were stored, so a backfilled batch is compared with the one before it in time.

    batches.add(batch)                          # UsageError naming --replace if it exists
    batches.preceding("taxi", "2026-11-25")     # the training batch named just before
    batches.last_passing("taxi", "2026-11-25")  # ... whose latest check passed or warned
    batches.preceding_many("taxi", "2026-11-25", 7)  # the 7 named before it: window:7
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.core.models import Batch, Role
from dataguard.errors import UsageError
from dataguard.store.queries.datasets import DatasetRows
from dataguard.store.tables import BatchRow, CheckRow, DatasetRow, utcnow

PASSING_VERDICTS = ("pass", "warn")


class SqlBatches:
    def __init__(self, session: Session, datasets: DatasetRows) -> None:
        self.session = session
        self.datasets = datasets

    def add(self, batch: Batch, *, replace: bool = False) -> Batch:
        """Insert, or with ``replace`` update in place (same id and created_at, so the order of
        batches is stable)."""
        role = Role(batch.role)
        dataset_id = self.datasets.id_of(batch.dataset, create=True, lock=True)
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

    def get(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None:
        row = self.session.scalar(self._of(dataset, role).where(BatchRow.name == name))
        return None if row is None else _batch(row, dataset)

    def all_of(self, dataset: str, role: Role | None = None) -> list[Batch]:
        """Oldest first (by created_at, then id); [] for an unknown dataset."""
        rows = self.session.scalars(
            self._of(dataset, role).order_by(BatchRow.created_at, BatchRow.id)
        )
        return [_batch(row, dataset) for row in rows]

    def preceding(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None:
        """The batch of that role whose name sorts just before ``name`` (``name`` itself need not
        be stored); None when there is none."""
        ordered = name_in_byte_order(self.session)
        row = self.session.scalar(
            self._of(dataset, role).where(ordered < name).order_by(ordered.desc()).limit(1)
        )
        return None if row is None else _batch(row, dataset)

    def preceding_many(
        self, dataset: str, name: str, limit: int, role: Role = Role.TRAINING
    ) -> list[Batch]:
        """The ``limit`` batches of that role named just before ``name``, in name order."""
        ordered = name_in_byte_order(self.session)
        rows = self.session.scalars(
            self._of(dataset, role).where(ordered < name).order_by(ordered.desc()).limit(limit)
        )
        return [_batch(row, dataset) for row in reversed(list(rows))]

    def last_passing(self, dataset: str, name: str) -> Batch | None:
        """The training batch named before ``name`` whose most recent check passed or warned
        (batches never checked, or whose latest check failed, are skipped)."""
        ordered = name_in_byte_order(self.session)
        latest_verdict = (
            sa.select(CheckRow.verdict)
            .where(CheckRow.dataset_id == BatchRow.dataset_id, CheckRow.batch_name == BatchRow.name)
            .order_by(CheckRow.created_at.desc(), CheckRow.id.desc())
            .limit(1)
            .correlate(BatchRow)
            .scalar_subquery()
        )
        row = self.session.scalar(
            self._of(dataset, Role.TRAINING)
            .where(ordered < name, latest_verdict.in_(PASSING_VERDICTS))
            .order_by(ordered.desc())
            .limit(1)
        )
        return None if row is None else _batch(row, dataset)

    def latest(self, dataset: str, role: Role = Role.TRAINING) -> Batch | None:
        """The batch whose name sorts last (batch order is name order, like TFX spans)."""
        ordered = name_in_byte_order(self.session)
        row = self.session.scalar(self._of(dataset, role).order_by(ordered.desc()).limit(1))
        return None if row is None else _batch(row, dataset)

    def _of(self, dataset: str, role: Role | None) -> sa.Select[BatchRow]:
        query = sa.select(BatchRow).join(BatchRow.dataset).where(DatasetRow.name == dataset)
        return query if role is None else query.where(BatchRow.role == Role(role).value)


def name_in_byte_order(session: Session) -> sa.ColumnElement[Any]:
    """The batch name compared byte by byte on every backend (PostgreSQL would otherwise use the
    database's locale, where e.g. ``b`` < ``B`` < ``c``)."""
    if session.get_bind().dialect.name == "postgresql":
        return BatchRow.name.collate("C")
    return BatchRow.name.expression


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
