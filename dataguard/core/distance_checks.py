"""PSI, Hellinger, Wasserstein and KS of every compared feature, as metrics and anomalies.

``core.validate`` calls this once per comparison (drift, skew) with the features TFDV compared;
the numbers come from ``core.distances``, the settings from ``dataguard.toml``
(``ComparatorConfig``: ``methods = [...]`` and one threshold per method)::

    anomalies, metrics = distance_findings(current, baseline, ["fare", "company"], DRIFT, config)

Every measured value is a ``Metric`` (method ``psi`` | ``hellinger`` | ``wasserstein`` | ``ks``)
with the threshold it was held to, or None when none is configured: then it is recorded and never
exceeds. An exceeded one is also an ``Anomaly`` of the comparison's kind, type ``PSI_HIGH``,
``HELLINGER_HIGH``, ``WASSERSTEIN_HIGH`` or ``KS_HIGH`` (``policy.CAUSED_BY_METHOD``), severity
``error`` like TFDV's comparator anomalies, so ``warn_types``/``ignore_types`` apply to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.core import distances
from dataguard.core.models import Anomaly, AnomalyKind, Comparison, Metric
from dataguard.core.policy import CAUSED_BY_METHOD
from dataguard.core.stats_view import feature_stats

FeatureProtos = Mapping[str, statistics_pb2.FeatureNameStatistics]
NAMES = {
    distances.PSI: ("PSI", "population stability index (PSI)"),
    distances.HELLINGER: ("Hellinger distance", "Hellinger distance"),
    distances.WASSERSTEIN: ("normalized Wasserstein distance",
                            "Wasserstein distance (in standard deviations of the {other})"),
    distances.KS: ("Kolmogorov-Smirnov distance", "Kolmogorov-Smirnov distance"),
}
SIDES = {Comparison.DRIFT: ("current", "previous"), Comparison.SKEW: ("training", "serving")}
"""TFDV's words for the two sides in its comparator descriptions."""


class MethodSettings(Protocol):
    """Which methods to measure and their thresholds (``schemas.ComparatorConfig``)."""

    def distance_methods(self, comparison: str, feature: str | None = None) -> tuple[str, ...]: ...

    def distance_threshold(
        self, method: str, comparison: str, feature: str | None = None
    ) -> float | None: ...


def distance_findings(
    current: FeatureProtos, other: FeatureProtos, features: Iterable[str],
    comparison: Comparison, settings: MethodSettings,
) -> tuple[list[Anomaly], list[Metric]]:
    """Metrics of the configured methods for ``features`` (those with values on both sides),
    and one anomaly per exceeded threshold."""
    anomalies: list[Anomaly] = []
    metrics: list[Metric] = []
    for name in features:
        wanted = settings.distance_methods(comparison.value, name)
        if not wanted or name not in current or name not in other:
            continue
        measured = distances.measure(feature_stats(current[name]), feature_stats(other[name]),
                                     wanted)
        for method, value in measured.items():
            threshold = settings.distance_threshold(method, comparison.value, name)
            exceeded = threshold is not None and value > threshold
            metrics.append(Metric(name, comparison, method, value, threshold, exceeded))
            if exceeded and threshold is not None:
                anomalies.append(_high(name, comparison, method, value, threshold))
    return anomalies, metrics


def _high(feature: str, comparison: Comparison, method: str, value: float,
          threshold: float) -> Anomaly:
    """In TFDV's words (``The Linfty distance between current and previous is 0.0132 (up to six
    significant digits), above the threshold 0.01. …``)."""
    this, that = SIDES[comparison]
    short, long = NAMES[method]
    long = long.format(other="baseline" if comparison is Comparison.DRIFT else "serving batch")
    return Anomaly(
        feature, AnomalyKind(comparison.value), CAUSED_BY_METHOD[method][0], "error",
        f"High {short} between {this} and {that}",
        f"The {long} between {this} and {that} is {value:.6g} (up to six significant digits), "
        f"above the threshold {threshold:g}.",
    )
