"""dataguard: data validation with drift and skew monitoring for ML pipelines.

Importing this package never imports TensorFlow or Beam; the use cases load them when they run.
"""

from __future__ import annotations

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
from dataguard.config import Settings, load_settings
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
    "load_settings",
]
