"""The jobs build offline (``--dry_run=True``) with the Beam engine's chunked reads, Parquet
input included: no GCS, no input files, no network."""

from __future__ import annotations

import pytest

from tests.jobs.conftest import DATAFLOW_ARGS

pytestmark = pytest.mark.timeout(120)


def _transform_names(run) -> set[str]:  # type: ignore[no-untyped-def]
    return {t.unique_name for t in run.job.proto_pipeline.components.transforms.values()}


@pytest.mark.parametrize("pattern", ["gs://acme-ml-data/taxi/{date}/*.parquet",
                                     "gs://acme-ml-data/taxi/{date}/big.csv"])
def test_compute_stats_builds_offline_with_chunked_reads(
    no_network: list[object], pattern: str
) -> None:
    from jobs import compute_stats

    run = compute_stats.launch([
        "--dataset=taxi", "--batch=2026-11-25", f"--input={pattern}", *DATAFLOW_ARGS,
    ])
    assert no_network == []
    names = _transform_names(run)
    for label in ("ReadBatch/Plan", "ReadBatch/SpreadChunks", "ComputeBatchStatistics/Accumulate",
                  "ComputeBatchStatistics/MergeStatistics",
                  "ComputeBatchStatistics/ReconcileRowCounts", "RecordStatistics"):
        assert any(name.startswith(label) for name in names), label
    # remote files are planned in parallel
    assert any(name.startswith("ReadBatch/SpreadFiles/") for name in names)
