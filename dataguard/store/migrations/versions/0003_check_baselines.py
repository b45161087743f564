"""Baselines: how each check's baseline was chosen (rule, batches, reference name, window size).

Nullable: checks stored before this revision keep NULL and read back as their one
``baseline_batch`` with an unknown (null) rule; the rule of the day is not guessed. A default
re-check of such a batch keeps measuring against that one batch.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.add_column(sa.Column("baseline_rule", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("baseline_batches", sa.Text(), nullable=True))
        batch.add_column(sa.Column("baseline_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("baseline_size", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.drop_column("baseline_size")
        batch.drop_column("baseline_name")
        batch.drop_column("baseline_batches")
        batch.drop_column("baseline_rule")
