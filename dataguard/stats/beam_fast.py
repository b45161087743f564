"""The Beam engine's fast path: the local engine's statistics, combined per worker, merged once.

    with make_pipeline(args) as p:
        stats = (p | "ReadBatch" >> ChunkInputs(spec)                  # files → chunks
                   | "ComputeBatchStatistics" >> ComputeChunkStatistics(spec))

``ChunkInputs`` matches the patterns and plans each file's chunks on the workers (a big CSV:
byte ranges cut at line starts, optimistically; ``stats.chunks``), so a job still builds
offline. ``CheckCuts`` sees each CSV file's ranges together and keeps them if no cut is inside a
quoted field (from the ranges' quote counts), else reads the file again whole (logged). Per
chunk a worker parses with pyarrow and feeds the local engine's ``StatisticsCombiner`` (TFDV's
``BasicStatsGenerator`` with its bit-identical fast paths and sketch feeding, plus the exact
top-k/uniques TFDV's Beam path computes) into one accumulator (``Accumulate``);
``MergeStatistics`` merges the accumulators as TFDV's combiners merge them and extracts one
``DatasetFeatureStatisticsList``. Accumulators travel as bytes (``stats.accumulators``: no
worker imports TensorFlow for them).

CSV column types are global, as in TFDV (INT → FLOAT → STRING over all rows), yet each chunk is
read once in the common case: a worker types its chunk from the chunk's first block and checks
every later block (the local engine's one-pass read), reading the chunk again exactly only if a
column widens inside it. ``MergeColumnTypes`` joins the chunks' types; ``Retype`` passes on
the accumulators of the chunks whose types are the batch's, and reads the others again with
the batch's types (a column that is INT in one file and FLOAT in another).

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import apache_beam as beam
import pyarrow as pa

from dataguard.core.slices import whole
from dataguard.errors import BadInputError, DataguardError, RunnerError
from dataguard.io.csv_parse import Widened
from dataguard.io.csv_scan import RawScan
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
_ROWS = "rows"
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
            | "SpreadFiles" >> beam.Reshuffle()  # files planned in parallel
            | "Plan" >> beam.ParDo(_PlanChunks(self._cfg))
            | "SpreadChunks" >> beam.Reshuffle()  # one worker per chunk, not one for all
        )


class _MergeColumnTypes(beam.CombineFn):
    """All CSV files of a batch have the same columns; their types widen as in TFDV."""

    def create_accumulator(self) -> ColumnTypes:
        return ColumnTypes()

    def add_input(self, acc: ColumnTypes, found: ColumnTypes) -> ColumnTypes:
        return acc.merge(found)

    def merge_accumulators(self, accs: Any) -> ColumnTypes:
        merged = ColumnTypes()
        for acc in accs:
            merged = merged.merge(acc)
        return merged

    def extract_output(self, acc: ColumnTypes) -> ColumnTypes:
        if len(acc.names) > 1:
            a, b = sorted(acc.names)[:2]
            raise bad_input(f"the CSV files have different headers: {list(a)} vs {list(b)}")
        return acc


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


class _Feeding:
    """Holds a worker's ``StatisticsCombiner``; feeds it the batches of one chunk."""

    def __init__(self, cfg: ReadConfig, slicing: SliceConfig | None = None) -> None:
        self._cfg = cfg
        self._slicing = slicing
        self._combiner: Any = None

    def setup(self) -> None:
        self._combiner = _combiner(self._slicing)

    def _feed(self, batches: Iterator[pa.RecordBatch]) -> tuple[bytes, int]:
        combiner = self._combiner
        acc = combiner.create_accumulator()
        rows = 0
        for batch in batches:
            rows += batch.num_rows
            with on_worker():  # too many slices: a UsageError
                acc = combiner.add_input(acc, batch)
        # Compacted (TFDV's Beam path compacts too), as bytes: no worker imports TensorFlow
        return accumulators.dumps(combiner.compact(acc)), rows


class _ChunkReader(_Feeding):
    """One chunk → ``ChunkStatistics``. CSV is read in one pass, typed from the chunk's first
    block; a column that widens later makes the worker read the chunk again, exactly."""

    def read(self, chunk: Chunk) -> ChunkStatistics:
        if chunk.format != "csv":
            acc, rows = self._feed(self._other_batches(chunk))
            return ChunkStatistics(chunk, None, acc, rows)
        cfg = self._cfg
        used, scan = ColumnTypes(), RawScan()
        try:
            try:
                acc, rows = self._feed(speculative_batches(cfg, chunk, used, scan))
            except Widened:
                used, scan = scan_column_types(cfg, chunk)
                acc, rows = self._feed(_csv_batches(cfg, chunk, used))
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
            yield from _tfrecord_batches(self._cfg, chunk)
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


class _CheckCuts(_ChunkReader, beam.DoFn):
    """The ranges of one CSV file → their ``ChunkStatistics``, once its optimistic cuts are
    known safe (``chunks.unsafe_cut`` over the ranges' quote counts). A file cut inside a
    quoted field is read again whole, by this worker, and the log says which and why; a
    range that could not be read in a file with safe cuts is bad input, named by line."""

    def process(self, keyed: tuple[str, Any]) -> Iterator[ChunkStatistics]:
        path, found = keyed
        done = sorted(found, key=lambda d: d.chunk.part)
        first = done[0].chunk
        if first.parts == 1:
            yield from done
            return
        if len(done) != first.parts:
            raise marked(RunnerError(f"{path}: {len(done)} of {first.parts} ranges were read"))
        cut = unsafe_cut([(d.chunk, d.quotes) for d in done])
        if cut is not None:
            _LOG.warning(
                "%s: a quoted field spans lines at byte %d: read whole by one worker, not in "
                "%d ranges", path, cut, first.parts,
            )
            yield self.read(whole_file(path, first.names, first.start))
            return
        failed = next((d for d in done if d.failure is not None), None)
        if failed is not None and failed.failure is not None:
            raise _failed(self._cfg, path, failed.failure)
        if sum(d.quotes for d in done) % 2:  # an unterminated quote in the last range
            cfg = self._cfg
            check_csv_file(path, cfg.delimiter, cfg.column_names, cfg.gzip(path))
        yield from done


def _by_file(done: ChunkStatistics) -> tuple[str, ChunkStatistics]:
    return done.chunk.path, done


class _Retype(_Feeding, beam.DoFn):
    """``ChunkStatistics`` → its accumulator (and rows, tagged ``rows``), read again with the
    batch's column types where the chunk's own types differ (rare: a column widens)."""

    def process(self, done: ChunkStatistics, merged: ColumnTypes | None = None) -> Iterator[Any]:
        acc, rows = done.accumulator, done.rows
        if done.types is not None and merged is not None and not done.types.fits(merged):
            _LOG.info("%s: bytes %d-%s read again with the batch's column types",
                      done.chunk.path, done.chunk.start, done.chunk.end or "end")
            try:
                acc, rows = self._feed(_csv_batches(self._cfg, done.chunk, merged))
            except (pa.ArrowException, OSError, EOFError, BadInputError) as exc:
                raise _failed(self._cfg, done.chunk.path, exc) from None
        yield acc
        yield beam.pvalue.TaggedOutput(_ROWS, (done.chunk.path, rows))


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


class MergeStatistics(beam.CombineFn):
    """Chunk accumulators (as bytes) → one ``DatasetFeatureStatisticsList``: the combiner's
    merge and extract (``None`` is the empty accumulator: no TFDV loads to merge nothing)."""

    def __init__(self, slicing: SliceConfig | None = None) -> None:
        self._slicing = slicing
        self._combiner: Any = None

    def _get(self) -> Any:
        if self._combiner is None:
            self._combiner = _combiner(self._slicing)
        return self._combiner

    def create_accumulator(self) -> Any:
        return None

    def add_input(self, acc: Any, chunk_acc: bytes) -> Any:
        return self.merge_accumulators([acc, accumulators.loads(chunk_acc)])

    def merge_accumulators(self, accs: Any) -> Any:
        present = [acc for acc in accs if acc is not None]
        if len(present) <= 1:
            return present[0] if present else None
        with on_worker():
            return self._get().merge_accumulators(present)

    def compact(self, acc: Any) -> Any:
        return acc if acc is None else self._get().compact(acc)

    def get_accumulator_coder(self) -> beam.coders.Coder:
        return _AccumulatorCoder()

    def extract_output(self, acc: Any) -> Any:
        combiner = self._get()
        return combiner.extract_output(acc if acc is not None else combiner.create_accumulator())


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
        done = chunks | "Accumulate" >> beam.ParDo(_AccumulateChunk(self._cfg, self._slicing))
        side: list[Any] = []
        if self._cfg.format == "csv":
            done = (
                done
                | "ByFile" >> beam.Map(_by_file)
                | "GroupByFile" >> beam.GroupByKey()
                | "CheckCuts" >> beam.ParDo(_CheckCuts(self._cfg))
            )
            types = (
                done
                | "SplitColumnTypes" >> beam.Map(_types_of)
                | "MergeColumnTypes" >> beam.CombineGlobally(_MergeColumnTypes()).without_defaults()
            )
            side = [beam.pvalue.AsSingleton(types)]
        retype = _Retype(self._cfg, self._slicing)
        results = done | "Retype" >> beam.ParDo(retype, *side).with_outputs(
            _ROWS, main="accumulators"
        )
        # Without defaults: a batch has chunks, and the default would cost a stage of its own
        statistics = results.accumulators | "MergeStatistics" >> beam.CombineGlobally(
            MergeStatistics(self._slicing)
        ).without_defaults()
        rows = results[_ROWS] | "RowsPerFile" >> beam.CombinePerKey(sum)
        self.rows_per_file = rows  # (path, rows) pairs, for a job's own results
        return statistics | "ReconcileRowCounts" >> beam.Map(
            reconcile, beam.pvalue.AsDict(rows), self._cfg.format, self._rows_output
        )


def _types_of(done: ChunkStatistics) -> ColumnTypes:
    return done.types or ColumnTypes()
