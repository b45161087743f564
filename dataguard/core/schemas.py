"""Schema text protos, drift/skew comparators and thresholds, environments, and schema diffs.

Pure tensorflow-metadata (no TFDV, no TensorFlow): a schema is a ``schema_pb2.Schema`` kept as a
reviewable text proto. ``apply_comparators`` turns what ``tfdv.infer_schema`` gives into what
dataguard checks against:

    schema = apply_comparators(inferred, ComparatorConfig.from_config(doc, "taxi"), label="tips")

- every feature gets a drift AND a skew comparator: L-infinity (``infinity_norm``) for
  categorical features (STRING, or INT with ``int_domain.is_categorical``), Jensen-Shannon
  divergence for numeric ones (INT, FLOAT);
- environments TRAINING and SERVING are the defaults; the label and the ``serving_absent``
  features are ``not_in_environment: SERVING`` and get no skew comparator;
- ``dataset_constraints.num_examples_drift_comparator`` bounds the example count against the
  baseline batch (between half and double by default), so a batch that shrinks or grows fails.

Thresholds come from ``dataguard.toml`` (``core.thresholds``: ``ComparatorConfig``).

``diff_schemas`` (``core.schema_diff``) speaks in features: added, removed, type, presence,
shape, domain values, drift/skew thresholds, environments, and dataset constraints.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import schema_pb2

from dataguard.core.thresholds import (  # the config half, importable from here as before
    COMPARISONS,
    DEFAULT_MIN_EXAMPLES,
    DEFAULT_THRESHOLDS,
    DEFAULT_VALUE_RANGE_MARGIN,
    DISTANCE_METHODS,
    JENSEN_SHANNON,
    L_INFINITY,
    METHODS,
    METHODS_KEY,
    MIN_EXAMPLES,
    NORMALIZED_ABS_DIFFERENCE,
    ComparatorConfig,
    check_fraction_bounds,
    is_threshold,
)
from dataguard.errors import UsageError

TRAINING, SERVING = "TRAINING", "SERVING"


# --- text protos ---------------------------------------------------------------------------
def parse_schema(text: str, source: str) -> schema_pb2.Schema:
    """A Schema from its text proto; ``UsageError`` naming ``source`` when it does not parse."""
    schema = schema_pb2.Schema()
    try:
        text_format.Parse(text, schema)
    except text_format.ParseError as exc:
        raise UsageError(f"{source}: not a TFDV schema text proto: {exc}") from None
    return schema


def schema_text(schema: schema_pb2.Schema) -> str:
    return text_format.MessageToString(schema)


# --- features -------------------------------------------------------------------------------
def type_name(feature: schema_pb2.Feature) -> str:
    return {schema_pb2.BYTES: "STRING"}.get(
        feature.type, schema_pb2.FeatureType.Name(feature.type)
    )


def is_categorical(feature: schema_pb2.Feature) -> bool:
    """STRING features, and INT features whose int_domain says they are categorical."""
    if feature.type == schema_pb2.BYTES:
        return True
    return feature.type == schema_pb2.INT and (
        feature.HasField("int_domain") and feature.int_domain.is_categorical
    )


def in_environment(feature: schema_pb2.Feature, environment: str) -> bool:
    """TFDV's rule: ``in_environment`` lists are exclusive, ``not_in_environment`` excludes."""
    if feature.in_environment:
        return environment in feature.in_environment
    return environment not in feature.not_in_environment


def feature_names(schema: schema_pb2.Schema) -> list[str]:
    return [f.name for f in schema.feature]


def unknown_features(schema: schema_pb2.Schema, known: Iterable[str]) -> list[str]:
    """Schema features that a batch's statistics do not have (for `schema import`)."""
    names = set(known)
    return [f.name for f in schema.feature if f.name not in names]


def check_schema(schema: schema_pb2.Schema, source: str) -> None:
    """What TFDV would take but makes no sense in a dataguard schema: a feature twice, a
    threshold negative or not finite, example-count bounds that fail every batch."""
    seen: set[str] = set()
    for feature in schema.feature:
        if feature.name in seen:
            raise UsageError(f"{source}: feature {feature.name!r} is defined twice; keep one")
        seen.add(feature.name)
        presence = feature.presence.min_fraction
        if feature.HasField("presence") and not (0.0 <= presence <= 1.0):
            raise UsageError(
                f"{source}: feature {feature.name!r}: presence min_fraction {presence!r} must be "
                "between 0 and 1 (the fraction of examples that have the feature)"
            )
        for comparison in COMPARISONS:
            for method, value in comparators(feature, comparison).items():
                if not is_threshold(value):
                    raise UsageError(
                        f"{source}: feature {feature.name!r}: {comparison} {method} threshold "
                        f"{value!r} must be a finite number >= 0"
                    )
    constraints = schema.dataset_constraints
    if constraints.HasField("num_examples_drift_comparator"):
        drift = constraints.num_examples_drift_comparator
        low = drift.min_fraction_threshold if drift.HasField("min_fraction_threshold") else 0.0
        high = drift.max_fraction_threshold if drift.HasField("max_fraction_threshold") else None
        bounds: tuple[tuple[str, float | None], ...] = (
            ("min_fraction_threshold", low), ("max_fraction_threshold", high)
        )
        for name, bound in bounds:
            if bound is not None and not is_threshold(bound):
                raise UsageError(
                    f"{source}: num_examples_drift_comparator {name} {bound!r} must be a finite "
                    "number >= 0"
                )
        check_fraction_bounds(f"{source}: num_examples_drift_comparator", low, high)


def apply_comparators(
    schema: schema_pb2.Schema, config: ComparatorConfig, *, label: str | None = None
) -> schema_pb2.Schema:
    """A copy of ``schema`` with environments, drift/skew comparators and dataset constraints."""
    out = schema_pb2.Schema()
    out.CopyFrom(schema)
    label = label or config.label
    serving_absent = [n for n in (label, *config.serving_absent) if n]
    names = set(feature_names(out))
    for name in serving_absent:
        if name not in names:
            raise UsageError(
                f"label/serving_absent feature {name!r} is not in the batch's statistics; "
                f"features: {', '.join(sorted(names))}"
            )
    for name in config.features:
        if name not in names:
            raise UsageError(
                f"config [datasets.<name>.features.{name}]: no feature {name!r} in the batch's "
                "statistics; fix or remove that table"
            )
    for env in (TRAINING, SERVING):
        if env not in out.default_environment:
            out.default_environment.append(env)
    for feature in out.feature:
        if feature.name in serving_absent and SERVING not in feature.not_in_environment:
            feature.not_in_environment.append(SERVING)
        if feature.type == schema_pb2.STRUCT:
            continue
        method = comparator_method(config, feature)
        wanted = config.features.get(feature.name, {})
        for comparison in COMPARISONS:
            comparator = getattr(feature, f"{comparison}_comparator")
            serving_ok = comparison == "drift" or in_environment(feature, SERVING)
            if wanted.get(comparison, True) is False or not serving_ok:
                feature.ClearField(f"{comparison}_comparator")
            else:
                _set_comparator(comparator, method, config, comparison, feature.name)
    drift = out.dataset_constraints.num_examples_drift_comparator
    drift.min_fraction_threshold = config.threshold("num_examples_min_fraction")
    drift.max_fraction_threshold = config.threshold("num_examples_max_fraction")
    return out


def _set_comparator(
    comparator: schema_pb2.FeatureComparator,
    method: str,
    config: ComparatorConfig,
    comparison: str,
    feature: str,
) -> None:
    comparator.Clear()
    threshold = config.threshold(method, comparison, feature)
    if method == L_INFINITY:
        comparator.infinity_norm.threshold = threshold
    else:
        comparator.jensen_shannon_divergence.threshold = threshold


def comparators(feature: schema_pb2.Feature, comparison: str) -> dict[str, float]:
    """``{method: threshold}`` of the feature's drift or skew comparator."""
    comparator = getattr(feature, f"{comparison}_comparator")
    found: dict[str, float] = {}
    if comparator.HasField("infinity_norm"):
        found[L_INFINITY] = comparator.infinity_norm.threshold
    if comparator.HasField("jensen_shannon_divergence"):
        found[JENSEN_SHANNON] = comparator.jensen_shannon_divergence.threshold
    if comparator.HasField("normalized_abs_difference"):
        found[NORMALIZED_ABS_DIFFERENCE] = comparator.normalized_abs_difference.threshold
    return found


def comparator_method(config: ComparatorConfig, feature: schema_pb2.Feature) -> str:
    """The config's method for the feature (checked by ``ComparatorConfig.from_config``), else
    L-infinity (categorical) or JSD (numeric)."""
    forced = config.features.get(feature.name, {}).get("method")
    return forced or (L_INFINITY if is_categorical(feature) else JENSEN_SHANNON)


__all__ = [
    "COMPARISONS", "DEFAULT_MIN_EXAMPLES", "DEFAULT_THRESHOLDS", "DEFAULT_VALUE_RANGE_MARGIN",
    "DISTANCE_METHODS", "JENSEN_SHANNON", "L_INFINITY", "METHODS", "METHODS_KEY", "MIN_EXAMPLES",
    "NORMALIZED_ABS_DIFFERENCE", "SERVING", "TRAINING", "ComparatorConfig", "apply_comparators",
    "check_fraction_bounds", "check_schema", "comparator_method", "comparators", "feature_names",
    "in_environment", "is_categorical", "parse_schema", "schema_text", "type_name",
    "unknown_features",
]
