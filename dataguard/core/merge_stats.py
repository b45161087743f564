"""Merge stored statistics of several batches into one, without re-reading any data.

A ``window:N`` baseline is the last N training batches before the checked one, judged as ONE
dataset. TFDV merges *accumulators*; the stored artifacts are *output* protos, so here each field
is merged as exactly as the protos allow:

    merged = merge_statistics([stats_1118, stats_1119, stats_1120])   # DatasetFeatureStatisticsList

exact (equal to the statistics of the concatenated data):
    num_examples, num_non_missing, num_missing (a feature absent from a batch is missing in all of
    its examples), tot_num_values, min/max_num_values, avg_num_values, min, max, num_zeros, mean
    (weighted by value counts), std_dev (pooled: population variance from counts, means and
    variances; equal up to float rounding), avg_length / avg_num_bytes, the counts of a rank
    histogram or of top values when no batch's list was truncated, num_nan / num_undefined.
approximate (documented in docs/checks.md, tolerances tested in tests/core/test_merge_stats*.py):
    - rank histograms / top values: counts summed per value. A batch stores only its top-k values
      (TFDV: 1000 in the rank histogram, 20 top values), so a value below a batch's cut-off
      contributes nothing from that batch: merged counts can be low for rare values, never high.
      ``unique`` is exact when no list was truncated, else a lower bound (the larger of the union
      size and each batch's own ``unique``).
    - standard histograms: re-bucketed onto equal-width buckets between the merged min and max
      (as TFDV builds them); each source bucket's count is spread uniformly over its range, so
      counts move between neighbouring buckets by at most the width of a source bucket.
    - quantile histograms (and ``num_values_histogram``), ``median``: the weighted quantiles of
      all batches' quantile buckets taken as uniform pieces, i.e. TFDV's quantiles of the union
      within about one source bucket.
dropped: weighted statistics, custom statistics and cross-feature statistics (no dataguard check
reads them).

Features whose kind of statistics differs between batches (numeric in one, string in another)
are merged from the batches of the newest batch's kind; the others count as missing.
Pure: only tensorflow-metadata protos, no TFDV, no IO.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dataguard.core.slices import slice_names, slice_stats, whole

TFDV_TOP_VALUES = 20  # StatsOptions.num_top_values
TFDV_RANK_BUCKETS = 1000  # StatsOptions.num_rank_histogram_buckets


def merge_statistics(lists: Sequence[Any]) -> Any:
    """One ``DatasetFeatureStatisticsList`` from several (oldest first): the whole batches
    merged, then each slice (``core.slices``) over the batches that have it. ``ValueError`` for
    none."""
    from tensorflow_metadata.proto.v0 import statistics_pb2

    if not lists:
        raise ValueError("merge_statistics: no statistics to merge")
    out = statistics_pb2.DatasetFeatureStatisticsList()
    _merge_datasets(out.datasets.add(), [whole(s) for s in lists])
    for name in dict.fromkeys(n for s in lists for n in slice_names(s)):
        found = [slice_stats(s, name) for s in lists]
        _merge_datasets(out.datasets.add(), [d for d in found if d is not None])
    return out


def _merge_datasets(merged: Any, parts: Sequence[Any]) -> None:
    merged.name = parts[-1].name
    merged.num_examples = sum(p.num_examples for p in parts)
    if any(p.weighted_num_examples for p in parts):
        merged.weighted_num_examples = sum(p.weighted_num_examples for p in parts)
    indexed = [{_key(f): f for f in p.features} for p in parts]
    for key in _feature_keys(parts):
        found = [(p.num_examples, index.get(key)) for p, index in zip(parts, indexed, strict=True)]
        merged.features.append(_merge_feature(found))


# --- features ------------------------------------------------------------------------------
def _key(feature: Any) -> tuple[str, ...]:
    return tuple(feature.path.step) if feature.HasField("path") else (feature.name,)


def _feature_keys(parts: Sequence[Any]) -> list[tuple[str, ...]]:
    keys: dict[tuple[str, ...], None] = {}
    for part in parts:
        for feature in part.features:
            keys.setdefault(_key(feature), None)
    return list(keys)


def _merge_feature(found: list[tuple[int, Any | None]]) -> Any:
    from tensorflow_metadata.proto.v0 import statistics_pb2

    newest = next(f for _, f in reversed(found) if f is not None)
    kind = newest.WhichOneof("stats")
    out = statistics_pb2.FeatureNameStatistics()
    if newest.HasField("path"):
        out.path.CopyFrom(newest.path)
    else:
        out.name = newest.name
    out.type = newest.type
    # a batch without the feature (or with another kind of it) has it missing in every example
    same = [(n, f if f is not None and f.WhichOneof("stats") == kind else None) for n, f in found]
    if kind == "num_stats":
        _merge_numeric(out.num_stats, [(n, f.num_stats if f else None) for n, f in same])
    elif kind == "string_stats":
        _merge_string(out.string_stats, [(n, f.string_stats if f else None) for n, f in same])
    elif kind == "bytes_stats":
        _merge_bytes(out.bytes_stats, [(n, f.bytes_stats if f else None) for n, f in same])
    elif kind == "struct_stats":
        _merge_common(out.struct_stats.common_stats,
                      [(n, f.struct_stats.common_stats if f else None) for n, f in same])
    return out


def _merge_common(out: Any, found: list[tuple[int, Any | None]]) -> None:
    present = [c for _, c in found if c is not None]
    out.num_non_missing = sum(c.num_non_missing for c in present)
    out.num_missing = sum(c.num_missing if c is not None else n for n, c in found)
    out.tot_num_values = sum(c.tot_num_values for c in present)
    valued = [c for c in present if c.num_non_missing > 0]
    if valued:
        out.min_num_values = min(c.min_num_values for c in valued)
        out.max_num_values = max(c.max_num_values for c in valued)
    if out.num_non_missing:
        out.avg_num_values = out.tot_num_values / out.num_non_missing
    histograms = [c.num_values_histogram for c in present if c.HasField("num_values_histogram")]
    if histograms:
        out.num_values_histogram.CopyFrom(merge_quantiles(histograms))
    levels = {len(c.presence_and_valency_stats) for c in present}
    if len(levels) == 1 and levels != {0}:
        for level in range(levels.pop()):
            stats = [c.presence_and_valency_stats[level] for c in present]
            merged = out.presence_and_valency_stats.add()
            merged.num_non_missing = sum(s.num_non_missing for s in stats)
            merged.num_missing = sum(s.num_missing for s in stats)
            merged.tot_num_values = sum(s.tot_num_values for s in stats)
            valued_levels = [s for s in stats if s.num_non_missing > 0]
            if valued_levels:
                merged.min_num_values = min(s.min_num_values for s in valued_levels)
                merged.max_num_values = max(s.max_num_values for s in valued_levels)


def _merge_numeric(out: Any, found: list[tuple[int, Any | None]]) -> None:
    _merge_common(out.common_stats, [(n, s.common_stats if s else None) for n, s in found])
    present = [s for _, s in found if s is not None]
    valued = [s for s in present if _values(s) > 0]
    out.num_zeros = sum(s.num_zeros for s in present)
    if not valued:
        return
    out.min = min(s.min for s in valued)
    out.max = max(s.max for s in valued)
    total = sum(_values(s) for s in valued)
    mean = sum(_values(s) * s.mean for s in valued) / total
    variance = sum(_values(s) * (s.std_dev ** 2 + (s.mean - mean) ** 2) for s in valued) / total
    out.mean, out.std_dev = mean, math.sqrt(max(variance, 0.0))
    standard = [(_histogram(s, "STANDARD"), _histogram(s, "QUANTILES")) for s in valued]
    quantiles = [h for s in valued for h in s.histograms if h.type == h.QUANTILES]
    if any(h is not None for h, _ in standard):
        out.histograms.append(merge_standard(
            [(h, q) for h, q in standard if h is not None], out.min, out.max))
    if quantiles:
        merged = merge_quantiles(quantiles)
        out.histograms.append(merged)
        out.median = quantile(_pieces([merged]), 0.5)


def _histogram(stats: Any, kind: str) -> Any | None:
    return next((h for h in stats.histograms if h.type == getattr(h, kind)), None)


def _values(stats: Any) -> int:
    """How many values the numeric statistics summarize (NaN excluded, as TFDV's mean is)."""
    nan = sum(h.num_nan for h in stats.histograms if h.type == h.STANDARD)
    return int(stats.common_stats.tot_num_values - nan)


def _merge_string(out: Any, found: list[tuple[int, Any | None]]) -> None:
    _merge_common(out.common_stats, [(n, s.common_stats if s else None) for n, s in found])
    present = [s for _, s in found if s is not None]
    out.invalid_utf8_count = sum(s.invalid_utf8_count for s in present)
    values = sum(s.common_stats.tot_num_values for s in present)
    if values:
        out.avg_length = sum(s.avg_length * s.common_stats.tot_num_values
                             for s in present) / values
    counts = _merged_counts(present)
    complete = all(len(s.rank_histogram.buckets) >= s.unique for s in present)
    out.unique = len(counts) if complete else max([len(counts), *(s.unique for s in present)])
    # TFDV's order: (count, value) descending; its default list lengths when none was cut off
    ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
    top_k = max([TFDV_TOP_VALUES, *(len(s.top_values) for s in present)])
    for value, count in ranked[:top_k]:
        out.top_values.add(value=value, frequency=count)
    rank_k = max([TFDV_RANK_BUCKETS, *(len(s.rank_histogram.buckets) for s in present)])
    for rank, (value, count) in enumerate(ranked[:rank_k]):
        out.rank_histogram.buckets.add(low_rank=rank, high_rank=rank, label=value,
                                       sample_count=count)


def _merged_counts(present: list[Any]) -> dict[str, float]:
    """Per value, the sum of each batch's count (its rank histogram, else its top values)."""
    counts: dict[str, float] = {}
    for s in present:
        if s.rank_histogram.buckets:
            pairs = [(b.label, b.sample_count) for b in s.rank_histogram.buckets]
        else:
            pairs = [(t.value, t.frequency) for t in s.top_values]
        for value, count in pairs:
            counts[value] = counts.get(value, 0.0) + count
    return counts


def _merge_bytes(out: Any, found: list[tuple[int, Any | None]]) -> None:
    _merge_common(out.common_stats, [(n, s.common_stats if s else None) for n, s in found])
    present = [s for _, s in found if s is not None and s.common_stats.num_non_missing]
    if not present:
        return
    values = sum(s.common_stats.tot_num_values for s in present)
    out.unique = max(s.unique for s in present)  # a lower bound: the values are not stored
    out.avg_num_bytes = sum(s.avg_num_bytes * s.common_stats.tot_num_values
                            for s in present) / max(values, 1)
    out.min_num_bytes = min(s.min_num_bytes for s in present)
    out.max_num_bytes = max(s.max_num_bytes for s in present)
    out.max_num_bytes_int = max(s.max_num_bytes_int for s in present)


# --- histograms ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Piece:
    low: float
    high: float
    count: float


def _pieces(histograms: Sequence[Any]) -> list[_Piece]:
    return [_Piece(b.low_value, b.high_value, b.sample_count)
            for h in histograms for b in h.buckets if b.sample_count > 0
            and math.isfinite(b.low_value) and math.isfinite(b.high_value)]


def _cdf(pieces: Sequence[_Piece], x: float) -> float:
    """Mass at or below ``x``, each piece uniform over [low, high] (a point when equal)."""
    mass = 0.0
    for p in pieces:
        if x >= p.high:
            mass += p.count
        elif x > p.low:
            mass += p.count * (x - p.low) / (p.high - p.low)
    return mass


def quantile(pieces: Sequence[_Piece], q: float) -> float:
    """The smallest x with at least a fraction ``q`` of the mass at or below it (bisection)."""
    if not pieces:
        return math.nan
    total = sum(p.count for p in pieces)
    low, high = min(p.low for p in pieces), max(p.high for p in pieces)
    if q <= 0:
        return low
    target = q * total
    for _ in range(100):
        mid = (low + high) / 2
        if _cdf(pieces, mid) >= target * (1 - 1e-12):
            high = mid
        else:
            low = mid
        if high - low <= 1e-12 * max(1.0, abs(high)):
            break
    return high


def merge_quantiles(histograms: Sequence[Any]) -> Any:
    """A QUANTILES histogram of as many equal-count buckets as the widest input, from the
    weighted quantiles of all inputs' buckets."""
    from tensorflow_metadata.proto.v0 import statistics_pb2

    out = statistics_pb2.Histogram(type=statistics_pb2.Histogram.QUANTILES)
    out.num_nan = sum(h.num_nan for h in histograms)
    out.num_undefined = sum(h.num_undefined for h in histograms)
    pieces = _pieces(histograms)
    size = max(len(h.buckets) for h in histograms)
    total = sum(p.count for p in pieces)
    if not pieces or size == 0:
        return out
    edges = [quantile(pieces, i / size) for i in range(size + 1)]
    for low, high in zip(edges, edges[1:], strict=False):
        out.buckets.add(low_value=low, high_value=high, sample_count=total / size)
    return out


def merge_standard(histograms: Sequence[tuple[Any, Any | None]], low: float, high: float) -> Any:
    """A STANDARD histogram of equal-width buckets over [low, high] (as many as the widest
    input) from ``(standard, quantiles)`` histograms of each batch: each standard bucket's
    count is spread over its range as that batch's quantiles say (uniformly without them)."""
    from tensorflow_metadata.proto.v0 import statistics_pb2

    out = statistics_pb2.Histogram(type=statistics_pb2.Histogram.STANDARD)
    out.num_nan = sum(h.num_nan for h, _ in histograms)
    out.num_undefined = sum(h.num_undefined for h, _ in histograms)
    size = max(len(h.buckets) for h, _ in histograms)
    if size == 0 or not (math.isfinite(low) and math.isfinite(high)):
        return out
    if high <= low:
        out.buckets.add(low_value=low, high_value=high,
                        sample_count=sum(p.count for h, _ in histograms for p in _pieces([h])))
        return out
    width = (high - low) / size
    edges = [low + i * width for i in range(size)] + [high]
    counts = [0.0] * size
    for standard, quantiles in histograms:
        shape = _pieces([quantiles]) if quantiles is not None else []
        for p in _pieces([standard]):
            for i, share in enumerate(_shares(p, edges, shape)):
                counts[i] += share
    for i, count in enumerate(counts):
        out.buckets.add(low_value=edges[i], high_value=edges[i + 1], sample_count=count)
    return out


def _shares(piece: _Piece, edges: list[float], shape: list[_Piece]) -> list[float]:
    """``piece``'s count split over the buckets between ``edges``, in proportion to the
    ``shape`` CDF inside the piece (uniform when the shape has no mass there)."""
    size = len(edges) - 1
    shares = [0.0] * size
    if piece.high <= piece.low:
        index = next((i for i in range(size) if piece.low < edges[i + 1]), size - 1)
        shares[index] = piece.count
        return shares
    inside = _cdf(shape, piece.high) - _cdf(shape, piece.low) if shape else 0.0

    def mass(x: float) -> float:
        x = min(max(x, piece.low), piece.high)
        if inside > 0:
            return (_cdf(shape, x) - _cdf(shape, piece.low)) / inside
        return (x - piece.low) / (piece.high - piece.low)

    for i in range(size):
        if edges[i + 1] <= piece.low or edges[i] >= piece.high:
            continue
        shares[i] = piece.count * (mass(edges[i + 1]) - mass(edges[i]))
    return shares


def window_statistics(lists: Sequence[Any]) -> Any:
    """A ``window:N`` baseline: ``merge_statistics``, but with the dataset's ``num_examples`` the
    mean batch size (rounded), so the ``num_examples`` drift comparator holds a batch to a
    typical batch of the window rather than to N of them (features keep their exact counts)."""
    merged = merge_statistics(lists)
    for dataset in merged.datasets:  # a slice a batch lacks had 0 examples there
        dataset.num_examples = round(dataset.num_examples / len(lists))
    return merged
