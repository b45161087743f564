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
    """What an anomaly is about (the only meaning of "kind"); ``rule``: a custom rule of
    ``dataguard.toml`` over the batch's statistics did not hold (``core.rules``)."""

    SCHEMA = "schema"
    DRIFT = "drift"
    SKEW = "skew"
    RULE = "rule"  # a custom rule over statistics that did not hold (core.rules)
    TREND = "trend"  # a stored series out of its control limits (core.trends)


class Outcome(Word):
    """What the policy made of one anomaly (and of the metric that caused it): it ``fail``s the
    check, only ``warn``s, or is ``ignored`` (recorded, left out of the verdict). ``None`` where
    there is nothing to judge (a metric within its threshold) or nothing was recorded (checks
    stored before outcomes existed)."""

    FAIL = "fail"
    WARN = "warn"
    IGNORED = "ignored"


class Comparison(Word):
    """What a metric compares the batch with: its baseline (drift), a serving batch (skew), or
    the fixed value of a custom rule (rule: ``method`` is the rule's stat, ``threshold`` its
    value, ``exceeded`` that the rule did not hold; ``core.rules``)."""

    DRIFT = "drift"
    SKEW = "skew"
    RULE = "rule"


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
    slice: str | None = None  # the slice it is about (``payment_type_Cash``); None: whole batch

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
    """One drift, skew or rule measurement of one feature, recorded whether or not it exceeded."""

    feature: str
    comparison: Comparison
    method: str  # "l_infinity" | "jensen_shannon" | "normalized_abs_difference" | "num_examples"
    #              | "psi" | "hellinger" | "wasserstein" | "ks" (core.distances)
    # | a rule's stat ("zeros_share", …: core.rules.STATS) when comparison is "rule"
    value: float
    threshold: float | None
    exceeded: bool
    outcome: Outcome | None = None  # that of the anomaly it caused; None when not exceeded
    slice: str | None = None  # the slice it measured (core.slices); None: the whole batch

    def __post_init__(self) -> None:
        object.__setattr__(self, "comparison", Comparison(self.comparison))  # "drift" works too
        if self.outcome is not None:
            object.__setattr__(self, "outcome", Outcome(self.outcome))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "comparison": self.comparison.value,
                "outcome": _value(self.outcome)}


class BaselineRule(Word):
    """How the baseline was chosen (``baseline.rule`` in the check JSON)."""

    PRECEDING = "preceding"  # the training batch whose name sorts just before
    LAST_PASSING = "last-passing"  # the latest of those whose latest check passed or warned
    BATCH = "batch"  # a training batch named with --baseline
    REFERENCE = "reference"  # the batch pinned as [datasets.X] references.NAME
    WINDOW = "window"  # the last N training batches before it, statistics merged


@dataclass(frozen=True)
class Baseline:
    """The baseline a check measured drift against: ``batches`` in name order (one, or the
    window's), ``name`` of the reference, ``size`` the window asked for (``batches`` may be
    fewer). ``rule`` None: a check stored before rules were recorded."""

    rule: BaselineRule | None
    batches: tuple[str, ...]
    name: str | None = None
    size: int | None = None

    @property
    def label(self) -> str:
        """``baseline_batch``: the batch, or ``window:7 (2026-11-18..2026-11-24)`` (``window:7
        (3 of 7: 2026-11-22..2026-11-24)`` when fewer batches were there)."""
        if self.rule is not BaselineRule.WINDOW:
            return self.batches[0]
        span = self.batches[0] if len(self.batches) == 1 else (
            f"{self.batches[0]}..{self.batches[-1]}")
        fewer = f"{len(self.batches)} of {self.size}: " if len(self.batches) != self.size else ""
        return f"window:{self.size} ({fewer}{span})"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": None if self.rule is None else self.rule.value,
                "batches": list(self.batches), "name": self.name, "size": self.size}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Baseline:
        rule = data.get("rule")
        return cls(rule=None if rule is None else BaselineRule(rule),
                   batches=tuple(data.get("batches") or ()), name=data.get("name"),
                   size=data.get("size"))


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
    baseline: Baseline | None = None  # how drift was measured; None: no drift measured

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
            "baseline": self._baseline_dict(),
            "serving_batch": self.serving_batch,
            "num_examples": self.num_examples,
            "check_id": self.id,
            "checked_at": iso_utc(self.created_at),
            "dashboard_url": self.batch_link(dashboard_url),
            "anomalies": [a.to_dict() for a in self.anomalies],
            "metrics": [m.to_dict() for m in self.metrics],
        }

    def _baseline_dict(self) -> dict[str, Any] | None:
        """``baseline`` of the JSON; a check stored before it was recorded has its one batch
        and an unknown (null) rule."""
        if self.baseline is not None:
            return self.baseline.to_dict()
        if self.baseline_batch is None:
            return None
        return {"rule": None, "batches": [self.baseline_batch], "name": None, "size": None}

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
class ComputedStatistics:
    """What a statistics engine (``dataguard.engines.StatsEngine``) hands back: the statistics,
    and what only the engine knows of the run, for the use case to record and show."""

    statistics: Any  # a DatasetFeatureStatisticsList
    rows_per_file: dict[str, int]  # rows read per input file; they add up to num_examples
    engine: str  # local | beam
    runner: str = ""  # the Beam runner (DirectRunner, DataflowRunner, …); "" for local


@dataclass(frozen=True)
class StatsResult:
    """What ``dataguard.stats`` returns: the stored batch (and the artifact the store points to),
    with the rows read per input file when the engine reported them."""

    batch: Batch
    engine: str
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    rows_per_file: dict[str, int] = field(default_factory=dict)
    runner: str = ""

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
            "runner": self.runner,
            "seconds": round(self.seconds, 3),
            "rows_per_file": dict(sorted(self.rows_per_file.items())),
        }
