"""The ``stats`` use case: statistics of one batch → an artifact + a batch row in the store.

    result = stats("taxi", "2026-11-24", ["data/day1.csv"])          # local engine
    result.batch.artifact_uri   # .../taxi/training/2026-11-24/stats-1a2b3c4d.pb
    stats("taxi", "2026-11-24", ["gs://b/day1/*.gz"], replace=True,
          engine=stats_engine("beam", ["--runner=DataflowRunner", "--project=p", "--region=r"]))

The engine (``dataguard.engines``) computes; this module only orders the steps and records.
Statistics computed on Dataflow come back here to be recorded; handing the whole use case to
workers that record themselves is the entry points' choice (``dataguard.api``).

Order, so that bad input or a failure leaves the store and the artifact folder as they were:
names → inputs (missing path / empty glob fail here) → "already stored?" (fail fast, before any
computing) → compute → write the artifact under a new unique name (temp + rename) → one store
transaction (the batch row and its profile, ``batch_profile``: the trend series, so trend checks
and the dashboard need not read artifacts) → on a store failure the new artifact is deleted.
``record_statistics`` is that tail on its own, for the Beam jobs that compute statistics
elsewhere.

A run killed between writing its artifact and committing, or a ``--replace`` that raced another
one, leaves files no row points to in the batch's folder. The next run of the batch heals that:
inside its transaction, with the dataset locked, it deletes every ``stats-*.pb`` of the folder
but its own and the replaced row's, and temporary files older than an hour; after the commit it
writes its artifact again should a concurrent run have swept it meanwhile. ``dataguard doctor``
finds what no rerun will touch.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import posixpath
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dataguard.config import Settings
from dataguard.core.models import Batch, Role, StatsResult
from dataguard.core.names import valid_name
from dataguard.core.slices import SliceConfig, slice_names, whole
from dataguard.core.stats_view import dataset_stats
from dataguard.core.trends import SeriesKey, statistics_series
from dataguard.engines import StatsEngine, stats_engine
from dataguard.errors import DataguardError, UsageError
from dataguard.io import artifacts
from dataguard.io.sources import is_remote, local_path, resolve_inputs
from dataguard.service.context import Context
from dataguard.service.slicing import refuse_columns_not_in, refuse_unknown_columns

if TYPE_CHECKING:  # pragma: no cover
    from tensorflow_metadata.proto.v0.statistics_pb2 import DatasetFeatureStatisticsList

_LOG = logging.getLogger(__name__)


def stats(
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
    """Compute the statistics of ``inputs`` with ``engine`` and store them as batch ``batch``
    of ``dataset`` (an engine name is resolved with ``pipeline_args``: ``engines.stats_engine``).
    ``slice_by`` (else ``[datasets.<dataset>] slice_by``): statistics per slice too
    (``core.slices``); an unknown column fails before anything is computed.
    """
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    role_ = parse_role(role)
    engine_ = stats_engine(engine, pipeline_args)
    if isinstance(inputs, str):
        inputs = [inputs]
    ctx = Context.create(settings)
    slicing = SliceConfig.from_config(ctx.settings.document, dataset, slice_by)
    spec = resolve_inputs(inputs, input_format, delimiter, column_names)
    if not replace:
        refuse_existing(ctx, dataset, batch, role_)
    refuse_unknown_columns(slicing, spec)
    started = time.perf_counter()
    computed = engine_.compute_statistics(spec, slicing=slicing)
    refuse_columns_not_in(computed.statistics, slicing)
    result = record_statistics(
        ctx, dataset, batch, role_, computed.statistics, source=spec.source,
        engine=engine_.name, replace=replace, seconds=time.perf_counter() - started,
    )
    return dataclasses.replace(
        result, rows_per_file=dict(computed.rows_per_file), runner=computed.runner
    )


def record_statistics(
    ctx: Context,
    dataset: str,
    batch: str,
    role: str | Role,
    statistics: DatasetFeatureStatisticsList,
    *,
    source: str,
    engine: str,
    replace: bool = False,
    seconds: float = 0.0,
) -> StatsResult:
    """Write the artifact (new unique name); add the batch row and its profile in one transaction
    (a replaced batch's old profile goes with its old row's numbers).

    If the transaction fails the new artifact is deleted; when replacing, the artifact the old
    row pointed to is deleted after the commit (best effort: it is no longer referenced).
    """
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    role_ = parse_role(role)
    num_examples = int(whole(statistics).num_examples)
    profile = batch_profile(statistics)
    uri = artifact_uri(ctx.settings, dataset, role_, batch)
    data = artifacts.encode_statistics(statistics)
    sha256 = artifacts.write_atomic(uri, data)
    record = Batch(
        dataset=dataset, name=batch, role=role_, num_examples=num_examples,
        artifact_uri=uri, sha256=sha256, source=source,
    )
    try:
        with ctx.store.transaction() as tx:
            old = tx.get_batch(dataset, batch, role_) if replace else None
            stored = tx.add_batch(record, replace=replace)  # the dataset is locked from here
            tx.set_profile(stored, profile)
            sweep_batch_folder(uri, keep={uri, old.artifact_uri if old else uri})
    except BaseException:
        _delete_quietly(uri)
        raise
    if old is not None and old.artifact_uri != uri:
        _delete_quietly(old.artifact_uri)
    if not _exists_quietly(uri):  # swept by a concurrent run of the same batch: write it again
        artifacts.write_atomic(uri, data)
    num_features = len(whole(statistics).features)
    extra = {"num_features": num_features, "num_slices": len(slice_names(statistics))}
    return StatsResult(batch=stored, engine=engine, seconds=seconds, extra=extra)


def batch_profile(statistics: DatasetFeatureStatisticsList) -> dict[SeriesKey, float]:
    """The numbers of a batch the trend checks follow (``core.trends.statistics_series``) for
    the whole batch (``core.slices.whole``, "All Examples"): what the store keeps as its
    profile (trends stay on the whole batch, not its slices)."""
    return statistics_series(dataset_stats(statistics))


def load_statistics(ctx: Context, batch: Batch) -> DatasetFeatureStatisticsList:
    """The statistics a stored batch points to, verified against its sha256."""
    return artifacts.read_statistics(batch.artifact_uri, batch.sha256)


def artifact_uri(settings: Settings, dataset: str, role: Role, batch: str) -> str:
    """``<artifacts>/<dataset>/<role>/<batch>/stats-<8 hex>.pb``; local roots made absolute so
    the store row works from any working directory."""
    root = settings.artifacts
    if not is_remote(root):
        root = os.path.abspath(local_path(root))
    return artifacts.join(root, dataset, role.value, batch, f"stats-{uuid.uuid4().hex[:8]}.pb")


def parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UsageError(f"--role {role!r}: use training or serving") from None


def refuse_existing(ctx: Context, dataset: str, batch: str, role: Role) -> None:
    """Fail before computing anything when the batch is stored already (``--replace`` says go)."""
    with ctx.store.read() as q:
        existing = q.get_batch(dataset, batch, role)
    if existing is not None:
        raise UsageError(
            f"batch {batch!r} of dataset {dataset!r} ({role.value}) is already stored; "
            "pass --replace to recompute it"
        )


TMP_GRACE_SECONDS = 3600.0  # a temporary file this old belongs to no live writer


def sweep_batch_folder(uri: str, keep: set[str]) -> list[str]:
    """Delete the leftovers of killed or raced runs next to ``uri``: other ``stats-*.pb`` files
    and old temporary files (best effort: a failure is a warning). Returns what it deleted."""
    folder = posixpath.dirname(uri) if is_remote(uri) else os.path.dirname(uri)
    kept = {posixpath.basename(k) if is_remote(k) else os.path.basename(k) for k in keep}
    now = time.time()
    swept = []
    try:
        for path, mtime in artifacts.list_folder(folder):
            name = posixpath.basename(path) if is_remote(path) else os.path.basename(path)
            stale_tmp = name.startswith(".tmp-") and now - mtime > TMP_GRACE_SECONDS
            if name not in kept and (stale_tmp or _is_statistics_name(name)):
                artifacts.delete(path)
                swept.append(path)
    except DataguardError as exc:
        _LOG.warning("%s", exc)
    return swept


def _is_statistics_name(name: str) -> bool:
    return name.startswith("stats-") and name.endswith(".pb")


def _exists_quietly(uri: str) -> bool:
    try:
        return artifacts.exists(uri)
    except DataguardError:
        return True  # cannot tell: leave it


def _delete_quietly(uri: str) -> None:
    try:
        artifacts.delete(uri)
    except DataguardError as exc:  # cleanup must not hide the original error
        _LOG.warning("%s", exc)
