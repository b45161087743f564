"""Batch profiles: each batch's trend series, read from the store; missing ones backfilled.

    history = history_profiles(ctx, past_batches)   # {batch name: {("fare", "mean"): 11.8, ...}}
    backfill_profiles(ctx)                           # every batch recorded before revision 0005

``service.stats`` records a batch's profile (``batch_profile``) with the batch. Batches recorded
before profiles existed have none; the first trend check that needs one reads the artifact once
(sha256-verified), computes it and stores it (not in a dry run: its store is read-only), and
``dataguard admin backfill-profiles`` does all of them at once. A profile computed from an
artifact that was ``--replace``d meanwhile is not stored (``StoreSession.set_profile``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dataguard.config import Settings
from dataguard.core.models import Batch, Role
from dataguard.core.trends import SeriesKey
from dataguard.errors import DataguardError, UsageError
from dataguard.service.context import Context
from dataguard.service.stats import batch_profile, load_statistics

if TYPE_CHECKING:
    from dataguard.store.views import ProfilePoint

Profile = dict[SeriesKey, float]


def history_profiles(ctx: Context, batches: Sequence[Batch]) -> dict[str, Profile]:
    """The profiles of ``batches`` (one dataset, one role) by name, with one store query; those
    without a stored profile are backfilled from their artifacts."""
    if not batches:
        return {}
    first = batches[0]
    with ctx.store.read() as q:
        points = q.profile_history(first.dataset, batches=[b.name for b in batches],
                                   role=first.role)
    found = by_batch(points)
    missing = [b for b in batches if b.name not in found]
    found.update(backfill(ctx, missing))
    return found


def backfill(ctx: Context, batches: Iterable[Batch]) -> dict[str, Profile]:
    """The profiles of ``batches`` from their artifacts, stored in one transaction unless the
    store is read-only."""
    computed = {b.name: (b, batch_profile(load_statistics(ctx, b))) for b in batches}
    if computed and not ctx.store.read_only:
        with ctx.store.transaction() as tx:
            for batch, profile in computed.values():
                tx.set_profile(batch, profile)
    return {name: profile for name, (_, profile) in computed.items()}


def by_batch(points: Iterable[ProfilePoint]) -> dict[str, Profile]:
    """Profile rows grouped by batch name."""
    found: dict[str, Profile] = {}
    for p in points:
        found.setdefault(p.batch, {})[(p.feature, p.stat)] = p.value
    return found


@dataclass
class BackfillResult:
    """What ``backfill_profiles`` did: batches profiled now, those that had one, and those whose
    artifact could not be read (``dataset/role/batch: error``)."""

    filled: int = 0
    present: int = 0
    failed: list[str] = field(default_factory=list)


def backfill_profiles(dataset: str | None = None, *,
                      settings: Settings | None = None) -> BackfillResult:
    """Store a profile for every batch (of ``dataset``, or of all) that has none, one batch per
    transaction so that an unreadable artifact costs only its own batch."""
    ctx = Context.create(settings)
    result = BackfillResult()
    with ctx.store.read() as q:
        datasets = q.list_datasets()
        if dataset is not None and dataset not in datasets:
            raise UsageError(f"dataset {dataset!r} is not in the store")
        todo = []
        for name in [dataset] if dataset is not None else datasets:
            for role in Role:
                profiled = {p.batch for p in q.profile_history(name, feature="", role=role)}
                batches = q.list_batches(name, role)
                result.present += sum(b.name in profiled for b in batches)
                todo += [b for b in batches if b.name not in profiled]
    for batch in todo:
        try:
            backfill(ctx, [batch])
        except DataguardError as exc:
            result.failed.append(f"{batch.dataset}/{batch.role.value}/{batch.name}: {exc}")
        else:
            result.filled += 1
    return result
