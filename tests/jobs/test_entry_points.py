"""Where ``dataguard.compute_stats`` / ``run`` (and the CLI) send the work: the whole use case to a
Beam job when the engine's workers are remote and can record, else the use case here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import dataguard
from dataguard.config import Settings
from tests.jobs.conftest import DATAFLOW_ARGS


@pytest.fixture
def jobs_started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The remote runner's functions replaced by recorders (nothing is submitted)."""
    from dataguard.beamjobs import remote

    started: list[tuple[str, dict[str, Any]]] = []
    for name in ("launch_stats_job", "launch_run_job"):
        monkeypatch.setattr(
            remote, name, lambda *args, _name=name, **kwargs: started.append((_name, kwargs))
        )
    return started


def test_a_remote_engine_whose_workers_can_record_gets_the_whole_job(
    cloud: Settings, jobs_started: list[tuple[str, dict[str, Any]]]
) -> None:
    inputs = ["gs://acme-ml-data/taxi/*.csv"]
    dataguard.compute_stats("taxi", "b1", inputs, engine="beam", pipeline_args=DATAFLOW_ARGS,
                            settings=cloud)
    dataguard.run("taxi", "b1", inputs, engine="beam", pipeline_args=DATAFLOW_ARGS,
                  settings=cloud)
    assert [name for name, _ in jobs_started] == ["launch_stats_job", "launch_run_job"]
    assert all(kwargs["pipeline_args"] == DATAFLOW_ARGS for _, kwargs in jobs_started)


def test_the_local_engine_never_starts_a_job(
    settings: Settings, penguin: Path, jobs_started: list[tuple[str, dict[str, Any]]]
) -> None:
    result = dataguard.compute_stats("penguin", "b1", [str(penguin / "train.csv")],
                                     settings=settings)
    assert result.engine == "local" and result.batch.num_examples == 334
    assert jobs_started == []
