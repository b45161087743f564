"""The store: datasets, batches, schema versions, checks, metrics and hook deliveries.

A port (``Store`` / ``StoreSession``) and its SQLAlchemy 2 adapter. ORM rows never leave this
package: every method takes and returns the frozen dataclasses of ``dataguard.core.models``, and
the dashboard's read models of ``dataguard.store.views``.

    store = open_store("sqlite:///.dataguard/dataguard.db")   # migrates to head on first use
    with store.transaction() as tx:                            # one command = one transaction
        tx.add_batch(batch)
        tx.add_check(result)
    with store.read() as q:
        q.latest_check("taxi")
"""

from dataguard.store.repository import Store, StoreSession, open_store
from dataguard.store.views import CheckSummary, DatasetSummary, MetricPoint

__all__ = ["CheckSummary", "DatasetSummary", "MetricPoint", "Store", "StoreSession", "open_store"]
