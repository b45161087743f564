"""Artifacts: whole files written atomically to a local folder or any Beam FileSystems URI.

    sha = write_atomic(join(root, "taxi", "training", "b1", "stats-1a2b3c4d.pb"),
                       encode_statistics(stats))
    stats = read_statistics(uri, sha256=sha)   # DatasetFeatureStatisticsList, verified

Statistics artifacts are a one-record TFRecord of the serialized ``DatasetFeatureStatisticsList``
— the file TFDV itself writes, so ``tfdv.load_statistics(uri)`` reads them; ``parse_statistics``
also accepts a plain binary proto.

A file is written under a temporary name next to its final one and renamed, so a crash never
leaves half a file where the store points. Local paths use ``os.replace``; other schemes (gs://,
s3://, …) go through ``apache_beam.io.filesystems.FileSystems``, imported only for them, and
wait at most ``DATAGUARD_REMOTE_TIMEOUT`` seconds (``dataguard.io.remote``) before an
``ArtifactError`` (exit 3) names the location that does not answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import uuid
from typing import TYPE_CHECKING

from dataguard.errors import ArtifactError
from dataguard.io.remote import bounded
from dataguard.io.sources import is_remote, local_path, one_line

if TYPE_CHECKING:  # pragma: no cover
    from tensorflow_metadata.proto.v0.statistics_pb2 import DatasetFeatureStatisticsList


def join(root: str, *parts: str) -> str:
    """Join URI/path parts with ``/`` for remote roots and ``os.path.join`` for local ones."""
    if is_remote(root):
        return posixpath.join(root.rstrip("/") + "/", *parts)
    return os.path.join(local_path(root), *parts)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(uri: str, data: bytes) -> str:
    """Write ``data`` to ``uri`` via a temporary name and a rename; returns its sha256 hex."""
    digest = sha256_hex(data)
    tmp_name = f".tmp-{uuid.uuid4().hex[:12]}-" + _basename(uri)
    if is_remote(uri):
        _write_remote(uri, data, posixpath.join(posixpath.dirname(uri), tmp_name))
    else:
        _write_local(local_path(uri), data, tmp_name)
    return digest


def read_bytes(uri: str) -> bytes:
    try:
        if is_remote(uri):
            from apache_beam.io.filesystems import FileSystems

            def fetch() -> bytes:
                with FileSystems.open(uri, compression_type="uncompressed") as f:
                    return bytes(f.read())

            return bounded(uri, "reading artifact", fetch)
        with open(local_path(uri), "rb") as f:
            return f.read()
    except ArtifactError:
        raise
    except Exception as exc:
        raise ArtifactError(f"{uri}: cannot read artifact: {one_line(exc)}") from None


def exists(uri: str) -> bool:
    if is_remote(uri):
        from apache_beam.io.filesystems import FileSystems

        try:
            return bounded(uri, "looking for artifact", lambda: bool(FileSystems.exists(uri)))
        except ArtifactError:
            raise
        except Exception as exc:
            raise ArtifactError(f"{uri}: cannot stat artifact: {one_line(exc)}") from None
    return os.path.exists(local_path(uri))


def delete(uri: str) -> None:
    """Remove an artifact; a missing file is not an error (deleting is cleanup)."""
    try:
        if is_remote(uri):
            from apache_beam.io.filesystems import FileSystems

            if FileSystems.exists(uri):
                FileSystems.delete([uri])
        else:
            os.remove(local_path(uri))
    except FileNotFoundError:
        pass
    except Exception as exc:
        raise ArtifactError(f"{uri}: cannot delete artifact: {one_line(exc)}") from None


def list_folder(folder: str, *, recursive: bool = False) -> list[tuple[str, float]]:
    """(URI, mtime in seconds) of the files in ``folder`` (and below it with ``recursive``);
    [] when the folder does not exist."""
    try:
        if is_remote(folder):
            from apache_beam.io.filesystems import FileSystems

            pattern = folder.rstrip("/") + ("/**" if recursive else "/*")
            return sorted(
                (m.path, float(m.last_updated_in_seconds or 0.0))
                for r in FileSystems.match([pattern]) for m in r.metadata_list
            )
        root = local_path(folder)
        if not os.path.isdir(root):
            return []
        found = []
        for here, dirs, files in os.walk(root):
            if not recursive:
                dirs.clear()
            for name in files:
                path = os.path.join(here, name)
                with contextlib.suppress(FileNotFoundError):  # gone meanwhile
                    found.append((path, os.stat(path).st_mtime))
        return sorted(found)
    except Exception as exc:
        raise ArtifactError(f"{folder}: cannot list artifacts: {one_line(exc)}") from None


def move(uri: str, target: str) -> None:
    """Rename an artifact (same folder or filesystem)."""
    try:
        if is_remote(uri):
            from apache_beam.io.filesystems import FileSystems

            FileSystems.rename([uri], [target])
        else:
            os.replace(local_path(uri), local_path(target))
    except Exception as exc:
        raise ArtifactError(f"{uri}: cannot move it to {target}: {one_line(exc)}") from None


def encode_statistics(statistics: DatasetFeatureStatisticsList) -> bytes:
    """The artifact bytes: a one-record TFRecord holding the serialized proto — TFDV's own
    statistics file format (``WriteStatisticsToTFRecord``), so ``tfdv.load_statistics`` reads it."""
    from dataguard.io.tfrecord import frame_records

    return frame_records([statistics.SerializeToString(deterministic=True)])


def parse_statistics(data: bytes, uri: str = "statistics") -> DatasetFeatureStatisticsList:
    """Artifact bytes → ``DatasetFeatureStatisticsList``: a one-record TFRecord (what dataguard
    and TFDV write) or a plain binary proto. Pure: callers fetch the bytes however they like."""
    from google.protobuf.message import DecodeError
    from tensorflow_metadata.proto.v0.statistics_pb2 import DatasetFeatureStatisticsList

    from dataguard.io.tfrecord import unframe_record

    payload = unframe_record(data)
    stats = DatasetFeatureStatisticsList()
    try:
        stats.ParseFromString(data if payload is None else payload)
    except DecodeError:
        raise ArtifactError(f"{uri}: not a DatasetFeatureStatisticsList") from None
    return stats


def read_statistics(uri: str, sha256: str | None = None) -> DatasetFeatureStatisticsList:
    """Load statistics (tensorflow-metadata only, no TensorFlow).

    With ``sha256`` the bytes are verified first: a changed or truncated file is an
    ``ArtifactError`` rather than silently different statistics.
    """
    data = read_bytes(uri)
    if sha256 is not None and sha256_hex(data) != sha256:
        raise ArtifactError(
            f"{uri}: sha256 does not match the store (changed or truncated); re-run dataguard stats"
        )
    return parse_statistics(data, uri)


def _write_local(path: str, data: bytes, tmp_name: str) -> None:
    folder = os.path.dirname(path) or "."
    tmp = os.path.join(folder, tmp_name)
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise ArtifactError(f"{path}: cannot write artifact: {exc.strerror or exc}") from None


def _write_remote(uri: str, data: bytes, tmp: str) -> None:
    from apache_beam.io.filesystems import FileSystems

    def write() -> None:
        with FileSystems.create(tmp, mime_type="application/octet-stream",
                                compression_type="uncompressed") as f:
            f.write(data)
        if FileSystems.exists(uri):
            FileSystems.delete([uri])
        FileSystems.rename([tmp], [uri])

    try:
        bounded(uri, "writing artifact", write)
    except ArtifactError:
        raise
    except Exception as exc:
        try:
            if FileSystems.exists(tmp):
                FileSystems.delete([tmp])
        except Exception:
            pass
        raise ArtifactError(f"{uri}: cannot write artifact: {one_line(exc)}") from None


def _basename(uri: str) -> str:
    return posixpath.basename(uri) if is_remote(uri) else os.path.basename(local_path(uri))
