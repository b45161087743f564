"""The Beam jobs as pipeline builders: the same graph for ``python -m jobs.<name>``, the Flex
Template and ``dataguard stats|run --engine beam --runner DataflowRunner``.

    with beam.Pipeline(options=options) as p:
        build_validate_batch(p, JobConfig(dataset="taxi", batch="2026-11-25",
                                          inputs=("gs://acme/taxi/2026-11-25/*.csv",),
                                          column_names=("pickup_community_area", ...)))

Reading, decoding and statistics are B1's PTransforms (``dataguard.stats.beam``); the last step is
a DoFn on one worker over the single merged statistics element that calls the services
(``record_statistics``, then ``check`` with its hooks), so a scheduled run needs no machine waiting
for it. Building never touches the input files, GCS or the store: a Dataflow job can be built
offline (``--dry_run=True``) by a launcher that can reach neither.

This module imports Apache Beam: only the jobs and the beam engine paths import it. The steps on
workers are in ``job_steps``; the command line's remote path is ``remote_jobs``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from dataguard import errors
from dataguard.errors import DataguardError, RunnerError, UsageError
from dataguard.service.job_steps import (
    RecordAndCheckFn,
    RecordStatisticsFn,
    preflight,
    resolve_secret_env,
)
from dataguard.stats import beam as stats_beam
from dataguard.stats.pipeline_options import is_local, make_pipeline, runner_name

_LOG = logging.getLogger(__name__)

_ERR = re.compile(r"\[dataguard-error (\w+)\]\s*(.*?)\s*\[/dataguard-error\]")


@dataclass(frozen=True)
class JobConfig:
    """What a dataguard Beam job needs besides the Beam options (picklable: it travels to workers).

    ``store_url``/``artifacts``/``schemas_dir``/``config`` of None mean "from the worker's
    environment" (``DATAGUARD_*``); ``secret_env`` maps environment variable names to Secret
    Manager versions resolved on the worker, so no secret is ever a job option.
    """

    dataset: str
    batch: str
    inputs: tuple[str, ...]
    input_format: str | None = None
    delimiter: str = ","
    column_names: tuple[str, ...] | None = None
    role: str = "training"
    serving_inputs: tuple[str, ...] = ()
    serving_batch: str | None = None
    serving_column_names: tuple[str, ...] | None = None
    schema_version: int | None = None
    baseline: str | None = None
    no_baseline: bool = False
    replace: bool = False
    hooks: bool = True
    store_url: str | None = None
    artifacts: str | None = None
    schemas_dir: str | None = None
    config: str | None = None
    config_text: str | None = None  # a local config file's text, shipped with the job
    secret_env: tuple[tuple[str, str], ...] = ()
    # csv_to_tfrecord only
    output: str | None = None
    schema: str | None = None
    compression: str | None = None
    shards: int = 1

    @property
    def serving_batch_name(self) -> str:
        """The serving batch is named after the training batch unless named explicitly."""
        return self.serving_batch or self.batch


@dataclass(frozen=True)
class JobRun:
    """What starting a job returns: the runner's state and, on Dataflow, the job id."""

    runner: str
    state: str
    job_id: str | None = None
    results: tuple[dict[str, Any], ...] = field(default=())
    job: Any = field(default=None, repr=False, compare=False)  # Dataflow's Job (dry runs too)


# --- inputs --------------------------------------------------------------------------------


def guess_format(pattern: str) -> str:
    """The input format from the file name alone (building must not open the files), by the
    rule of ``resolve_inputs``: .csv/.tsv/.txt → csv; "tfrecord" in the name or .gz → tfrecord."""
    name = pattern.lower().rsplit("/", 1)[-1]
    gz = name.endswith((".gz", ".gzip"))
    name = name.removesuffix(".gz").removesuffix(".gzip")
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if "tfrecord" in name or name.endswith((".tfr", ".tfrecords")) or gz:
        return "tfrecord"
    raise UsageError(
        f"{pattern}: cannot tell the input format from the name; pass --input_format csv|tfrecord"
    )


def input_spec(
    patterns: Sequence[str],
    input_format: str | None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    *,
    remote: bool,
) -> Any:
    """An ``InputSpec`` for the Beam read. Local runs expand globs (and so report a missing path
    before running, like the local engine); remote runs keep the patterns for the workers, which
    match them and read CSV headers themselves (unless ``column_names`` names the columns)."""
    from dataguard.io.sources import InputSpec, resolve_inputs

    if not patterns:
        raise UsageError("--input: at least one path or glob is required")
    names = tuple(column_names) if column_names else None
    if not remote:
        return resolve_inputs(
            list(patterns), input_format=input_format, delimiter=delimiter, column_names=names
        )
    fmt = input_format or guess_format(patterns[0])
    if fmt not in ("csv", "tfrecord"):
        raise UsageError(f"--input_format: {fmt!r} is not csv or tfrecord")
    return InputSpec(paths=tuple(patterns), format=fmt, delimiter=delimiter, column_names=names)


# --- builders ------------------------------------------------------------------------------


def _statistics(pipeline: beam.Pipeline, spec: Any, label: str) -> beam.PCollection:
    from dataguard.stats.beam import ComputeStatistics, ReadExamples

    return (
        pipeline
        | f"Read{label}" >> ReadExamples(spec)
        | f"Compute{label}Statistics" >> ComputeStatistics()
    )


def build_compute_stats(pipeline: beam.Pipeline, cfg: JobConfig) -> beam.PCollection:
    """Read → statistics → record the batch (artifact + store row). Output: the batch as a dict."""
    remote = not is_local(pipeline.options)
    spec = input_spec(cfg.inputs, cfg.input_format, cfg.delimiter, cfg.column_names, remote=remote)
    stats = _statistics(pipeline, spec, "Batch")
    return stats | "RecordStatistics" >> beam.ParDo(RecordStatisticsFn(cfg, cfg.role))


def build_validate_batch(pipeline: beam.Pipeline, cfg: JobConfig) -> beam.PCollection:
    """Read (+ serving) → statistics → record both → check → store + hooks, on one worker.

    Output: the check result as its DESIGN.md JSON dict (one element).
    """
    remote = not is_local(pipeline.options)
    spec = input_spec(cfg.inputs, cfg.input_format, cfg.delimiter, cfg.column_names, remote=remote)
    stats = _statistics(pipeline, spec, "Batch")
    serving = None
    if cfg.serving_inputs:
        serving_spec = input_spec(
            cfg.serving_inputs,
            cfg.input_format,
            cfg.delimiter,
            cfg.serving_column_names,
            remote=remote,
        )
        serving = beam.pvalue.AsSingleton(_statistics(pipeline, serving_spec, "Serving"))
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


BUILDERS = {
    "validate_batch": build_validate_batch,
    "compute_stats": build_compute_stats,
    "csv_to_tfrecord": build_csv_to_tfrecord,
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


def run_job(
    name: str,
    cfg: JobConfig,
    pipeline_args: Sequence[str] | PipelineOptions = (),
    *,
    wait: bool | None = None,
) -> JobRun:
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
        result = _run(pipeline, wait=local if wait is None else wait)
        _LOG.info("%s on %s: %.1f s", name, runner_name(options), time.monotonic() - started)
        results: tuple[dict[str, Any], ...] = ()
        if os.path.exists(out_path):
            with open(out_path, encoding="utf-8") as f:
                results = tuple(json.loads(line) for line in f if line.strip())
    job = getattr(result, "job", None) or getattr(result, "_job", None)
    proto = getattr(job, "proto", None)
    job_id = getattr(proto, "id", None) or getattr(job, "id", None)
    state = str(getattr(result, "state", "UNKNOWN")).rsplit(".", 1)[-1]
    return JobRun(runner_name(options), state, job_id, results, job)


def _run(pipeline: beam.Pipeline, *, wait: bool) -> Any:
    """Run (and wait); an error raised on a worker comes back as its own class and message."""
    try:
        result = pipeline.run()
        if wait:
            state = result.wait_until_finish()
            if state is not None and str(state).rsplit(".", 1)[-1] not in ("DONE", "RUNNING"):
                raise RunnerError(
                    f"Beam runner {runner_name(pipeline.options)} ended in state {state}"
                )
        return result
    except DataguardError:
        raise
    except Exception as exc:  # runners wrap worker errors in their own types and text
        raise translate_runner_error(exc, runner_name(pipeline.options)) from None


def translate_runner_error(exc: BaseException, runner: str) -> DataguardError:
    """A runner's exception → the dataguard error inside it: a service error marked by
    ``job_steps.worker_error`` (same class), bad input marked by the stats engine
    (``BadInputError``), else ``RunnerError`` with the first line."""
    text = str(exc)
    found = _ERR.search(text)
    if found:
        return _rebuild(found.group(1), found.group(2))
    bad = stats_beam._BAD_RE.search(text)
    if bad:
        return errors.BadInputError(bad.group(1).replace("\\'", "'"))
    first = next((ln for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    return RunnerError(f"Beam runner {runner} failed: {first.strip()[:300]}")


def _rebuild(class_name: str, message: str) -> DataguardError:
    cls = getattr(errors, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, DataguardError)):
        cls = RunnerError
    return cls(message.replace("\\'", "'"))
