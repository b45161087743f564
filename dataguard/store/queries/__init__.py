"""Single-purpose SQL query objects, each on the one SQLAlchemy ``Session`` of a unit of work.

``SqlStoreSession`` (``dataguard.store.sql_session``) composes them; each returns frozen
dataclasses and keeps its ORM rows to itself:

    datasets.py          DatasetRows: dataset names and ids (created race-free, locked on demand)
    batches.py           SqlBatches
    schema_versions.py   SqlSchemaVersions
    checks.py            SqlChecks (with anomalies and metrics)
    deliveries.py        SqlDeliveries
    dashboard.py         SqlDashboardReads (the dashboard's read models)
"""
