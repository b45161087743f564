"""The store: datasets, batches, schema versions, checks, metrics and hook deliveries.

A port and its SQL adapter. The port (``port.py``) is a handful of Protocols: a ``Store`` hands
out units of work, ``read()`` a ``StoreReader`` on one snapshot and ``transaction()`` a
``StoreSession`` for one command's writes. A reader looks up batches, schema versions, checks and
hook deliveries and batch profiles (each batch's trend series) for the use cases and the
dashboard, and answers the dashboard's read models
(``DashboardReads``, small frozen rows of ``views.py``); a session can also record them.
Everything goes in and out as the frozen dataclasses of ``dataguard.core.models``.

``open_store`` plugs in the adapter: ``SqlStore`` (``sql_store.py``; SQLite or PostgreSQL via
``engine.py``, Alembic migrations via ``migrate.py``) gives each unit of work a ``SqlStoreSession``
(``sql_session.py``) composed of single-purpose query objects (``queries/``) on one SQLAlchemy
session. ORM rows (``tables.py``) never leave this package; callers import only from here.

    store = open_store("sqlite:///.dataguard/dataguard.db")   # migrates to head on first use
    with store.transaction() as tx:                            # one command = one transaction
        tx.add_batch(batch)
        tx.add_check(result)
    with store.read() as q:                                    # one snapshot, always rolled back
        q.latest_check("taxi")
        q.dataset_overview()
"""

from dataguard.store.port import DashboardReads, Store, StoreReader, StoreSession
from dataguard.store.sql_store import open_store
from dataguard.store.views import CheckSummary, DatasetSummary, MetricPoint, ProfilePoint

__all__ = [
    "CheckSummary",
    "DashboardReads",
    "DatasetSummary",
    "MetricPoint",
    "ProfilePoint",
    "Store",
    "StoreReader",
    "StoreSession",
    "open_store",
]
