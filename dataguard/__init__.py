"""dataguard: data validation with drift and skew monitoring for ML pipelines.

Importing this package never imports TensorFlow or Beam; the use cases load them when they run.
"""

from __future__ import annotations

import os as _os
import warnings as _warnings
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

# TensorFlow's C++ logging (oneDNN, CUDA and TensorRT notices on every start) reads these when
# TensorFlow is first imported, which dataguard's engines and jobs do lazily: quiet unless the
# caller set them. The CLI does the same (cli.main); this covers the library and the Beam jobs.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
_warnings.filterwarnings("ignore", category=FutureWarning, module=r"google\.api_core\.")

# The use cases, loaded on first access so that `import dataguard` stays light (PEP 562).
# `compute_stats`, not `stats`: `dataguard.stats` is the engines' package. The three that take
# `engine="local"|"beam"` (+ `pipeline_args`) go through `dataguard.api`, which resolves the
# engine and hands the whole use case to a Beam job when the runner's workers can record it.
_USE_CASES = {
    "compute_stats": ("dataguard.api", "compute_stats"),
    "infer_schema": ("dataguard.service.schemas", "infer_schema"),
    "import_schema": ("dataguard.service.schemas", "import_schema"),
    "diff_schemas": ("dataguard.service.schemas", "diff_schemas"),
    "list_schemas": ("dataguard.service.schemas", "list_schemas"),
    "show_schema": ("dataguard.service.schemas", "show_schema"),
    "check": ("dataguard.service.check", "check"),
    "run": ("dataguard.api", "run"),
    "gate": ("dataguard.service.check", "gate"),
    "csv_to_tfrecord": ("dataguard.api", "csv_to_tfrecord"),
}


def __getattr__(name: str) -> Any:
    if name not in _USE_CASES:
        raise AttributeError(f"module 'dataguard' has no attribute {name!r}")
    import importlib

    module, attribute = _USE_CASES[name]
    value = getattr(importlib.import_module(module), attribute)
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
    "compute_stats",
    "csv_to_tfrecord",
    "diff_schemas",
    "gate",
    "import_schema",
    "infer_schema",
    "list_schemas",
    "load_settings",
    "run",
    "show_schema",
]
