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

This module imports Apache Beam: only the jobs and the beam engine paths import it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from dataguard import errors
from dataguard.errors import DataguardError, RunnerError, UsageError
from dataguard.service.check import PREVIOUS
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
    """The input format from the file name alone (building must not open the files)."""
    name = pattern.lower().rsplit("/", 1)[-1]
    for suffix in (".gz", ".gzip", ".zz", ".deflate", ".bz2"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if "tfrecord" in name or name.endswith((".tfr", ".tfrecords")):
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


# --- the final step on a worker ------------------------------------------------------------


class _ServiceFn(beam.DoFn):
    """Base of the last step: settings and secrets from the job config and worker environment."""

    def __init__(self, cfg: JobConfig) -> None:
        super().__init__()
        self._cfg = cfg

    def setup(self) -> None:
        resolve_secret_env(self._cfg.secret_env)

    def _context(self) -> Any:
        from dataguard.config import load_settings
        from dataguard.service.context import Context

        cfg = self._cfg
        config_path = localize_config(cfg.config) if cfg.config else None
        settings = load_settings(
            store_url=cfg.store_url,
            artifacts=cfg.artifacts,
            schemas_dir=cfg.schemas_dir,
            config_path=config_path,
        )
        return Context.create(settings)

    def _record(
        self, ctx: Any, role: str, batch: str, inputs: Sequence[str], statistics: Any
    ) -> Any:
        """Record a batch; a retried bundle finds its own batch already there and reuses it."""
        from dataguard.core.models import Role
        from dataguard.service.stats import record_statistics

        source = ",".join(inputs)
        num = statistics.datasets[0].num_examples if statistics.datasets else 0
        if not self._cfg.replace:
            with ctx.store.read() as q:
                existing = q.get_batch(self._cfg.dataset, batch, Role(role))
            if existing is not None and existing.source == source and existing.num_examples == num:
                _LOG.warning(
                    "batch %s/%s/%s already recorded: a retry, reusing it",
                    self._cfg.dataset,
                    role,
                    batch,
                )
                return existing
        return record_statistics(
            ctx,
            self._cfg.dataset,
            batch,
            role,
            statistics,
            source=source,
            engine="beam",
            replace=self._cfg.replace,
        ).batch


class RecordStatisticsFn(_ServiceFn):
    """Statistics of one batch → artifact + batch row (``record_statistics``)."""

    def __init__(self, cfg: JobConfig, role: str) -> None:
        super().__init__(cfg)
        self._role = role

    def process(self, statistics: Any) -> Iterator[dict[str, Any]]:
        try:
            ctx = self._context()
            batch = self._record(ctx, self._role, self._cfg.batch, self._cfg.inputs, statistics)
        except DataguardError as exc:
            raise worker_error(exc) from None
        yield {
            "dataset": batch.dataset,
            "batch": batch.name,
            "role": batch.role.value,
            "num_examples": batch.num_examples,
            "artifact": batch.artifact_uri,
            "sha256": batch.sha256,
        }


class RecordAndCheckFn(_ServiceFn):
    """Statistics (+ serving statistics) → record both → ``check`` (store + hooks)."""

    def process(self, statistics: Any, serving: Any = None) -> Iterator[dict[str, Any]]:
        try:
            yield self._record_and_check(statistics, serving)
        except DataguardError as exc:
            raise worker_error(exc) from None

    def _record_and_check(self, statistics: Any, serving: Any) -> dict[str, Any]:
        from dataguard.service.check import check

        cfg = self._cfg
        ctx = self._context()
        check_references(ctx, cfg)  # no schema / unknown baseline: fail before recording
        serving_batch = None
        if serving is not None:
            serving_batch = cfg.serving_batch_name
            self._record(ctx, "serving", serving_batch, cfg.serving_inputs, serving)
        self._record(ctx, cfg.role, cfg.batch, cfg.inputs, statistics)
        kwargs: dict[str, Any] = {}
        if cfg.no_baseline:
            kwargs["baseline"] = None
        elif cfg.baseline:
            kwargs["baseline"] = cfg.baseline
        result = check(
            cfg.dataset,
            cfg.batch,
            schema_version=cfg.schema_version,
            serving=serving_batch,
            hooks=cfg.hooks,
            settings=ctx.settings,
            **kwargs,
        )
        _LOG.warning("dataguard check %s/%s: %s", cfg.dataset, cfg.batch, result.verdict.value)
        return result.to_dict()


def check_references(ctx: Any, cfg: JobConfig) -> None:
    """What the check will need and the store must already have: the schema version and a
    named baseline. ``UsageError`` (exit 2) with the check service's message otherwise."""
    from dataguard.service.schemas import get_version

    get_version(ctx, cfg.dataset, cfg.schema_version)
    if cfg.baseline and not cfg.no_baseline:
        from dataguard.core.models import Role

        with ctx.store.read() as q:
            found = q.get_batch(cfg.dataset, cfg.baseline, Role.TRAINING)
        if found is None:
            raise UsageError(
                f"--baseline {cfg.baseline!r}: dataset {cfg.dataset!r} has no training batch "
                "by that name"
            )


def preflight(name: str, cfg: JobConfig) -> None:
    """Local runs can reach the store before computing: fail fast, like ``dataguard run``."""
    from dataguard.core.models import Role
    from dataguard.core.names import check_name

    if name == "csv_to_tfrecord":
        return
    check_name("dataset", cfg.dataset)
    check_name("batch", cfg.batch)
    ctx = _ServiceFn(cfg)._context()
    if name == "validate_batch":
        check_references(ctx, cfg)
    if cfg.replace:
        return
    wanted = [(cfg.batch, Role(cfg.role))]
    if name == "validate_batch" and cfg.serving_inputs:
        wanted.append((cfg.serving_batch_name, Role.SERVING))
    with ctx.store.read() as q:
        for batch, role in wanted:
            if q.get_batch(cfg.dataset, batch, role) is not None:
                raise UsageError(
                    f"batch {batch!r} of dataset {cfg.dataset!r} ({role.value}) is already "
                    "stored; pass --replace to recompute it"
                )


# --- the command line's remote path -------------------------------------------------------


def run_check_job(
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
    baseline: Any = PREVIOUS,
    hooks: bool = True,
    settings: Any = None,
) -> Any:
    """``dataguard run --engine beam --runner DataflowRunner``: the validate_batch job, waited
    for, then its check read back from the store (the workers recorded it there)."""
    cfg = _cli_config(
        dataset,
        batch,
        inputs,
        settings,
        input_format=input_format,
        delimiter=delimiter,
        column_names=column_names,
        replace=replace,
        serving_inputs=serving_inputs,
        serving_batch=serving_batch,
        schema_version=schema_version,
        baseline=baseline,
        hooks=hooks,
    )
    options = _remote_ready(cfg, pipeline_args)
    run_job("validate_batch", cfg, options, wait=True)
    from dataguard.service.context import Context

    with Context.create(_settings(cfg)).store.read() as q:
        found = q.latest_check(dataset, batch)
    if found is None:
        raise RunnerError(f"validate_batch finished but recorded no check for {dataset}/{batch}")
    return found


def run_stats_job(
    dataset: str,
    batch: str,
    inputs: Sequence[str],
    *,
    role: str = "training",
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    replace: bool = False,
    pipeline_args: Sequence[str] = (),
    settings: Any = None,
) -> Any:
    """``dataguard stats --engine beam`` as the compute_stats job: the batch is recorded by the
    workers; returns the stored batch's ``StatsResult``."""
    from dataguard.core.models import Role, StatsResult
    from dataguard.service.context import Context

    cfg = _cli_config(
        dataset,
        batch,
        inputs,
        settings,
        input_format=input_format,
        delimiter=delimiter,
        column_names=column_names,
        replace=replace,
        role=str(getattr(role, "value", role)),
    )
    options = _remote_ready(cfg, pipeline_args)
    started = time.monotonic()
    run_job("compute_stats", cfg, options, wait=True)
    with Context.create(_settings(cfg)).store.read() as q:
        found = q.get_batch(dataset, batch, Role(cfg.role))
    if found is None:
        raise RunnerError(f"compute_stats finished but recorded no batch {dataset}/{batch}")
    return StatsResult(batch=found, engine="beam", seconds=time.monotonic() - started)


def _cli_config(
    dataset: str, batch: str, inputs: Sequence[str], settings: Any, **fields: Any
) -> JobConfig:
    from dataguard.config import load_settings

    settings = settings or load_settings()
    baseline = fields.pop("baseline", PREVIOUS)
    if baseline is None:
        fields["no_baseline"] = True
    elif isinstance(baseline, str):
        fields["baseline"] = baseline
    fields["column_names"] = tuple(fields.get("column_names") or ()) or None
    fields["serving_inputs"] = tuple(fields.get("serving_inputs") or ())
    return JobConfig(
        dataset=dataset,
        batch=batch,
        inputs=(inputs,) if isinstance(inputs, str) else tuple(inputs),
        store_url=settings.store_url,
        artifacts=settings.artifacts,
        schemas_dir=settings.schemas_dir,
        config=settings.config_path,
        **fields,
    )


def _settings(cfg: JobConfig) -> Any:
    from dataguard.config import load_settings

    return load_settings(
        store_url=cfg.store_url,
        artifacts=cfg.artifacts,
        schemas_dir=cfg.schemas_dir,
        config_path=cfg.config,
    )


def _remote_ready(cfg: JobConfig, pipeline_args: Sequence[str]) -> PipelineOptions:
    """Remote workers must reach the store and the artifact root: refuse local ones up front."""
    options = PipelineOptions(list(pipeline_args))
    if is_local(options):
        return options
    runner = runner_name(options)
    if (cfg.store_url or "").startswith("sqlite"):
        raise UsageError(
            f"--store {cfg.store_url}: {runner} workers record into the store themselves; "
            "use a PostgreSQL URL they can reach (e.g. Cloud SQL on a private IP)"
        )
    for name, value in (("--artifacts", cfg.artifacts), ("schemas_dir", cfg.schemas_dir)):
        if value and "://" not in value:
            raise UsageError(
                f"{name} {value}: {runner} workers cannot write to this machine; "
                "use a gs:// location"
            )
    return options


# --- secrets and config on workers ---------------------------------------------------------


def parse_secret_env(text: str | Iterable[str] | None) -> tuple[tuple[str, str], ...]:
    """``NAME=projects/p/secrets/s/versions/latest,NAME2=…`` → pairs (checked at launch)."""
    if not text:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    pairs = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        name, sep, ref = item.partition("=")
        parts = ref.split("/")
        if (
            not sep
            or not name.isidentifier()
            or len(parts) != 6
            or parts[0] != "projects"
            or parts[2] != "secrets"
            or parts[4] != "versions"
        ):
            raise UsageError(f"--secret_env: {item!r} is not NAME=projects/P/secrets/S/versions/V")
        pairs.append((name, ref))
    return tuple(pairs)


def resolve_secret_env(pairs: Sequence[tuple[str, str]]) -> None:
    """Read each Secret Manager version into the worker's environment (not into options)."""
    missing = [(name, ref) for name, ref in pairs if name not in os.environ]
    if not missing:
        return
    try:
        from google.cloud import secretmanager
    except ImportError as exc:  # pragma: no cover - in the lock via apache-beam[gcp]
        raise RunnerError(f"--secret_env needs google-cloud-secret-manager: {exc}") from None
    client = secretmanager.SecretManagerServiceClient()
    for name, ref in missing:
        payload = client.access_secret_version(name=ref).payload.data
        os.environ[name] = payload.decode("utf-8")


def localize_config(uri: str) -> str:
    """A ``dataguard.toml`` on gs:// (or any Beam filesystem) copied to a local temp file."""
    if "://" not in uri:
        return uri
    import tempfile

    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(uri) as f:
        data = f.read()
    fd, path = tempfile.mkstemp(prefix="dataguard-", suffix=".toml")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path


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


def worker_error(exc: DataguardError) -> ValueError:
    """A service error on a worker, marked so ``run_job`` raises the same class and message
    (runners wrap worker exceptions in their own types and text)."""
    return ValueError(f"[dataguard-error {type(exc).__name__}] {exc} [/dataguard-error]")


def with_config(cfg: JobConfig, **changes: Any) -> JobConfig:
    return replace(cfg, **changes)
