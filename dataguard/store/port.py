"""The store's port: what the use cases and the dashboard may ask of a store, as Protocols.

A ``Store`` hands out units of work: ``read()`` yields a ``StoreReader`` on one consistent
snapshot (always rolled back), ``transaction()`` a ``StoreSession`` for one command's writes
(committed on success, rolled back on any exception). A reader is the sum of small protocols:

    BatchReads, SchemaVersionReads,     what the use cases (dataguard.service, dataguard.cli) and
    CheckReads, DeliveryReads,          the dashboard look up
    ProfileReads
    DashboardReads                      the dashboard's read models (dataguard.store.views)

and a ``StoreSession`` is a reader that can also add batches (and their profiles), schema
versions, checks and hook deliveries.

Everything goes in and out as the frozen dataclasses of ``dataguard.core.models`` and
``dataguard.store.views``; no SQL type appears here. Methods raise ``UsageError`` where they say
so; every database failure leaves the ``with`` block as ``StoreError`` (one line, no password).

    def record(store: Store, batch: Batch, result: CheckResult) -> None:
        with store.transaction() as tx:        # one command = one transaction
            tx.add_batch(batch)
            tx.add_check(result)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from dataguard.core.models import Batch, CheckResult, HookDelivery, Role, SchemaVersion, Verdict
from dataguard.store.views import CheckSummary, DatasetSummary, MetricPoint, ProfilePoint


class BatchReads(Protocol):
    """Datasets and their batches (a dataset exists once something of it is recorded)."""

    def list_datasets(self) -> list[str]:
        """Dataset names, sorted."""
        ...

    def get_batch(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None: ...

    def list_batches(self, dataset: str, role: Role | None = None) -> list[Batch]:
        """Oldest first (by created_at, then id); [] for an unknown dataset."""
        ...

    def preceding_batch(
        self, dataset: str, name: str, role: Role = Role.TRAINING
    ) -> Batch | None:
        """The batch of that role whose name sorts just before ``name`` in byte order (dates
        ``2026-11-24`` < ``2026-11-25``, as TFX orders spans), whenever either was stored: the
        ``preceding`` baseline. None when no name sorts before it."""
        ...

    def preceding_batches(
        self, dataset: str, name: str, limit: int, role: Role = Role.TRAINING
    ) -> list[Batch]:
        """Up to ``limit`` batches of that role named before ``name`` (byte order), the
        nearest ``limit`` of them, returned in name order: a ``window:N`` baseline."""
        ...

    def last_passing_batch(self, dataset: str, name: str) -> Batch | None:
        """The training batch named before ``name`` (byte order) whose most recent check passed
        or warned: the ``last-passing`` baseline. None when there is none."""
        ...

    def latest_batch(self, dataset: str, role: Role = Role.TRAINING) -> Batch | None:
        """The batch of that role whose name sorts last (batch order is name order)."""


class ProfileReads(Protocol):
    """Batch profiles: each batch's trend series (``core.trends.statistics_series``: the example
    count, and per feature missing share, mean, std, unique count), one query per question."""

    def profile_history(self, dataset: str, *, batches: Sequence[str] | None = None,
                        feature: str | None = None,
                        role: Role = Role.TRAINING) -> list[ProfilePoint]:
        """The profiles of the dataset's batches of ``role`` (only ``batches`` / ``feature`` when
        given; feature "" is the batch's ``num_examples``), in batch-name order (bytes). A batch
        recorded before profiles existed (revision 0005) has no rows until it is backfilled."""
        ...

    def profile_features(self, dataset: str, role: Role = Role.TRAINING) -> list[str]:
        """The features the dataset's profiles hold, sorted."""
        ...


class SchemaVersionReads(Protocol):
    """Schema versions 1, 2, … of each dataset (the files live under ``schemas/``)."""

    def next_schema_version(self, dataset: str) -> int:
        """The number ``add_schema_version`` will allocate; inside ``transaction()`` it is reserved
        (the dataset row is locked) until the transaction ends."""
        ...

    def get_schema_version(self, dataset: str, version: int | None = None) -> SchemaVersion | None:
        """That version, or the latest when ``version`` is None."""
        ...

    def list_schema_versions(self, dataset: str) -> list[SchemaVersion]:
        """Version 1 first."""
        ...


class CheckReads(Protocol):
    """Checks with their anomalies and metrics."""

    def latest_check(self, dataset: str, batch: str | None = None) -> CheckResult | None: ...

    def first_check(self, dataset: str, batch: str) -> CheckResult | None:
        """The batch's first recorded check (its baseline is the batch's baseline for good)."""
        ...


class DeliveryReads(Protocol):
    """What each hook was told about each check, and whether it got through."""

    def find_delivery(
        self, hook: str, dataset: str, batch: str, verdict: Verdict
    ) -> HookDelivery | None:
        """The delivered (status == "delivered") record for that hook, batch and verdict, if any."""
        ...

    def list_deliveries(self, dataset: str | None = None, limit: int = 100) -> list[HookDelivery]:
        """Newest first."""
        ...


class DashboardReads(Protocol):
    """The dashboard's read models: a fixed, small number of queries whatever the store size."""

    def dataset_overview(self, recent: int = 30) -> list[DatasetSummary]:
        """One summary per dataset (sorted by name), in two queries whatever the store size."""
        ...

    def check_history(self, dataset: str, limit: int = 365) -> list[CheckSummary]:
        """The dataset's latest ``limit`` checks, newest first, without anomalies/metrics."""
        ...

    def metric_history(
        self, dataset: str, comparison: str | None = None, limit_checks: int = 365
    ) -> list[MetricPoint]:
        """Whole-batch metrics (no slice's) of the dataset's latest ``limit_checks`` checks,
        oldest check first: the series trends and charts follow."""
        ...

    def latest_check_id(self) -> int | None:
        """The newest check id in the whole store: a cheap cache key for the dashboard."""
        ...


class StoreReader(
    BatchReads, ProfileReads, SchemaVersionReads, CheckReads, DeliveryReads, DashboardReads,
    Protocol,
):
    """Everything one snapshot can answer (``Store.read()``)."""


class StoreSession(StoreReader, Protocol):
    """One unit of work (``Store.transaction()``): a reader that also records."""

    def add_batch(self, batch: Batch, *, replace: bool = False) -> Batch:
        """Insert a batch (creating its dataset). An existing (dataset, role, name) raises
        ``UsageError`` naming ``--replace`` unless ``replace``; replacing keeps the same id and
        created_at (so the batch order is stable) and updates everything else."""
        ...

    def set_profile(self, batch: Batch, profile: Mapping[tuple[str, str], float]) -> bool:
        """Make ``profile`` ((feature, stat) → value) the stored batch's profile, replacing its
        old one, if the stored batch still has ``batch.sha256`` (a profile computed from a
        replaced artifact is not written). False when nothing was written."""
        ...

    def add_schema_version(
        self, dataset: str, *, path: str, sha256: str, parent_version: int | None, message: str
    ) -> SchemaVersion:
        """Allocate the next version number (1, 2, …) for the dataset and record it. Concurrent
        writers get distinct numbers (the dataset row is locked while allocating)."""
        ...

    def add_check(self, result: CheckResult) -> CheckResult:
        """Record the check with all its anomalies and metrics; returns it with id/created_at."""
        ...

    def add_delivery(self, delivery: HookDelivery) -> HookDelivery:
        """Record one hook's delivery (or failure to deliver) of a check."""
        ...


class Store(Protocol):
    """An open store. ``transaction()`` for writes (one unit of work), ``read()`` for reads."""

    @property
    def url(self) -> str: ...

    @property
    def read_only(self) -> bool: ...

    def transaction(self) -> AbstractContextManager[StoreSession]:
        """A write unit of work: commits on success, rolls back on any exception. A second
        ``transaction()`` in the same thread raises ``StoreError`` instead of waiting on itself."""
        ...

    def read(self) -> AbstractContextManager[StoreReader]:
        """A read-only unit of work on one consistent snapshot; always rolled back."""
        ...

    def is_empty(self) -> bool:
        """True when the store holds no dataset (also: no tables yet, or no database file)."""
        ...

    def revision(self) -> str | None:
        """The migration revision the database is at (None for an empty database)."""
        ...

    def migrate(self) -> str | None:
        """Upgrade to the newest revision; returns the revision."""
        ...

    def dispose(self) -> None:
        """Close the pooled connections (a later unit of work opens new ones)."""
        ...
