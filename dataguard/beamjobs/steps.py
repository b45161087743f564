"""The steps of the Beam jobs that run on a worker and call the services.

The last step of ``validate_batch`` / ``compute_stats`` is a DoFn over the single merged
statistics element: it resolves the job's secrets (Secret Manager → environment), builds the
settings the worker sees (job options > ``DATAGUARD_*`` environment > ``dataguard.toml``), and
calls ``record_statistics`` and ``check`` (which runs the hooks) — the code the local commands
run. Errors of the services leave the worker marked (``stats.runner_errors.on_worker``) so the
launcher raises the same class and message.

    stats | "RecordAndCheck" >> beam.ParDo(RecordAndCheckFn(cfg), serving_statistics)
    preflight(VALIDATE_BATCH, cfg)   # local runners: the store's answers before computing
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam

from dataguard.beamjobs import CSV_TO_TFRECORD, VALIDATE_BATCH
from dataguard.beamjobs.config import JobConfig
from dataguard.core.slices import whole
from dataguard.errors import RunnerError, UsageError
from dataguard.stats.runner_errors import on_worker

_LOG = logging.getLogger(__name__)


class _ServiceFn(beam.DoFn):
    """Base of the last step: settings and secrets from the job config and worker environment."""

    def __init__(self, cfg: JobConfig) -> None:
        super().__init__()
        self._cfg = cfg

    def setup(self) -> None:
        resolve_secret_env(self._cfg.secret_env)

    def _context(self) -> Any:
        return worker_context(self._cfg)

    def _record(
        self, ctx: Any, role: str, batch: str, inputs: Sequence[str], statistics: Any
    ) -> Any:
        """Record a batch; a retried bundle finds its own batch already there and reuses it."""
        from dataguard.core.models import Role
        from dataguard.core.slices import SliceConfig
        from dataguard.service.slicing import refuse_columns_not_in
        from dataguard.service.stats import record_statistics

        slicing = SliceConfig.from_config(ctx.settings.document, self._cfg.dataset,
                                          self._cfg.slice_by or None)  # the settings ctx has
        refuse_columns_not_in(statistics, slicing)  # not in the data: exit 2
        source = ",".join(inputs)
        num = whole(statistics).num_examples
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

    def process(
        self, statistics: Any, rows_per_file: dict[str, int] | None = None
    ) -> Iterator[dict[str, Any]]:
        with on_worker():
            ctx = self._context()
            batch = self._record(ctx, self._role, self._cfg.batch, self._cfg.inputs, statistics)
        yield {
            "dataset": batch.dataset,
            "batch": batch.name,
            "role": batch.role.value,
            "num_examples": batch.num_examples,
            "artifact": batch.artifact_uri,
            "sha256": batch.sha256,
            "rows_per_file": dict(sorted((rows_per_file or {}).items())),
        }


class RecordAndCheckFn(_ServiceFn):
    """Statistics (+ serving statistics) → record both → ``check`` (store + hooks)."""

    def process(self, statistics: Any, serving: Any = None) -> Iterator[dict[str, Any]]:
        with on_worker():
            result = self._record_and_check(statistics, serving)
        yield result

    def _record_and_check(self, statistics: Any, serving: Any) -> dict[str, Any]:
        from dataguard.service.check import check

        cfg = self._cfg
        ctx = self._context()
        require_schema_and_baseline(ctx, cfg)  # no schema / unknown baseline: fail before recording
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
            slice_by=cfg.slice_by or None,
            settings=ctx.settings,
            **kwargs,
        )
        _LOG.warning("dataguard check %s/%s: %s", cfg.dataset, cfg.batch, result.verdict.value)
        return result.to_dict()


def worker_context(cfg: JobConfig) -> Any:
    """The services' ``Context`` as the job sees it: options > DATAGUARD_* env > config file."""
    from dataguard.service.context import Context

    return Context.create(job_settings(cfg))


def job_slicing(cfg: JobConfig) -> Any:
    """What the job slices by (``core.slices.SliceConfig``): ``--slice_by`` > the config's
    ``[datasets.<name>] slice_by``; read when the graph is built."""
    from dataguard.core.slices import SliceConfig

    return SliceConfig.from_config(job_settings(cfg).document, cfg.dataset, cfg.slice_by or None)


def job_settings(cfg: JobConfig) -> Any:
    """The settings as the job sees them: options > DATAGUARD_* env > config file."""
    from dataguard.config import load_settings

    if cfg.config_text is not None:
        config_path: str | None = _temp_config(cfg.config_text.encode("utf-8"))
    else:
        config_path = localize_config(cfg.config) if cfg.config else None
    return load_settings(
        store_url=cfg.store_url,
        artifacts=cfg.artifacts,
        schemas_dir=cfg.schemas_dir,
        config_path=config_path,
    )


def require_schema_and_baseline(ctx: Any, cfg: JobConfig) -> None:
    """What the check will need and the store must already have: the schema version and the
    baseline, resolved as ``check`` resolves it (``service.baselines.resolve_baseline``: a named
    batch, reference or window must exist, the dataset's baseline rule must be valid), the
    features of the custom rules (in the schema), valid trend settings and valid thresholds and
    drift/skew methods. ``UsageError`` (exit 2) otherwise."""
    from dataguard.service.baselines import DEFAULT_BASELINE, resolve_baseline
    from dataguard.service.check import refuse_config_off_schema
    from dataguard.service.check_config import CheckConfig
    from dataguard.service.schemas import get_version

    config = CheckConfig.parse(ctx.settings.document, cfg.dataset, cfg.slice_by or None)
    version = get_version(ctx, cfg.dataset, cfg.schema_version)
    refuse_config_off_schema(ctx, config, cfg.dataset, version)  # rules' features, slice columns
    requested = None if cfg.no_baseline else cfg.baseline or DEFAULT_BASELINE
    with ctx.store.read() as q:
        resolve_baseline(q, cfg.dataset, cfg.batch, requested, config.baseline)


def preflight(name: str, cfg: JobConfig) -> None:
    """Local runs can reach the store before computing: fail fast, like ``dataguard run``."""
    from dataguard.core.models import Role
    from dataguard.core.names import valid_name
    from dataguard.service.stats import refuse_existing

    if name == CSV_TO_TFRECORD:
        return
    valid_name("dataset", cfg.dataset)
    valid_name("batch", cfg.batch)
    ctx = worker_context(cfg)
    if name == VALIDATE_BATCH:
        require_schema_and_baseline(ctx, cfg)
    if cfg.replace:
        return
    refuse_existing(ctx, cfg.dataset, cfg.batch, Role(cfg.role))
    if name == VALIDATE_BATCH and cfg.serving_inputs:
        refuse_existing(ctx, cfg.dataset, cfg.serving_batch_name, Role.SERVING)


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
    from apache_beam.io.filesystems import FileSystems

    try:
        with FileSystems.open(uri) as f:
            data = f.read()
    except Exception as exc:  # Beam raises many types for a missing object or bucket
        first = next((ln for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
        raise UsageError(f"--config {uri}: cannot read: {first.strip()[:200]}") from None
    return _temp_config(data)


def _temp_config(data: bytes) -> str:
    """One temp file per distinct config on this worker (not one per bundle)."""
    import hashlib
    import tempfile

    path = os.path.join(
        tempfile.gettempdir(), f"dataguard-{hashlib.sha256(data).hexdigest()[:16]}.toml"
    )
    if not os.path.exists(path):
        fd, tmp = tempfile.mkstemp(prefix="dataguard-", suffix=".toml")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    return path
