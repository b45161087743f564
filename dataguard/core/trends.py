"""Trends: is this batch's value of a stored series inside the control limits of its history?

Pure statistical process control over plain numbers. A **series** is one number per batch: the
example count, a feature's missing share, mean, standard deviation or unique count (from each
batch's statistics, ``core.stats_view``), or a drift metric's value (from the stored checks). The
history is the same series over the last ``trend_window`` training batches named before this one
(oldest first); this batch's value is judged against limits learned from it, with no threshold
to tune:

    limits = control_limits([12.1, 12.4, 11.9, 12.2, 12.0, 12.3])   # median 12.15 ± 3.5·σ̂
    limits.contains(27.1)      # False: a ``trend`` anomaly, TREND_OUT_OF_CONTROL

The rule: Iglewicz & Hoaglin's modified z-score, |x − median| / σ̂ > 3.5, widened for the
length of the history so that it fires as rarely as its name promises:

- **centre** the median of the history, **spread** σ̂ = 1.4826·MAD (the median absolute
  deviation, scaled to estimate a normal standard deviation). Median and MAD ignore up to half
  of the history being outliers, so one bad batch last week does not widen the limits;
- **cut-off** 3.5·(1 + 10/(n − 5)) σ̂ for a history of n values (4.9 σ̂ for n = 30, 7 σ̂ for
  n = 15): σ̂ from a few values is itself noisy, and the plain 3.5 σ̂ flags normal noise far more
  often than 3.5 σ would (simulated: 12% of in-control values at n = 5, 3.3% at n = 10, 0.56% at
  n = 30, against 0.047% for a known σ). With the widening the rate is 0.045–0.07% for every
  n from 10 to 100 (``tests/core/test_trends.py`` checks it); with ~70 series per batch (taxi:
  18 features, 3–4 series each with its drift) about 1 normal batch in 30 gets a ``trend``
  warning;
- when more than half the history is identical, MAD is 0: σ̂ falls back to 1.2533·(mean absolute
  deviation from the median) (the same normal scaling; IBM SPSS's fallback for the modified
  z-score), so rare earlier deviations still count;
- **limits** median ± max(cut-off, 1% of |median|, 1e-9): a flat series (a fixed sample size, a
  vocabulary that never changes) would otherwise have zero-width limits and fire on numeric noise
  or a trivial change; 1% of the median keeps ``10000 → 10001`` examples in control and still
  flags ``6 → 7`` categories. A series flat at exactly 0 has no scale to be relative to: any
  value beyond 1e-9 fires (a feature that was never missing now has missing values);
- fewer than ``MIN_HISTORY`` (10) values in the history: nothing is judged (``None``). Below 10
  the MAD of a handful of values is too unstable for any useful cut-off (at n = 5 it would have
  to be 70 σ̂ to keep the promised rate).

Statistics series are judged on both sides (a missing share that suddenly drops is news too);
drift series only above the upper limit: a batch closer to its baseline than usual is not a
problem.

The limits of a linear ramp (a growing dataset) stay wide enough for the next step of the ramp:
over 30 equally spaced values σ̂ ≈ 11 steps, the next value is 15.5 steps from the median.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataguard.core.models import Anomaly, AnomalyKind
from dataguard.core.names import dataset_table
from dataguard.core.stats_view import CATEGORICAL, NUMERIC, DatasetStats
from dataguard.errors import UsageError

K = 3.5
"""Iglewicz & Hoaglin's cut-off for the modified z-score."""
MAD_SCALE = 1.4826
"""1 / Φ⁻¹(3/4): makes the MAD estimate a normal distribution's standard deviation."""
MEAN_AD_SCALE = 1.2533
"""√(π/2): the same for the mean absolute deviation (used when MAD is 0)."""
RELATIVE_FLOOR = 0.01
"""The limits are never narrower than ±1% of the median."""
ABSOLUTE_FLOOR = 1e-9
"""…nor than ±1e-9 (numeric noise around a median of 0)."""
MIN_HISTORY = 10
"""The fewest past values limits are learned from; below it nothing is judged."""
DEFAULT_WINDOW = 30
"""``[datasets.<name>] trend_window``: the last N training batches named before this one."""
TREND_OUT_OF_CONTROL = "TREND_OUT_OF_CONTROL"
SEVERITY = "warning"
"""Out of control is a signal to look at, not a broken contract: it warns by default
(``[policy] fail_types = ["TREND_OUT_OF_CONTROL"]`` makes it fail)."""

DRIFT_SUFFIX = " drift"
"""Drift series are judged from above only: a batch closer to its baseline than usual is fine."""

FEATURE_STATISTICS = ("mean", "std", "missing share", "unique")
"""A feature's statistics series (``statistics_series``; numeric: mean and std, categorical:
unique; both: missing share), in the order the dashboard shows them."""

SeriesKey = tuple[str, str]
"""(feature, statistic): ``("fare", "mean")``, ``("", "num_examples")``,
``("payment_type", "l_infinity drift")``; feature ``""`` is the dataset."""


@dataclass(frozen=True)
class ControlLimits:
    """What a history allows: ``low ≤ value ≤ high`` is in control."""

    center: float
    low: float
    high: float
    history: int  # how many past values they were learned from
    spread: str  # how the half-width was chosen: "MAD", "mean absolute deviation", "floor"

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def cutoff(n: int, k: float = K) -> float:
    """How many σ̂ from the median a value of a history of ``n`` may be: k·(1 + 10/(n − 5))."""
    return k * (1 + 10 / (n - 5))


def control_limits(history: Iterable[float], *, k: float = K,
                   min_history: int = MIN_HISTORY) -> ControlLimits | None:
    """median ± max(cutoff(n)·σ̂, 1%·|median|, 1e-9) of the n finite values of ``history``;
    ``None`` when n < ``min_history`` (see the module docstring for why)."""
    values = [float(v) for v in history if math.isfinite(v)]
    if len(values) < max(min_history, 6):
        return None
    center = statistics.median(values)
    deviations = [abs(v - center) for v in values]
    mad = statistics.median(deviations)
    if mad > 0:
        sigma, spread = MAD_SCALE * mad, "MAD"
    else:
        sigma, spread = MEAN_AD_SCALE * statistics.fmean(deviations), "mean absolute deviation"
    floor = max(RELATIVE_FLOOR * abs(center), ABSOLUTE_FLOOR)
    half = cutoff(len(values), k) * sigma
    if half < floor:
        half, spread = floor, "floor"
    return ControlLimits(center, center - half, center + half, len(values), spread)


# --- series of a batch ----------------------------------------------------------------------
def statistics_series(stats: DatasetStats) -> dict[SeriesKey, float]:
    """The series one batch's statistics give: example count; per feature missing share, and
    mean and std (numeric) or unique count (categorical)."""
    found: dict[SeriesKey, float] = {("", "num_examples"): float(stats.num_examples)}
    for f in stats.features:
        found[(f.name, "missing share")] = f.missing_ratio
        if f.family == NUMERIC:
            if f.count:  # no values: mean and std are not measurements
                found[(f.name, "mean")] = _number(f.mean)
                found[(f.name, "std")] = _number(f.std)
        elif f.family == CATEGORICAL and f.unique is not None:
            found[(f.name, "unique")] = float(f.unique)
    return found


def drift_key(feature: str, method: str) -> SeriesKey:
    return (feature, f"{method}{DRIFT_SUFFIX}")


def judge(current: Mapping[SeriesKey, float],
          history: Sequence[Mapping[SeriesKey, float]]) -> list[Anomaly]:
    """One ``trend`` anomaly per series of ``current`` outside the limits of its ``history``
    (oldest batch first; a batch lacking a series just has no value in it). Statistics series
    are judged on both sides, drift series only above their upper limit."""
    found = []
    for key, value in current.items():
        if not math.isfinite(value):
            continue
        limits = control_limits(h[key] for h in history if key in h)
        if limits is None or limits.contains(value):
            continue
        if value > limits.high or not key[1].endswith(DRIFT_SUFFIX):
            found.append(out_of_control(key, value, limits))
    return sorted(found, key=lambda a: (a.feature, a.short_description))


def out_of_control(key: SeriesKey, value: float, limits: ControlLimits) -> Anomaly:
    """``mean of fare is 34.6, outside 8.53..15.1 (median ± 4.9·scaled MAD of the last 30
    batches; median 11.8)``; a drift series, judged from above only: ``… is 0.22, above 0.14
    (median + …)``."""
    feature, statistic = key
    what = f"{statistic} of {feature}" if feature else statistic
    upper_only = statistic.endswith(DRIFT_SUFFIX)
    sign = "+" if upper_only else "±"
    k = f"{cutoff(limits.history):.2g}"
    how = {"MAD": f"median {sign} {k}·scaled MAD",
           "mean absolute deviation": f"median {sign} {k}·scaled mean absolute deviation",
           "floor": f"median {sign} {RELATIVE_FLOOR:.0%} (a flat series)"}[limits.spread]
    direction = "above" if value > limits.high else "below"
    bounds = (f"above {_fmt(limits.high)}" if upper_only
              else f"outside {_fmt(limits.low)}..{_fmt(limits.high)}")
    return Anomaly(
        feature, AnomalyKind.TREND, TREND_OUT_OF_CONTROL, SEVERITY,
        f"Trend: {what} {direction} its control limits",
        f"{what} is {_fmt(value)}, {bounds} "
        f"({how} of the last {limits.history} batches; median {_fmt(limits.center)})",
    )


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


# --- config ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendConfig:
    """``[datasets.<name>] trend = true`` (default) and ``trend_window = 30``; a feature's
    series are left out with ``[datasets.<name>.features.<feature>] trend = false``."""

    enabled: bool = True
    window: int = DEFAULT_WINDOW
    off: frozenset[str] = frozenset()  # features whose series are not judged

    def keep(self, series: Mapping[SeriesKey, float]) -> dict[SeriesKey, float]:
        """``series`` without those of the features turned off."""
        return {key: value for key, value in series.items() if key[0] not in self.off}

    @classmethod
    def from_config(cls, document: Mapping[str, Any], dataset: str) -> TrendConfig:
        """From the dataset's table; ``UsageError`` (one line, exit 2) for a bad value."""
        table = dataset_table(document, dataset)
        enabled = table.get("trend", True)
        if not isinstance(enabled, bool):
            raise UsageError(f"config [datasets.{dataset}] trend: must be true or false, "
                             f"got {enabled!r}")
        window = table.get("trend_window", DEFAULT_WINDOW)
        if isinstance(window, bool) or not isinstance(window, int) or window < MIN_HISTORY:
            raise UsageError(
                f"config [datasets.{dataset}] trend_window: must be a whole number of batches, "
                f"at least {MIN_HISTORY} (the fewest control limits are learned from), "
                f"got {window!r}"
            )
        return cls(enabled, window, _features_off(table, dataset))


def _features_off(table: Mapping[str, Any], dataset: str) -> frozenset[str]:
    features = table.get("features")
    off = set()
    for name, settings in (features.items() if isinstance(features, Mapping) else ()):
        flag = settings.get("trend", True) if isinstance(settings, Mapping) else True
        if not isinstance(flag, bool):
            raise UsageError(f"config [datasets.{dataset}.features.{name}] trend: must be true "
                             f"or false, got {flag!r}")
        if not flag:
            off.add(name)
    return frozenset(off)


__all__ = [
    "ControlLimits",
    "SeriesKey",
    "TrendConfig",
    "control_limits",
    "cutoff",
    "drift_key",
    "judge",
    "statistics_series",
]
