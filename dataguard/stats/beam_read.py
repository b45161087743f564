"""Reading a batch in a Beam pipeline: CSV or TFRecord files → Arrow RecordBatches as TFDV's
readers make them, built offline and read on the workers.

    with make_pipeline(args) as p:
        batches = p | "ReadExamples" >> ReadExamples(spec)   # then ComputeStatistics, or encode

Building a pipeline never touches the inputs, so a Dataflow job can be built offline by a
launcher that can't read the data: tfx_bsl's ``TFExampleRecord`` / ``CsvTFXIO`` sources match
their file patterns at build time, so instead the patterns go through ``beam.Create`` →
a match DoFn → ``fileio.ReadMatches`` and each file is read by a DoFn on a worker. Decoding is
tfx_bsl's own (``csv_decoder``'s type inference and row → RecordBatch conversion,
``ExamplesToRecordBatchDecoder`` for tf.Example), which is what
``tfdv.generate_statistics_from_csv`` / ``_from_tfrecord`` run, so the statistics are the same.

CSV: each file is read whole by Python's ``csv`` module, so quoted fields with delimiters and
newlines work (TFDV's line-based ``ReadFromText`` splits those rows); the price is one worker per
file, so shard big CSVs into several files for parallelism. Each file is read twice (types, then
decoding) instead of buffering its rows between stages, so memory stays bounded. Column names
are the header of each file (all files must agree) unless ``spec.column_names`` gives them;
then every row is data, the first one too (TFDV's rule, ``io.csv_parse.header_or_given``).
Column types are inferred over all files as TFDV does (INT → FLOAT → STRING; empty = missing),
or forced per column with ``column_types``.

Bad input found on a worker (ragged row, bad UTF-8, corrupt TFRecord/gzip, …) is raised with
``runner_errors.bad_input`` and surfaces on the launcher as ``BadInputError`` naming the file and
line/record. The statistics themselves are ``stats.beam``; the conversion uses this reader too.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterator, Mapping, Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

import apache_beam as beam
import pyarrow as pa
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from tfx_bsl.coders import csv_decoder

from dataguard.errors import BadInputError, UsageError
from dataguard.io.csv_parse import header_or_given
from dataguard.stats.runner_errors import bad_input

if TYPE_CHECKING:
    from dataguard.io.sources import InputSpec

__all__ = ["BATCH_SIZE", "ReadExamples", "check_csv_file"]

_UTF8_BOM = b"\xef\xbb\xbf"
BATCH_SIZE = 1000  # rows per RecordBatch, TFDV's DEFAULT_DESIRED_INPUT_BATCH_SIZE
_TYPE_NAMES = {
    "INT": csv_decoder.ColumnType.INT,
    "FLOAT": csv_decoder.ColumnType.FLOAT,
    "STRING": csv_decoder.ColumnType.STRING,
    "BYTES": csv_decoder.ColumnType.STRING,
}



def _compression(spec: InputSpec) -> str:
    value = (getattr(spec, "compression", None) or "auto").lower()
    return {"gzip": CompressionTypes.GZIP, "none": CompressionTypes.UNCOMPRESSED}.get(
        value, CompressionTypes.AUTO
    )


class _MatchFiles(beam.DoFn):
    """A path or glob → its files' metadata, on a worker; no match is bad input (not a crash)."""

    def process(self, pattern: str) -> Iterator[Any]:
        from apache_beam.io.filesystems import FileSystems

        try:
            found = FileSystems.match([pattern])[0].metadata_list
        except Exception as exc:  # Beam raises many types (BeamIOError, ValueError for schemes)
            raise bad_input(f"{pattern}: cannot list input: {str(exc).splitlines()[0]}") from None
        if not found:
            raise bad_input(f"{pattern}: no such file, or the glob matches no file")
        yield from sorted(found, key=lambda metadata: metadata.path)


class _CsvFile:
    """Reads one CSV file: first the column names in use, then batches of ``(cells, "")`` rows.

    Cells are bytes, like tfx_bsl's parser gives them. Both CSV passes (type inference, then
    decoding) read the file through this, so no row is ever buffered between pipeline stages.
    """

    def __init__(self, delimiter: str, column_names: Sequence[str] | None, compression: str):
        self._delimiter = delimiter
        self._names = tuple(column_names) if column_names else None
        self._compression = compression

    def read(self, readable: Any) -> Iterator[Any]:
        path = readable.metadata.path
        raw = readable.open(compression_type=self._compression)
        reader = csv.reader(_text_lines(raw, path), delimiter=self._delimiter, strict=True)
        try:
            yield from self._rows(path, _checked(reader, path))
        except (OSError, EOFError, zlib.error) as exc:  # corrupt gzip and the like
            raise bad_input(f"{path}: cannot be read: {exc}") from None
        finally:
            raw.close()

    def _rows(self, path: str, lines: Iterator[tuple[int, list[str]]]) -> Iterator[Any]:
        first = next(lines, None)
        if first is None:
            raise bad_input(f"{path}: the file is empty (expected a CSV header line)")
        try:
            names, is_header = header_or_given(path, first[1], self._names)
        except BadInputError as exc:
            raise bad_input(str(exc)) from None
        yield names
        batch: list[tuple[list[bytes], str]] = []
        rows = 0
        for line, row in _chain([] if is_header else [first], lines):
            if not row:  # blank line: skipped, as TFDV does
                continue
            if len(row) != len(names):
                raise bad_input(f"{path}: line {line}: {len(row)} fields, expected {len(names)}")
            batch.append(([cell.encode() for cell in row], ""))
            rows += 1
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch
        if rows == 0:
            raise bad_input(f"{path}: no data rows after the header")


def check_csv_file(path: str, delimiter: str, column_names: Sequence[str] | None,
                   gzip: bool) -> None:
    """Read one whole CSV file with Python's strict ``csv`` (slow): raises the marked bad-input
    error naming its first bad line, if it has one. The fast path's pyarrow errors name no
    line; this names it, with the messages of this reader."""
    from types import SimpleNamespace

    from apache_beam.io.filesystems import FileSystems

    readable = SimpleNamespace(  # the shape of fileio.ReadableFile
        metadata=SimpleNamespace(path=path),
        open=lambda compression_type: FileSystems.open(path, compression_type=compression_type),
    )
    compression = CompressionTypes.GZIP if gzip else CompressionTypes.UNCOMPRESSED
    for _ in _CsvFile(delimiter, column_names, compression).read(readable):
        pass


class _InferFileTypes(beam.DoFn):
    """Pass 1 over one CSV file → ``(column names, column types by position)``."""

    def __init__(self, reader: _CsvFile):
        self._reader = reader

    def process(self, readable: Any) -> Iterator[tuple[tuple[str, ...], list[int]]]:
        rows = self._reader.read(readable)
        names = next(rows)
        inferrer = _InferColumnTypes()
        types = inferrer.create_accumulator()
        for batch in rows:
            types = inferrer.add_input(types, batch)
        yield names, types


class _DecodeCsvFile(beam.DoFn):
    """Pass 2 over one CSV file → RecordBatches, with tfx_bsl's decoder and the global types."""

    def __init__(self, reader: _CsvFile):
        self._reader = reader

    def process(self, readable: Any, column_infos: Any) -> Iterator[pa.RecordBatch]:
        decoder = csv_decoder.BatchedCSVRowsToRecordBatch(skip_blank_lines=True)
        rows = self._reader.read(readable)
        next(rows)  # names: the same for every file (checked with the types)
        for batch in rows:
            try:
                yield from decoder.process(batch, column_infos)
            except (ValueError, pa.ArrowInvalid) as exc:
                path = readable.metadata.path
                raise bad_input(f"{path}: a value does not match its column type: {exc}") from None


def _text_lines(raw: Any, path: str) -> Iterator[str]:
    """Physical lines as text, line endings kept (csv needs them for quoted newlines)."""
    number = 0
    for number, line in enumerate(iter(raw.readline, b""), start=1):  # noqa: B007
        if number == 1 and line.startswith(_UTF8_BOM):
            line = line[len(_UTF8_BOM):]  # spreadsheets' byte order mark is not in the header
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_input(f"{path}: line {number}: not UTF-8 text") from None


def _checked(reader: Any, path: str) -> Iterator[tuple[int, list[str]]]:
    """csv rows; a CSV syntax error names the line where the bad row starts."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            hint = " (unterminated quote?)" if "end of data" in str(exc) else ""
            raise bad_input(f"{path}: line {start}: {exc}{hint}") from None
        yield start, row


def _chain(first: list[Any], rest: Any) -> Iterator[Any]:
    yield from first
    yield from rest


class _MergeFileTypes(beam.CombineFn):
    """All CSV files of a batch must have the same columns; their types widen as in TFDV."""

    def create_accumulator(self) -> tuple[frozenset[tuple[str, ...]], list[int]]:
        return frozenset(), []

    def add_input(self, acc: Any, file_types: tuple[tuple[str, ...], list[int]]) -> Any:
        return self.merge_accumulators([acc, (frozenset([tuple(file_types[0])]), file_types[1])])

    def merge_accumulators(self, accs: Any) -> Any:
        accs = list(accs)
        names = frozenset().union(*(a[0] for a in accs))
        return names, _InferColumnTypes().merge_accumulators([a[1] for a in accs])

    def extract_output(self, acc: Any) -> tuple[tuple[str, ...], list[int]]:
        names, types = acc
        if len(names) > 1:
            a, b = sorted(names)[:2]
            raise bad_input(f"the CSV files have different headers: {list(a)} vs {list(b)}")
        return next(iter(names), ()), types


class _InferColumnTypes(beam.CombineFn):
    """tfx_bsl's ``ColumnTypeInferrer`` by column position, over batches of rows."""

    def create_accumulator(self) -> list[int]:
        return []

    def add_input(self, acc: list[int], batch: list[tuple[list[bytes], str]]) -> list[int]:
        infer = csv_decoder._InferValueType  # the exact rule TFDV applies to each cell
        string = csv_decoder.ColumnType.STRING
        for cells, _ in batch:
            if not acc:
                acc.extend([csv_decoder.ColumnType.UNKNOWN] * len(cells))
            for i, cell in enumerate(cells):
                if acc[i] != string:
                    column_type = infer(cell)
                    if column_type > acc[i]:
                        acc[i] = column_type
        return acc

    def merge_accumulators(self, accs: Any) -> list[int]:
        merged: list[int] = []
        for acc in accs:
            if not merged:
                merged = list(acc)
            elif acc:
                merged = [max(a, b) for a, b in zip_longest(merged, acc, fillvalue=-1)]
        return merged

    def extract_output(self, acc: list[int]) -> list[int]:
        return acc


def _column_infos(header_types: Any, forced: Mapping[str, str]) -> list[Any]:
    names, types = header_types
    unknown = csv_decoder.ColumnType.UNKNOWN
    infos = []
    for i, name in enumerate(names):
        if name in forced:
            column_type = _TYPE_NAMES[forced[name].upper()]
        else:
            column_type = csv_decoder.ColumnType(types[i]) if i < len(types) else unknown
        infos.append(csv_decoder.ColumnInfo(name, column_type))
    return infos


def _read_record(handle: Any) -> bytes | None:
    """Beam's ``_TFRecordUtil.read_record`` with the length bounded and read in slices (the
    local reader's ``io.tfrecord`` pieces): a corrupt length (valid CRC) of 2^40 allocated it
    at once (MemoryError)."""
    import struct

    from dataguard.io.tfrecord import MAX_RECORD_BYTES, masked_crc32c, read_sliced

    header = handle.read(12)
    if not header:
        return None
    if len(header) != 12:
        raise ValueError("truncated record header")
    length, length_crc = struct.unpack("<QI", header)
    if masked_crc32c(header[:8]) != length_crc:
        raise ValueError("bad length checksum (not TFRecord, or corrupt)")
    if length > MAX_RECORD_BYTES:
        raise ValueError(f"length {length} bytes is over the 2 GiB a tf.Example can have "
                         "(corrupt file?)")
    body = read_sliced(handle.read, length + 4)
    if len(body) < length + 4:
        raise ValueError("truncated record")
    data, data_crc = body[:length], struct.unpack("<I", body[length:])[0]
    if masked_crc32c(data) != data_crc:
        raise ValueError("bad data checksum (corrupt record)")
    return data


class _ReadTFRecordExamples(beam.DoFn):
    """One TFRecord file of tf.Example → RecordBatches (tfx_bsl's decoder, no schema)."""

    def __init__(self, compression: str):
        self._compression = compression
        self._decoder: Any = None

    def setup(self) -> None:
        from tfx_bsl.coders import example_coder

        self._decoder = example_coder.ExamplesToRecordBatchDecoder()

    def process(self, readable: Any) -> Iterator[pa.RecordBatch]:
        path = readable.metadata.path
        count = 0
        batch: list[bytes] = []
        with readable.open(compression_type=self._compression) as handle:
            while True:
                try:
                    record = _read_record(handle)
                except (ValueError, OSError, EOFError, zlib.error) as exc:
                    reason = str(exc).split(":")[0]
                    raise bad_input(f"{path}: record {count + 1}: {reason}") from None
                if record is None:
                    break
                batch.append(record)
                count += 1
                if len(batch) >= BATCH_SIZE:
                    yield self._decode(path, count, batch)
                    batch = []
        if batch:
            yield self._decode(path, count, batch)
        if count == 0:
            raise bad_input(f"{path}: no records (empty TFRecord file)")

    def _decode(self, path: str, count: int, batch: list[bytes]) -> pa.RecordBatch:
        from dataguard.io.tfrecord import protobuf_log_captured

        try:
            with protobuf_log_captured():  # the error below says it in one line
                return self._decoder.DecodeBatch(batch)
        except Exception as exc:  # the pybind decoder raises plain RuntimeError
            first = count - len(batch) + 1
            raise bad_input(
                f"{path}: records {first}-{count}: not tf.Example ({str(exc).splitlines()[0]})"
            ) from None


class ReadExamples(beam.PTransform):
    """Input files of a batch → PCollection of ``pa.RecordBatch`` as TFDV's readers make them.

    ``column_types`` forces CSV column types (name → INT/FLOAT/STRING), e.g. from a schema.
    """

    def __init__(self, spec: InputSpec, column_types: Mapping[str, str] | None = None):
        super().__init__()
        if spec.format not in ("csv", "tfrecord"):
            raise BadInputError(f"input format {spec.format!r}: use csv or tfrecord")
        wrong = {k: v for k, v in (column_types or {}).items() if v.upper() not in _TYPE_NAMES}
        if wrong:
            raise UsageError(f"column types {wrong}: use INT, FLOAT or STRING")
        self._spec = spec
        self._column_types = dict(column_types or {})

    def expand(self, pbegin: Any) -> Any:
        spec = self._spec
        files = (
            pbegin
            | "Patterns" >> beam.Create(list(spec.paths))
            | "Match" >> beam.ParDo(_MatchFiles())
            | "Spread" >> beam.Reshuffle()  # one worker per file, not one for all (fusion)
            | "Open" >> fileio.ReadMatches()
        )
        if spec.format == "tfrecord":
            return files | "ReadTFRecords" >> beam.ParDo(_ReadTFRecordExamples(_compression(spec)))
        return self._decode_csv(files)

    def _decode_csv(self, files: Any) -> Any:
        spec = self._spec
        reader = _CsvFile(spec.delimiter, spec.column_names, _compression(spec))
        infos = (
            files
            | "InferColumnTypes" >> beam.ParDo(_InferFileTypes(reader))
            | "MergeColumnTypes" >> beam.CombineGlobally(_MergeFileTypes())
            | "ColumnInfos" >> beam.Map(_column_infos, forced=self._column_types)
        )
        return files | "DecodeCsv" >> beam.ParDo(
            _DecodeCsvFile(reader), beam.pvalue.AsSingleton(infos)
        )
