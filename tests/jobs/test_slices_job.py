"""The Beam jobs slice as the CLI does (``--slice_by`` or the config's ``slice_by``): the
validate_batch job records sliced statistics and the same per-slice check as ``dataguard run``;
the Dataflow job builds offline with slicing; an unknown slice column is exit 2 before building."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.config import Settings
from dataguard.core.slices import slice_names
from dataguard.errors import UsageError
from dataguard.service.context import Context
from dataguard.service.stats import load_statistics
from tests.jobs.conftest import DATAFLOW_ARGS, DIRECT_ARGS
from tests.jobs.test_jobs_direct import comparable, first_batch_and_schema, store_args, stored_check

pytestmark = pytest.mark.timeout(300)


def _with_slices(body: dict) -> list:  # type: ignore[type-arg]
    return sorted((m["feature"], m["method"], m["slice"], round(m["value"], 9))
                  for m in body["metrics"])


@pytest.mark.slow
def test_validate_batch_slices_and_checks_each_slice_as_dataguard_run(
    settings: Settings, taxi: Path
) -> None:
    from dataguard.service.check import run as local_run
    from jobs import validate_batch

    first_batch_and_schema(settings, "taxi", taxi / "train.csv")  # not sliced: every slice new
    job = validate_batch.launch([
        "--dataset=taxi", "--batch=job-a", f"--input={taxi / 'batch_a.csv'}", "--baseline=first",
        "--slice_by=payment_type", "--hooks=false", *store_args(settings), *DIRECT_ARGS,
    ])
    local = local_run("taxi", "job-b", [str(taxi / "batch_a.csv")], baseline="first",
                      slice_by=["payment_type"], hooks=False, settings=settings)
    recorded = stored_check(settings, "taxi", "job-a")
    assert job.results[0] == recorded.to_dict()
    assert comparable(recorded) == comparable(local)
    assert _with_slices(recorded.to_dict()) == _with_slices(local.to_dict())
    new = {a.slice for a in recorded.anomalies if a.type == "SLICE_NEW"}
    ctx = Context.create(settings)
    with ctx.store.read() as q:
        batch = q.get_batch("taxi", "job-a", "training")
    assert batch is not None
    assert new == set(slice_names(load_statistics(ctx, batch))) and "payment_type_Cash" in new


def test_validate_batch_builds_offline_with_slicing(no_network: list[object]) -> None:
    from jobs import validate_batch
    from jobs.options import parse

    argv = ["--dataset=taxi", "--batch=b1", "--input=gs://acme-ml-data/taxi/*.csv",
            "--slice_by=payment_type,company", "--artifacts=gs://acme-ml-dataguard/artifacts",
            *DATAFLOW_ARGS]
    run = validate_batch.launch(argv)
    assert no_network == [] and run.state == "DONE"
    assert parse(argv)[1].to_config("validate_batch").slice_by == ("payment_type", "company")


def test_the_job_graph_slices_batch_and_serving_statistics_by_the_configs_columns(
    tmp_path: Path, no_network: list[object]
) -> None:
    """Built offline for Dataflow: without --slice_by, the job's config's slice_by is used."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from dataguard.beamjobs.config import JobConfig
    from dataguard.beamjobs.pipelines import build_validate_batch
    from dataguard.core.slices import SliceConfig
    from dataguard.stats.beam_fast import ComputeChunkStatistics

    cfg = JobConfig(dataset="taxi", batch="b1", inputs=("gs://acme-ml-data/taxi/*.csv",),
                    serving_inputs=("gs://acme-ml-data/serving/*.csv",),
                    config_text='[datasets.taxi]\nslice_by = ["payment_type"]\nmax_slices = 9\n')
    pipeline = beam.Pipeline(options=PipelineOptions(list(DATAFLOW_ARGS)))
    build_validate_batch(pipeline, cfg)
    found: list[object] = []

    class Visitor(beam.pipeline.PipelineVisitor):
        def enter_composite_transform(self, node: object) -> None:
            transform = getattr(node, "transform", None)
            if isinstance(transform, ComputeChunkStatistics):
                found.append(transform._slicing)

    pipeline.visit(Visitor())
    assert found == [SliceConfig(("payment_type",), 9)] * 2  # the batch and its serving batch
    assert no_network == []


def test_an_unknown_slice_column_is_refused_before_the_job_runs(
    settings: Settings, taxi: Path
) -> None:
    from jobs import validate_batch

    first_batch_and_schema(settings, "taxi", taxi / "train.csv")
    with pytest.raises(UsageError, match="slice column 'paymnt' is not in schema v1 of 'taxi'"):
        validate_batch.launch([
            "--dataset=taxi", "--batch=job-x", f"--input={taxi / 'batch_a.csv'}",
            "--slice_by=paymnt", "--hooks=false", *store_args(settings), *DIRECT_ARGS,
        ])
    with Context.create(settings).store.read() as q:
        assert q.get_batch("taxi", "job-x", "training") is None


@pytest.mark.slow
def test_compute_stats_refuses_a_column_the_tfrecord_batch_lacks_before_recording(
    settings: Settings, taxi: Path
) -> None:
    from jobs import compute_stats

    with pytest.raises(UsageError, match="slice column 'no_such' is not in the batch's features"):
        compute_stats.launch([
            "--dataset=taxi", "--batch=rec", f"--input={taxi / 'tfrecord' / '*.gz'}",
            "--slice_by=no_such", *store_args(settings), *DIRECT_ARGS,
        ])
    with Context.create(settings).store.read() as q:
        assert q.get_batch("taxi", "rec", "training") is None
