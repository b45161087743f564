"""``SqlStoreSession``: the port's ``StoreSession`` on one SQLAlchemy ``Session`` (a unit of work).

It holds one single-purpose query object per table, all sharing that one ``Session`` (so
everything a command writes commits or rolls back together), and answers the port's methods by
handing each to its part. Inside ``dataguard.store`` the parts can be used directly:

    tx.add_batch(batch)              # the port, what dataguard.service calls
    tx.batches.add(batch)            # the same, on the part that does it
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from dataguard.core.models import Batch, CheckResult, HookDelivery, Role, SchemaVersion, Verdict
from dataguard.store.queries.batches import SqlBatches
from dataguard.store.queries.checks import SqlChecks
from dataguard.store.queries.dashboard import SqlDashboardReads
from dataguard.store.queries.datasets import DatasetRows
from dataguard.store.queries.deliveries import SqlDeliveries
from dataguard.store.queries.profiles import SqlProfiles
from dataguard.store.queries.schema_versions import SqlSchemaVersions
from dataguard.store.views import CheckSummary, DatasetSummary, MetricPoint, ProfilePoint


class SqlStoreSession:
    """The port's ``StoreSession`` (and so ``StoreReader``); ``write`` is True inside
    ``transaction()``, where allocations lock the dataset row."""

    def __init__(self, session: Session, *, write: bool = False) -> None:
        self.session = session
        self.write = write
        self.datasets = DatasetRows(session)
        self.batches = SqlBatches(session, self.datasets)
        self.profiles = SqlProfiles(session, self.datasets)
        self.schema_versions = SqlSchemaVersions(session, self.datasets, write=write)
        self.checks = SqlChecks(session, self.datasets)
        self.deliveries = SqlDeliveries(session)
        self.dashboard = SqlDashboardReads(session)

    # --- datasets and batches ----------------------------------------------------------------
    def list_datasets(self) -> list[str]:
        return self.datasets.names()

    def add_batch(self, batch: Batch, *, replace: bool = False) -> Batch:
        return self.batches.add(batch, replace=replace)

    def get_batch(self, dataset: str, name: str, role: Role = Role.TRAINING) -> Batch | None:
        return self.batches.get(dataset, name, role)

    def list_batches(self, dataset: str, role: Role | None = None) -> list[Batch]:
        return self.batches.all_of(dataset, role)

    def preceding_batch(
        self, dataset: str, name: str, role: Role = Role.TRAINING
    ) -> Batch | None:
        return self.batches.preceding(dataset, name, role)

    def preceding_batches(
        self, dataset: str, name: str, limit: int, role: Role = Role.TRAINING
    ) -> list[Batch]:
        return self.batches.preceding_many(dataset, name, limit, role)

    def last_passing_batch(self, dataset: str, name: str) -> Batch | None:
        return self.batches.last_passing(dataset, name)

    def latest_batch(self, dataset: str, role: Role = Role.TRAINING) -> Batch | None:
        return self.batches.latest(dataset, role)

    # --- batch profiles ------------------------------------------------------------------
    def set_profile(self, batch: Batch, profile: Mapping[tuple[str, str], float]) -> bool:
        return self.profiles.replace(batch, profile)

    def profile_history(self, dataset: str, *, batches: Sequence[str] | None = None,
                        feature: str | None = None,
                        role: Role = Role.TRAINING) -> list[ProfilePoint]:
        return self.profiles.history(dataset, batches=batches, feature=feature, role=role)

    def profile_features(self, dataset: str, role: Role = Role.TRAINING) -> list[str]:
        return self.profiles.features(dataset, role)

    # --- schema versions -----------------------------------------------------------------
    def add_schema_version(
        self, dataset: str, *, path: str, sha256: str, parent_version: int | None, message: str
    ) -> SchemaVersion:
        return self.schema_versions.add(
            dataset, path=path, sha256=sha256, parent_version=parent_version, message=message
        )

    def next_schema_version(self, dataset: str) -> int:
        return self.schema_versions.next_number(dataset)

    def get_schema_version(self, dataset: str, version: int | None = None) -> SchemaVersion | None:
        return self.schema_versions.get(dataset, version)

    def list_schema_versions(self, dataset: str) -> list[SchemaVersion]:
        return self.schema_versions.all_of(dataset)

    # --- checks ---------------------------------------------------------------------------
    def add_check(self, result: CheckResult) -> CheckResult:
        return self.checks.add(result)

    def latest_check(self, dataset: str, batch: str | None = None) -> CheckResult | None:
        return self.checks.latest(dataset, batch)

    def first_check(self, dataset: str, batch: str) -> CheckResult | None:
        return self.checks.first(dataset, batch)

    # --- hook deliveries ------------------------------------------------------------------
    def add_delivery(self, delivery: HookDelivery) -> HookDelivery:
        return self.deliveries.add(delivery)

    def find_delivery(
        self, hook: str, dataset: str, batch: str, verdict: Verdict
    ) -> HookDelivery | None:
        return self.deliveries.find(hook, dataset, batch, verdict)

    def list_deliveries(self, dataset: str | None = None, limit: int = 100) -> list[HookDelivery]:
        return self.deliveries.newest(dataset, limit)

    # --- dashboard read models ----------------------------------------------------------------
    def dataset_overview(self, recent: int = 30) -> list[DatasetSummary]:
        return self.dashboard.dataset_overview(recent)

    def check_history(self, dataset: str, limit: int = 365) -> list[CheckSummary]:
        return self.dashboard.check_history(dataset, limit)

    def metric_history(
        self, dataset: str, comparison: str | None = None, limit_checks: int = 365
    ) -> list[MetricPoint]:
        return self.dashboard.metric_history(dataset, comparison, limit_checks)

    def latest_check_id(self) -> int | None:
        return self.dashboard.latest_check_id()
