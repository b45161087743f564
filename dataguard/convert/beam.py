"""The CSV → TFRecord converter as Beam PTransforms, for inputs bigger than one machine.

    with make_pipeline(args) as p:
        _ = p | "CsvToTFRecord" >> CsvToTFRecord(spec, "gs://b/out/data.tfrecord.gz", shards=16)
    BeamConverter(("--runner=DataflowRunner", ...)).csv_to_tfrecord(spec, output, ...)  # the port

Reading and CSV decoding are the statistics engine's ``ReadExamples`` (ReadAll-style, so the job
builds offline; types inferred over the whole input like TFDV, or forced by a schema); encoding is
``dataguard.convert.examples``; writing is Beam's ``WriteToTFRecord``, which writes temporary
files and renames them when the job finalizes. Shard names match the local converter's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.metrics import Metrics

from dataguard.convert.examples import encode_record_batch
from dataguard.stats.beam import execute_pipeline
from dataguard.stats.beam_read import ReadExamples
from dataguard.stats.pipeline_options import make_pipeline

if TYPE_CHECKING:
    from dataguard.io.sources import InputSpec

ROWS_COUNTER = ("dataguard", "converted_rows")


class _Encode(beam.DoFn):
    def __init__(self) -> None:
        self._rows = Metrics.counter(*ROWS_COUNTER)

    def process(self, batch: pa.RecordBatch) -> Iterator[bytes]:
        records = encode_record_batch(batch)
        self._rows.inc(len(records))
        yield from records


class EncodeExamples(beam.PTransform):
    """RecordBatches → serialized tf.Example (missing values are absent features)."""

    def expand(self, batches: Any) -> Any:
        return batches | "Encode" >> beam.ParDo(_Encode())


class WriteTFRecords(beam.PTransform):
    """Serialized records → ``OUTPUT`` (one shard) or ``OUTPUT-0000i-of-0000N[.gz]``.

    ``shards=0`` lets the runner choose how many files (Dataflow: by data size and workers).
    """

    def __init__(self, output: str, *, shards: int = 1, gzip: bool = False):
        super().__init__()
        self._output, self._shards, self._gzip = output, shards, gzip

    def expand(self, records: Any) -> Any:
        compression = CompressionTypes.GZIP if self._gzip else CompressionTypes.UNCOMPRESSED
        if self._shards == 1:
            prefix, template, suffix = self._output, "", ""
        else:
            gz = self._output.endswith(".gz")
            prefix = self._output[:-3] if gz else self._output
            template, suffix = "-SSSSS-of-NNNNN", ".gz" if (gz or self._gzip) else ""
        return records | "WriteToTFRecord" >> beam.io.WriteToTFRecord(
            prefix,
            file_name_suffix=suffix,
            num_shards=self._shards,
            shard_name_template=template,
            compression_type=compression,
        )


class CsvToTFRecord(beam.PTransform):
    """CSV files of ``spec`` → TFRecord of tf.Example: ReadExamples | EncodeExamples | Write."""

    def __init__(
        self,
        spec: InputSpec,
        output: str,
        *,
        column_types: Mapping[str, str] | None = None,
        shards: int = 1,
        gzip: bool = False,
    ):
        super().__init__()
        self._spec, self._output, self._types = spec, output, dict(column_types or {})
        self._shards, self._gzip = shards, gzip

    def expand(self, pbegin: Any) -> Any:
        return (
            pbegin
            | "ReadExamples" >> ReadExamples(self._spec, self._types)
            | "EncodeExamples" >> EncodeExamples()
            | "WriteTFRecords" >> WriteTFRecords(self._output, shards=self._shards, gzip=self._gzip)
        )


def build_csv_to_tfrecord(
    pipeline: Any,
    spec: InputSpec,
    output: str,
    *,
    schema: str | None = None,
    compression: str | None = None,
    shards: int = 1,
) -> Any:
    """Add the conversion to ``pipeline`` (the jobs' builder); returns the written file names.

    ``schema`` (a TFDV schema file) is read while building: keep it where the launcher can read it.
    ``compression`` is "gzip", "none" or None (gzip when ``output`` ends in .gz).
    """
    from dataguard.convert.examples import schema_column_types
    from dataguard.errors import UsageError

    if shards < 0:
        raise UsageError(
            f"--shards {shards}: give a number of output files (0: the runner's choice)"
        )
    if compression not in (None, "gzip", "none"):
        raise UsageError(f"--compression {compression!r}: use gzip or none")
    gzip = compression == "gzip" or (compression is None and output.endswith(".gz"))
    types = schema_column_types(schema) if schema else {}
    return pipeline | "CsvToTFRecord" >> CsvToTFRecord(
        spec, output, column_types=types, shards=shards, gzip=gzip
    )


def convert(
    spec: InputSpec,
    output: str,
    *,
    column_types: Mapping[str, str] | None = None,
    shards: int = 1,
    gzip: bool = False,
    pipeline_args: Sequence[str] = (),
) -> int:
    """Run the conversion on the named runner (DirectRunner here); returns the rows written."""
    pipeline = make_pipeline(pipeline_args)
    _ = pipeline | "CsvToTFRecord" >> CsvToTFRecord(
        spec, output, column_types=column_types, shards=shards, gzip=gzip
    )
    result = execute_pipeline(pipeline)
    return _rows_written(result)


def written_files(output: str, shards: int, *, gzip: bool = False) -> list[str]:
    """The files a conversion wrote (matched afterwards when the runner chose the sharding)."""
    from apache_beam.io.filesystems import FileSystems

    from dataguard.convert.local import shard_paths

    if shards:
        return shard_paths(output, shards, gzip=gzip)
    gz = output.endswith(".gz")
    stem = output[:-3] if gz else output
    pattern = f"{stem}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]" + (
        ".gz" if gz or gzip else ""
    )
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def _rows_written(result: Any) -> int:
    from apache_beam.metrics.metric import MetricsFilter

    try:
        found = result.metrics().query(MetricsFilter().with_name(ROWS_COUNTER[1]))["counters"]
    except Exception:  # a runner without metrics support: the count is informative only
        return -1
    return int(sum(c.committed or c.attempted or 0 for c in found))


@dataclass(frozen=True)
class BeamConverter:
    """The beam converter behind ``dataguard.engines.Converter``: a pipeline on the runner that
    ``pipeline_args`` name, writing wherever Beam's FileSystems can (gs:// too)."""

    pipeline_args: tuple[str, ...] = ()
    name = "beam"
    default_shards = 0  # the runner picks a number for its workers

    def require_writable_output(self, output: str) -> None:
        """Any local path or FileSystems URI will do."""

    def csv_to_tfrecord(
        self,
        spec: InputSpec,
        output: str,
        *,
        column_types: Mapping[str, str],
        shards: int,
        gzip: bool,
    ) -> tuple[list[str], int, dict[str, str]]:
        rows = convert(
            spec,
            output,
            column_types=column_types,
            shards=shards,
            gzip=gzip,
            pipeline_args=self.pipeline_args,
        )
        return written_files(output, shards, gzip=gzip), rows, dict(column_types)
