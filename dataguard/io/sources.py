"""Where a batch's data is: paths/globs (local or any Beam FileSystems URI) → one ``InputSpec``.

    spec = resolve_inputs(["data/day1/*.csv"])        # InputSpec(paths=(...), format="csv")
    spec = resolve_inputs(["gs://b/day1/part-*.gz"], input_format="tfrecord")

Everything is checked here, before any statistics are computed, so that a missing path or an
empty glob fails fast (``BadInputError``, exit 2) with nothing written. Beam's ``FileSystems`` is
imported only for non-local URIs, so local runs never pay for Beam. A remote location that does
not answer within ``DATAGUARD_REMOTE_TIMEOUT`` seconds, or cannot be listed, is an
``ArtifactError`` (exit 3: the location failed, not the input): ``dataguard.io.remote``.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from dataguard.errors import ArtifactError, BadInputError, UsageError

FORMATS = ("csv", "tfrecord", "parquet")
_FORMAT_NAMES = {"csv": "CSV", "tfrecord": "TFRecord", "parquet": "Parquet"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class InputSpec:
    """A resolved batch input: concrete file paths (sorted, deduplicated) and how to decode them."""

    paths: tuple[str, ...]
    format: str  # "csv" | "tfrecord" | "parquet"
    delimiter: str = ","
    column_names: tuple[str, ...] | None = None
    compression: str | None = None  # None (guess per file from its name) | "gzip" | "none"

    @property
    def source(self) -> str:
        """A short human description of the input, stored with the batch."""
        if len(self.paths) == 1:
            return self.paths[0]
        return f"{self.paths[0]} (+{len(self.paths) - 1} more)"


def is_remote(uri: str) -> bool:
    """True for ``scheme://`` URIs (gs://, s3://, …) except file://, which is local."""
    return bool(_SCHEME.match(uri)) and not uri.startswith("file://")


def local_path(uri: str) -> str:
    return uri[len("file://") :] if uri.startswith("file://") else uri


def resolve_inputs(
    patterns: Sequence[str],
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    compression: str | None = None,
) -> InputSpec:
    """Expand paths and globs into an ``InputSpec``; guess the format from file names if not given.

    Raises ``BadInputError`` for a missing path or a glob that matches nothing and ``UsageError``
    for a bad format, delimiter or a mix of CSV and TFRecord files.
    """
    if not patterns:
        raise UsageError("--input: give at least one path or glob")
    if input_format is not None and input_format not in FORMATS:
        raise UsageError(f"--input-format {input_format!r}: use one of {', '.join(FORMATS)}")
    if len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise UsageError(f"--delimiter {delimiter!r}: give exactly one character (not a quote)")
    if compression not in (None, "gzip", "none"):
        raise UsageError(f"compression {compression!r}: use 'gzip' or 'none'")
    paths: list[str] = []
    for pattern in patterns:
        matched = _expand(pattern)
        for path in matched:
            if path not in paths:
                paths.append(path)
    fmt = input_format or guess_format(paths)
    return InputSpec(
        paths=tuple(paths),
        format=fmt,
        delimiter=delimiter,
        column_names=tuple(column_names) if column_names else None,
        compression=compression,
    )


def is_gzip(spec: InputSpec, path: str) -> bool:
    """Whether ``path`` is gzip-compressed: the spec says so, else its name ends in .gz/.gzip."""
    if spec.compression is not None:
        return spec.compression == "gzip"
    return path.lower().endswith((".gz", ".gzip"))


def _expand(pattern: str) -> list[str]:
    if is_remote(pattern):
        return _expand_remote(pattern)
    path = os.path.expanduser(local_path(pattern))
    if _GLOB_CHARS.search(path):
        found = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
        if not found:
            raise BadInputError(f"{pattern}: glob matches no file; check the path and quoting")
        return found
    if os.path.isdir(path):
        found = sorted(
            os.path.join(path, name)
            for name in os.listdir(path)
            if not name.startswith((".", "_")) and os.path.isfile(os.path.join(path, name))
        )
        if not found:
            raise BadInputError(f"{pattern}: folder has no files")
        return found
    if not os.path.isfile(path):
        if os.path.exists(path):  # /dev/null, a FIFO, a socket: nothing a batch can be read from
            raise BadInputError(f"{pattern}: not a regular file; give a data file or a folder")
        raise BadInputError(f"{pattern}: no such file")
    return [path]


def _expand_remote(pattern: str) -> list[str]:
    from apache_beam.io.filesystems import FileSystems

    from dataguard.io.remote import bounded

    def listing() -> list[str]:
        if _GLOB_CHARS.search(pattern):
            results = FileSystems.match([pattern])
            return sorted(m.path for r in results for m in r.metadata_list)
        return [pattern] if FileSystems.exists(pattern) else []

    try:
        found = bounded(pattern, "listing input", listing)
    except ArtifactError:
        raise
    except ValueError as exc:  # Beam: no filesystem for this scheme, a malformed path
        raise BadInputError(f"{pattern}: cannot list input: {one_line(exc)}") from None
    except Exception as exc:  # network, credentials, the service: the location failed
        raise ArtifactError(f"{pattern}: cannot reach the input location: {one_line(exc)}") \
            from None
    if not found:
        reason = "glob matches no file" if _GLOB_CHARS.search(pattern) else "no such file"
        raise BadInputError(f"{pattern}: {reason}")
    return found


def guess_format(paths: Sequence[str], option: str = "--input-format") -> str:
    """The input format from file names alone (a remote job is built without opening its
    files): .csv/.tsv/.txt → csv; .parquet/.pq → parquet; .tfrecord/.tfrecords/.tfr,
    "tfrecord" in the path, or any other gzip → tfrecord. ``option`` is the flag that names
    the format instead, as the caller spells it (``--input-format`` on the command line,
    ``--input_format`` for a job)."""
    kinds = set()
    for path in paths:
        name = path.lower()
        for suffix in (".gz", ".gzip"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        if name.endswith((".csv", ".tsv", ".txt")):
            kinds.add("csv")
        elif name.endswith((".parquet", ".pq")):
            kinds.add("parquet")
        elif name.endswith((".tfrecord", ".tfrecords", ".tfr")) or "tfrecord" in name:
            kinds.add("tfrecord")
        elif path.lower().endswith((".gz", ".gzip")):
            kinds.add("tfrecord")  # TFX writes gzipped TFRecord shards as ``data-00000-of-N.gz``
        else:
            raise UsageError(
                f"{path}: cannot guess the input format; pass {option} csv|tfrecord|parquet"
            )
    if len(kinds) > 1:
        raise UsageError(
            f"--input mixes {' and '.join(_FORMAT_NAMES[k] for k in sorted(kinds))} files; "
            "give one format per batch"
        )
    return kinds.pop()


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message: errors here are one line."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def open_binary(spec: InputSpec, path: str) -> IO[bytes]:
    """A binary stream of the file's (decompressed) bytes, local or through Beam FileSystems."""
    gz = is_gzip(spec, path)
    try:
        if is_remote(path):
            from apache_beam.io.filesystems import CompressionTypes, FileSystems

            from dataguard.io.remote import bounded

            compression = CompressionTypes.GZIP if gz else CompressionTypes.UNCOMPRESSED
            return bounded(path, "opening input",
                           lambda: FileSystems.open(path, compression_type=compression))
        if gz:
            import gzip

            return gzip.open(local_path(path), "rb")  # type: ignore[return-value]
        return open(local_path(path), "rb", buffering=1 << 20)
    except ArtifactError:
        raise
    except OSError as exc:
        raise BadInputError(f"{path}: cannot open: {exc.strerror or exc}") from None
    except Exception as exc:
        raise BadInputError(f"{path}: cannot open: {one_line(exc)}") from None
