"""The ``convert`` use case: CSV → TFRecord of tf.Example, locally (streaming) or with Beam.

    result = csv_to_tfrecord("data/day1.csv", "out/day1.tfrecord.gz")            # local
    result = csv_to_tfrecord("gs://b/day1/*.csv", "gs://b/tfr/day1.gz", shards=16,
                             engine=converter("beam", ["--runner=DataflowRunner", ...]))

Types: from ``schema`` (a TFDV schema text proto: INT → int64_list, FLOAT → float_list, BYTES →
bytes_list) for the columns it names, else inferred over the whole input as TFDV's CSV path does.
Missing values become absent features. Compression is gzip when asked for or when OUTPUT ends in
``.gz``. Bad input fails before anything is written (exit 2); outputs appear only when complete.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataguard.engines import Converter, converter
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
    engine: str | Converter = "local",
    delimiter: str = ",",
    pipeline_args: Sequence[str] = (),
) -> ConvertResult:
    """Convert the CSV file(s) ``input`` (paths or globs) to TFRecord file(s) at ``output`` with
    ``engine`` (a name is resolved with ``pipeline_args``: ``engines.converter``)."""
    from dataguard.io.sources import resolve_inputs

    converter_ = converter(engine, pipeline_args)
    if shards is None:  # one file locally; the Beam runner picks a number for its workers
        shards = converter_.default_shards
    elif shards < 1:
        raise UsageError(f"--shards {shards}: give a number of output files, at least 1")
    if compression not in (None, "gzip", "none"):
        raise UsageError(f"--compression {compression!r}: use gzip or none")
    gzip = compression == "gzip" or (compression is None and output.endswith(".gz"))
    converter_.require_writable_output(output)
    forced = _schema_types(schema) if schema else {}
    spec = resolve_inputs([input] if isinstance(input, str) else list(input), "csv", delimiter)
    started = time.perf_counter()
    outputs, rows, types = converter_.csv_to_tfrecord(
        spec, output, column_types=forced, shards=shards, gzip=gzip
    )
    return ConvertResult(
        source=spec.source,
        outputs=tuple(outputs),
        rows=rows,
        column_types=types,
        engine=converter_.name,
        compression="gzip" if gzip else None,
        seconds=time.perf_counter() - started,
    )


def _schema_types(path: str) -> dict[str, str]:
    from dataguard.convert.examples import schema_column_types

    return schema_column_types(path)
