"""Trend anomalies of a check: this batch's series against the history of the batches before it.

    found = trend_anomalies(ctx, batch, statistics, metrics, TrendConfig(window=30))

The history is the last ``window`` training batches whose names sort before this one (byte
order, as baselines are chosen), oldest first. Their series come from the store, never from
their artifacts: the example count and each feature's missing share, mean, std and unique count
from the batches' profiles (one query, ``service.profiles``; a batch recorded before profiles
existed is backfilled from its artifact once), the drift series from the drift metrics of each
batch's most recent check that measured drift (``metric_history``). This batch's series come from
the statistics the check already loaded and the drift values it just measured. The rule itself is
``core.trends``.

With fewer than ``core.trends.MIN_HISTORY`` earlier batches nothing is loaded or judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from dataguard.core.models import Anomaly, Batch, Comparison, Metric, Role
from dataguard.core.trends import MIN_HISTORY, SeriesKey, TrendConfig, drift_key, judge
from dataguard.service.context import Context

if TYPE_CHECKING:
    from tensorflow_metadata.proto.v0.statistics_pb2 import DatasetFeatureStatisticsList

    from dataguard.store.views import MetricPoint

CHECKS_PER_BATCH = 10
"""How many of the dataset's newest checks are read per batch of the window (re-checks)."""


def trend_anomalies(
    ctx: Context, batch: Batch, statistics: DatasetFeatureStatisticsList,
    metrics: Iterable[Metric], config: TrendConfig,
) -> list[Anomaly]:
    """``trend`` anomalies of ``batch`` (see the module docstring); [] when turned off or when
    the history is too short."""
    from dataguard.service.profiles import history_profiles
    from dataguard.service.stats import batch_profile

    if not config.enabled:
        return []
    with ctx.store.read() as q:
        past = history_batches(q.list_batches(batch.dataset, Role.TRAINING), batch.name,
                               config.window)
        if len(past) < MIN_HISTORY:
            return []
        points = q.metric_history(batch.dataset, Comparison.DRIFT.value,
                                  limit_checks=CHECKS_PER_BATCH * config.window)
    drift = drift_series(points, [b.name for b in past])
    profiles = history_profiles(ctx, past)
    history = [{**profiles.get(b.name, {}), **drift.get(b.name, {})} for b in past]
    current = batch_profile(statistics)
    current.update({drift_key(m.feature, m.method): m.value for m in metrics
                    if m.comparison == Comparison.DRIFT})
    return judge(config.keep(current), history)


def history_batches(batches: Iterable[Batch], name: str, window: int) -> list[Batch]:
    """The last ``window`` batches named before ``name`` (byte order), oldest first."""
    before = sorted((b for b in batches if _key(b.name) < _key(name)), key=lambda b: _key(b.name))
    return before[-window:]


def drift_series(points: Sequence[MetricPoint],
                 names: Iterable[str]) -> dict[str, dict[SeriesKey, float]]:
    """Per batch of ``names``: the drift values of its most recent check that measured drift
    (``points`` come oldest check first, as ``metric_history`` returns them)."""
    wanted = set(names)
    latest: dict[str, int] = {}
    for p in points:
        if p.batch in wanted:
            latest[p.batch] = p.check_id
    found: dict[str, dict[SeriesKey, float]] = {}
    for p in points:
        if latest.get(p.batch) == p.check_id:
            found.setdefault(p.batch, {})[drift_key(p.feature, p.method)] = p.value
    return found


def _key(name: str) -> bytes:
    return name.encode("utf-8")
