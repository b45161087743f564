"""Statistics protos as rows people can read and charts can draw: the dashboard's view of a batch.

Pure (tensorflow-metadata protos in, frozen dataclasses and plain dicts out), so the dashboard
never needs TFDV or TensorFlow to show a batch, and the logic is testable without Streamlit::

    current = dataset_stats(load(batch))            # DatasetFeatureStatisticsList → DatasetStats
    baseline = dataset_stats(load(baseline_batch))
    for change in compare(current, baseline):   # the features that changed most come first
        print(change.feature, change.status, round(change.score, 3))

The "changed most" score is a distance in [0, 1] between the two distributions of a feature:
for numeric features the Kolmogorov-Smirnov distance of the CDFs read from TFDV's quantile
histograms, for categorical ones the L-infinity distance of the value frequencies (TFDV's own
drift measure for categories); a feature added, removed or whose type changed scores 1. A change
in the share of missing values counts too (the larger of the two wins).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.core.slices import slice_stats

NUMERIC, CATEGORICAL, OTHER = "numeric", "categorical", "other"
_TYPE_NAMES = {0: "INT", 1: "FLOAT", 2: "STRING", 3: "BYTES", 4: "STRUCT"}


@dataclass(frozen=True)
class Bucket:
    low: float
    high: float
    count: float


@dataclass(frozen=True)
class FeatureStats:
    """One feature of one batch: the numbers of the summary table and what its charts need."""

    name: str
    type: str  # INT | FLOAT | STRING | BYTES | STRUCT
    family: str  # numeric | categorical | other: which statistics TFDV keeps of it
    count: int  # examples where the feature is present
    missing: int
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    median: float | None = None
    max: float | None = None
    unique: int | None = None
    zeros: int | None = None
    histogram: tuple[Bucket, ...] = ()  # equal-width buckets
    quantiles: tuple[Bucket, ...] = ()  # equal-mass buckets
    top_values: tuple[tuple[str, float], ...] = ()  # most frequent first
    total_values: float = 0.0  # all values: counts into frequencies, zeros into a share
    avg_length: float | None = None  # categorical: TFDV's average length of the values

    @property
    def missing_ratio(self) -> float:
        total = self.count + self.missing
        return self.missing / total if total else 0.0


@dataclass(frozen=True)
class DatasetStats:
    num_examples: int
    features: tuple[FeatureStats, ...]

    def feature(self, name: str) -> FeatureStats | None:
        return next((f for f in self.features if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)


@dataclass(frozen=True)
class FeatureChange:
    """A feature seen in two batches: how far apart they are (0 same … 1 unrelated) and why."""

    feature: str
    status: str  # "changed" | "added" | "removed" | "type changed"
    score: float
    current: FeatureStats | None
    other: FeatureStats | None


# --- protos → dataclasses --------------------------------------------------------------------


def dataset_stats(
    statistics: statistics_pb2.DatasetFeatureStatisticsList, slice_name: str | None = None
) -> DatasetStats:
    """The whole batch (``core.slices.whole``), or its slice ``slice_name``; an empty list or a
    slice the batch lacks gives no features."""
    dataset = slice_stats(statistics, slice_name)
    if dataset is None:
        return DatasetStats(num_examples=0, features=())
    features = tuple(feature_stats(f) for f in dataset.features)
    return DatasetStats(num_examples=int(dataset.num_examples), features=features)


def feature_name(feature: statistics_pb2.FeatureNameStatistics) -> str:
    if feature.HasField("path") and feature.path.step:
        return ".".join(feature.path.step)
    return feature.name


def feature_stats(feature: statistics_pb2.FeatureNameStatistics) -> FeatureStats:
    name, type_name = feature_name(feature), _TYPE_NAMES.get(feature.type, str(feature.type))
    which = feature.WhichOneof("stats")
    if which == "num_stats":
        num = feature.num_stats
        standard = [h for h in num.histograms if h.type == h.STANDARD]
        quantile = [h for h in num.histograms if h.type == h.QUANTILES]
        return FeatureStats(
            name=name,
            type=type_name,
            family=NUMERIC,
            count=int(num.common_stats.num_non_missing),
            missing=int(num.common_stats.num_missing),
            mean=float(num.mean),
            std=float(num.std_dev),
            min=float(num.min),
            median=float(num.median),
            max=float(num.max),
            zeros=int(num.num_zeros),
            total_values=float(num.common_stats.tot_num_values),
            histogram=_buckets(standard[0]) if standard else (),
            quantiles=_buckets(quantile[0]) if quantile else (),
        )
    if which == "string_stats":
        text = feature.string_stats
        if text.rank_histogram.buckets:
            top = tuple((b.label, float(b.sample_count)) for b in text.rank_histogram.buckets)
        else:
            top = tuple((_label(v.value), float(v.frequency)) for v in text.top_values)
        total = float(text.common_stats.tot_num_values) or sum(c for _, c in top)
        return FeatureStats(
            name=name,
            type=type_name,
            family=CATEGORICAL,
            count=int(text.common_stats.num_non_missing),
            missing=int(text.common_stats.num_missing),
            unique=int(text.unique),
            top_values=top,
            total_values=total,
            avg_length=float(text.avg_length),
        )
    common = _common(feature)
    return FeatureStats(
        name=name,
        type=type_name,
        family=OTHER,
        count=int(common.num_non_missing) if common else 0,
        missing=int(common.num_missing) if common else 0,
    )


def _common(feature: statistics_pb2.FeatureNameStatistics) -> Any:
    which = feature.WhichOneof("stats")
    return getattr(feature, which).common_stats if which else None


def _buckets(histogram: statistics_pb2.Histogram) -> tuple[Bucket, ...]:
    return tuple(
        Bucket(float(b.low_value), float(b.high_value), float(b.sample_count))
        for b in histogram.buckets
    )


def _label(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


# --- distances -------------------------------------------------------------------------------


def cdf(buckets: Sequence[Bucket], x: float) -> float:
    """Share of the mass at or below ``x``, values spread evenly inside each bucket."""
    total = sum(b.count for b in buckets)
    if total <= 0:
        return 0.0
    below = 0.0
    for b in buckets:
        if b.high <= x:
            below += b.count
        elif b.low < x:
            below += b.count * (x - b.low) / (b.high - b.low)
    return min(1.0, below / total)


def numeric_distance(a: FeatureStats, b: FeatureStats) -> float:
    """Kolmogorov-Smirnov distance of two numeric features (quantiles, else equal-width)."""
    ha = a.quantiles or a.histogram
    hb = b.quantiles or b.histogram
    if not ha or not hb:
        return 0.0 if not ha and not hb else 1.0
    points = sorted({p for h in (ha, hb) for bucket in h for p in (bucket.low, bucket.high)})
    return max((abs(cdf(ha, x) - cdf(hb, x)) for x in points), default=0.0)


def frequencies(feature: FeatureStats) -> dict[str, float]:
    total = feature.total_values or sum(c for _, c in feature.top_values)
    return {value: count / total for value, count in feature.top_values} if total else {}


def categorical_distance(a: FeatureStats, b: FeatureStats) -> float:
    """L-infinity distance of the value frequencies (TFDV's drift measure for categories)."""
    fa, fb = frequencies(a), frequencies(b)
    return max((abs(fa.get(v, 0.0) - fb.get(v, 0.0)) for v in fa.keys() | fb.keys()), default=0.0)


def change(current: FeatureStats | None, other: FeatureStats | None) -> FeatureChange:
    if current is None or other is None:
        present = current or other
        assert present is not None
        status = "removed" if current is None else "added"
        return FeatureChange(present.name, status, 1.0, current, other)
    if current.type != other.type or current.family != other.family:
        return FeatureChange(current.name, "type changed", 1.0, current, other)
    if current.family == NUMERIC:
        distance = numeric_distance(current, other)
    elif current.family == CATEGORICAL:
        distance = categorical_distance(current, other)
    else:
        distance = 0.0
    distance = max(distance, abs(current.missing_ratio - other.missing_ratio))
    return FeatureChange(current.name, "changed", _clean(distance), current, other)


def compare(current: DatasetStats, other: DatasetStats) -> list[FeatureChange]:
    """Every feature of either batch, the ones that changed most first (then by name)."""
    names = list(dict.fromkeys(current.names + other.names))
    changes = [change(current.feature(n), other.feature(n)) for n in names]
    return sorted(changes, key=lambda c: (-c.score, c.feature))


def _clean(value: float) -> float:
    return 0.0 if math.isnan(value) else min(1.0, max(0.0, value))


# --- rows for tables and charts --------------------------------------------------------------

SUMMARY_COLUMNS = ("count", "missing", "mean", "std", "min", "median", "max", "unique")


def summary_row(feature: FeatureStats) -> dict[str, Any]:
    return {
        "feature": feature.name,
        "type": feature.type,
        "count": feature.count,
        "missing": feature.missing,
        "missing %": round(100 * feature.missing_ratio, 2),
        "mean": feature.mean,
        "std": feature.std,
        "min": feature.min,
        "median": feature.median,
        "max": feature.max,
        "unique": feature.unique,
    }


def summary_rows(dataset: DatasetStats) -> list[dict[str, Any]]:
    return [summary_row(f) for f in dataset.features]


def comparison_rows(
    changes: Iterable[FeatureChange], labels: tuple[str, str] = ("this batch", "other batch")
) -> list[dict[str, Any]]:
    """One row per feature and side (this batch, the other), most-changed features first."""
    rows: list[dict[str, Any]] = []
    for c in changes:
        for label, side in zip(labels, (c.current, c.other), strict=True):
            row: dict[str, Any] = {"feature": c.feature, "change": round(c.score, 4),
                                   "status": c.status, "side": label}
            if side is None:
                row.update({"type": None, **{k: None for k in SUMMARY_COLUMNS}})
            else:
                summary = summary_row(side)
                row.update({k: summary[k] for k in ("type", *SUMMARY_COLUMNS)})
            rows.append(row)
    return rows


def histogram_rows(feature: FeatureStats, label: str, quantiles: bool = False) -> list[dict]:
    """Buckets as shares of the batch (so batches of different sizes overlay fairly)."""
    buckets = feature.quantiles if quantiles else feature.histogram
    total = sum(b.count for b in buckets)
    return [
        {"side": label, "low": b.low, "high": b.high, "share": b.count / total if total else 0.0}
        for b in buckets
    ]


def quantile_rows(feature: FeatureStats, label: str) -> list[dict[str, Any]]:
    """The quantile curve: the value at each cumulative share, from the equal-mass buckets."""
    buckets = feature.quantiles
    total = sum(b.count for b in buckets)
    if not buckets or total <= 0:
        return []
    rows, seen = [{"side": label, "quantile": 0.0, "value": buckets[0].low}], 0.0
    for b in buckets:
        seen += b.count
        rows.append({"side": label, "quantile": round(seen / total, 6), "value": b.high})
    return rows


def top_value_rows(feature: FeatureStats, label: str, limit: int = 20) -> list[dict[str, Any]]:
    shares = frequencies(feature)
    return [
        {"side": label, "value": value, "share": shares.get(value, 0.0), "count": count}
        for value, count in feature.top_values[:limit]
    ]


def overlay_top_values(
    sides: Sequence[tuple[str, FeatureStats | None]], limit: int = 15
) -> list[dict[str, Any]]:
    """Shares of the values most frequent on either side, for one overlaid bar chart."""
    present = [(label, f) for label, f in sides if f is not None]
    values = list(dict.fromkeys(v for _, f in present for v, _ in f.top_values[:limit]))
    rows = []
    for label, f in present:
        shares = frequencies(f)
        rows += [{"side": label, "value": v, "share": shares.get(v, 0.0)} for v in values]
    return rows


__all__ = [
    "Bucket",
    "DatasetStats",
    "FeatureChange",
    "FeatureStats",
    "categorical_distance",
    "cdf",
    "change",
    "compare",
    "comparison_rows",
    "dataset_stats",
    "feature_stats",
    "histogram_rows",
    "numeric_distance",
    "overlay_top_values",
    "quantile_rows",
    "summary_rows",
    "top_value_rows",
]
