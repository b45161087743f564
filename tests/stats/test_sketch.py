"""The aggregating quantiles sketch gives TFDV's sketch output exactly (``stats.sketch``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from tfx_bsl import sketches

from dataguard.stats.sketch import AggregatingSketch


def _new() -> sketches.QuantilesSketch:  # as TFDV's BasicStatsGenerator makes them
    return sketches.QuantilesSketch(eps=0.01, max_num_elements=1 << 32, num_streams=1)


def _quantiles(batches: list[pa.Array], *, aggregate: bool) -> bytes:
    sketch = AggregatingSketch(_new()) if aggregate else _new()
    for batch in batches:
        sketch.AddValues(batch)
    sketch.Compact()
    return np.asarray(sketch.GetQuantiles(10).flatten()).tobytes()


def _batches(values: np.ndarray, size: int = 5000) -> list[pa.Array]:
    return [pa.array(values[i : i + size]) for i in range(0, len(values), size)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_repeated_values_give_the_same_quantiles_bytes_as_plain_adds(dtype: type) -> None:
    rng = np.random.default_rng(7)
    distinct = np.round(rng.normal(41.9, 0.1, 300), 6).astype(dtype)
    values = rng.choice(distinct, 60_000)
    batches = _batches(values)
    sketch = AggregatingSketch(_new())
    sketch.AddValues(batches[0])
    assert sketch._aggregate  # the weighted path is the one under test
    assert _quantiles(batches, aggregate=True) == _quantiles(batches, aggregate=False)


def test_negative_zero_turns_aggregation_off_for_float_columns() -> None:
    values = np.tile(np.array([-0.0, 1.5, 2.5, 3.5], dtype=np.float32), 2000)
    sketch = AggregatingSketch(_new())
    sketch.AddValues(pa.array(values))
    assert not sketch._aggregate
    assert _quantiles([pa.array(values)], aggregate=True) == _quantiles(
        [pa.array(values)], aggregate=False
    )


def test_many_distinct_floats_go_back_to_plain_adds() -> None:
    values = np.random.default_rng(3).uniform(0, 100, 20_000).astype(np.float32)
    sketch = AggregatingSketch(_new())
    sketch.AddValues(pa.array(values))
    assert not sketch._aggregate
