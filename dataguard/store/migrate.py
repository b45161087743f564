"""Alembic migrations shipped in the package, configured in code and run under a lock.

Two processes opening a fresh store at once must not both create tables: the upgrade runs inside
one write transaction that first takes the database's writer lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``pg_advisory_xact_lock``). The second process waits, then finds the store at head.

    upgrade(engine)          # -> "0001" (the revision the store is at)

Alembic itself is imported only when there is something to do: a store already at
``HEAD_REVISION`` is recognised with one plain query, which keeps every command's start fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dataguard.store.engine import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0005"  # the newest file in migrations/versions (a test keeps them in step)
ADVISORY_LOCK_KEY = 0x64617461_67726400 & 0x7FFF_FFFF_FFFF_FFFF  # "datagrd": any fixed bigint


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The head according to the migration scripts (slow path: imports alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: sa.Connection) -> str | None:
    """The revision stored in the database, None for an empty one (no alembic import)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Upgrade the store to ``revision`` (head) under the writer lock; return where it is now."""
    if revision == "head":
        with engine.connect() as conn:
            current = current_revision(conn)
            conn.rollback()
        if current == HEAD_REVISION:
            return current
    from alembic import command

    with _locked(engine) as conn:
        command.upgrade(alembic_config(conn), revision)
        return current_revision(conn)


def downgrade(engine: sa.Engine, revision: str = "base") -> str | None:
    """For tests and operators: go back to ``revision`` under the same lock."""
    from alembic import command

    with _locked(engine) as conn:
        command.downgrade(alembic_config(conn), revision)
        return current_revision(conn)


@contextmanager
def _locked(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction holding the database's writer lock (SQLite ``BEGIN IMMEDIATE``,
    PostgreSQL ``pg_advisory_xact_lock``); committed when the block ends."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
        yield conn
