"""The Beam engine's fast path: the local engine's statistics, combined per worker, merged once.

    with make_pipeline(args) as p:
        stats = (p | "ReadBatch" >> ChunkInputs(spec)                  # files → chunks
                   | "ComputeBatchStatistics" >> ComputeChunkStatistics(spec))

``ChunkInputs`` matches the patterns and plans each file's chunks on the workers (a big CSV:
byte ranges cut at line starts, optimistically; ``stats.chunks``), so a job still builds
offline. Per chunk a worker parses with pyarrow and feeds the local engine's
``StatisticsCombiner`` (TFDV's ``BasicStatsGenerator`` with its bit-identical fast paths and
sketch feeding, plus the exact top-k/uniques TFDV's Beam path computes) into one accumulator
(``Accumulate``). ``MergeStatistics`` is one combine, lifted into the workers: it merges the
accumulators as TFDV's combiners merge them and extracts one ``DatasetFeatureStatisticsList``
with the rows read per file. Accumulators travel as bytes (``stats.accumulators``: no worker
imports TensorFlow for them). Every stage costs the launcher and each worker process CPU (a
local run: ~50 ms a stage in all), so the graph has three: match + plan, read + merge per
worker, merge.

What needs the whole batch happens where the combine ends: each CSV file's ranges wait there
together, and are kept if no cut is inside a quoted field (from the ranges' quote counts), else
the file is read again whole (logged). CSV column types are global, as in TFDV (INT → FLOAT →
STRING over all rows), yet each chunk is read once in the common case: a worker types its chunk
from the chunk's first block and checks every later block (the local engine's one-pass read),
reading the chunk again exactly only if a column widens inside it; accumulators merge per column
types, and the chunks whose types are not the batch's are read again with the batch's types at
the end (a column that is INT in one file and FLOAT in another).

Row counts are reconciled: every chunk reports the rows it read, per file
(``RowsPerFile``), and ``ReconcileRowCounts`` fails the job (``RunnerError``, exit 3) when
they do not add up to ``num_examples`` rather than let wrong statistics be stored; a file
with no rows is bad input. Bad input found on a worker is raised marked
(``runner_errors``), naming the file and line/record, as with ``stats.beam_read``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import apache_beam as beam
import pyarrow as pa

from dataguard.core.slices import whole
from dataguard.errors import BadInputError, DataguardError, RunnerError
from dataguard.io.csv_parse import Widened
from dataguard.io.csv_scan import RawScan
from dataguard.io.sources import is_remote
from dataguard.stats import accumulators, chunks
from dataguard.stats.beam_read import _MatchFiles, check_csv_file
from dataguard.stats.chunks import (
    Chunk,
    ColumnTypes,
    ReadConfig,
    arrow_types,
    parsed,
    plan_csv,
    scan_column_types,
    scanned_bytes,
    speculative_batches,
    unsafe_cut,
    whole_file,
)
from dataguard.stats.row_counts import check_row_counts
from dataguard.stats.runner_errors import bad_input, marked, on_worker

if TYPE_CHECKING:
    from dataguard.core.slices import SliceConfig
    from dataguard.io.sources import InputSpec

__all__ = ["ComputeChunkStatistics", "ChunkInputs", "read_config"]

_LOG = logging.getLogger(__name__)
_TFRECORD_BATCH = 16384  # records per decoded batch: fewer batches, less per-batch TFDV work


def read_config(spec: InputSpec, chunk_size: int | None = None) -> ReadConfig:
    """How the workers read ``spec``; CSVs are cut in ranges of about ``chunk_size``
    (default ``chunks.CHUNK_BYTES``, looked up when the pipeline is built)."""
    return ReadConfig(spec.format, spec.delimiter, spec.column_names, spec.compression,
                      chunk_size or chunks.CHUNK_BYTES)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _located(cfg: ReadConfig, path: str, failure: str) -> ValueError:
    """A pyarrow failure in ``path`` → the marked error naming its first bad line (found by
    re-reading the file with Python's ``csv``), or one naming the file."""
    check_csv_file(path, cfg.delimiter, cfg.column_names, cfg.gzip(path))
    return bad_input(f"{path}: cannot parse CSV: {failure}")


class _PlanChunks(beam.DoFn):
    """A file's metadata → its chunks (CSV: header read, maybe cut into byte ranges)."""

    def __init__(self, cfg: ReadConfig) -> None:
        self._cfg = cfg

    def process(self, metadata: Any) -> Iterator[Chunk]:
        path = metadata.path
        if self._cfg.format == "parquet":
            with on_worker():
                yield from _plan_parquet(self._cfg, path)
            return
        if self._cfg.format != "csv":
            yield Chunk(path, self._cfg.format)
            return
        try:
            with on_worker():
                yield from plan_csv(self._cfg, path, metadata.size_in_bytes)
        except (OSError, EOFError) as exc:
            raise bad_input(f"{path}: cannot be read: {_one_line(exc)}") from None


def _plan_parquet(cfg: ReadConfig, path: str) -> Iterator[Chunk]:
    """Runs of row groups of about ``cfg.chunk_size`` (``start``/``end``: row group numbers)."""
    from dataguard.io.parquet import row_group_sizes
    from dataguard.io.sources import InputSpec

    bounds = [0]
    size = 0
    groups = row_group_sizes(InputSpec((path,), "parquet"), path)
    for index, (_, group_bytes) in enumerate(groups):
        size += group_bytes
        if size >= cfg.chunk_size and index + 1 < len(groups):
            bounds.append(index + 1)
            size = 0
    bounds.append(len(groups))
    for part, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        yield Chunk(path, "parquet", a, b, part=part, parts=len(bounds) - 1)


class ChunkInputs(beam.PTransform):
    """Input patterns of a batch → ``Chunk``s, matched and planned on the workers."""

    def __init__(self, spec: InputSpec, *, chunk_size: int | None = None) -> None:
        super().__init__()
        if spec.format not in ("csv", "tfrecord", "parquet"):
            raise BadInputError(f"input format {spec.format!r}: use csv, tfrecord or parquet")
        self._paths = list(spec.paths)
        self._cfg = read_config(spec, chunk_size)

    def expand(self, pbegin: Any) -> Any:
        return (
            pbegin
            | "Patterns" >> beam.Create(self._paths)
            | "Match" >> beam.ParDo(_MatchFiles())
            | "SpreadFiles" >> self._spread_files()
            | "Plan" >> beam.ParDo(_PlanChunks(self._cfg))
            | "SpreadChunks" >> beam.Reshuffle()  # one worker per chunk, not one for all
        )

    def _spread_files(self) -> beam.PTransform:
        """Remote files are planned in parallel (an open costs a round trip); local ones by
        the worker that matched them (a header and a few windows: less than a stage costs)."""
        if any(is_remote(path) for path in self._paths):
            return beam.Reshuffle()
        return beam.Map(lambda metadata: metadata)


def _combiner(slicing: SliceConfig | None = None) -> Any:
    from dataguard.stats import tfdv_modules
    from dataguard.stats.local import StatisticsCombiner
    from dataguard.stats.slicing import sliced

    return sliced(StatisticsCombiner(tfdv_modules.load()), slicing)


@dataclass(frozen=True)
class ChunkStatistics:
    """What a worker made of one chunk: the types it read CSV columns with (None for other
    formats), its accumulator (bytes), the rows it read and, for a CSV range, the ``"`` in
    its bytes (the cut checks) and why it could not be read, if it could not (a range cut
    inside a quoted field may not parse: only once the cuts are known safe is it bad input)."""

    chunk: Chunk
    types: ColumnTypes | None
    accumulator: bytes
    rows: int
    quotes: int = 0
    failure: str | None = None


class _ChunkReader:
    """One chunk → ``ChunkStatistics``, fed to a worker's ``StatisticsCombiner``. CSV is read in
    one pass, typed from the chunk's first block; a column that widens later makes the worker
    read the chunk again, exactly."""

    def __init__(self, cfg: ReadConfig, slicing: SliceConfig | None = None) -> None:
        self.cfg = cfg
        self.slicing = slicing  # stats.slicing: one accumulator per slice
        self.combiner: Any = None

    def setup(self) -> None:
        self.combiner = _combiner(self.slicing)

    def feed(self, batches: Iterator[pa.RecordBatch]) -> tuple[bytes, int]:
        combiner = self.combiner
        acc = combiner.create_accumulator()
        rows = 0
        for batch in batches:
            rows += batch.num_rows
            with on_worker():  # too many slices: a UsageError
                acc = combiner.add_input(acc, batch)
        # Compacted (TFDV's Beam path compacts too), as bytes: no worker imports TensorFlow
        return accumulators.dumps(combiner.compact(acc)), rows

    def read(self, chunk: Chunk) -> ChunkStatistics:
        if chunk.format != "csv":
            acc, rows = self.feed(self._other_batches(chunk))
            return ChunkStatistics(chunk, None, acc, rows)
        cfg = self.cfg
        used, scan = ColumnTypes(), RawScan()
        try:
            try:
                acc, rows = self.feed(speculative_batches(cfg, chunk, used, scan))
            except Widened:
                used, scan = scan_column_types(cfg, chunk)
                acc, rows = self.feed(_csv_batches(cfg, chunk, used))
        except (pa.ArrowException, OSError, EOFError, BadInputError) as exc:
            if chunk.parts == 1:
                raise _failed(cfg, chunk.path, exc) from None
            _, scan = scanned_bytes(cfg, chunk)  # the range's quotes, for the cut checks
            return ChunkStatistics(chunk, None, b"", 0, scan.quotes, _failure(exc))
        if chunk.parts == 1 and scan.quotes % 2:
            # an unterminated quote (pyarrow accepts one at the end), or a stray "
            check_csv_file(chunk.path, cfg.delimiter, cfg.column_names, cfg.gzip(chunk.path))
        return ChunkStatistics(chunk, used, acc, rows, scan.quotes)

    def _other_batches(self, chunk: Chunk) -> Iterator[pa.RecordBatch]:
        if chunk.format == "tfrecord":
            yield from _tfrecord_batches(self.cfg, chunk)
        else:
            from dataguard.io.parquet import read_row_groups
            from dataguard.io.sources import InputSpec

            groups = range(chunk.start, chunk.end if chunk.end is not None else chunk.start)
            with on_worker():
                yield from read_row_groups(InputSpec((chunk.path,), "parquet"), chunk.path,
                                           groups)


_BAD_INPUT = "bad input: "


def _failure(exc: BaseException) -> str:
    """A range's failure, kept until its file's cuts are checked (``_failed`` raises it)."""
    if isinstance(exc, BadInputError):
        return _BAD_INPUT + str(exc)
    return _one_line(exc)


def _failed(cfg: ReadConfig, path: str, exc: BaseException | str) -> ValueError:
    """A chunk that could not be read → the marked error naming the file and line."""
    text = exc if isinstance(exc, str) else _failure(exc)
    if text.startswith(_BAD_INPUT):  # named already, by the reader
        return bad_input(text[len(_BAD_INPUT):])
    return _located(cfg, path, text)


class _AccumulateChunk(_ChunkReader, beam.DoFn):
    """One chunk → ``ChunkStatistics`` (``_ChunkReader``)."""

    def process(self, chunk: Chunk) -> Iterator[ChunkStatistics]:
        yield self.read(chunk)


def _check_cuts(reader: _ChunkReader, path: str, found: list[ChunkStatistics]
                ) -> Iterator[ChunkStatistics]:
    """The ranges of one CSV file → their ``ChunkStatistics``, once its optimistic cuts are
    known safe (``chunks.unsafe_cut`` over the ranges' quote counts). A file cut inside a
    quoted field is read again whole, by this worker, and the log says which and why; a
    range that could not be read in a file with safe cuts is bad input, named by line."""
    done = sorted(found, key=lambda d: d.chunk.part)
    first = done[0].chunk
    if len(done) != first.parts:
        raise marked(RunnerError(f"{path}: {len(done)} of {first.parts} ranges were read"))
    cut = unsafe_cut([(d.chunk, d.quotes) for d in done])
    cfg = reader.cfg
    if cut is not None:
        _LOG.warning(
            "%s: a quoted field spans lines at byte %d: read whole by one worker, not in "
            "%d ranges", path, cut, first.parts,
        )
        yield reader.read(whole_file(path, first.names, first.start))
        return
    failure = next((d.failure for d in done if d.failure is not None), None)
    if failure is not None:
        raise _failed(cfg, path, failure)
    if sum(d.quotes for d in done) % 2:  # an unterminated quote in the last range
        check_csv_file(path, cfg.delimiter, cfg.column_names, cfg.gzip(path))
    yield from done


def _csv_batches(cfg: ReadConfig, chunk: Chunk, types: ColumnTypes) -> Iterator[pa.RecordBatch]:
    from dataguard.io.csv import ParsedBlock

    with on_worker():
        for batch in parsed(cfg, chunk, arrow_types(types, chunk.names)):
            yield ParsedBlock(batch.columns, chunk.names, types.types, chunk.path).decode()


def _tfrecord_batches(cfg: ReadConfig, chunk: Chunk) -> Iterator[pa.RecordBatch]:
    from dataguard.io.sources import InputSpec
    from dataguard.io.tfrecord import read_record_batches

    spec = InputSpec((chunk.path,), "tfrecord", compression="gzip" if cfg.gzip(chunk.path)
                     else "none")
    with on_worker():  # corrupt records, bad gzip: BadInputError naming file and record
        yield from read_record_batches(spec, batch_records=_TFRECORD_BATCH, decode_threads=1)


class _AccumulatorCoder(beam.coders.Coder):
    """Accumulators between workers, pickled without importing TensorFlow (``accumulators``)."""

    def encode(self, value: Any) -> bytes:
        return accumulators.dumps(value)

    def decode(self, encoded: bytes) -> Any:
        return accumulators.loads(encoded)

    def is_deterministic(self) -> bool:
        return False


def _types_key(types: ColumnTypes | None) -> Any:
    """Chunks read with equal column types merge at once; others wait for the batch's types."""
    if types is None:
        return None
    return types.names, tuple(sorted(types.types.items())), frozenset(types.python_columns)


@dataclass
class _Group:
    """The merged accumulator of the chunks read with the same column types (None: not CSV),
    their rows per file, and the chunks (to read again if the batch's types differ)."""

    types: ColumnTypes | None
    acc: Any
    rows: dict[str, int]
    chunks: list[Chunk]

    def absorb(self, other: _Group, combiner: Any) -> None:
        with on_worker():  # too many slices in all: a UsageError
            self.acc = combiner.merge_accumulators([self.acc, other.acc])
        for path, rows in other.rows.items():
            self.rows[path] = self.rows.get(path, 0) + rows
        self.chunks.extend(other.chunks)


@dataclass
class _Batch:
    """``MergeStatistics``' accumulator: chunk accumulators merged by column types, and the
    ranges of CSV files read in ranges, kept until their file's cuts are checked."""

    groups: dict[Any, _Group] = field(default_factory=dict)
    ranges: dict[str, list[ChunkStatistics]] = field(default_factory=dict)

    def add(self, group: _Group, combiner: Any) -> None:
        key = _types_key(group.types)
        if key in self.groups:
            self.groups[key].absorb(group, combiner)
        else:
            self.groups[key] = group


class MergeStatistics(beam.CombineFn):
    """``ChunkStatistics`` → (one ``DatasetFeatureStatisticsList``, rows read per file), in one
    combine, so no stage of its own carries cut checks, column types or row counts: per worker,
    chunk accumulators merge by their column types (lifted: before any shuffle) and the ranges
    of a CSV file wait together; at the end each file's cuts are checked (``_check_cuts``), the
    column types joined (INT → FLOAT → STRING, as TFDV), the chunks read with other types than
    the batch's read again with those (rare: a column that is INT in one file and FLOAT in
    another), and everything merged as TFDV's combiners merge and extracted."""

    def __init__(self, cfg: ReadConfig, slicing: SliceConfig | None = None) -> None:
        self._reader = _ChunkReader(cfg, slicing)

    def _combiner(self) -> Any:
        if self._reader.combiner is None:
            self._reader.setup()
        return self._reader.combiner

    def create_accumulator(self) -> _Batch:
        return _Batch()

    def add_input(self, batch: _Batch, done: ChunkStatistics) -> _Batch:
        if done.chunk.format == "csv" and done.chunk.parts > 1:
            batch.ranges.setdefault(done.chunk.path, []).append(done)
        else:
            self._add(batch, done)
        return batch

    def _add(self, batch: _Batch, done: ChunkStatistics) -> None:
        acc = accumulators.loads(done.accumulator)
        group = _Group(done.types, acc, {done.chunk.path: done.rows}, [done.chunk])
        batch.add(group, self._combiner())

    def merge_accumulators(self, batches: Any) -> _Batch:
        merged: _Batch | None = None
        for batch in batches:
            if merged is None:
                merged = batch
                continue
            for group in batch.groups.values():
                merged.add(group, self._combiner())
            for path, found in batch.ranges.items():
                merged.ranges.setdefault(path, []).extend(found)
        return merged if merged is not None else _Batch()

    def compact(self, batch: _Batch) -> _Batch:
        for group in batch.groups.values():
            group.acc = self._combiner().compact(group.acc)
        return batch

    def get_accumulator_coder(self) -> beam.coders.Coder:
        return _AccumulatorCoder()

    def extract_output(self, batch: _Batch) -> tuple[Any, dict[str, int]]:
        combiner = self._combiner()
        for path, found in sorted(batch.ranges.items()):
            for done in _check_cuts(self._reader, path, found):
                self._add(batch, done)
        batch.ranges = {}
        merged = _batch_types(batch)
        accs: list[Any] = []
        rows: dict[str, int] = {}
        for group in batch.groups.values():
            if group.types is None or merged is None or group.types.fits(merged):
                accs.append(group.acc)
                for path, count in group.rows.items():
                    rows[path] = rows.get(path, 0) + count
                continue
            for chunk in group.chunks:
                acc, count = self._retyped(chunk, merged)
                accs.append(acc)
                rows[chunk.path] = rows.get(chunk.path, 0) + count
        with on_worker():  # too many slices in all: a UsageError
            acc = combiner.merge_accumulators(accs) if accs else combiner.create_accumulator()
        return combiner.extract_output(acc), rows

    def _retyped(self, chunk: Chunk, merged: ColumnTypes) -> tuple[Any, int]:
        """A chunk read again with the batch's column types: (its accumulator, its rows)."""
        cfg = self._reader.cfg
        _LOG.info("%s: bytes %d-%s read again with the batch's column types",
                  chunk.path, chunk.start, chunk.end or "end")
        try:
            acc, rows = self._reader.feed(_csv_batches(cfg, chunk, merged))
        except (pa.ArrowException, OSError, EOFError, BadInputError) as exc:
            raise _failed(cfg, chunk.path, exc) from None
        return accumulators.loads(acc), rows


def _batch_types(batch: _Batch) -> ColumnTypes | None:
    """The CSV column types of the batch: its chunks' joined (None: no CSV). All CSV files of a
    batch have the same columns."""
    found = [group.types for group in batch.groups.values() if group.types is not None]
    if not found:
        return None
    merged = ColumnTypes()
    for types in found:
        merged = merged.merge(types)
    if len(merged.names) > 1:
        a, b = sorted(merged.names)[:2]
        raise bad_input(f"the CSV files have different headers: {list(a)} vs {list(b)}")
    return merged


def reconcile(statistics: Any, rows: dict[str, int], fmt: str, rows_output: str | None) -> Any:
    """The statistics, once the rows read per file add up to their ``num_examples``
    (``stats.row_counts``; raised marked, so the launcher raises the same error)."""
    examples = int(whole(statistics).num_examples)
    try:
        check_row_counts(rows, examples, fmt)
    except DataguardError as exc:
        raise marked(exc) from None
    if rows_output:
        from apache_beam.io.filesystems import FileSystems

        with FileSystems.create(rows_output) as handle:
            handle.write(json.dumps(dict(sorted(rows.items()))).encode())
    return statistics


class ComputeChunkStatistics(beam.PTransform):
    """Chunks → one ``DatasetFeatureStatisticsList``, row counts reconciled.

    ``rows_output``: a file (any Beam FileSystems path) to write the rows read per file to,
    as JSON, once they are reconciled. Once applied, ``rows_per_file`` is the PCollection of
    ``(path, rows)``.
    """

    def __init__(self, spec: InputSpec, *, rows_output: str | None = None,
                 slicing: SliceConfig | None = None) -> None:
        super().__init__()
        self._cfg = read_config(spec)
        self._slicing = slicing  # stats.slicing: one accumulator per slice
        self._rows_output = rows_output
        self.rows_per_file: Any = None  # set when applied

    def expand(self, chunks: Any) -> Any:
        computed = (
            chunks
            | "Accumulate" >> beam.ParDo(_AccumulateChunk(self._cfg, self._slicing))
            # Without defaults: a batch has chunks, and the default would cost a stage of its own
            | "MergeStatistics" >> beam.CombineGlobally(MergeStatistics(self._cfg, self._slicing))
            .without_defaults()
        )
        rows = computed | "RowsPerFile" >> beam.FlatMap(_rows_of)
        self.rows_per_file = rows  # (path, rows) pairs, for a job's own results
        fmt, rows_output = self._cfg.format, self._rows_output
        return computed | "ReconcileRowCounts" >> beam.Map(
            lambda found: reconcile(found[0], found[1], fmt, rows_output)
        )


def _rows_of(computed: tuple[Any, dict[str, int]]) -> Iterator[tuple[str, int]]:
    return iter(sorted(computed[1].items()))
