"""Alembic migrations shipped in the package, configured in code and run under a lock.

Two processes opening a fresh store at once must not both create tables: the upgrade runs inside
one write transaction that first takes the database's writer lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``pg_advisory_xact_lock``). The second process waits, then finds the store at head.

    upgrade(engine)          # -> "0001_initial" (the revision the store is at)
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dataguard.store.engine import WRITE_OPTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_KEY = 0x64617461_67726400 & 0x7FFF_FFFF_FFFF_FFFF  # "datagrd": any fixed bigint


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Upgrade the store to ``revision`` (head) under the writer lock; return where it is now."""
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head and revision == "head":
            conn.rollback()
            return head
        conn.rollback()
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
        command.upgrade(alembic_config(conn), revision)
        return current_revision(conn)


def downgrade(engine: sa.Engine, revision: str = "base") -> str | None:
    """For tests and operators: go back to ``revision`` under the same lock."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
        command.downgrade(alembic_config(conn), revision)
        return current_revision(conn)
