"""TFDV's quantiles sketch, fed faster, with the same output bit for bit.

TFDV's ``BasicStatsGenerator`` feeds every numeric value to a tfx_bsl ``QuantilesSketch``,
the biggest cost of the local engine. The sketch buffers entries; when its buffer is full it
sorts it by value, merges equal values (summing their weights) and summarises. Two ways to
give it less work without changing a bit of what it computes:

- **Repeated values once, weighted** (few distinct values: hours, months, area codes; in
  real taxi data also fares, miles and census-tract centroids): what TFDV itself does for
  its num-values sketch. With few distinct values nothing is compressed away, so the summary
  is the same. 1M taxi rows, five integer columns: 0.11 s → 0.02 s.
- **Each buffer's share sorted beforehand** (many distinct values: ids, timestamps, noisy
  floats): numpy's sort is faster than the sketch's ``std::sort`` on shuffled data, and what
  a buffer holds is unchanged, only its order (equal values merge, so their order is moot).
  1M noisy taxi rows, one worker: statistics 1.41 s → 1.26 s.

Floats: NaN never gets here (TFDV drops it first); -0.0 equals 0.0 for the sketch, which
keeps whichever its unstable sort puts first, so a -0.0 turns both tricks off for that
column. Tests compare the quantiles with plain adds byte for byte, merges included.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MIN_VALUES = 1024  # below this, counting costs more than it saves
_MAX_DISTINCT_SHARE = 4  # aggregate only when values / distinct >= this …
_MAX_DISTINCT = 1024  # … and few enough that the sketch keeps them all (exact, same output)


def _has_negative_zero(values: pa.Array | np.ndarray) -> bool:
    """Whether float values include -0.0 (equal to 0.0: which sign the sketch keeps is chance)."""
    if isinstance(values, pa.Array):
        if not pa.types.is_floating(values.type):
            return False
        values = values.to_numpy(zero_copy_only=False)
    return bool(np.any(np.signbit(values[values == 0])))


def _few_distinct(values: pa.Array) -> bool:
    return len(pc.unique(values)) <= _MAX_DISTINCT


def buffer_size(epsilon: float, max_num_elements: int = 1 << 32) -> int:
    """Entries a tfx_bsl ``QuantilesSketch`` buffers before it sorts and summarises them.

    tfx_bsl runs each stream at ``epsilon / 3``; the stream's block size is TensorFlow's
    ``WeightedQuantilesStream::GetQuantileSpecs`` and its buffer holds two blocks (TFDV's
    defaults: 11,402 entries). Were this ever wrong, pre-sorted runs would straddle buffers:
    the quantiles would stay within the sketch's error bound, just not bit-identical.
    """
    eps = epsilon / 3
    level, block = 1, 2
    while (1 << level) * block < max_num_elements:
        block = math.ceil(level / eps) + 1
        level += 1
    return 2 * max(block, 2)


class FastFeedSketch:
    """Wraps a tfx_bsl ``QuantilesSketch``: same methods, unweighted numeric adds faster.

    Sorting needs to know where buffers start: ``_buffered`` counts the entries waiting in the
    sketch's buffer; ``None`` (after adds whose count is not known) turns sorting off.
    """

    __slots__ = ("sketch", "_aggregate", "_buffer_size", "_buffered")

    def __init__(self, sketch: Any, buffer_size: int) -> None:
        self.sketch = sketch
        self._aggregate = True
        self._buffer_size = buffer_size
        self._buffered: int | None = 0

    def AddValues(self, values: pa.Array, weights: pa.Array | None = None) -> None:  # noqa: N802
        if weights is not None:  # TFDV's own weighted adds: how many entries is not known
            self._buffered = None
            self.sketch.AddValues(values, weights)
            return
        numeric = pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
        if numeric and self._aggregate and len(values) >= _MIN_VALUES:
            # A prefix with too many distinct values settles it without hashing the whole batch.
            head = values.slice(0, 2 * _MAX_DISTINCT)
            counts = pc.value_counts(values) if _few_distinct(head) else head[:0]
            if (
                len(counts) > 0
                and len(counts) <= _MAX_DISTINCT
                and len(counts) * _MAX_DISTINCT_SHARE <= len(values)
                and not _has_negative_zero(counts.field(0))
            ):
                self._push(counts.field(0), counts.field(1))
                return
            self._aggregate = False  # many distinct values: plain adds from now on
        if numeric and self._buffered is not None and values.null_count == 0:
            values = self._sorted_by_buffer(values)
        self._push(values)

    def _push(self, values: pa.Array, weights: pa.Array | None = None) -> None:
        # Every value given here is one entry: no nulls, NaN or zero weights reach the sketch
        # from TFDV's numeric stats (it drops NaN first) or from value counts.
        if self._buffered is not None:
            self._buffered = (self._buffered + len(values)) % self._buffer_size
        if weights is None:
            self.sketch.AddValues(values)
        else:
            self.sketch.AddValues(values, weights)

    def _sorted_by_buffer(self, values: pa.Array) -> pa.Array:
        """``values`` with the share of each buffer they fill sorted, in their own type (float32
        sorts faster; the sketch's cast to double keeps the order, ints may tie: ties merge).

        What is left in the buffer afterwards keeps its order: a ``Merge`` pushes those entries
        into another sketch's buffer, where only some of them may fit before it is full.
        """
        assert self._buffered is not None
        size = self._buffer_size
        head = size - self._buffered  # completes the buffer that is filling
        if len(values) < head:
            return values
        data = np.array(values.to_numpy(zero_copy_only=False))
        if pa.types.is_floating(values.type) and _has_negative_zero(data):
            self._buffered = None  # -0.0 == 0.0: which sign the sketch keeps depends on order
            return values
        full = head + (len(data) - head) // size * size
        data[:head].sort()
        data[head:full].reshape(-1, size).sort(axis=1)
        return pa.array(data)

    def Merge(self, other: Any) -> None:  # noqa: N802
        # The other's buffered entries join this buffer (tfx_bsl ``PushStream``).
        theirs = other._buffered if isinstance(other, FastFeedSketch) else None
        if self._buffered is not None and theirs is not None:
            self._buffered = (self._buffered + theirs) % self._buffer_size
        else:
            self._buffered = None
        self.sketch.Merge(other.sketch if isinstance(other, FastFeedSketch) else other)

    def Compact(self) -> None:  # noqa: N802
        self.sketch.Compact()
        self._buffered = 0  # a compacted stream starts over from one summary, buffer empty

    def __getattr__(self, name: str) -> Any:  # GetQuantiles, … of the real sketch
        if name.startswith("__") or name in FastFeedSketch.__slots__:
            raise AttributeError(name)  # unpickling looks these up before ``sketch`` is set
        return getattr(self.sketch, name)

    # Picklable, as TFDV's accumulators must be: the Beam engine shuffles them between workers.
    def __getstate__(self) -> tuple[Any, bool, int, int | None]:
        return self.sketch, self._aggregate, self._buffer_size, self._buffered

    def __setstate__(self, state: tuple[Any, bool, int, int | None]) -> None:
        self.sketch, self._aggregate, self._buffer_size, self._buffered = state
