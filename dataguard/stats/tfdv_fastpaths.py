"""Three hot spots of TFDV's ``BasicStatsGenerator``, computed faster to the same bits.

    install(tfdv_modules.load().basic_stats_generator)

Each replaces work whose cost, not whose result, comes from how TFDV wrote it. Timed on 1M
noisy taxi rows, statistics on one worker (1.25 s with all three):

- **Presence and valency** (``_PartialCommonStats.update``, saves ~0.24 s): per feature and
  record batch TFDV asks tfx_bsl for a null bitmap and the list lengths (slow conversions),
  counts the lengths with Arrow and flattens the array only to learn it is not nested. Here
  both come from the Arrow buffers with numpy, and when every present list has the same
  length (CSV: one value each) the num-values sketch gets the one (length, count) pair that
  ``value_counts`` would have given.
- **Numeric stats** (``_PartialNumericStats.update``, saves ~0.07 s): no NaN mask and copy
  unless there is a NaN, one cast to double instead of two, +inf counted only when the
  maximum is +inf; mean, variance, min, max and the sketch's input are TFDV's numpy calls on
  equal arrays.
- **Equi-width histograms** (``quantiles_util.generate_equi_width_histogram``, saves
  ~0.07 s in the single-threaded tail): TFDV writes 1,000 sketch quantiles as
  ``Histogram.Bucket`` protos and walks them for every output bucket, ~7 ms a feature in
  proto field reads. Here the same steps run in the same order on the doubles those protos
  would hold.

Only flat, unweighted lists take the first two paths, and only after a feature's first batch
(TFDV's code sets up its state); anything else (nested lists, weights, a type change) is
TFDV's own code. ``install`` patches one generator module: a private copy when the local
engine loaded it without Beam, otherwise TFDV's own, whose numbers stay the same. Tests
compare the output with TFDV's code byte for byte. The functions replaced here are the same
in TFDV 1.16.1 and 1.21.0 (their syntax trees differ only in one error message's format).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa


def install(basic_stats_generator: Any) -> None:
    """Point ``basic_stats_generator`` at the fast paths (idempotent); a TFDV without the
    internals they stand in for keeps its own code."""
    current = getattr(basic_stats_generator, "quantiles_util", None)
    if not isinstance(current, _QuantilesUtil) and all(
        hasattr(current, name) for name in ("_strip_infinities", "_get_bin_weights")
    ):
        basic_stats_generator.quantiles_util = _QuantilesUtil(current)
    for class_name, fast in (
        ("_PartialCommonStats", common_stats_update),
        ("_PartialNumericStats", numeric_stats_update),
    ):
        cls = getattr(basic_stats_generator, class_name, None)
        if cls is not None and not getattr(cls.update, "_dataguard_fast", False):
            cls.update = _marked(fast(cls.update), cls.update)


def _marked(update: Callable[..., None], original: Callable[..., None]) -> Callable[..., None]:
    update._dataguard_fast = True  # type: ignore[attr-defined]
    update.__wrapped__ = original  # type: ignore[attr-defined]
    return update


class _QuantilesUtil:
    """TFDV's ``quantiles_util`` module with the equi-width histogram replaced."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def generate_equi_width_histogram(self, *args: Any, **kwargs: Any) -> Any:
        return equi_width_histogram(self._module, *args, **kwargs)


def common_stats_update(original: Callable[..., None]) -> Callable[..., None]:
    """``_PartialCommonStats.update`` with a numpy path for flat, unweighted lists."""

    def update(
        self: Any,
        feature_path: Any,
        feature_array: pa.Array,
        feature_type: Any,
        make_quantiles_sketch_fn: Any,
        weights: np.ndarray | None = None,
    ) -> None:
        levels = self.presence_and_valency_stats
        if (
            weights is not None
            or levels is None  # the first batch sets the levels up: TFDV's code
            or len(levels) != 1
            or self.type is None
            or self.type != feature_type
            or not _is_flat_list(feature_array.type)
            or getattr(levels[0], "is_top_nested", True)
        ):
            original(self, feature_path, feature_array, feature_type, make_quantiles_sketch_fn,
                     weights)
            return
        if not feature_array:
            return
        stats = levels[0]
        num_values = _list_lengths(feature_array)
        if feature_array.null_count:
            num_values = num_values[_presence(feature_array)]
        # What ``_PresenceAndValencyStats.update`` does with them, call for call.
        stats.num_non_missing += len(feature_array) - feature_array.null_count
        stats.max_num_values = np.maximum.reduce(num_values, initial=stats.max_num_values)
        stats.min_num_values = np.minimum.reduce(num_values, initial=stats.min_num_values)
        stats.total_num_values += np.sum(num_values)
        if stats.num_values_summary is not None:
            if num_values.size and (num_values == num_values[0]).all():
                values = pa.array(num_values[:1])  # value_counts' answer, without hashing
                counts = pa.array([num_values.size], type=pa.int64())
            else:
                grouped = pa.array(num_values).value_counts()
                values, counts = grouped.field(0), grouped.field(1)
            stats.num_values_summary.AddValues(values, counts)

    return update


def numeric_stats_update(original: Callable[..., None]) -> Callable[..., None]:
    """``_PartialNumericStats.update`` without its copies when nothing needs dropping.

    TFDV masks NaN out of every batch (two passes and a copy, also for integers), casts to
    double twice (once more inside ``MeanVarAccumulator.update``) and looks for +inf in every
    batch. Here the mask and copy happen only when there is a NaN, the cast once, and the
    +inf count only when the maximum is +inf; the numpy calls that make the numbers (mean,
    var, min, max, the sketch's input) are TFDV's, on equal arrays.
    """

    def update(self: Any, feature_array: pa.Array, weights: np.ndarray | None = None) -> None:
        accumulator = self.mean_var_accumulator
        if (
            weights is not None
            or not _is_flat_list(feature_array.type)
            or not hasattr(accumulator, "_combine")
        ):
            original(self, feature_array, weights)
            return
        if not feature_array:
            return
        flat = feature_array.flatten()  # what TFDV's ``flatten_nested`` gives for flat lists
        if not flat:
            return
        values = np.asarray(flat)
        if values.dtype.kind == "f":
            nan_mask = np.isnan(values)
            num_nan = np.sum(nan_mask)
            self.num_nan += num_nan
            if num_nan:
                values = values[~nan_mask]
        if values.size == 0:
            return
        as_double = values.astype(np.float64)
        accumulator._combine(as_double.size, np.mean(as_double), np.var(as_double))
        curr_min = np.min(values)
        curr_max = np.max(values)
        self.min = min(self.min, curr_min)
        self.max = max(self.max, curr_max)
        if curr_min == float("-inf") or curr_max == float("inf"):
            finite_values = values[np.isfinite(values)]
            if finite_values.size > 0:
                self.finite_min = min(self.finite_min, np.min(finite_values))
                self.finite_max = max(self.finite_max, np.max(finite_values))
        else:
            self.finite_min = min(self.finite_min, curr_min)
            self.finite_max = max(self.finite_max, curr_max)
        if curr_max == float("inf"):
            self.pos_inf_count += np.isposinf(values).sum()
        self.num_zeros += values.size - np.count_nonzero(values)
        if self.quantiles_summary is not None:
            self.quantiles_summary.AddValues(pa.array(values))

    return update


def _is_flat_list(dtype: pa.DataType) -> bool:
    return (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)) and not (
        pa.types.is_list(dtype.value_type) or pa.types.is_large_list(dtype.value_type)
        or pa.types.is_fixed_size_list(dtype.value_type) or pa.types.is_struct(dtype.value_type)
    )


def _list_lengths(array: pa.Array) -> np.ndarray:
    """Values per list (int64), from the offsets buffer."""
    dtype = np.int64 if pa.types.is_large_list(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], dtype=dtype)
    return np.diff(offsets[array.offset : array.offset + len(array) + 1]).astype(
        np.int64, copy=False
    )


def _presence(array: pa.Array) -> np.ndarray:
    """Which lists are present (not null), from the validity bitmap."""
    bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].view(bool)


def equi_width_histogram(
    quantiles_util: types.ModuleType,
    quantiles: np.ndarray,
    cumulative_counts: np.ndarray,
    finite_min: float,
    finite_max: float,
    num_buckets: int,
    num_pos_inf: float,
) -> Any:
    """``quantiles_util.generate_equi_width_histogram(...)``, same arguments, same proto."""
    histogram_proto = quantiles_util.statistics_pb2.Histogram
    if not np.isfinite(finite_min) and not np.isfinite(finite_max):  # rare: TFDV's own path
        return quantiles_util.generate_equi_width_histogram(
            quantiles=quantiles, cumulative_counts=cumulative_counts, finite_min=finite_min,
            finite_max=finite_max, num_buckets=num_buckets, num_pos_inf=num_pos_inf,
        )
    result = histogram_proto()
    result.type = histogram_proto.STANDARD
    assert np.isfinite(finite_min)
    assert np.isfinite(finite_max)
    assert np.all(quantiles[:-1] <= quantiles[1:])
    quantiles, cumulative_counts, num_neg_inf = quantiles_util._strip_infinities(
        quantiles, cumulative_counts, finite_max, num_pos_inf
    )
    # The quantile buckets as TFDV's protos would hold them: doubles, read back as floats.
    lows, highs, counts = (
        np.asarray(a, dtype=np.float64).tolist()
        for a in quantiles_util._get_bin_weights(quantiles, cumulative_counts)
    )
    if finite_min == finite_max:
        new_boundaries = np.array([finite_min, finite_max])
    else:
        new_boundaries = np.linspace(finite_min, finite_max, num_buckets + 1)
        if not np.isfinite(new_boundaries).all():
            return result
    start_index = 0
    if num_neg_inf:
        result.buckets.add(
            low_value=float("-inf"), high_value=float("-inf"), sample_count=num_neg_inf
        )
    for i in range(new_boundaries.size - 1):
        low_bound = new_boundaries[i]  # numpy scalars, as in TFDV: the same arithmetic types
        high_bound = new_boundaries[i + 1]
        sample_count = 0
        for current_index in range(start_index, len(lows)):
            overlap, bucket_precedes, bucket_follows = _overlap(
                lows[current_index], highs[current_index], low_bound, high_bound, i == 0
            )
            if bucket_follows:
                break
            if bucket_precedes:
                start_index = current_index
            sample_count += overlap * counts[current_index]
        result.buckets.add(low_value=low_bound, high_value=high_bound, sample_count=sample_count)
    if num_pos_inf:
        result.buckets.add(
            low_value=float("inf"), high_value=float("inf"), sample_count=num_pos_inf
        )
    return result


def _overlap(
    low: float, high: float, low_bound: Any, high_bound: Any, first_bucket: bool
) -> tuple[Any, bool, bool]:
    """TFDV's ``quantiles_util._overlap`` on a bucket's bounds instead of its proto."""
    if first_bucket and high == low == low_bound:
        return 1.0, False, False
    if not first_bucket and high == low == low_bound:
        return 0.0, True, False
    if high < low_bound:
        return 0.0, True, False
    if low > high_bound:
        return 0.0, False, True
    if low_bound <= low and high_bound >= high:
        return 1.0, False, False
    if low_bound <= low:
        return (high_bound - low) / (high - low), False, False
    if high_bound >= high:
        return (high - low_bound) / (high - low), False, False
    if low_bound > low and high_bound < high:
        return (high_bound - low_bound) / (high - low), False, False
    raise ValueError(f"Unable to compute overlap between ({low_bound}, {high_bound}) and "
                     f"[{low}, {high}]")
