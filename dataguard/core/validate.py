"""Judge a batch's statistics: schema, drift and skew anomalies, every measurement, a verdict.

Pure function over protos; TFDV's C++ validation runs without importing TensorFlow
(``core.tfdv_native``), so a check takes a fraction of a second after loading the statistics:

    anomalies, metrics, verdict = validate(stats, schema, baseline=day1, serving=requests)

TFDV's traps, handled here so that callers never fall in them:
- drift and skew anomalies share type names (COMPARATOR_L_INFTY_HIGH, …): schema, drift and
  skew are separate ``tfdv.validate_statistics`` calls and every anomaly carries its kind;
- ``drift_skew_info`` lists every compared feature (TFDV ≥ 1.x), so every measurement becomes a
  ``Metric`` (value, threshold, exceeded), plus the dataset-level example-count ratio;
- an empty batch makes TFDV return only ``data_missing`` and skip every other check: dataguard
  reports ``NO_DATA_IN_SPAN``, which always fails;
- a handful of examples makes every distance large (10 serving rows "skew" on every feature):
  below ``min_examples`` on either side a comparison is not measured and dataguard reports one
  ``COMPARISON_NOT_MEASURABLE`` warning of that kind instead (the example-count ratio against the
  baseline is exact at any size and still judged);
- a baseline/serving batch without values of a compared feature: TFDV reports
  COMPARATOR_CONTROL_DATA_MISSING only when the feature is absent from the statistics and says
  nothing when it is present but empty; dataguard reports it in both cases (and the symmetric
  COMPARATOR_TREATMENT_DATA_MISSING), so a missing measurement is never silent (a feature with
  values on neither side, as in a slice where it is never set, has nothing to compare: none);
- an L-infinity or normalized-abs-difference comparator on a numeric feature always measures 0
  (they read categorical statistics only): reported as a schema warning;
- the label and other features ``not_in_environment: SERVING`` are not compared for skew, and the
  serving batch is checked against the schema in the SERVING environment (a label that leaks into
  serving data is a skew anomaly).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple, TypeAlias

from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2, statistics_pb2

from dataguard.core import schemas as sch
from dataguard.core import tfdv_native
from dataguard.core import thresholds as thr
from dataguard.core.distance_checks import MethodSettings, distance_findings
from dataguard.core.models import Anomaly, AnomalyKind, Comparison, Metric, Verdict
from dataguard.core.policy import Policy
from dataguard.core.slices import whole
from dataguard.core.stats_view import feature_name
from dataguard.errors import UsageError

Stats: TypeAlias = statistics_pb2.DatasetFeatureStatisticsList
COMPARATOR_TYPES = frozenset(
    {
        "COMPARATOR_CONTROL_DATA_MISSING",
        "COMPARATOR_TREATMENT_DATA_MISSING",
        "COMPARATOR_L_INFTY_HIGH",
        "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
        "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH",
        "COMPARATOR_LOW_NUM_EXAMPLES",
        "COMPARATOR_HIGH_NUM_EXAMPLES",
    }
)
_MEASUREMENT = anomalies_pb2.DriftSkewInfo.Measurement
METHOD_OF_MEASUREMENT = {
    _MEASUREMENT.L_INFTY: thr.L_INFINITY,
    _MEASUREMENT.JENSEN_SHANNON_DIVERGENCE: thr.JENSEN_SHANNON,
    _MEASUREMENT.NORMALIZED_ABSOLUTE_DIFFERENCE: thr.NORMALIZED_ABS_DIFFERENCE,
}
HIGH_TYPE_OF_METHOD = {
    thr.L_INFINITY: "COMPARATOR_L_INFTY_HIGH",
    thr.JENSEN_SHANNON: "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
    thr.NORMALIZED_ABS_DIFFERENCE: "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH",
}
OTHER_SIDE = {Comparison.DRIFT: "baseline", Comparison.SKEW: "serving"}  # measured against
NOT_MEASURABLE = "COMPARISON_NOT_MEASURABLE"
NUM_EXAMPLES_TYPES = frozenset({"COMPARATOR_LOW_NUM_EXAMPLES", "COMPARATOR_HIGH_NUM_EXAMPLES"})
_KIND_ORDER = {AnomalyKind.SCHEMA: 0, AnomalyKind.DRIFT: 1, AnomalyKind.SKEW: 2}


class Validation(NamedTuple):
    anomalies: tuple[Anomaly, ...]
    metrics: tuple[Metric, ...]
    verdict: Verdict


def infer(statistics: Stats) -> schema_pb2.Schema:
    """``tfdv.infer_schema`` (no comparators yet: see ``schemas.apply_comparators``)."""
    return tfdv_native.infer_schema(statistics)


def validate(
    statistics: Stats,
    schema: schema_pb2.Schema,
    *,
    baseline: Stats | None = None,
    serving: Stats | None = None,
    environment: str | None = None,
    policy: Policy | None = None,
    min_examples: Mapping[str, int] | None = None,
    methods: MethodSettings | None = None,
) -> Validation:
    """Anomalies (schema, drift vs ``baseline``, skew vs ``serving``), metrics and the verdict.

    ``min_examples`` (``{"drift": 30, "skew": 30}``, what ``dataguard check`` passes from config):
    fewer examples on either side and that comparison is not measured; None measures any size.
    ``methods`` (``ComparatorConfig``, what ``dataguard check`` passes): which of PSI, Hellinger,
    Wasserstein and KS (``core.distances``) to measure next to TFDV's comparator, with their
    thresholds; None measures only TFDV's."""
    policy = policy or Policy()
    minimum = min_examples or {}
    if environment is None and sch.TRAINING in schema.default_environment:
        environment = sch.TRAINING
    if num_examples(statistics) == 0:
        empty = Anomaly("", AnomalyKind.SCHEMA, "NO_DATA_IN_SPAN", "error", "Empty batch",
                        "The batch has 0 examples: TFDV skips every other check on empty data, "
                        "so dataguard fails it.")
        return Validation(*policy.apply([empty]))

    anomalies = _schema_anomalies(statistics, schema, environment)
    anomalies += _numeric_comparator_traps(statistics, schema)
    metrics: list[Metric] = []
    if baseline is not None:
        found, measured = _compare(statistics, schema, baseline, environment, Comparison.DRIFT,
                                   minimum.get(Comparison.DRIFT.value, 0), methods)
        anomalies += found
        metrics += measured
        metrics += _num_examples_metric(statistics, schema, baseline)
    if serving is not None:
        found, measured = _compare(statistics, _skew_schema(schema), serving, environment,
                                   Comparison.SKEW, minimum.get(Comparison.SKEW.value, 0), methods)
        anomalies += found + _serving_schema_anomalies(serving, schema)
        metrics += measured
    anomalies.sort(key=lambda a: (_KIND_ORDER[a.kind], a.feature, a.type))
    metrics.sort(key=_metric_order)
    return Validation(*policy.apply(anomalies, metrics))  # each with its outcome


def _metric_order(metric: Metric) -> tuple[str, str, int, str]:
    """By comparison and feature; TFDV's measurement first, then PSI, Hellinger, Wasserstein,
    KS (``thresholds.DISTANCE_METHODS``)."""
    mine = metric.method in thr.DISTANCE_METHODS
    rank = f"{thr.DISTANCE_METHODS.index(metric.method)}" if mine else metric.method
    return (metric.comparison.value, metric.feature, int(mine), rank)


# --- statistics helpers ---------------------------------------------------------------------
def num_examples(statistics: Stats) -> int:
    return int(whole(statistics).num_examples)


def feature_statistics(statistics: Stats) -> dict[str, statistics_pb2.FeatureNameStatistics]:
    return {feature_name(f): f for f in whole(statistics).features}


def _non_missing(feature: statistics_pb2.FeatureNameStatistics | None) -> int:
    which = feature.WhichOneof("stats") if feature is not None else None
    if which is None or feature is None:
        return 0
    return int(getattr(feature, which).common_stats.num_non_missing)


# --- TFDV calls and their translation ------------------------------------------------------
def _tfdv_validate(statistics: Stats, schema: schema_pb2.Schema, environment: str | None,
                   **others: Stats) -> anomalies_pb2.Anomalies:
    try:
        return tfdv_native.validate_statistics(statistics, schema, environment, **others)
    except (ValueError, TypeError) as exc:  # TFDV's own checks, on the fallback path
        message = " ".join(str(exc).split())
        raise UsageError(f"schema: TFDV cannot validate against it: {message}") from None


def _translate(result: anomalies_pb2.Anomalies, kind: AnomalyKind,
               keep: Callable[[str], bool], prefix: str = "") -> list[Anomaly]:
    """One ``Anomaly`` per TFDV reason (TFDV merges reasons of a feature into one info)."""
    found: list[Anomaly] = []
    infos: list[tuple[str, anomalies_pb2.AnomalyInfo]] = [
        (".".join(info.path.step) or key, info) for key, info in result.anomaly_info.items()
    ]
    if result.HasField("dataset_anomaly_info"):
        infos.append(("", result.dataset_anomaly_info))
    for feature, info in infos:
        severity = "error" if info.severity == anomalies_pb2.AnomalyInfo.ERROR else "warning"
        reasons = list(info.reason) or [
            anomalies_pb2.AnomalyInfo.Reason(
                short_description=info.short_description, description=info.description
            )
        ]
        for reason in reasons:
            type_name = anomalies_pb2.AnomalyInfo.Type.Name(reason.type)
            if keep(type_name):
                found.append(Anomaly(feature, kind, type_name, severity,
                                     reason.short_description, prefix + reason.description))
    return found


def _schema_anomalies(statistics: Stats, schema: schema_pb2.Schema,
                      environment: str | None) -> list[Anomaly]:
    result = _tfdv_validate(statistics, schema, environment)
    return _translate(result, AnomalyKind.SCHEMA, lambda t: t not in COMPARATOR_TYPES)


def _serving_schema_anomalies(serving: Stats, schema: schema_pb2.Schema) -> list[Anomaly]:
    """The serving batch against the schema in the SERVING environment (e.g. a leaked label)."""
    if num_examples(serving) == 0:
        return []
    environment = sch.SERVING if sch.SERVING in schema.default_environment else None
    result = _tfdv_validate(serving, schema, environment)
    return _translate(result, AnomalyKind.SKEW, lambda t: t not in COMPARATOR_TYPES,
                      prefix="Serving batch: ")


def _skew_schema(schema: schema_pb2.Schema) -> schema_pb2.Schema:
    """Features not expected at serving time (the label) are not compared for skew."""
    out = schema_pb2.Schema()
    out.CopyFrom(schema)
    if sch.SERVING in out.default_environment:
        for feature in out.feature:
            if not sch.in_environment(feature, sch.SERVING):
                feature.ClearField("skew_comparator")
    return out


def _compare(
    statistics: Stats, schema: schema_pb2.Schema, other: Stats, environment: str | None,
    comparison: Comparison, min_examples: int = 0, methods: MethodSettings | None = None,
) -> tuple[list[Anomaly], list[Metric]]:
    """Drift (vs the baseline) or skew (vs serving): comparator anomalies and every measurement."""
    kind = AnomalyKind(comparison)
    other_name = OTHER_SIDE[comparison]
    if num_examples(other) == 0:
        missing = Anomaly("", kind, "COMPARATOR_CONTROL_DATA_MISSING", "error",
                          f"Empty {other_name} batch",
                          f"The {other_name} batch has 0 examples: {comparison} not measured.")
        return [missing], []
    result = _tfdv_validate(statistics, schema, environment, **{other_name: other})
    anomalies = _translate(result, kind, lambda t: t in COMPARATOR_TYPES)
    too_small = _not_measurable(statistics, other, comparison, min_examples)
    if too_small is not None:  # only the exact example-count findings stand
        return [too_small, *(a for a in anomalies if a.type in NUM_EXAMPLES_TYPES)], []
    metrics: list[Metric] = []
    flagged = {(a.feature, a.type) for a in anomalies}
    for info in result.drift_skew_info:
        feature = ".".join(info.path.step)
        for m in getattr(info, f"{comparison}_measurements"):
            method = METHOD_OF_MEASUREMENT.get(m.type, "unknown")
            high = (feature, HIGH_TYPE_OF_METHOD.get(method)) in flagged
            exceeded = m.value > m.threshold or high
            metrics.append(Metric(feature, comparison, method, float(m.value),
                                  float(m.threshold), exceeded))
    reported = {a.feature for a in anomalies if a.type.endswith("_DATA_MISSING")}
    anomalies += _missing_data(statistics, schema, other, comparison, environment, reported)
    if methods is not None:
        compared = [f.name for f in schema.feature if sch.comparators(f, comparison)
                    and (not environment or sch.in_environment(f, environment))]
        found, measured = distance_findings(feature_statistics(statistics),
                                            feature_statistics(other), compared, comparison,
                                            methods)
        anomalies += found
        metrics += measured
    return anomalies, metrics


def _not_measurable(
    statistics: Stats, other: Stats, comparison: Comparison, min_examples: int
) -> Anomaly | None:
    """One warning instead of the distances when either side has fewer than ``min_examples``."""
    this, that = num_examples(statistics), num_examples(other)
    if min(this, that) >= min_examples:
        return None
    other_name = OTHER_SIDE[comparison]
    return Anomaly(
        "", AnomalyKind(comparison), NOT_MEASURABLE, "warning",
        f"Too few examples to measure {comparison}",
        f"{comparison.value.capitalize()} not measured: this batch has {this} examples and the "
        f"{other_name} batch {that}; a comparison needs at least {min_examples} on each side "
        "(min_examples), below that every distance is mostly sampling noise.",
    )


def _missing_data(
    statistics: Stats, schema: schema_pb2.Schema, other: Stats, comparison: Comparison,
    environment: str | None, reported: set[str],
) -> list[Anomaly]:
    """A compared feature without values on one side (not on both: then nothing moved), which
    TFDV did not report: say so."""
    kind = AnomalyKind(comparison)
    other_name = OTHER_SIDE[comparison]
    current, against = feature_statistics(statistics), feature_statistics(other)
    found: list[Anomaly] = []
    for feature in schema.feature:
        name = feature.name
        if name in reported or not sch.comparators(feature, comparison):
            continue
        if environment and not sch.in_environment(feature, environment):
            continue
        theirs, ours = _non_missing(against.get(name)), _non_missing(current.get(name))
        if theirs == ours == 0:
            continue  # nothing on either side: nothing moved (a slice where it is never set)
        if theirs == 0:
            found.append(Anomaly(
                name, kind, "COMPARATOR_CONTROL_DATA_MISSING", "error",
                f"No values in the {other_name} batch",
                f"The {other_name} batch has no values of {name}: "
                f"no {comparison} to measure against.",
            ))
        elif ours == 0:
            found.append(Anomaly(
                name, kind, "COMPARATOR_TREATMENT_DATA_MISSING", "error",
                "No values in this batch",
                f"This batch has no values of {name}: its {comparison} cannot be measured.",
            ))
    return found


def _num_examples_metric(statistics: Stats, schema: schema_pb2.Schema,
                         baseline: Stats) -> list[Metric]:
    """The dataset-level example-count ratio against the baseline, when the schema bounds it."""
    comparator = schema.dataset_constraints.num_examples_drift_comparator
    if not schema.dataset_constraints.HasField("num_examples_drift_comparator"):
        return []
    baseline_examples = num_examples(baseline)
    if baseline_examples == 0:
        return []
    ratio = num_examples(statistics) / baseline_examples
    low = _optional(comparator, "min_fraction_threshold")
    high = _optional(comparator, "max_fraction_threshold")
    threshold = low if ratio < 1 and low is not None else high if high is not None else low
    exceeded = (low is not None and ratio < low) or (high is not None and ratio > high)
    return [Metric("", Comparison.DRIFT, "num_examples", ratio, threshold, bool(exceeded))]


def _optional(message: object, name: str) -> float | None:
    return getattr(message, name) if message.HasField(name) else None  # type: ignore[attr-defined]


def _numeric_comparator_traps(statistics: Stats, schema: schema_pb2.Schema) -> list[Anomaly]:
    """L-infinity / normalized-abs-difference on numeric statistics always measure 0: warn."""
    stats = feature_statistics(statistics)
    found: list[Anomaly] = []
    for feature in schema.feature:
        fstats = stats.get(feature.name)
        numeric = (
            fstats.WhichOneof("stats") == "num_stats"
            if fstats is not None and fstats.WhichOneof("stats")
            else not sch.is_categorical(feature)
        )
        if not numeric:
            continue
        for comparison in thr.COMPARISONS:
            for method in _trap_methods(sch.comparators(feature, comparison)):
                found.append(Anomaly(
                    feature.name, AnomalyKind.SCHEMA, "INVALID_SCHEMA_SPECIFICATION", "warning",
                    f"{method} {comparison} comparator on a numeric feature",
                    f"The schema sets a {method} {comparison} comparator on numeric feature "
                    f"{feature.name}; TFDV computes it from categorical statistics only, so it "
                    "always measures 0. Use jensen_shannon_divergence for numeric features.",
                ))
    return found


def _trap_methods(found: dict[str, float]) -> Iterable[str]:
    return [m for m in (thr.L_INFINITY, thr.NORMALIZED_ABS_DIFFERENCE) if m in found]
