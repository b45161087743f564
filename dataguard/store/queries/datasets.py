"""Dataset rows: the parent of every batch, schema version and check.

Races between writer processes are settled by the database, not by luck: a missing dataset row is
created with ``INSERT … ON CONFLICT DO NOTHING``, and allocations that depend on what is already
there (batch name, next schema version) lock the dataset row first (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite write transactions are ``BEGIN IMMEDIATE`` and so already serialized).

    dataset_id = datasets.id_of("taxi", create=True, lock=True)   # this writer's until commit
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.store.tables import DatasetRow, utcnow


class DatasetRows:
    def __init__(self, session: Session) -> None:
        self.session = session

    def names(self) -> list[str]:
        """Dataset names, sorted."""
        return list(self.session.scalars(sa.select(DatasetRow.name).order_by(DatasetRow.name)))

    def id_of(self, name: str, *, create: bool = False, lock: bool = False) -> int | None:
        """The dataset's id; ``create`` inserts a missing one, ``lock`` holds the row until the
        transaction ends (so allocations under it do not race)."""
        query = sa.select(DatasetRow.id).where(DatasetRow.name == name)
        if lock:
            query = query.with_for_update()
        found = self.session.scalar(query)
        if found is not None or not create:
            return found
        self.session.execute(_insert_ignore(self.session, name))
        return self.session.scalar(query)


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
