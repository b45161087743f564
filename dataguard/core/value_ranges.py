"""Inferred value ranges: the numeric features of a schema bounded by what training data held.

``tfdv.infer_schema`` leaves numeric features unbounded, so a sentinel such as ``-1`` for a
length passes every check (TFX's penguin ``skewed.csv``). With value ranges (``schema infer
--value-ranges`` or ``[datasets.<name>] infer_value_ranges = true``) each INT or FLOAT feature
gets ``int_domain`` / ``float_domain`` ``min``/``max`` from the training statistics, widened on
each side by a margin (``value_range_margin``, a fraction of the observed range; 0.1 by default):

    schema = apply_value_ranges(schema, statistics, margin=0.1)
    # culmen_length_mm seen in [0.0, 1.0]  ->  float_domain { min: -0.1 max: 1.1 }
    # an INT feature seen in [3, 23]       ->  int_domain { min: 1 max: 25 }  (rounded outwards)

A value outside the range is then a ``schema`` anomaly of the checked batch (TFDV's
``FLOAT_TYPE_SMALL_FLOAT``, ``INT_TYPE_BIG_INT``, …), and of a serving batch (kind ``skew``).
Features without values, with non-finite bounds, or whose domain is of another sort (a string or
boolean domain, a named global domain) are left as they are. Pure tensorflow-metadata.
"""

from __future__ import annotations

import math

from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2

from dataguard.core.slices import whole

_DOMAIN_OF_TYPE = {schema_pb2.INT: "int_domain", schema_pb2.FLOAT: "float_domain"}


def apply_value_ranges(
    schema: schema_pb2.Schema,
    statistics: statistics_pb2.DatasetFeatureStatisticsList,
    *,
    margin: float,
) -> schema_pb2.Schema:
    """A copy of ``schema`` whose numeric features are bounded by the observed min/max."""
    out = schema_pb2.Schema()
    out.CopyFrom(schema)
    observed = _numeric_bounds(statistics)
    for feature in out.feature:
        domain = _DOMAIN_OF_TYPE.get(feature.type)
        bounds = observed.get(feature.name)
        if domain is None or bounds is None:
            continue
        if feature.WhichOneof("domain_info") not in (None, domain):
            continue
        low, high = bounds
        widen = margin * ((high - low) or abs(high))
        if domain == "int_domain":
            feature.int_domain.min = math.floor(low - widen)
            feature.int_domain.max = math.ceil(high + widen)
        else:
            feature.float_domain.min = low - widen
            feature.float_domain.max = high + widen
    return out


def _numeric_bounds(
    statistics: statistics_pb2.DatasetFeatureStatisticsList,
) -> dict[str, tuple[float, float]]:
    """``{feature: (min, max)}`` of the numeric features with values in the default slice."""
    found: dict[str, tuple[float, float]] = {}
    for feature in whole(statistics).features:
        if feature.WhichOneof("stats") != "num_stats":
            continue
        num = feature.num_stats
        if num.common_stats.num_non_missing == 0 or not (
            math.isfinite(num.min) and math.isfinite(num.max)
        ):
            continue
        name = ".".join(feature.path.step) if feature.path.step else feature.name
        found[name] = (num.min, num.max)
    return found
