"""The local engine's quantiles sketch gives TFDV's sketch output exactly (``stats.sketch``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from tfx_bsl import sketches

from dataguard.stats.sketch import FastFeedSketch, buffer_size


def _new() -> sketches.QuantilesSketch:  # as TFDV's BasicStatsGenerator makes them
    return sketches.QuantilesSketch(eps=0.01, max_num_elements=1 << 32, num_streams=1)


def _wrapped() -> FastFeedSketch:
    return FastFeedSketch(_new(), buffer_size(0.01))


def _quantiles(batches: list[pa.Array], *, aggregate: bool, num: int = 10) -> bytes:
    sketch = _wrapped() if aggregate else _new()
    for batch in batches:
        sketch.AddValues(batch)
    sketch.Compact()
    return np.asarray(sketch.GetQuantiles(num).flatten()).tobytes()


def _batches(values: np.ndarray, size: int = 5000) -> list[pa.Array]:
    return [pa.array(values[i : i + size]) for i in range(0, len(values), size)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_repeated_values_give_the_same_quantiles_bytes_as_plain_adds(dtype: type) -> None:
    rng = np.random.default_rng(7)
    distinct = np.round(rng.normal(41.9, 0.1, 300), 6).astype(dtype)
    values = rng.choice(distinct, 60_000)
    batches = _batches(values)
    sketch = _wrapped()
    sketch.AddValues(batches[0])
    assert sketch._aggregate  # the weighted path is the one under test
    assert _quantiles(batches, aggregate=True) == _quantiles(batches, aggregate=False)


def test_negative_zero_turns_aggregation_off_for_float_columns() -> None:
    values = np.tile(np.array([-0.0, 1.5, 2.5, 3.5], dtype=np.float32), 2000)
    sketch = _wrapped()
    sketch.AddValues(pa.array(values))
    assert not sketch._aggregate
    assert _quantiles([pa.array(values)], aggregate=True) == _quantiles(
        [pa.array(values)], aggregate=False
    )


def test_many_distinct_floats_go_back_to_plain_adds() -> None:
    values = np.random.default_rng(3).uniform(0, 100, 20_000).astype(np.float32)
    sketch = _wrapped()
    sketch.AddValues(pa.array(values))
    assert not sketch._aggregate


def test_buffer_size_is_tfx_bsl_s_for_tfdv_defaults() -> None:
    assert buffer_size(0.01) == 11_402  # two blocks of WeightedQuantilesStream(0.01 / 3, 2**32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_buffers_sorted_beforehand_give_the_same_quantiles_bytes(dtype: type) -> None:
    # Many distinct values: the sketch compresses, so any change in what each buffer holds
    # would show. Odd batch sizes make batches straddle the sketch's buffers.
    values = (np.random.default_rng(11).lognormal(2, 1, 100_003) * 1000).astype(dtype)
    batches = _batches(values, size=7_777)
    assert _quantiles(batches, aggregate=True, num=1000) == _quantiles(
        batches, aggregate=False, num=1000
    )


def test_sorted_buffers_survive_merges_as_tfdv_merges_worker_sketches() -> None:
    values = np.random.default_rng(5).normal(0, 1, 90_001)
    halves = _batches(values[:45_000], 6_001), _batches(values[45_000:], 5_003)

    def merged(make: object) -> bytes:
        parts = []
        for half in halves:
            sketch = make()  # type: ignore[operator]
            for batch in half:
                sketch.AddValues(batch)
            parts.append(sketch)
        parts[0].Merge(parts[1])
        parts[0].AddValues(pa.array(values[:12_345]))  # adds after a merge line up too
        parts[0].Compact()
        return np.asarray(parts[0].GetQuantiles(1000).flatten()).tobytes()

    assert merged(_wrapped) == merged(_new)


def test_negative_zero_turns_sorting_off() -> None:
    values = np.random.default_rng(2).normal(0, 1, 30_000)
    values[100] = -0.0
    sketch = _wrapped()
    sketch.AddValues(pa.array(values))
    assert sketch._buffered is None
