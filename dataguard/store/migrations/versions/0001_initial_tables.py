"""Initial tables: datasets, batches, schema versions, checks, anomalies, metrics, hook deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 07:37:41.547578
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_datasets_name")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("num_examples", sa.BigInteger(), nullable=False),
        sa.Column("artifact_uri", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_batches_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint(
            "dataset_id", "role", "name", name=op.f("uq_batches_dataset_id_role_name")
        ),
    )
    op.create_index(
        "ix_batches_dataset_role_created",
        "batches",
        ["dataset_id", "role", "created_at"],
        unique=False,
    )

    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("batch_name", sa.String(length=128), nullable=False),
        sa.Column("batch_role", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("baseline_batch", sa.String(length=128), nullable=True),
        sa.Column("serving_batch", sa.String(length=128), nullable=True),
        sa.Column("num_examples", sa.BigInteger(), nullable=False),
        sa.Column("anomaly_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_checks_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index("ix_checks_dataset_batch", "checks", ["dataset_id", "batch_name"], unique=False)
    op.create_index(
        "ix_checks_dataset_created", "checks", ["dataset_id", "created_at"], unique=False
    )

    op.create_table(
        "schema_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("parent_version", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_schema_versions_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schema_versions")),
        sa.UniqueConstraint(
            "dataset_id", "version", name=op.f("uq_schema_versions_dataset_id_version")
        ),
    )
    op.create_table(
        "anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("feature", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_anomalies_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anomalies")),
    )
    op.create_index(op.f("ix_anomalies_check_id"), "anomalies", ["check_id"], unique=False)

    op.create_table(
        "hook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hook", sa.String(length=128), nullable=False),
        sa.Column("dataset", sa.String(length=128), nullable=False),
        sa.Column("batch", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_hook_deliveries_check_id_checks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hook_deliveries")),
    )
    op.create_index(
        op.f("ix_hook_deliveries_check_id"), "hook_deliveries", ["check_id"], unique=False
    )
    op.create_index(
        "ix_hook_deliveries_dataset_created",
        "hook_deliveries",
        ["dataset", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_hook_deliveries_lookup",
        "hook_deliveries",
        ["hook", "dataset", "batch", "verdict", "status"],
        unique=False,
    )

    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("feature", sa.Text(), nullable=False),
        sa.Column("comparison", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("exceeded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"], ["checks.id"], name=op.f("fk_metrics_check_id_checks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics")),
    )
    op.create_index(op.f("ix_metrics_check_id"), "metrics", ["check_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_metrics_check_id"), table_name="metrics")

    op.drop_table("metrics")
    op.drop_index("ix_hook_deliveries_lookup", table_name="hook_deliveries")
    op.drop_index("ix_hook_deliveries_dataset_created", table_name="hook_deliveries")
    op.drop_index(op.f("ix_hook_deliveries_check_id"), table_name="hook_deliveries")

    op.drop_table("hook_deliveries")
    op.drop_index(op.f("ix_anomalies_check_id"), table_name="anomalies")

    op.drop_table("anomalies")
    op.drop_table("schema_versions")
    op.drop_index("ix_checks_dataset_created", table_name="checks")
    op.drop_index("ix_checks_dataset_batch", table_name="checks")

    op.drop_table("checks")
    op.drop_index("ix_batches_dataset_role_created", table_name="batches")

    op.drop_table("batches")
    op.drop_table("datasets")
