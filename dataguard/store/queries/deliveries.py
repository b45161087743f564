"""Hook deliveries: what each hook was told about which check, and whether it got through.

Hooks are told once: ``find`` says whether a delivery already got through.

    if deliveries.find("ops", "taxi", "2024-03-02", Verdict.FAIL) is None: ...   # tell the hook
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataguard.core.models import HookDelivery, Verdict
from dataguard.store.tables import HookDeliveryRow, utcnow


class SqlDeliveries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, delivery: HookDelivery) -> HookDelivery:
        row = HookDeliveryRow(
            hook=delivery.hook,
            dataset=delivery.dataset,
            batch=delivery.batch,
            verdict=Verdict(delivery.verdict).value,
            status=delivery.status,
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            check_id=delivery.check_id,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at or utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        return _delivery(row)

    def find(self, hook: str, dataset: str, batch: str, verdict: Verdict) -> HookDelivery | None:
        """The newest delivered record for that hook, batch and verdict, if any."""
        row = self.session.scalar(
            sa.select(HookDeliveryRow)
            .where(
                HookDeliveryRow.hook == hook,
                HookDeliveryRow.dataset == dataset,
                HookDeliveryRow.batch == batch,
                HookDeliveryRow.verdict == Verdict(verdict).value,
                HookDeliveryRow.status == "delivered",
            )
            .order_by(HookDeliveryRow.id.desc())
            .limit(1)
        )
        return None if row is None else _delivery(row)

    def newest(self, dataset: str | None = None, limit: int = 100) -> list[HookDelivery]:
        query = sa.select(HookDeliveryRow)
        if dataset is not None:
            query = query.where(HookDeliveryRow.dataset == dataset)
        query = query.order_by(HookDeliveryRow.created_at.desc(), HookDeliveryRow.id.desc())
        return [_delivery(row) for row in self.session.scalars(query.limit(limit))]


def _delivery(row: HookDeliveryRow) -> HookDelivery:
    return HookDelivery(
        hook=row.hook,
        dataset=row.dataset,
        batch=row.batch,
        verdict=Verdict(row.verdict),
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        check_id=row.check_id,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
        id=row.id,
    )
