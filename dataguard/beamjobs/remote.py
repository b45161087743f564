"""The command line's remote path: ``dataguard run|stats --engine beam --runner DataflowRunner``
runs the same jobs as the schedule (validate_batch / compute_stats), waits, and reads the result
back from the store that the workers wrote to.

    if workers_can_record(pipeline_args, settings):       # what dataguard.api asks first
        result = launch_run_job("taxi", "2026-11-25", ["gs://acme/taxi/2026-11-25/*.csv"],
                               pipeline_args=["--runner=DataflowRunner", "--project=…", …])

Names are checked here, at launch, not after the statistics on a worker.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from dataguard.beamjobs import COMPUTE_STATS, VALIDATE_BATCH
from dataguard.beamjobs.config import JobConfig
from dataguard.beamjobs.pipelines import launch_job
from dataguard.core.baselines import BaselineSpec
from dataguard.core.models import CheckResult, Role, StatsResult
from dataguard.core.names import valid_name
from dataguard.errors import RunnerError, UsageError
from dataguard.service.baselines import DEFAULT_BASELINE
from dataguard.service.check import notify_after_commit
from dataguard.service.check_config import CheckConfig
from dataguard.service.context import Context
from dataguard.service.stats import parse_role
from dataguard.stats.pipeline_options import is_local, runner_name


def workers_can_record(pipeline_args: Sequence[str], settings: Any) -> bool:
    """Whether ``run``/``stats --engine beam`` can hand the whole job to the runner's workers:
    the runner is remote and they can reach the store and the artifact root and schemas
    (``unreachable``). Otherwise the command computes statistics on the runner and records them
    itself."""
    options = PipelineOptions(list(pipeline_args))
    return not is_local(options) and unreachable(
        runner_name(options), settings.store_url, settings.artifacts, settings.schemas_dir
    ) is None


def unreachable(
    runner: str, store_url: str | None, artifacts: str | None, schemas_dir: str | None
) -> str | None:
    """Why remote workers could not record (the one rule): a SQLite store, or an artifact root
    or schemas folder on this machine rather than gs:// (or another remote filesystem). None
    when they can; unset locations are the worker environment's (``JobConfig``)."""
    if (store_url or "").startswith("sqlite"):
        return (
            f"--store {store_url}: {runner} workers record into the store themselves; "
            "use a PostgreSQL URL they can reach (e.g. Cloud SQL on a private IP)"
        )
    for name, value in (("--artifacts", artifacts), ("schemas_dir", schemas_dir)):
        if value and "://" not in value:
            return (
                f"{name} {value}: {runner} workers cannot write to this machine; "
                "use a gs:// location"
            )
    return None


def launch_run_job(
    dataset: str,
    batch: str,
    inputs: Sequence[str],
    *,
    serving_inputs: Sequence[str] | None = None,
    serving_batch: str | None = None,
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    replace: bool = False,
    pipeline_args: Sequence[str] = (),
    schema_version: int | None = None,
    baseline: Any = DEFAULT_BASELINE,
    hooks: bool = True,
    slice_by: Sequence[str] | None = None,
    settings: Any = None,
) -> CheckResult:
    """``dataguard run --engine beam --runner DataflowRunner``: the validate_batch job, waited
    for, then its check read back from the store (the workers recorded it there). The hooks run
    here, after the job, with this machine's environment (their secrets are not on workers)."""
    ctx = Context.create(settings)
    CheckConfig.parse(ctx.settings.document, dataset, slice_by)  # a bad setting: exit 2 first
    if isinstance(baseline, str):  # a bad --baseline value too (window:0, reference:)
        baseline = BaselineSpec.from_option(baseline)
    cfg = _cli_config(
        dataset,
        batch,
        inputs,
        ctx.settings,
        input_format=input_format,
        delimiter=delimiter,
        column_names=column_names,
        replace=replace,
        serving_inputs=serving_inputs,
        serving_batch=serving_batch,
        schema_version=schema_version,
        baseline=baseline,
        hooks=False,
        slice_by=tuple(slice_by or ()),
    )
    options = _remote_ready(cfg, pipeline_args)
    launch_job(VALIDATE_BATCH, cfg, options, wait=True)
    with ctx.store.read() as q:
        found = q.latest_check(dataset, batch)
    if found is None:
        raise RunnerError(f"validate_batch finished but recorded no check for {dataset}/{batch}")
    if hooks:
        notify_after_commit(ctx, found)
    return found


def launch_stats_job(
    dataset: str,
    batch: str,
    inputs: Sequence[str],
    *,
    role: str | Role = "training",
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    replace: bool = False,
    pipeline_args: Sequence[str] = (),
    slice_by: Sequence[str] | None = None,
    settings: Any = None,
) -> StatsResult:
    """``dataguard stats --engine beam`` as the compute_stats job: the batch is recorded by the
    workers; returns the stored batch's ``StatsResult``."""
    ctx = Context.create(settings)
    cfg = _cli_config(
        dataset,
        batch,
        inputs,
        ctx.settings,
        input_format=input_format,
        delimiter=delimiter,
        column_names=column_names,
        replace=replace,
        role=parse_role(role).value,
        slice_by=tuple(slice_by or ()),
    )
    options = _remote_ready(cfg, pipeline_args)
    started = time.monotonic()
    launch_job(COMPUTE_STATS, cfg, options, wait=True)
    with ctx.store.read() as q:
        found = q.get_batch(dataset, batch, Role(cfg.role))
    if found is None:
        raise RunnerError(f"compute_stats finished but recorded no batch {dataset}/{batch}")
    return StatsResult(batch=found, engine="beam", seconds=time.monotonic() - started)


def _cli_config(
    dataset: str, batch: str, inputs: Sequence[str], settings: Any, **fields: Any
) -> JobConfig:
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    if fields.get("serving_inputs"):
        fields["serving_batch"] = valid_name("batch", fields.get("serving_batch") or batch)
    else:
        fields["serving_batch"] = None
    baseline = fields.pop("baseline", DEFAULT_BASELINE)
    if baseline is None:
        fields["no_baseline"] = True
    elif isinstance(baseline, (str, BaselineSpec)):
        fields["baseline"] = str(baseline)
    fields["column_names"] = tuple(fields.get("column_names") or ()) or None
    fields["serving_inputs"] = tuple(fields.get("serving_inputs") or ())
    return JobConfig(
        dataset=dataset,
        batch=batch,
        inputs=(inputs,) if isinstance(inputs, str) else tuple(inputs),
        store_url=settings.store_url,
        artifacts=settings.artifacts,
        schemas_dir=settings.schemas_dir,
        config_text=_read_config(settings.config_path),
        **fields,
    )


def _read_config(path: str | None) -> str | None:
    """The local config file travels inside the job (workers can't read this machine)."""
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def _remote_ready(cfg: JobConfig, pipeline_args: Sequence[str]) -> PipelineOptions:
    """Remote workers must reach the store and the artifact root: refuse local ones up front."""
    options = PipelineOptions(list(pipeline_args))
    if is_local(options):
        return options
    reason = unreachable(runner_name(options), cfg.store_url, cfg.artifacts, cfg.schemas_dir)
    if reason is not None:
        raise UsageError(reason)
    return options
