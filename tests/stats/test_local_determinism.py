"""The local engine gives bit-identical statistics for the same input, run after run."""

from __future__ import annotations

from pathlib import Path

from dataguard.io.sources import resolve_inputs
from dataguard.stats import local


def test_two_workers_give_byte_identical_statistics_on_a_multi_batch_input(taxi: Path) -> None:
    # Three files in small blocks: dozens of batches dealt to two workers; float sums (mean,
    # std_dev) depend on which batches each worker adds up, so that must not vary.
    spec = resolve_inputs([str(taxi / name) for name in ("train.csv", "batch_a.csv",
                                                         "batch_b.csv")])
    runs = {
        local.compute(spec, block_size=64 << 10).statistics.SerializeToString(deterministic=True)
        for _ in range(4)
    }
    assert len(runs) == 1
