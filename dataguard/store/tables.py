"""ORM tables of the store (SQLAlchemy 2 typed declarative). Rows never leave ``dataguard.store``.

``batch_profiles`` (0005) holds each batch's trend series (``core.trends.statistics_series``) so
trend checks and the dashboard read them with one query instead of the statistics artifacts.

Timestamps are stored as UTC and always come back timezone-aware (SQLite keeps no zone, so
``UTCDateTime`` strips it on the way in and puts UTC back on the way out). The indexes serve the
dashboard: checks by dataset and time, metrics by check, batches by dataset, role and time.
Changing anything here needs a new migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class DatasetRow(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BatchRow(Base):
    __tablename__ = "batches"
    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "role", "name"),
        sa.Index("ix_batches_dataset_role_created", "dataset_id", "role", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(128))
    source: Mapped[str] = mapped_column(sa.Text())
    num_examples: Mapped[int] = mapped_column(sa.BigInteger())
    artifact_uri: Mapped[str] = mapped_column(sa.Text())
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    dataset: Mapped[DatasetRow] = relationship(lazy="joined", innerjoin=True)


class BatchProfileRow(Base):
    """One number of a batch's profile: ``("fare", "mean") = 11.8``; feature "" is the batch.
    The primary key (batch_id, feature, stat) serves "a dataset's feature → its series": the
    dataset's batches by their index, then each batch's rows of that feature."""

    __tablename__ = "batch_profiles"

    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )
    feature: Mapped[str] = mapped_column(sa.Text(), primary_key=True)
    stat: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(sa.Float())  # NULL = NaN (SQLite has no NaN)


class SchemaVersionRow(Base):
    __tablename__ = "schema_versions"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(sa.Integer())
    path: Mapped[str] = mapped_column(sa.Text())
    sha256: Mapped[str] = mapped_column(sa.String(64))
    parent_version: Mapped[int | None] = mapped_column(sa.Integer())
    message: Mapped[str] = mapped_column(sa.Text(), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    dataset: Mapped[DatasetRow] = relationship(lazy="joined", innerjoin=True)


class CheckRow(Base):
    __tablename__ = "checks"
    __table_args__ = (
        sa.Index("ix_checks_dataset_created", "dataset_id", "created_at"),
        sa.Index("ix_checks_dataset_batch", "dataset_id", "batch_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    batch_name: Mapped[str] = mapped_column(sa.String(128))
    batch_role: Mapped[str] = mapped_column(sa.String(16), default="training")
    verdict: Mapped[str] = mapped_column(sa.String(8))
    schema_version: Mapped[int] = mapped_column(sa.Integer())
    baseline_batch: Mapped[str | None] = mapped_column(sa.String(128))
    # how the baseline was chosen (0003; NULL before): rule, batches (a JSON list), name, size
    baseline_rule: Mapped[str | None] = mapped_column(sa.String(16))
    baseline_batches: Mapped[str | None] = mapped_column(sa.Text())
    baseline_name: Mapped[str | None] = mapped_column(sa.String(128))
    baseline_size: Mapped[int | None] = mapped_column(sa.Integer())
    serving_batch: Mapped[str | None] = mapped_column(sa.String(128))
    num_examples: Mapped[int] = mapped_column(sa.BigInteger())
    anomaly_count: Mapped[int] = mapped_column(sa.Integer(), default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    dataset: Mapped[DatasetRow] = relationship(lazy="joined", innerjoin=True)


class AnomalyRow(Base):
    __tablename__ = "anomalies"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    feature: Mapped[str] = mapped_column(sa.Text())
    kind: Mapped[str] = mapped_column(sa.String(16))
    type: Mapped[str] = mapped_column(sa.String(128))
    severity: Mapped[str] = mapped_column(sa.String(16))
    short_description: Mapped[str] = mapped_column(sa.Text())
    description: Mapped[str] = mapped_column(sa.Text())
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # NULL: stored before 0002
    slice: Mapped[str | None] = mapped_column(sa.Text())  # 0004; NULL: the whole batch


class MetricRow(Base):
    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    feature: Mapped[str] = mapped_column(sa.Text())
    comparison: Mapped[str] = mapped_column(sa.String(16))
    method: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[float | None] = mapped_column(sa.Float())  # NULL = NaN (SQLite has no NaN)
    threshold: Mapped[float | None] = mapped_column(sa.Float())
    exceeded: Mapped[bool] = mapped_column(sa.Boolean())
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # NULL: within threshold/old
    slice: Mapped[str | None] = mapped_column(sa.Text())  # 0004; NULL: the whole batch


class HookDeliveryRow(Base):
    __tablename__ = "hook_deliveries"
    __table_args__ = (
        sa.Index("ix_hook_deliveries_lookup", "hook", "dataset", "batch", "verdict", "status"),
        sa.Index("ix_hook_deliveries_dataset_created", "dataset", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hook: Mapped[str] = mapped_column(sa.String(128))
    dataset: Mapped[str] = mapped_column(sa.String(128))  # a name: `hooks test` may use any
    batch: Mapped[str] = mapped_column(sa.String(128))
    verdict: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(sa.Integer())
    last_error: Mapped[str | None] = mapped_column(sa.Text())
    check_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("checks.id", ondelete="SET NULL"), index=True
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
