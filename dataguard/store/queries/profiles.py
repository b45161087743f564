"""Batch profiles: each batch's trend series as (feature, stat) → value rows.

Written with the batch (``service.stats``) or later from its artifact (a backfill), read as one
query per question: "these batches' whole profiles" (a trend check's history) or "one feature of
every batch" (a dashboard series).

    profiles.replace(batch, {("", "num_examples"): 1000.0, ("fare", "mean"): 11.8})
    profiles.history("taxi", batches=["2026-11-01", "2026-11-02"])     # [ProfilePoint, ...]
    profiles.history("taxi", feature="fare")                           # fare's series
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.core.models import Batch, Role
from dataguard.store.queries.batches import name_in_byte_order
from dataguard.store.queries.datasets import DatasetRows
from dataguard.store.tables import BatchProfileRow, BatchRow, DatasetRow
from dataguard.store.views import ProfilePoint


class SqlProfiles:
    def __init__(self, session: Session, datasets: DatasetRows) -> None:
        self.session = session
        self.datasets = datasets

    def replace(self, batch: Batch, profile: Mapping[tuple[str, str], float]) -> bool:
        """Make ``profile`` the stored batch's profile (its old rows go), if the stored batch is
        still the one it was computed from (same sha256: a backfill racing a ``--replace`` must
        not write the old artifact's numbers). The dataset row is locked first, so concurrent
        writers of the same profile take turns. False when nothing was written."""
        dataset_id = self.datasets.id_of(batch.dataset, lock=True)
        if dataset_id is None:
            return False
        found = self.session.execute(
            sa.select(BatchRow.id, BatchRow.sha256).where(
                BatchRow.dataset_id == dataset_id,
                BatchRow.role == Role(batch.role).value,
                BatchRow.name == batch.name,
            )
        ).one_or_none()
        if found is None or found.sha256 != batch.sha256:
            return False
        self.session.execute(sa.delete(BatchProfileRow).where(BatchProfileRow.batch_id == found.id))
        rows = [
            {"batch_id": found.id, "feature": feature, "stat": stat,
             "value": None if math.isnan(value) else value}
            for (feature, stat), value in profile.items()
        ]
        if rows:
            self.session.execute(sa.insert(BatchProfileRow), rows)
        return True

    def history(self, dataset: str, *, batches: Sequence[str] | None = None,
                feature: str | None = None, role: Role = Role.TRAINING) -> list[ProfilePoint]:
        """The profile rows of the dataset's batches of ``role`` (only ``batches``, only
        ``feature`` when given), in batch-name order (bytes); a batch without a profile has
        none."""
        name = name_in_byte_order(self.session)
        query = (
            sa.select(BatchRow.name, BatchProfileRow.feature, BatchProfileRow.stat,
                      BatchProfileRow.value)
            .join(BatchProfileRow, BatchProfileRow.batch_id == BatchRow.id)
            .join(DatasetRow, DatasetRow.id == BatchRow.dataset_id)
            .where(DatasetRow.name == dataset, BatchRow.role == Role(role).value)
        )
        if batches is not None:
            query = query.where(BatchRow.name.in_(list(batches)))
        if feature is not None:
            query = query.where(BatchProfileRow.feature == feature)
        query = query.order_by(name, BatchProfileRow.feature, BatchProfileRow.stat)
        nan = math.nan
        return [
            ProfilePoint(batch, feat, stat, nan if value is None else value)
            for batch, feat, stat, value in self.session.connection().execute(query)
        ]

    def features(self, dataset: str, role: Role = Role.TRAINING) -> list[str]:
        """The features any profile of the dataset has (not the batch's own "" entry), sorted."""
        query = (
            sa.select(BatchProfileRow.feature)
            .join(BatchRow, BatchRow.id == BatchProfileRow.batch_id)
            .join(DatasetRow, DatasetRow.id == BatchRow.dataset_id)
            .where(DatasetRow.name == dataset, BatchRow.role == Role(role).value,
                   BatchProfileRow.feature != "")
            .distinct()
        )
        return sorted(self.session.scalars(query))
