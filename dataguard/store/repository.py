"""Store port and SQLAlchemy adapter. (Skeleton: the store owner fills in the bodies.)"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dataguard.core.models import Batch, CheckResult, HookDelivery, Role, SchemaVersion, Verdict


class StoreSession:
    """Everything one unit of work may read or write. Methods raise ``UsageError`` for unknown
    names and ``StoreError`` when the database fails."""

    # --- datasets and batches -------------------------------------------------------------
    def list_datasets(self) -> list[str]: ...

    def add_batch(self, batch: Batch, *, replace: bool = False) -> Batch:
        """Insert a batch (creating its dataset). An existing (dataset, role, name) raises
        ``UsageError`` naming ``--replace`` unless ``replace``; replacing keeps the same id."""
        ...

    def get_batch(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None: ...

    def list_batches(self, dataset: str, role: Role | None = None) -> list[Batch]:
        """Oldest first (by created_at, then id)."""
        ...

    def previous_batch(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None:
        """The batch of that role stored just before ``name`` (the default drift baseline)."""
        ...

    def latest_batch(self, dataset: str, role: Role = Role.TRAINING) -> Batch | None: ...

    # --- schema versions ------------------------------------------------------------------
    def add_schema_version(
        self, dataset: str, *, path: str, sha256: str, parent_version: int | None, message: str
    ) -> SchemaVersion:
        """Allocate the next version number (1, 2, …) for the dataset and record it."""
        ...

    def next_schema_version(self, dataset: str) -> int: ...

    def get_schema_version(self, dataset: str, version: int | None = None) -> SchemaVersion | None:
        """That version, or the latest when ``version`` is None."""
        ...

    def list_schema_versions(self, dataset: str) -> list[SchemaVersion]: ...

    # --- checks ---------------------------------------------------------------------------
    def add_check(self, result: CheckResult) -> CheckResult:
        """Record the check with all its anomalies and metrics; returns it with id/created_at."""
        ...

    def get_check(self, check_id: int) -> CheckResult | None: ...

    def latest_check(self, dataset: str, batch: str | None = None) -> CheckResult | None: ...

    def list_checks(self, dataset: str, limit: int | None = None) -> list[CheckResult]:
        """Newest first."""
        ...

    # --- hook deliveries ------------------------------------------------------------------
    def add_delivery(self, delivery: HookDelivery) -> HookDelivery: ...

    def find_delivery(
        self, hook: str, dataset: str, batch: str, verdict: Verdict
    ) -> HookDelivery | None:
        """The delivered (status == "delivered") record for that hook, batch and verdict, if any."""
        ...

    def list_deliveries(self, dataset: str | None = None, limit: int = 100) -> list[HookDelivery]: ...


class Store:
    url: str

    @contextmanager
    def transaction(self) -> Iterator[StoreSession]:
        """A write unit of work: commits on success, rolls back on any exception."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def read(self) -> Iterator[StoreSession]:
        raise NotImplementedError
        yield  # pragma: no cover

    def dispose(self) -> None: ...


def open_store(url: str, *, migrate: bool = True, read_only: bool = False) -> Store:
    raise NotImplementedError


__all__: Sequence[str] = ["Store", "StoreSession", "open_store"]
