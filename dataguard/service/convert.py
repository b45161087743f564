"""The ``convert`` use case: CSV → TFRecord of tf.Example, locally (streaming) or with Beam.

    result = csv_to_tfrecord("data/day1.csv", "out/day1.tfrecord.gz")            # local
    result = csv_to_tfrecord("gs://b/day1/*.csv", "gs://b/tfr/day1.gz", shards=16,
                             engine="beam", pipeline_args=["--runner=DataflowRunner", ...])

Types: from ``schema`` (a TFDV schema text proto: INT → int64_list, FLOAT → float_list, BYTES →
bytes_list) for the columns it names, else inferred over the whole input as TFDV's CSV path does.
Missing values become absent features. Compression is gzip when asked for or when OUTPUT ends in
``.gz``. Bad input fails before anything is written (exit 2); outputs appear only when complete.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataguard.errors import UsageError


@dataclass(frozen=True)
class ConvertResult:
    """What a conversion wrote: rows, output files, the column types used, and how long it took."""

    source: str
    outputs: tuple[str, ...]
    rows: int
    column_types: Mapping[str, str] = field(default_factory=dict)
    engine: str = "local"
    compression: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "outputs": list(self.outputs),
            "rows": self.rows,
            "column_types": dict(self.column_types),
            "engine": self.engine,
            "compression": self.compression,
            "seconds": round(self.seconds, 3),
        }


def csv_to_tfrecord(
    input: str | Sequence[str],  # noqa: A002 - the CLI's word
    output: str,
    *,
    schema: str | None = None,
    compression: str | None = None,
    shards: int | None = None,
    engine: str = "local",
    delimiter: str = ",",
    pipeline_args: Sequence[str] = (),
) -> ConvertResult:
    """Convert the CSV file(s) ``input`` (paths or globs) to TFRecord file(s) at ``output``."""
    from dataguard.io.sources import is_remote, resolve_inputs
    from dataguard.service.stats import check_engine

    check_engine(engine, pipeline_args)
    if shards is None:  # one file locally; the Beam runner picks a number for its workers
        shards = 1 if engine == "local" else 0
    elif shards < 1:
        raise UsageError(f"--shards {shards}: give a number of output files, at least 1")
    if compression not in (None, "gzip", "none"):
        raise UsageError(f"--compression {compression!r}: use gzip or none")
    gzip = compression == "gzip" or (compression is None and output.endswith(".gz"))
    if engine == "local" and is_remote(output):
        raise UsageError(f"{output}: the local engine writes local files; use --engine beam")
    forced = _schema_types(schema) if schema else {}
    spec = resolve_inputs([input] if isinstance(input, str) else list(input), "csv", delimiter)
    started = time.perf_counter()
    if engine == "local":
        outputs, rows, types = _convert_locally(spec, output, forced, shards, gzip)
    else:
        from dataguard.convert import beam as convert_beam

        rows = convert_beam.convert(
            spec,
            output,
            column_types=forced,
            shards=shards,
            gzip=gzip,
            pipeline_args=pipeline_args,
        )
        outputs = convert_beam.written_files(output, shards, gzip=gzip)
        types = dict(forced)
    return ConvertResult(
        source=spec.source,
        outputs=tuple(outputs),
        rows=rows,
        column_types=types,
        engine=engine,
        compression="gzip" if gzip else None,
        seconds=time.perf_counter() - started,
    )


def _convert_locally(
    spec: Any, output: str, forced: Mapping[str, str], shards: int, gzip: bool
) -> tuple[list[str], int, dict[str, str]]:
    from dataguard.convert.examples import merge_types
    from dataguard.convert.local import shard_paths, write_tfrecords
    from dataguard.io.csv import infer_column_types, read_header, read_record_batches

    names = read_header(spec, spec.paths[0])
    if all(name in forced for name in names):  # the schema types every column: one pass only
        types = {name: forced[name] for name in names}
    else:
        types = merge_types(infer_column_types(spec), forced)
    outputs = shard_paths(output, shards, gzip=gzip)
    folder = os.path.dirname(output)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    rows = write_tfrecords(read_record_batches(spec, types), outputs, gzip=gzip)
    return outputs, rows, types


def _schema_types(path: str) -> dict[str, str]:
    from dataguard.convert.examples import schema_column_types

    return schema_column_types(path)
