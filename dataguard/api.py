"""The entry points that take an engine by name: ``dataguard.compute_stats``, ``run`` and
``csv_to_tfrecord``, and the CLI's ``stats``, ``run`` and ``convert`` that call them.

They decide where the work goes, which the use cases no longer do: the engine name (+ Beam
options) becomes an engine (``dataguard.engines``), and when that engine's workers are remote
*and* can reach the store, the artifact root and the schemas themselves, the whole use case is
handed to the Beam job (``dataguard.beamjobs.remote``: the scheduled job's code, waited for);
otherwise the use case runs here with that engine (a remote runner only computes).

    compute_stats("taxi", "2026-11-24", ["data/day1.csv"])                         # here
    run("taxi", "2026-11-25", ["gs://acme/taxi/2026-11-25/*.csv"], engine="beam",
        pipeline_args=["--runner=DataflowRunner", ...], settings=cloud_settings)   # one job

Nothing heavy at import: Beam loads only with the beam engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dataguard.config import Settings, load_settings
from dataguard.engines import Converter, StatsEngine, converter, stats_engine
from dataguard.service.baselines import DEFAULT_BASELINE

if TYPE_CHECKING:
    from dataguard.core.models import CheckResult, Role, StatsResult
    from dataguard.service.baselines import _DefaultBaseline
    from dataguard.service.convert import ConvertResult


def compute_stats(
    dataset: str,
    batch: str,
    inputs: Sequence[str],
    *,
    role: str | Role = "training",
    engine: str | StatsEngine = "local",
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    replace: bool = False,
    pipeline_args: Sequence[str] = (),
    slice_by: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> StatsResult:
    """``service.stats.stats``, or the compute_stats job when its workers can record;
    ``slice_by``: statistics per slice too (else ``[datasets.<name>] slice_by``)."""
    from dataguard.service.stats import stats

    engine_, settings, remote_job = _choose(engine, pipeline_args, settings, inputs)
    options: dict[str, Any] = dict(
        role=role, input_format=input_format, delimiter=delimiter, column_names=column_names,
        replace=replace, slice_by=slice_by, settings=settings,
    )
    if remote_job:
        from dataguard.beamjobs.remote import launch_stats_job

        return launch_stats_job(
            dataset, batch, inputs, pipeline_args=engine_.pipeline_args, **options
        )
    return stats(dataset, batch, inputs, engine=engine_, **options)


def run(
    dataset: str,
    batch: str,
    inputs: Sequence[str],
    *,
    serving_inputs: Sequence[str] | None = None,
    serving_batch: str | None = None,
    engine: str | StatsEngine = "local",
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    replace: bool = False,
    pipeline_args: Sequence[str] = (),
    schema_version: int | None = None,
    baseline: str | None | _DefaultBaseline = DEFAULT_BASELINE,
    hooks: bool = True,
    refire: bool = False,
    slice_by: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> CheckResult:
    """``service.check.run``, or the validate_batch job when its workers can record (then the
    hooks run here afterwards, with this machine's secrets)."""
    from dataguard.service.check import run as run_here

    engine_, settings, remote_job = _choose(
        engine, pipeline_args, settings, [*inputs, *(serving_inputs or ())]
    )
    options: dict[str, Any] = dict(
        serving_inputs=serving_inputs, serving_batch=serving_batch, input_format=input_format,
        delimiter=delimiter, column_names=column_names, replace=replace,
        schema_version=schema_version, baseline=baseline, hooks=hooks, slice_by=slice_by,
        settings=settings,
    )
    if remote_job:
        from dataguard.beamjobs.remote import launch_run_job

        return launch_run_job(
            dataset, batch, inputs, pipeline_args=engine_.pipeline_args, **options
        )
    return run_here(dataset, batch, inputs, engine=engine_, refire=refire, **options)


def csv_to_tfrecord(
    input: str | Sequence[str],  # noqa: A002 - the CLI's word
    output: str,
    *,
    schema: str | None = None,
    compression: str | None = None,
    shards: int | None = None,
    engine: str | Converter = "local",
    delimiter: str = ",",
    pipeline_args: Sequence[str] = (),
) -> ConvertResult:
    """``service.convert.csv_to_tfrecord`` with the converter of that engine."""
    from dataguard.service.convert import csv_to_tfrecord as convert

    return convert(
        input, output, schema=schema, compression=compression, shards=shards,
        engine=converter(engine, pipeline_args), delimiter=delimiter,
    )


def _choose(
    engine: str | StatsEngine,
    pipeline_args: Sequence[str],
    settings: Settings | None,
    inputs: Sequence[str],
) -> tuple[StatsEngine, Settings, bool]:
    """The engine, the settings, and whether the whole use case goes to a Beam job."""
    settings = settings or load_settings()
    locations = [*inputs, settings.artifacts, settings.schemas_dir]
    engine_ = stats_engine(engine, pipeline_args, locations)
    return engine_, settings, workers_record(engine_, settings)


def workers_record(engine: StatsEngine, settings: Settings) -> bool:
    """Whether the whole use case can run on the engine's workers: they are remote and reach
    the store and the artifact and schema roots (``beamjobs.remote.workers_can_record``)."""
    if not engine.remote:  # answered without loading Beam
        return False
    from dataguard.beamjobs.remote import workers_can_record

    return workers_can_record(engine.pipeline_args, settings)
