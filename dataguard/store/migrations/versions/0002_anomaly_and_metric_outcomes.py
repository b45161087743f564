"""Outcomes: the policy's ``fail`` / ``warn`` / ``ignored`` for each anomaly and metric.

Nullable: rows stored before this revision keep NULL, shown as unknown (the policy of the day
they were checked is not recorded, so it is not guessed); a metric within its threshold is NULL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("anomalies") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    with op.batch_alter_table("metrics") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("metrics") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("anomalies") as batch:
        batch.drop_column("outcome")
