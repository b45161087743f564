"""Drift/skew thresholds and comparator methods of a dataset, as ``dataguard.toml`` sets them.

The config half of ``core.schemas`` (which writes them into a schema): ``ComparatorConfig``
resolves the tables below, checking every value as it reads them (a negative or NaN threshold, an
unknown method or key is a ``UsageError`` naming the table, before anything is computed).

Thresholds come from ``dataguard.toml``; the most specific setting wins:

    [thresholds]                    # defaults shown
    l_infinity = 0.01               # categorical features (drift and skew)
    jensen_shannon = 0.1            # numeric features (drift and skew)
    num_examples_min_fraction = 0.5
    num_examples_max_fraction = 2.0
    min_examples = 30               # read at check time, not written into the schema (below)
    methods = ["psi", "hellinger", "wasserstein", "ks"]  # core.distances; read at check time
    psi = 0.2                       # hellinger, wasserstein, ks: no default (recorded, not judged)
    [thresholds.skew]               # optional: only for skew (or [thresholds.drift])
    jensen_shannon = 0.2

    [datasets.taxi]
    label = "tips"                  # like `schema infer --label tips`
    serving_absent = []             # other features that serving data does not carry
    infer_value_ranges = false      # like `schema infer --value-ranges` (core.value_ranges)
    value_range_margin = 0.1        # widen the observed [min, max] by 10% of it on each side
    [datasets.taxi.thresholds]      # same keys as [thresholds], for this dataset
    [datasets.taxi.features.payment_type]
    l_infinity = 0.05               # same keys again, plus method = "l_infinity"|"jensen_shannon"
    [datasets.taxi.features.trip_start_timestamp]
    drift = false                   # no drift comparator (a timestamp always drifts); skew = false

``min_examples`` is the fewest examples each side of a drift or skew comparison needs to be
measured (``core.validate`` reports ``COMPARISON_NOT_MEASURABLE`` below it). It resolves like the
thresholds (not per feature: it is about batches) but is read at check time: TFDV's schema has no
field for it (``dataset_constraints.min_examples_count`` flags the batch itself), and it decides
whether to measure, not what a batch must look like.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dataguard.errors import UsageError

L_INFINITY, JENSEN_SHANNON, NORMALIZED_ABS_DIFFERENCE = (
    "l_infinity",
    "jensen_shannon",
    "normalized_abs_difference",
)
METHODS = (L_INFINITY, JENSEN_SHANNON)
COMPARISONS = ("drift", "skew")
DEFAULT_THRESHOLDS: Mapping[str, float] = {
    L_INFINITY: 0.01,
    JENSEN_SHANNON: 0.1,
    "num_examples_min_fraction": 0.5,
    "num_examples_max_fraction": 2.0,
}
DEFAULT_MIN_EXAMPLES = 30
"""Fewer examples than this on either side and a drift or skew comparison is not measured."""
DEFAULT_VALUE_RANGE_MARGIN = 0.1
MIN_EXAMPLES = "min_examples"
DISTANCE_METHODS = ("psi", "hellinger", "wasserstein", "ks")
"""dataguard's own drift/skew methods (``core.distances``), measured next to TFDV's comparator.
Their thresholds and the ``methods`` list are read at check time, not written into the schema."""
METHODS_KEY = "methods"
_THRESHOLD_KEYS = (
    frozenset(DEFAULT_THRESHOLDS) | {"drift", "skew", MIN_EXAMPLES, METHODS_KEY}
    | frozenset(DISTANCE_METHODS)
)
_FEATURE_KEYS = frozenset(
    {L_INFINITY, JENSEN_SHANNON, "drift", "skew", "method", METHODS_KEY, *DISTANCE_METHODS,
     "trend"}  # trend: read by core.trends
)

@dataclass(frozen=True)
class ComparatorConfig:
    """Thresholds, label and serving-absent features of one dataset, resolved from config."""

    tables: tuple[Mapping[str, Any], ...] = ()  # most specific last: global, dataset
    features: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    label: str | None = None
    serving_absent: tuple[str, ...] = ()
    value_ranges: bool = False
    value_range_margin: float = DEFAULT_VALUE_RANGE_MARGIN

    @classmethod
    def from_config(cls, document: Mapping[str, Any], dataset: str) -> ComparatorConfig:
        datasets = document.get("datasets", {})
        ds = datasets.get(dataset, {}) if isinstance(datasets, Mapping) else {}
        global_table = _table(document.get("thresholds", {}), "[thresholds]", _THRESHOLD_KEYS)
        ds_table = _table(
            ds.get("thresholds", {}), f"[datasets.{dataset}.thresholds]", _THRESHOLD_KEYS
        )
        features = {
            name: _table(table, f"[datasets.{dataset}.features.{name}]", _FEATURE_KEYS)
            for name, table in _table(ds.get("features", {}), "features", None).items()
        }
        for where, table, flag_ok in (
            ("[thresholds]", global_table, False),
            (f"[datasets.{dataset}.thresholds]", ds_table, False),
            *((f"[datasets.{dataset}.features.{n}]", t, True) for n, t in features.items()),
        ):
            for comparison in COMPARISONS:
                sub = table.get(comparison, {})
                if not (isinstance(sub, Mapping) or (flag_ok and isinstance(sub, bool))):
                    hint = " or false" if flag_ok else ""
                    raise UsageError(f"config {where} {comparison}: must be a table{hint}")
        label = ds.get("label")
        absent = ds.get("serving_absent", [])
        if label is not None and not isinstance(label, str):
            raise UsageError(f"config [datasets.{dataset}] label: must be a feature name")
        if not isinstance(absent, list) or not all(isinstance(a, str) for a in absent):
            raise UsageError(f"config [datasets.{dataset}] serving_absent: must be a list of names")
        ranges = ds.get("infer_value_ranges", False)
        if not isinstance(ranges, bool):
            raise UsageError(
                f"config [datasets.{dataset}] infer_value_ranges: must be true or false"
            )
        margin = ds.get("value_range_margin", DEFAULT_VALUE_RANGE_MARGIN)
        if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 0:
            raise UsageError(
                f"config [datasets.{dataset}] value_range_margin: must be a non-negative number "
                f"(a fraction of the observed range), got {margin!r}"
            )
        config = cls((global_table, ds_table), features, label, tuple(absent), ranges,
                     float(margin))
        for where, table in (
            ("[thresholds]", global_table),
            (f"[datasets.{dataset}.thresholds]", ds_table),
            *((f"[datasets.{dataset}.features.{n}]", t) for n, t in features.items()),
        ):
            _check_numbers(where, table)
        config.check_example_count_bounds(f"[datasets.{dataset}.thresholds] / [thresholds]")
        return config

    def check_example_count_bounds(self, where: str) -> None:
        """min ≤ 1 ≤ max: a batch as big as its baseline must pass (else every batch fails)."""
        low = self.threshold("num_examples_min_fraction")
        high = self.threshold("num_examples_max_fraction")
        check_fraction_bounds(f"config {where}", low, high)

    def threshold(
        self, key: str, comparison: str | None = None, feature: str | None = None
    ) -> float:
        """The most specific setting of ``key`` for that comparison and feature."""
        value = self._most_specific(key, comparison, feature, DEFAULT_THRESHOLDS.get(key))
        if not is_threshold(value):
            raise UsageError(f"config threshold {key!r}: {_not_a_threshold(value)}")
        return float(value)

    def min_examples(self, comparison: str) -> int:
        """The fewest examples each side of a drift or skew comparison needs to be measured
        (``min_examples`` in ``[thresholds]``, its ``drift``/``skew`` sub-tables, or the
        dataset's; 0 measures any size). Read at check time, not written into the schema."""
        value = self._most_specific(MIN_EXAMPLES, comparison, None, DEFAULT_MIN_EXAMPLES)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UsageError(
                f"config threshold {MIN_EXAMPLES!r}: must be a whole number of examples "
                f"(0 or more), got {value!r}"
            )
        return value

    def distance_methods(self, comparison: str, feature: str | None = None) -> tuple[str, ...]:
        """The methods of ``core.distances`` measured for that comparison and feature
        (``methods = [...]``, most specific wins; default: all four)."""
        value = self._most_specific(METHODS_KEY, comparison, feature, list(DISTANCE_METHODS))
        return tuple(m for m in DISTANCE_METHODS if m in value)

    def distance_threshold(
        self, method: str, comparison: str, feature: str | None = None
    ) -> float | None:
        """The threshold of a ``core.distances`` method; None: measured, never exceeded."""
        value = self._most_specific(method, comparison, feature, None)
        return None if value is None else float(value)

    def _most_specific(
        self, key: str, comparison: str | None, feature: str | None, default: Any
    ) -> Any:
        layers: list[Mapping[str, Any]] = [*self.tables]
        if feature is not None and feature in self.features:
            layers.append(self.features[feature])
        value: Any = default
        for table in layers:
            if key in table:
                value = table[key]
            sub = table.get(comparison) if comparison else None
            if isinstance(sub, Mapping) and key in sub:
                value = sub[key]
        return value


def is_threshold(value: Any) -> bool:
    return (
        not isinstance(value, bool) and isinstance(value, int | float)
        and math.isfinite(value) and value >= 0
    )


def _check_numbers(where: str, table: Mapping[str, Any]) -> None:
    """Every threshold of a config table (and of its drift/skew tables) finite and >= 0."""
    for key, value in table.items():
        if key in COMPARISONS and isinstance(value, Mapping):
            _check_numbers(f"{where[:-1]}.{key}]", value)
        elif (key in DEFAULT_THRESHOLDS or key in DISTANCE_METHODS) and not is_threshold(value):
            raise UsageError(f"config {where} {key}: {_not_a_threshold(value)}")
        elif key == METHODS_KEY:
            _check_methods(where, value)
        elif key == "method" and value not in METHODS:
            raise UsageError(f"config {where} method: {value!r}; use {' or '.join(METHODS)}")


def _check_methods(where: str, value: Any) -> None:
    """``methods = ["psi", "ks"]``: a list of known method names (an empty list measures none)."""
    choices = ", ".join(f'"{m}"' for m in DISTANCE_METHODS)
    if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
        raise UsageError(f"config {where} {METHODS_KEY}: must be a list of names, e.g. "
                         f"{METHODS_KEY} = [\"psi\", \"ks\"]; use {choices}")
    unknown = [m for m in value if m not in DISTANCE_METHODS]
    if unknown:
        raise UsageError(f"config {where} {METHODS_KEY}: unknown method {unknown[0]!r}; "
                         f"use {choices}")


def _not_a_threshold(value: Any) -> str:
    finite = "; nan and inf are not thresholds" if isinstance(value, float) else ""
    return f"must be a non-negative number, got {value!r}{finite}"


def check_fraction_bounds(where: str, low: float, high: float | None) -> None:
    """The example-count bounds (fractions of the baseline's count): 0 ≤ min ≤ 1 ≤ max."""
    if low > 1:
        raise UsageError(
            f"{where}: num_examples min fraction {low:g} is above 1: every batch no bigger than "
            f"{low:g}x its baseline would fail; use a value between 0 and 1"
        )
    if high is not None and high < 1:
        raise UsageError(
            f"{where}: num_examples max fraction {high:g} is below 1 (min {low:g}): a batch as "
            "big as its baseline would fail; use a value of at least 1"
        )


def _table(value: Any, where: str, allowed: frozenset[str] | None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UsageError(f"config {where}: must be a table")
    if allowed is not None:
        for key in value:
            if key not in allowed:
                raise UsageError(
                    f"config {where}: unknown key {key!r}; use one of {', '.join(sorted(allowed))}"
                )
    return value


