"""Schema use cases: infer, import, list, show and diff immutable schema versions.

    v = infer_schema("taxi", label="tips")          # schemas/taxi/v1.pbtxt + store row
    v = infer_schema("taxi", label="tips")          # nothing changed: v1 again, v.written False
    v = import_schema("taxi", "edited.pbtxt", message="widen payment_type")   # v2, parent 1
    print(diff_schemas("taxi", 1, 2).to_text())

A version file is written under a temporary name and linked into place, never over an existing
file; the store row (version, sha256, parent, message) is written in the same unit of work, and
the file is removed again if the store refuses it. ``load_schema`` verifies the sha256, so a
version file edited in place is an error rather than a silently different check. ``infer_schema``
writes nothing when the inferred schema equals the latest version (header comments aside): it
returns that version with ``written=False``.

A run killed between the link and the commit leaves ``v<N>.pbtxt`` with no row. The next run
heals it (the dataset row is locked, so no live writer owns that file): the same bytes are
recorded as they are; another schema is moved aside to ``v<N>.pbtxt.orphan-<UTC time>``, said
in one line on stderr, and the version is written. A file that is no schema with features was put
there by someone, not by a run: it is left alone and the command refused (exit 2).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tensorflow_metadata.proto.v0 import schema_pb2

from dataguard.config import Settings
from dataguard.core import schemas as sch
from dataguard.core.models import Batch, Role, SchemaVersion
from dataguard.core.names import valid_name
from dataguard.core.schema_diff import SchemaDiff
from dataguard.core.schema_diff import diff_schemas as diff_versions
from dataguard.core.thresholds import ComparatorConfig
from dataguard.errors import ArtifactError, StoreError, UsageError
from dataguard.io import artifacts
from dataguard.service.context import Context
from dataguard.service.stats import load_statistics

if TYPE_CHECKING:
    from dataguard.store import StoreReader


@dataclass(frozen=True)
class SchemaShown:
    """A schema version and its text, as ``schema show`` prints it."""

    version: SchemaVersion
    text: str


@dataclass(frozen=True)
class InferredSchema(SchemaVersion):
    """What ``infer_schema`` returns: a ``SchemaVersion``, and whether this call wrote it.

    ``written`` is False when the inferred schema equals the latest version: that version is
    returned and nothing is written (no file, no store row)."""

    written: bool = True


def infer_schema(
    dataset: str,
    *,
    batch: str | None = None,
    label: str | None = None,
    message: str = "",
    value_ranges: bool | None = None,
    settings: Settings | None = None,
) -> InferredSchema:
    """Infer the next schema version from a training batch (default: the latest one), unless
    it equals the latest version (then that one, ``written=False``). ``value_ranges`` bounds
    numeric features by the training values (default: ``infer_value_ranges`` in config)."""
    from dataguard.core.validate import infer
    from dataguard.core.value_ranges import apply_value_ranges

    ctx = Context.create(settings)
    config = ComparatorConfig.from_config(ctx.settings.document,
                                          valid_name("dataset", dataset))
    source = _training_batch(ctx, dataset, batch)
    statistics = load_statistics(ctx, source)
    schema = sch.apply_comparators(infer(statistics), config, label=label)
    if config.value_ranges if value_ranges is None else value_ranges:
        schema = apply_value_ranges(schema, statistics, margin=config.value_range_margin)
    header = (
        f"# dataguard schema for dataset {dataset!r}, inferred from training batch "
        f"{source.name!r} ({source.num_examples} examples).\n"
        "# Immutable: to change it, edit a copy and `dataguard schema import` it.\n"
    )
    text = header + sch.schema_text(schema)
    message = message or f"inferred from batch {source.name}"
    recorded, written = _record(ctx, dataset, text.encode(), message, unless_same_as=schema)
    return InferredSchema(**asdict(recorded), written=written)


def import_schema(
    dataset: str, file: str, *, message: str = "", settings: Settings | None = None
) -> SchemaVersion:
    """Record a hand-edited or user-provided schema as the next version, after checking it."""
    ctx = Context.create(settings)
    valid_name("dataset", dataset)
    try:
        data = artifacts.read_bytes(file) if "://" in file else Path(file).read_bytes()
    except (OSError, ArtifactError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise UsageError(f"{file}: cannot read the schema file ({reason})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{file}: not a UTF-8 text proto schema") from None
    schema = sch.parse_schema(text, file)
    if not schema.feature:
        raise UsageError(f"{file}: the schema names no features")
    sch.check_schema(schema, file)
    latest = _training_batch(ctx, dataset, None)
    from dataguard.core.validate import feature_statistics

    unknown = sch.unknown_features(schema, feature_statistics(load_statistics(ctx, latest)))
    if unknown:
        raise UsageError(
            f"{file}: feature(s) {', '.join(unknown)} not in the statistics of batch "
            f"{latest.name!r}; fix the names in the schema"
        )
    return _record(ctx, dataset, data, message or f"imported from {file}")[0]


def list_schemas(dataset: str, settings: Settings | None = None) -> list[SchemaVersion]:
    ctx = Context.create(settings)
    with ctx.store.read() as q:
        versions = q.list_schema_versions(valid_name("dataset", dataset))
        if not versions and dataset not in q.list_datasets():
            raise UsageError(f"unknown dataset {dataset!r}; run `dataguard stats {dataset} ...`")
    return versions


def show_schema(
    dataset: str, version: int | None = None, settings: Settings | None = None
) -> SchemaShown:
    ctx = Context.create(settings)
    found = get_version(ctx, dataset, version)
    return SchemaShown(found, read_schema_bytes(ctx, found).decode("utf-8"))


def diff_schemas(
    dataset: str, a: int, b: int, settings: Settings | None = None
) -> SchemaDiff:
    """What changed from version ``a`` to version ``b``, in features."""
    ctx = Context.create(settings)
    left, right = get_version(ctx, dataset, a), get_version(ctx, dataset, b)
    return diff_versions(load_schema(ctx, left), load_schema(ctx, right), f"v{a}", f"v{b}")


# --- shared with the check use case ---------------------------------------------------------
def get_version(ctx: Context, dataset: str, version: int | None) -> SchemaVersion:
    """That schema version (latest when None); ``UsageError`` saying what to do when absent."""
    valid_name("dataset", dataset)
    with ctx.store.read() as q:
        found = q.get_schema_version(dataset, version)
        if found is None and version is not None:
            known = [v.version for v in q.list_schema_versions(dataset)]
    if found is not None:
        return found
    if version is None:
        raise UsageError(
            f"dataset {dataset!r} has no schema version; run `dataguard schema infer {dataset}`"
        )
    raise UsageError(
        f"dataset {dataset!r} has no schema version {version}; "
        + (f"versions: {', '.join(map(str, known))}" if known else "it has no schema yet")
    )


def read_schema_bytes(ctx: Context, version: SchemaVersion) -> bytes:
    """The version file's bytes, checked against the sha256 the store recorded."""
    candidates = [version.path]
    fallback = _version_path(ctx.settings, version.dataset, version.version)
    if fallback != version.path:
        candidates.append(fallback)  # a checkout moved: schemas/ next to the config still works
    for path in candidates:
        if artifacts.exists(path):
            data = artifacts.read_bytes(path)
            if artifacts.sha256_hex(data) != version.sha256:
                raise ArtifactError(
                    f"{path}: schema v{version.version} was changed after it was recorded "
                    "(sha256 differs); versions are immutable: restore it and import the edit"
                )
            return data
    raise ArtifactError(
        f"{version.path}: schema v{version.version} of {version.dataset!r} not found; "
        "restore the schemas folder or pass --config with the right schemas_dir"
    )


def load_schema(ctx: Context, version: SchemaVersion) -> schema_pb2.Schema:
    return sch.parse_schema(read_schema_bytes(ctx, version).decode("utf-8"), version.path)


# --- internals ------------------------------------------------------------------------------
def _same_as_latest(
    ctx: Context, q: StoreReader, dataset: str, schema: schema_pb2.Schema
) -> SchemaVersion | None:
    """The latest version when its schema equals ``schema`` (comments aside), else None. A
    latest file that is missing or was edited is never "the same": a new version is written."""
    latest = q.get_schema_version(dataset)
    if latest is None:
        return None
    try:
        existing = load_schema(ctx, latest)
    except ArtifactError:
        return None
    normalized = sch.parse_schema(sch.schema_text(schema), "inferred schema")
    return latest if normalized == existing else None


def _training_batch(ctx: Context, dataset: str, name: str | None) -> Batch:
    with ctx.store.read() as q:
        if name is not None:
            found = q.get_batch(dataset, valid_name("batch", name), Role.TRAINING)
        else:
            found = q.latest_batch(dataset, Role.TRAINING)
    if found is not None:
        return found
    if name is not None:
        raise UsageError(
            f"dataset {dataset!r} has no training batch {name!r}; see `dataguard stats`"
        )
    raise UsageError(
        f"dataset {dataset!r} has no training batch yet; run `dataguard stats {dataset} BATCH "
        "--input FILE` first"
    )


def _record(
    ctx: Context, dataset: str, data: bytes, message: str,
    *, unless_same_as: schema_pb2.Schema | None = None,
) -> tuple[SchemaVersion, bool]:
    """Write ``v<N>.pbtxt`` (never over an existing file) and its store row, or neither; with
    ``unless_same_as``, neither when the latest version is that schema (decided while the
    version number is reserved, so concurrent identical infers write it once). Returns the
    version and whether it was written."""
    written: str | None = None
    try:
        with ctx.store.transaction() as tx:
            version = tx.next_schema_version(dataset)
            if unless_same_as is not None:
                unchanged = _same_as_latest(ctx, tx, dataset, unless_same_as)
                if unchanged is not None:
                    return unchanged, False
            path = _version_path(ctx.settings, dataset, version)
            sha256, created = _write_new(path, data)
            written = path if created else None
            recorded = tx.add_schema_version(
                dataset,
                path=path,
                sha256=sha256,
                parent_version=version - 1 if version > 1 else None,
                message=message,
            )
            if recorded.version != version:
                raise StoreError(
                    f"schema version {version} of {dataset!r} was taken by a concurrent writer; "
                    "run the command again"
                )
        return recorded, True
    except BaseException:
        if written is not None:
            artifacts.delete(written)
        raise


def _version_path(settings: Settings, dataset: str, version: int) -> str:
    path = artifacts.join(settings.schemas_dir, dataset, f"v{version}.pbtxt")
    return path if "://" in path else os.path.abspath(path)


def _write_new(path: str, data: bytes) -> tuple[str, bool]:
    """Create ``path`` atomically, never over an existing file; returns (sha256, created).

    Called with the dataset locked: a file already there was left by a killed run. The same
    bytes are taken as they are (created False); others are moved aside first."""
    if "://" in path:
        if artifacts.exists(path) and _heal_leftover(path, data):
            return artifacts.sha256_hex(data), False
        return artifacts.write_atomic(path, data), True
    try:
        return _link_new(path, data), True
    except FileExistsError:
        if _heal_leftover(path, data):
            return artifacts.sha256_hex(data), False
    try:
        return _link_new(path, data), True
    except FileExistsError:
        raise _exists(path) from None


def _heal_leftover(path: str, data: bytes) -> bool:
    """True if the unrecorded file at ``path`` holds ``data``; else move it aside (False) if it
    is a schema with features (what a killed run leaves: files are linked in whole); anything
    else is someone's file, and a ``UsageError``."""
    found = artifacts.read_bytes(path)
    if found == data:
        print(f"dataguard: {path}: recorded the identical file an interrupted run left",
              file=sys.stderr)
        return True
    try:
        ours = bool(sch.parse_schema(found.decode("utf-8"), path).feature)
    except (UsageError, UnicodeDecodeError):
        ours = False
    if not ours:  # every version dataguard writes names features
        raise _exists(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = f"{path}.orphan-{stamp}"
    artifacts.move(path, aside)
    print(f"dataguard: {path}: not recorded in the store (left by an interrupted run?); "
          f"moved aside to {aside}", file=sys.stderr)
    return False


def _link_new(path: str, data: bytes) -> str:
    """Write ``path`` under a temporary name and link it into place (FileExistsError if taken)."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pbtxt", dir=folder)
    except OSError as exc:
        raise ArtifactError(
            f"{folder}: cannot write schema versions here ({exc.strerror})"
        ) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)  # atomic, and fails instead of overwriting
    except FileExistsError:
        raise
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot write the schema version ({exc.strerror})") from None
    finally:
        os.unlink(tmp)
    return artifacts.sha256_hex(data)


def _exists(path: str) -> UsageError:
    return UsageError(
        f"{path} already exists but the store does not record it; versions are immutable: "
        "move the file away (or restore the store) and run the command again"
    )
