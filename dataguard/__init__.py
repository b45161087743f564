"""dataguard: data validation with drift and skew monitoring for ML pipelines.

Importing this package never imports TensorFlow or Beam; the use cases load them when they run.
"""

from __future__ import annotations

from typing import Any

from dataguard.config import Settings, load_settings
from dataguard.core.models import (
    Anomaly,
    AnomalyKind,
    Batch,
    CheckResult,
    HookDelivery,
    Metric,
    Role,
    SchemaVersion,
    StatsResult,
    Verdict,
)
from dataguard.errors import (
    ArtifactError,
    BadInputError,
    DataguardError,
    ExitCode,
    RunnerError,
    StoreError,
    UsageError,
)

__version__ = "0.1.0"

# The use cases, loaded on first access so that `import dataguard` stays light (PEP 562).
_USE_CASES = {
    "stats": "dataguard.service.stats",
    "infer_schema": "dataguard.service.schemas",
    "import_schema": "dataguard.service.schemas",
    "diff_schemas": "dataguard.service.schemas",
    "check": "dataguard.service.check",
    "run": "dataguard.service.check",
    "gate": "dataguard.service.check",
    "csv_to_tfrecord": "dataguard.service.convert",
}


def __getattr__(name: str) -> Any:
    module = _USE_CASES.get(name)
    if module is None:
        raise AttributeError(f"module 'dataguard' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

__all__ = [
    "Anomaly",
    "AnomalyKind",
    "ArtifactError",
    "BadInputError",
    "Batch",
    "CheckResult",
    "DataguardError",
    "ExitCode",
    "HookDelivery",
    "Metric",
    "Role",
    "RunnerError",
    "SchemaVersion",
    "Settings",
    "StatsResult",
    "StoreError",
    "UsageError",
    "Verdict",
    "__version__",
    "check",
    "csv_to_tfrecord",
    "diff_schemas",
    "gate",
    "import_schema",
    "infer_schema",
    "load_settings",
    "run",
    "stats",
]
