"""Batch profiles: each batch's trend series (example count; per feature missing share, mean,
std, unique count) as rows, so trend checks and the dashboard need no statistics artifact.

Creates the empty table only: reading artifacts (possibly on gs://) inside a migration would make
``dataguard migrate`` slow and fallible. Batches recorded before it get their profile when a trend
check first needs it, or all at once with ``dataguard admin backfill-profiles``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_profiles",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("feature", sa.Text(), nullable=False),
        sa.Column("stat", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_batch_profiles_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "feature", "stat", name=op.f("pk_batch_profiles")),
    )


def downgrade() -> None:
    op.drop_table("batch_profiles")
