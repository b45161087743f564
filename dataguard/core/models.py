"""Frozen result dataclasses shared by every layer; the words match the CLI, JSON and dashboard.

A ``CheckResult`` is what ``dataguard.check`` returns, what the store records, what hooks send
and what ``check --format json`` prints (``CheckResult.to_dict`` is that JSON, see DESIGN.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

CHECK_FORMAT_VERSION = 1
"""Version of the check JSON (``CheckResult.to_dict``); bumped only on a breaking change, see
docs/check-json.md for the compatibility rules."""


class Word(str, Enum):
    """An enum of the vocabulary (docs/glossary.md) that prints as its value: in f-strings, JSON,
    the store and reports, ``Comparison.DRIFT`` is ``drift``, and ``"drift"`` compares equal."""

    def __str__(self) -> str:
        return str(self.value)


class Role(Word):
    TRAINING = "training"
    SERVING = "serving"


class Verdict(Word):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return {"pass": 0, "warn": 1, "fail": 2}[self.value]


class AnomalyKind(Word):
    """What an anomaly is about (the only meaning of "kind")."""

    SCHEMA = "schema"
    DRIFT = "drift"
    SKEW = "skew"


class Comparison(Word):
    """What a metric compares the batch with: its baseline (drift) or a serving batch (skew)."""

    DRIFT = "drift"
    SKEW = "skew"


@dataclass(frozen=True)
class Batch:
    """One stored partition of a dataset and where its statistics artifact lives."""

    dataset: str
    name: str
    role: Role
    num_examples: int
    artifact_uri: str
    sha256: str
    source: str
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class SchemaVersion:
    dataset: str
    version: int
    path: str
    sha256: str
    parent_version: int | None
    message: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Anomaly:
    feature: str  # "" for dataset-level anomalies
    kind: AnomalyKind
    type: str  # TFDV AnomalyInfo.Type name, e.g. COMPARATOR_L_INFTY_HIGH
    severity: str  # TFDV severity: "error" or "warning"
    short_description: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        return d


@dataclass(frozen=True)
class Metric:
    """One drift or skew measurement of one feature, recorded whether or not it exceeded."""

    feature: str
    comparison: Comparison
    method: str  # "l_infinity" | "jensen_shannon" | "normalized_abs_difference" | "num_examples"
    value: float
    threshold: float | None
    exceeded: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "comparison", Comparison(self.comparison))  # "drift" works too

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "comparison": self.comparison.value}


@dataclass(frozen=True)
class CheckResult:
    dataset: str
    batch: str
    verdict: Verdict
    schema_version: int
    baseline_batch: str | None
    serving_batch: str | None
    num_examples: int
    anomalies: tuple[Anomaly, ...] = ()
    metrics: tuple[Metric, ...] = ()
    id: int | None = None
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN.md JSON contract (webhooks add ``"event": "check.completed"``)."""
        return {
            "format_version": CHECK_FORMAT_VERSION,
            "dataset": self.dataset,
            "batch": self.batch,
            "verdict": self.verdict.value,
            "schema_version": self.schema_version,
            "baseline_batch": self.baseline_batch,
            "serving_batch": self.serving_batch,
            "num_examples": self.num_examples,
            "anomalies": [a.to_dict() for a in self.anomalies],
            "metrics": [m.to_dict() for m in self.metrics],
        }


@dataclass(frozen=True)
class HookDelivery:
    hook: str
    dataset: str
    batch: str
    verdict: Verdict
    status: str  # "delivered" | "failed"
    attempts: int
    last_error: str | None
    check_id: int | None = None
    delivered_at: datetime | None = None
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class StatsResult:
    """What ``dataguard.stats`` returns: the stored batch (and the artifact the store points to)."""

    batch: Batch
    engine: str
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.batch.dataset,
            "batch": self.batch.name,
            "role": self.batch.role.value,
            "num_examples": self.batch.num_examples,
            "artifact": self.batch.artifact_uri,
            "sha256": self.batch.sha256,
            "source": self.batch.source,
            "engine": self.engine,
            "seconds": round(self.seconds, 3),
        }
