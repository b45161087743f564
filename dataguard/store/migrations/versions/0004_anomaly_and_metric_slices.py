"""Slices: the slice each anomaly and metric is about (``payment_type_Cash``).

Nullable: NULL is the whole batch, which is what every row stored before this revision is
about (checks measured no slices then), so nothing needs filling in.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("anomalies", "metrics"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("slice", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in ("metrics", "anomalies"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("slice")
