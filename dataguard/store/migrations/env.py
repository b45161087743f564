"""Alembic environment: runs on the connection ``dataguard.store.migrate`` hands over.

No alembic.ini at runtime: ``migrate.alembic_config()`` builds the configuration in code and puts
the open connection (already inside the locked transaction) in ``config.attributes``.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from dataguard.store.tables import Base, UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable from the alembic CLI
    raise RuntimeError("run migrations through `dataguard migrate` (dataguard.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
