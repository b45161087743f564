"""Check-area fixtures: TFDV statistics of the shared data, computed once per session by TFDV
itself (the reference the tests compare dataguard with), and schemas inferred from them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dataguard.core import schemas as sch

BEAM_ARGS = ["--runner=DirectRunner", "--direct_running_mode=in_memory"]


def tfdv_statistics(path: Path):  # type: ignore[no-untyped-def]
    """Statistics exactly as TFDV computes them from a CSV (the reference, not dataguard's)."""
    import tensorflow_data_validation as tfdv
    from apache_beam.options.pipeline_options import PipelineOptions

    return tfdv.generate_statistics_from_csv(
        str(path), pipeline_options=PipelineOptions(BEAM_ARGS)
    )


@pytest.fixture(scope="session")
def reference_stats(shared_data: Path) -> Callable[[str], object]:
    """``reference_stats("taxi/train.csv")``: TFDV statistics, computed once per session."""
    cache: dict[str, object] = {}

    def get(relative: str):  # type: ignore[no-untyped-def]
        if relative not in cache:
            cache[relative] = tfdv_statistics(shared_data / relative)
        return cache[relative]

    return get


def threshold_config(l_infinity: float = 0.01, jensen_shannon: float = 0.01,
                     **dataset: object) -> sch.ComparatorConfig:
    document = {"thresholds": {"l_infinity": l_infinity, "jensen_shannon": jensen_shannon},
                "datasets": {"d": dataset}}
    return sch.ComparatorConfig.from_config(document, "d")


@pytest.fixture(scope="session")
def taxi_schema(reference_stats):  # type: ignore[no-untyped-def]
    """Schema inferred from taxi/train.csv with L-infinity and JSD thresholds 0.01, label tips."""
    from dataguard.core.validate import infer

    return sch.apply_comparators(infer(reference_stats("taxi/train.csv")), threshold_config(),
                                 label="tips")


@pytest.fixture(scope="session")
def penguin_schema(reference_stats):  # type: ignore[no-untyped-def]
    from dataguard.core.validate import infer

    return sch.apply_comparators(infer(reference_stats("penguin/train.csv")), threshold_config(),
                                 label="species")


@pytest.fixture
def record_batch(reference_stats):  # type: ignore[no-untyped-def]
    """Put a batch with TFDV's statistics of a shared-data CSV into the store of ``settings``
    (artifact + batch row, as `dataguard stats` leaves them), without running an engine."""
    from dataguard.core.models import Batch, Role
    from dataguard.io import artifacts
    from dataguard.store import open_store

    def record(settings, dataset: str, name: str, relative: str | None = None,  # type: ignore[no-untyped-def]
               role: str = "training", statistics=None):
        stats = statistics if statistics is not None else reference_stats(relative)
        data = stats.SerializeToString()
        uri = artifacts.join(settings.artifacts, dataset, role, name, "stats-0000test.pb")
        sha = artifacts.write_atomic(uri, data)
        num = stats.datasets[0].num_examples if stats.datasets else 0
        store = open_store(settings.store_url)
        try:
            with store.transaction() as tx:
                return tx.add_batch(Batch(dataset, name, Role(role), num, uri, sha,
                                          source=relative or "inline"))
        finally:
            store.dispose()

    return record


STRICT = {"thresholds": {"l_infinity": 0.01, "jensen_shannon": 0.01}}


@pytest.fixture
def strict_settings(settings):  # type: ignore[no-untyped-def]
    """Test settings whose thresholds are the ones the issue's numbers use (0.01 and 0.01)."""
    from dataclasses import replace

    return replace(settings, document=STRICT)
