"""The Beam jobs as pipeline builders: the same graph for ``python -m jobs.<name>``, the Flex
Template and ``dataguard stats|run --engine beam --runner DataflowRunner``.

    with beam.Pipeline(options=options) as p:
        build_validate_batch(p, JobConfig(dataset="taxi", batch="2026-11-25",
                                          inputs=("gs://acme/taxi/2026-11-25/*.csv",),
                                          column_names=("pickup_community_area", ...)))
    launch_job(VALIDATE_BATCH, cfg, ["--runner=DataflowRunner", ...])   # build + run, one call

Reading, decoding and statistics are the statistics engine's PTransforms (``stats.beam``'s
fast path: ``ChunkInputs`` → ``ComputeChunkStatistics``, row counts reconciled); the last step
is a DoFn on one worker over the single merged statistics element that calls the services
(``record_statistics``, then ``check`` with its hooks): ``steps``.
Building never touches the input files, GCS or the store: a Dataflow job can be built offline
(``--dry_run=True``) by a launcher that can reach neither. Errors raised on workers come back as
their own class and message (``stats.runner_errors``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from dataguard.beamjobs import COMPUTE_STATS, CSV_TO_TFRECORD, VALIDATE_BATCH
from dataguard.beamjobs.config import JobConfig, JobLaunch
from dataguard.beamjobs.steps import (
    RecordAndCheckFn,
    RecordStatisticsFn,
    job_slicing,
    preflight,
    resolve_secret_env,
)
from dataguard.errors import UsageError
from dataguard.io.sources import FORMATS, InputSpec, guess_format, resolve_inputs
from dataguard.stats.beam import ChunkInputs, ComputeChunkStatistics, execute_pipeline
from dataguard.stats.pipeline_options import is_local, make_pipeline, runner_name

_LOG = logging.getLogger(__name__)


# --- inputs --------------------------------------------------------------------------------


def input_spec(
    patterns: Sequence[str],
    input_format: str | None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    *,
    remote: bool,
) -> InputSpec:
    """An ``InputSpec`` for the Beam read. Local runs expand globs (and so report a missing path
    before running, like the local engine); remote runs keep the patterns for the workers, which
    match them and read CSV headers themselves (unless ``column_names`` names the columns)."""
    if not patterns:
        raise UsageError("--input: at least one path or glob is required")
    names = tuple(column_names) if column_names else None
    if not remote:
        return resolve_inputs(
            list(patterns), input_format=input_format, delimiter=delimiter, column_names=names
        )
    fmt = input_format or guess_format(patterns, option="--input_format")
    if fmt not in FORMATS:
        raise UsageError(f"--input_format: {fmt!r} is not csv, tfrecord or parquet")
    return InputSpec(paths=tuple(patterns), format=fmt, delimiter=delimiter, column_names=names)


# --- builders ------------------------------------------------------------------------------


def _statistics(
    pipeline: beam.Pipeline, spec: InputSpec, label: str, cfg: JobConfig
) -> tuple[beam.PCollection, beam.PCollection]:
    """Files → chunks (planned on the workers) → statistics (sliced as the job says), row
    counts reconciled; and the rows read per file, as ``(path, rows)``."""
    compute = ComputeChunkStatistics(spec, slicing=job_slicing(cfg))
    statistics = (
        pipeline | f"Read{label}" >> ChunkInputs(spec) | f"Compute{label}Statistics" >> compute
    )
    return statistics, compute.rows_per_file


def build_compute_stats(pipeline: beam.Pipeline, cfg: JobConfig) -> beam.PCollection:
    """Read → statistics → record the batch (artifact + store row). Output: the batch as a dict,
    with the rows read per input file (``rows_per_file``)."""
    remote = not is_local(pipeline.options)
    spec = input_spec(cfg.inputs, cfg.input_format, cfg.delimiter, cfg.column_names, remote=remote)
    stats, rows = _statistics(pipeline, spec, "Batch", cfg)
    return stats | "RecordStatistics" >> beam.ParDo(
        RecordStatisticsFn(cfg, cfg.role), beam.pvalue.AsDict(rows)
    )


def build_validate_batch(pipeline: beam.Pipeline, cfg: JobConfig) -> beam.PCollection:
    """Read (+ serving) → statistics → record both → check → store + hooks, on one worker.

    Output: the check result as its DESIGN.md JSON dict (one element).
    """
    remote = not is_local(pipeline.options)
    spec = input_spec(cfg.inputs, cfg.input_format, cfg.delimiter, cfg.column_names, remote=remote)
    stats, _ = _statistics(pipeline, spec, "Batch", cfg)
    serving = None
    if cfg.serving_inputs:
        serving_spec = input_spec(
            cfg.serving_inputs,
            cfg.input_format,
            cfg.delimiter,
            cfg.serving_column_names,
            remote=remote,
        )
        serving = beam.pvalue.AsSingleton(_statistics(pipeline, serving_spec, "Serving", cfg)[0])
    return stats | "RecordAndCheck" >> beam.ParDo(RecordAndCheckFn(cfg), serving)


def build_csv_to_tfrecord(pipeline: beam.Pipeline, cfg: JobConfig) -> beam.PCollection:
    """CSV → tf.Example TFRecord shards (B1's converter). Output: ``{"file": path}`` per shard."""
    from dataguard.convert.beam import build_csv_to_tfrecord as add_conversion

    if not cfg.output:
        raise UsageError("--output: required by csv_to_tfrecord (a path or gs:// prefix)")
    remote = not is_local(pipeline.options)
    spec = input_spec(cfg.inputs, "csv", cfg.delimiter, cfg.column_names, remote=remote)
    files = add_conversion(
        pipeline,
        spec,
        cfg.output,
        schema=cfg.schema,
        compression=cfg.compression,
        shards=cfg.shards,
    )
    return files | "ListOutputFiles" >> beam.Map(_file_entry)


def _file_entry(path: str) -> dict[str, Any]:
    return {"file": path}


BUILDERS: dict[str, Callable[[beam.Pipeline, JobConfig], beam.PCollection]] = {
    VALIDATE_BATCH: build_validate_batch,
    COMPUTE_STATS: build_compute_stats,
    CSV_TO_TFRECORD: build_csv_to_tfrecord,
}


# --- running -------------------------------------------------------------------------------


class _Collect(beam.DoFn):
    """Local runs hand the job's output back to the caller through a file in a temp folder."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def process(self, element: dict[str, Any]) -> None:
        with open(self._path, "a", encoding="utf-8") as f:
            f.write(json.dumps(element) + "\n")


def launch_job(
    name: str,
    cfg: JobConfig,
    pipeline_args: Sequence[str] | PipelineOptions = (),
    *,
    wait: bool | None = None,
) -> JobLaunch:
    """Build and run one job. Local runners wait and return the job's output elements; remote
    runners return once the job is submitted (``wait=True``: once it has finished)."""
    import tempfile

    builder = BUILDERS.get(name)
    if builder is None:
        raise UsageError(f"job {name!r}: expected one of {', '.join(sorted(BUILDERS))}")
    pipeline = make_pipeline(pipeline_args)
    options = pipeline.options
    local = is_local(options)
    if local:
        resolve_secret_env(cfg.secret_env)
        preflight(name, cfg)
    with tempfile.TemporaryDirectory(prefix="dataguard-job-") as tmp:
        out_path = os.path.join(tmp, "out.jsonl")
        output = builder(pipeline, cfg)
        if local and isinstance(output, beam.PCollection):
            _ = output | "CollectOutput" >> beam.ParDo(_Collect(out_path))
        started = time.monotonic()
        # not quiet: a job's log keeps the workers' tracebacks
        result = execute_pipeline(pipeline, wait=local if wait is None else wait, quiet=False)
        _LOG.info("%s on %s: %.1f s", name, runner_name(options), time.monotonic() - started)
        results: tuple[dict[str, Any], ...] = ()
        if os.path.exists(out_path):
            with open(out_path, encoding="utf-8") as f:
                results = tuple(json.loads(line) for line in f if line.strip())
    job = getattr(result, "job", None) or getattr(result, "_job", None)
    proto = getattr(job, "proto", None)
    job_id = getattr(proto, "id", None) or getattr(job, "id", None)
    state = str(getattr(result, "state", "UNKNOWN")).rsplit(".", 1)[-1]
    return JobLaunch(runner_name(options), state, job_id, results, job)
