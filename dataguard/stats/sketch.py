"""A quantiles sketch that adds repeated numbers once, with their count as the weight.

TFDV's ``BasicStatsGenerator`` feeds every numeric value to a tfx_bsl ``QuantilesSketch``
(weighted; ~20 ns a value, the biggest cost of the local engine). For columns with few
distinct values (hours, months, area codes; in real taxi data also fares, miles and the
census-tract centroid coordinates) adding each distinct value once weighted by its count is
what TFDV itself does for its num-values sketch, and gives the same summary: the sketch sorts
its buffer and sums the (integer-valued, so exact) weights of equal values before it
summarises, and with few distinct values nothing is compressed away. Floats: NaN never gets
here (TFDV drops it first); float32 and float64 are cast to double by the sketch either way;
-0.0 equals 0.0 for the sketch, which keeps whichever its unstable sort puts first, so a
batch holding a -0.0 turns aggregation off for that column. Measured on 1M taxi rows: five
integer columns' sketches 0.11 s → 0.02 s; real taxi rows (train.csv x66) with the float
columns too: compute ~1.03 s → ~0.93 s; statistics byte-identical (compared with one worker:
with two, the merge order already varies run to run, and with it the last digits of means and
the quantiles of columns whose sketch compresses).
Columns with many distinct values (ids, timestamps, noisy floats) go back to plain adds
after one try.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MIN_VALUES = 1024  # below this, counting costs more than it saves
_MAX_DISTINCT_SHARE = 4  # aggregate only when values / distinct >= this …
_MAX_DISTINCT = 1024  # … and few enough that the sketch keeps them all (exact, same output)


def _has_negative_zero(distinct: pa.Array) -> bool:
    """Whether a float column's distinct values include -0.0 (its sign is kept by chance)."""
    if not pa.types.is_floating(distinct.type):
        return False
    zeros = distinct.to_numpy(zero_copy_only=False)
    return bool(np.any(np.signbit(zeros[zeros == 0])))


def _few_distinct(values: pa.Array) -> bool:
    return len(pc.unique(values)) <= _MAX_DISTINCT


class AggregatingSketch:
    """Wraps a tfx_bsl ``QuantilesSketch``; same methods, unweighted numeric adds grouped."""

    __slots__ = ("sketch", "_aggregate")

    def __init__(self, sketch: Any) -> None:
        self.sketch = sketch
        self._aggregate = True

    def AddValues(self, values: pa.Array, weights: pa.Array | None = None) -> None:  # noqa: N802
        if (
            weights is None
            and self._aggregate
            and len(values) >= _MIN_VALUES
            and (pa.types.is_integer(values.type) or pa.types.is_floating(values.type))
        ):
            # A prefix with too many distinct values settles it without hashing the whole batch.
            head = values.slice(0, 2 * _MAX_DISTINCT)
            counts = pc.value_counts(values) if _few_distinct(head) else head[:0]
            if (
                len(counts) > 0
                and len(counts) <= _MAX_DISTINCT
                and len(counts) * _MAX_DISTINCT_SHARE <= len(values)
                and not _has_negative_zero(counts.field(0))
            ):
                self.sketch.AddValues(counts.field(0), counts.field(1))
                return
            self._aggregate = False  # many distinct values: plain adds from now on
        if weights is None:
            self.sketch.AddValues(values)
        else:
            self.sketch.AddValues(values, weights)

    def Merge(self, other: Any) -> None:  # noqa: N802
        self.sketch.Merge(other.sketch if isinstance(other, AggregatingSketch) else other)

    def __getattr__(self, name: str) -> Any:  # Compact, GetQuantiles, … of the real sketch
        return getattr(self.sketch, name)
