"""The local engine's fast paths through TFDV's generator change no bit of its statistics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest

from dataguard.io.csv import RESTART, ParsedBlock
from dataguard.io.sources import resolve_inputs
from dataguard.stats import local, tfdv_fastpaths, tfdv_modules


@contextmanager
def _tfdv_own_code(bsg: Any) -> Iterator[None]:
    """TFDV's generator exactly as shipped, for the length of the block."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(tfdv_fastpaths, "install"))
        for cls in (bsg._PartialCommonStats, bsg._PartialNumericStats):
            stack.enter_context(mock.patch.object(cls, "update", cls.update.__wrapped__))
        stack.enter_context(mock.patch.object(bsg, "quantiles_util", bsg.quantiles_util._module))
        yield


def _statistics(batches: list[Any]) -> bytes:
    """One worker: with two, the merge order (and the last digits of means) varies."""
    combiner = local.StatisticsCombiner(tfdv_modules.load())
    stats = combiner.extract_output(local._accumulate(combiner, iter(batches), 1))
    return bytes(stats.SerializeToString())


def _batches(path: str, block_size: int) -> list[Any]:
    items = local.record_batches(resolve_inputs([path]), block_size=block_size)
    return [b.decode() if isinstance(b, ParsedBlock) else b for b in items if b is not RESTART]


def _edge_csv(tmp_path: Path) -> str:
    """NaN, ±inf, -0.0, empty cells, sparse and negative ints, strings: 20k rows."""
    rng = np.random.default_rng(5)
    lines = ["f,i,big,s"]
    for _ in range(20_000):
        r = rng.random()
        f = ("nan" if r < 0.01 else "inf" if r < 0.02 else "-inf" if r < 0.03 else
             "" if r < 0.05 else "-0.0" if r < 0.06 else f"{rng.normal():.4f}")
        i = "" if rng.random() < 0.1 else str(int(rng.integers(-5, 5)))
        s = "x" if rng.random() < 0.5 else ""
        lines.append(f"{f},{i},{int(rng.integers(0, 10**9))},{s}")
    path = tmp_path / "edge.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf in TFDV's variance, too
@pytest.mark.parametrize("source", ["taxi-csv", "taxi-tfrecord", "penguin-tfrecord", "edge-csv"])
def test_statistics_are_byte_identical_to_tfdv_s_own_code(
    source: str, taxi: Path, penguin: Path, tmp_path: Path
) -> None:
    path = {
        "taxi-csv": str(taxi / "train.csv"),
        "taxi-tfrecord": str(taxi / "tfrecord" / "*"),
        "penguin-tfrecord": str(penguin / "tfrecord" / "*"),
        "edge-csv": _edge_csv(tmp_path) if source == "edge-csv" else "",
    }[source]
    batches = _batches(path, block_size=64 << 10)  # many batches: most take the fast paths
    spy = mock.patch.object(tfdv_fastpaths, "_list_lengths", wraps=tfdv_fastpaths._list_lengths)
    with spy as lengths:
        fast = _statistics(batches)
    assert lengths.called == (len(batches) > 1)  # the fast path did run
    with _tfdv_own_code(tfdv_modules.load().basic_stats_generator):
        assert _statistics(batches) == fast


def _quantiles(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "normal":
        return np.sort(rng.normal(size=size))
    if kind == "few-values":
        return np.sort(rng.integers(0, 5, size)).astype(float)
    if kind == "-inf":
        return np.sort(np.concatenate([[-np.inf] * 2, rng.normal(size=size)]))
    if kind == "+inf":
        return np.sort(np.concatenate([rng.normal(size=size), [np.inf] * 3]))
    if kind == "point":
        return np.full(size, 3.5)
    return np.sort(rng.exponential(size=size)).astype(np.float32).astype(float)


@pytest.mark.parametrize("kind", ["normal", "few-values", "-inf", "+inf", "point", "float32"])
def test_equi_width_histograms_are_tfdv_s(kind: str) -> None:
    quantiles_util = tfdv_modules.load().basic_stats_generator.quantiles_util._module
    rng = np.random.default_rng(len(kind))
    for size in (3, 11, 101, 1001):
        quantiles = _quantiles(kind, size, rng)
        finite = quantiles[np.isfinite(quantiles)]
        lo, hi = finite.min(), finite.max()
        if kind == "float32":
            lo, hi = np.float32(lo), np.float32(hi)  # TFDV's min/max of a FLOAT column
        for buckets in (1, 10):
            args = dict(
                quantiles=quantiles,
                cumulative_counts=np.cumsum(rng.integers(0, 1000, len(quantiles))).astype(float),
                finite_min=lo, finite_max=hi, num_buckets=buckets,
                num_pos_inf=3.0 if kind == "+inf" else 0,
            )
            want = quantiles_util.generate_equi_width_histogram(**args)
            got = tfdv_fastpaths.equi_width_histogram(quantiles_util, **args)
            assert got.SerializeToString() == want.SerializeToString()


def test_a_tfdv_without_those_internals_keeps_its_own_code() -> None:
    import types

    other = types.SimpleNamespace(quantiles_util=types.SimpleNamespace())
    tfdv_fastpaths.install(other)  # nothing to patch: no error, nothing changed
    assert vars(other) == {"quantiles_util": other.quantiles_util}
