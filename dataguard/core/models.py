"""Frozen result dataclasses shared by every layer; the words match the CLI, JSON and dashboard.

A ``CheckResult`` is what ``dataguard.check`` returns, what the store records, what hooks send
and what ``check --format json`` prints (``CheckResult.to_dict`` is that JSON, see DESIGN.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any
from urllib.parse import quote

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


class Outcome(Word):
    """What the policy made of one anomaly (and of the metric that caused it): it ``fail``s the
    check, only ``warn``s, or is ``ignored`` (recorded, left out of the verdict). ``None`` where
    there is nothing to judge (a metric within its threshold) or nothing was recorded (checks
    stored before outcomes existed)."""

    FAIL = "fail"
    WARN = "warn"
    IGNORED = "ignored"


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
    outcome: Outcome | None = None  # the policy's (core.policy); None: not judged / unknown

    def __post_init__(self) -> None:
        if self.outcome is not None:
            object.__setattr__(self, "outcome", Outcome(self.outcome))  # "warn" works too

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        d["outcome"] = _value(self.outcome)
        return d


@dataclass(frozen=True)
class Metric:
    """One drift or skew measurement of one feature, recorded whether or not it exceeded."""

    feature: str
    comparison: Comparison
    method: str  # "l_infinity" | "jensen_shannon" | "normalized_abs_difference" | "num_examples"
    #              | "psi" | "hellinger" | "wasserstein" | "ks" (core.distances)
    value: float
    threshold: float | None
    exceeded: bool
    outcome: Outcome | None = None  # that of the anomaly it caused; None when not exceeded

    def __post_init__(self) -> None:
        object.__setattr__(self, "comparison", Comparison(self.comparison))  # "drift" works too
        if self.outcome is not None:
            object.__setattr__(self, "outcome", Outcome(self.outcome))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "comparison": self.comparison.value,
                "outcome": _value(self.outcome)}


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

    def to_dict(self, dashboard_url: str | None = None) -> dict[str, Any]:
        """The DESIGN.md JSON contract (webhooks add ``"event": "check.completed"``);
        ``dashboard_url`` (settings) makes the document's link to the batch page."""
        return {
            "format_version": CHECK_FORMAT_VERSION,
            "dataset": self.dataset,
            "batch": self.batch,
            "verdict": self.verdict.value,
            "schema_version": self.schema_version,
            "baseline_batch": self.baseline_batch,
            "serving_batch": self.serving_batch,
            "num_examples": self.num_examples,
            "check_id": self.id,
            "checked_at": iso_utc(self.created_at),
            "dashboard_url": self.batch_link(dashboard_url),
            "anomalies": [a.to_dict() for a in self.anomalies],
            "metrics": [m.to_dict() for m in self.metrics],
        }

    def batch_link(self, dashboard_url: str | None) -> str | None:
        """The dashboard's page of this batch, ``<dashboard_url>/batch?dataset=…&batch=…``."""
        if not dashboard_url:
            return None
        return (f"{dashboard_url.rstrip('/')}/batch?dataset={quote(self.dataset, safe='')}"
                f"&batch={quote(self.batch, safe='')}")


def iso_utc(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (``2026-11-25T06:00:12Z``); naive times are taken as UTC."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _value(word: Word | None) -> str | None:
    return None if word is None else word.value


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
