"""Schema versions 1, 2, … per dataset, allocated under the dataset row's lock.

Concurrent writers get distinct numbers (the dataset row is locked while allocating).

    number = schema_versions.next_number("taxi")   # in a write transaction: reserved until commit
    schema_versions.add("taxi", path=..., sha256=..., parent_version=None, message="first")
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.core.models import SchemaVersion
from dataguard.store.queries.datasets import DatasetRows
from dataguard.store.tables import DatasetRow, SchemaVersionRow, utcnow


class SqlSchemaVersions:
    def __init__(self, session: Session, datasets: DatasetRows, *, write: bool) -> None:
        self.session = session
        self.datasets = datasets
        self.write = write

    def add(
        self, dataset: str, *, path: str, sha256: str, parent_version: int | None, message: str
    ) -> SchemaVersion:
        dataset_id = self.datasets.id_of(dataset, create=True, lock=True)
        row = SchemaVersionRow(
            dataset_id=dataset_id,
            version=self._max_version(dataset_id) + 1,
            path=path,
            sha256=sha256,
            parent_version=parent_version,
            message=message,
            created_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        return _schema_version(row, dataset)

    def next_number(self, dataset: str) -> int:
        """In a write transaction this also locks (creating) the dataset row, so the number stays
        this writer's until it commits: a concurrent writer waits, then gets the next one."""
        dataset_id = self.datasets.id_of(dataset, create=self.write, lock=self.write)
        return self._max_version(dataset_id) + 1

    def get(self, dataset: str, version: int | None = None) -> SchemaVersion | None:
        query = sa.select(SchemaVersionRow).join(SchemaVersionRow.dataset)
        query = query.where(DatasetRow.name == dataset)
        if version is None:
            query = query.order_by(SchemaVersionRow.version.desc()).limit(1)
        else:
            query = query.where(SchemaVersionRow.version == version)
        row = self.session.scalar(query)
        return None if row is None else _schema_version(row, dataset)

    def all_of(self, dataset: str) -> list[SchemaVersion]:
        """Version 1 first."""
        rows = self.session.scalars(
            sa.select(SchemaVersionRow)
            .join(SchemaVersionRow.dataset)
            .where(DatasetRow.name == dataset)
            .order_by(SchemaVersionRow.version)
        )
        return [_schema_version(row, dataset) for row in rows]

    def _max_version(self, dataset_id: int | None) -> int:
        if dataset_id is None:
            return 0
        query = sa.select(sa.func.max(SchemaVersionRow.version)).where(
            SchemaVersionRow.dataset_id == dataset_id
        )
        return self.session.scalar(query) or 0


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
