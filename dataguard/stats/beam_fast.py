"""The Beam engine's fast path: the local engine's statistics, combined per worker, merged once.

    with make_pipeline(args) as p:
        stats = (p | "ReadBatch" >> SplitInputs(spec)                  # files → splits
                   | "ComputeBatchStatistics" >> ComputeSplitStatistics(spec))

``SplitInputs`` matches the patterns and plans each file's splits on the workers (a big CSV:
byte ranges cut at line starts; ``stats.splits``), so a job still builds offline. Per split a
worker parses with pyarrow and feeds the local engine's ``StatisticsCombiner`` (TFDV's
``BasicStatsGenerator`` with its bit-identical fast paths and sketch feeding, plus the exact
top-k/uniques TFDV's Beam path computes) into one accumulator; ``MergeStatistics`` merges the
accumulators as TFDV's combiners merge them (they pickle: TFDV's Beam path shuffles them too)
and extracts one ``DatasetFeatureStatisticsList``. CSV column types are global, as in TFDV:
each split is first scanned as text (``ScanColumnTypes``), the types merged
(``MergeColumnTypes``) and handed to every split as a side input.

Row counts are reconciled: every split reports the rows it read, per file
(``RowsPerFile``), and ``ReconcileRowCounts`` fails the job (``RunnerError``, exit 3) when
they do not add up to ``num_examples`` rather than let wrong statistics be stored; a file
with no rows is bad input. Bad input found on a worker is raised marked
(``runner_errors``), naming the file and line/record, as with ``stats.beam_read``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import apache_beam as beam
import pyarrow as pa

from dataguard.errors import BadInputError, RunnerError
from dataguard.stats import accumulators, splits
from dataguard.stats.beam_read import _MatchFiles, check_csv_file
from dataguard.stats.runner_errors import bad_input, marked, on_worker
from dataguard.stats.splits import (
    ColumnTypes,
    ReadConfig,
    Split,
    arrow_types,
    parsed,
    plan_csv,
    scan_column_types,
)

if TYPE_CHECKING:
    from dataguard.io.sources import InputSpec

__all__ = ["ComputeSplitStatistics", "SplitInputs", "read_config"]

_LOG = logging.getLogger(__name__)
_ROWS = "rows"
_TFRECORD_BATCH = 16384  # records per decoded batch: fewer batches, less per-batch TFDV work


def read_config(spec: InputSpec, split_bytes: int | None = None) -> ReadConfig:
    """How the workers read ``spec``; CSVs are cut in ranges of about ``split_bytes``
    (default ``splits.SPLIT_BYTES``, looked up when the pipeline is built)."""
    return ReadConfig(spec.format, spec.delimiter, spec.column_names, spec.compression,
                      split_bytes or splits.SPLIT_BYTES)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _located(cfg: ReadConfig, path: str, exc: BaseException) -> ValueError:
    """A pyarrow failure in ``path`` → the marked error naming its first bad line (found by
    re-reading the file with Python's ``csv``), or one naming the file."""
    check_csv_file(path, cfg.delimiter, cfg.column_names, cfg.gzip(path))
    return bad_input(f"{path}: cannot parse CSV: {_one_line(exc)}")


class _PlanSplits(beam.DoFn):
    """A file's metadata → its splits (CSV: header read, maybe cut into byte ranges)."""

    def __init__(self, cfg: ReadConfig) -> None:
        self._cfg = cfg

    def process(self, metadata: Any) -> Iterator[Split]:
        path = metadata.path
        if self._cfg.format != "csv":
            yield Split(path, self._cfg.format)
            return
        try:
            with on_worker():
                yield from plan_csv(self._cfg, path, metadata.size_in_bytes)
        except (OSError, EOFError) as exc:
            raise bad_input(f"{path}: cannot be read: {_one_line(exc)}") from None


class SplitInputs(beam.PTransform):
    """Input patterns of a batch → ``Split``s, matched and planned on the workers."""

    def __init__(self, spec: InputSpec, *, split_bytes: int | None = None) -> None:
        super().__init__()
        if spec.format not in ("csv", "tfrecord", "parquet"):
            raise BadInputError(f"input format {spec.format!r}: use csv, tfrecord or parquet")
        self._paths = list(spec.paths)
        self._cfg = read_config(spec, split_bytes)

    def expand(self, pbegin: Any) -> Any:
        return (
            pbegin
            | "Patterns" >> beam.Create(self._paths)
            | "Match" >> beam.ParDo(_MatchFiles())
            | "SpreadFiles" >> beam.Reshuffle()  # files planned in parallel
            | "Plan" >> beam.ParDo(_PlanSplits(self._cfg))
            | "SpreadSplits" >> beam.Reshuffle()  # one worker per split, not one for all
        )


class _ScanSplitTypes(beam.DoFn):
    """Pass 1 over one CSV split → its ``ColumnTypes``; an odd quote count is checked."""

    def __init__(self, cfg: ReadConfig) -> None:
        self._cfg = cfg

    def process(self, split: Split) -> Iterator[ColumnTypes]:
        try:
            found, quotes = scan_column_types(self._cfg, split)
        except (pa.ArrowException, OSError, EOFError) as exc:
            raise _located(self._cfg, split.path, exc) from None
        if quotes % 2:  # an unterminated quote (pyarrow accepts one at the end), or a stray "
            check_csv_file(split.path, self._cfg.delimiter, self._cfg.column_names,
                           self._cfg.gzip(split.path))
        yield found


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


def _combiner() -> Any:
    from dataguard.stats import tfdv_modules
    from dataguard.stats.local import StatisticsCombiner

    return StatisticsCombiner(tfdv_modules.load())


class _AccumulateSplit(beam.DoFn):
    """One split → one statistics accumulator (and its rows, tagged ``rows``, per file)."""

    def __init__(self, cfg: ReadConfig) -> None:
        self._cfg = cfg
        self._combiner: Any = None

    def setup(self) -> None:
        self._combiner = _combiner()

    def process(self, split: Split, types: ColumnTypes | None = None) -> Iterator[Any]:
        combiner = self._combiner
        acc = combiner.create_accumulator()
        rows = 0
        for batch in self._batches(split, types):
            rows += batch.num_rows
            acc = combiner.add_input(acc, batch)
        yield accumulators.dumps(acc)  # bytes: no worker imports TensorFlow to (un)pickle it
        yield beam.pvalue.TaggedOutput(_ROWS, (split.path, rows))

    def _batches(self, split: Split, types: ColumnTypes | None) -> Iterator[pa.RecordBatch]:
        if split.format == "csv":
            assert types is not None
            yield from _csv_batches(self._cfg, split, types)
        elif split.format == "tfrecord":
            yield from _tfrecord_batches(self._cfg, split)
        else:
            from dataguard.stats.beam_parquet import parquet_batches

            with on_worker():
                yield from parquet_batches(split)


def _csv_batches(cfg: ReadConfig, split: Split, types: ColumnTypes) -> Iterator[pa.RecordBatch]:
    from dataguard.io.csv import ParsedBlock

    parse_types = arrow_types(types, split.names)
    try:
        with on_worker():
            for batch in parsed(cfg, split, parse_types):
                yield ParsedBlock(batch.columns, split.names, types.types, split.path).decode()
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise _located(cfg, split.path, exc) from None


def _tfrecord_batches(cfg: ReadConfig, split: Split) -> Iterator[pa.RecordBatch]:
    from dataguard.io.sources import InputSpec
    from dataguard.io.tfrecord import read_record_batches

    spec = InputSpec((split.path,), "tfrecord", compression="gzip" if cfg.gzip(split.path)
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
    """Split accumulators (as bytes) → one ``DatasetFeatureStatisticsList``: the combiner's
    merge and extract (``None`` is the empty accumulator: no TFDV loads to merge nothing)."""

    def __init__(self) -> None:
        self._combiner: Any = None

    def _get(self) -> Any:
        if self._combiner is None:
            self._combiner = _combiner()
        return self._combiner

    def create_accumulator(self) -> Any:
        return None

    def add_input(self, acc: Any, split_acc: bytes) -> Any:
        return self.merge_accumulators([acc, accumulators.loads(split_acc)])

    def merge_accumulators(self, accs: Any) -> Any:
        present = [acc for acc in accs if acc is not None]
        if len(present) <= 1:
            return present[0] if present else None
        return self._get().merge_accumulators(present)

    def get_accumulator_coder(self) -> beam.coders.Coder:
        return _AccumulatorCoder()

    def extract_output(self, acc: Any) -> Any:
        combiner = self._get()
        return combiner.extract_output(acc if acc is not None else combiner.create_accumulator())


def reconcile(statistics: Any, rows: dict[str, int], fmt: str, rows_output: str | None) -> Any:
    """The statistics, once the rows read per file add up to their ``num_examples``."""
    empty = sorted(path for path, count in rows.items() if count == 0)
    if empty:
        what = "no records (empty TFRecord file)" if fmt == "tfrecord" else (
            "no data rows after the header" if fmt == "csv" else "no rows")
        raise bad_input(f"{empty[0]}: {what}")
    total = sum(rows.values())
    examples = int(statistics.datasets[0].num_examples) if statistics.datasets else 0
    if total != examples:
        raise marked(RunnerError(
            f"row counts do not add up: {len(rows)} file(s) read {total} rows, the statistics "
            f"count {examples} examples ({', '.join(sorted(rows))}); nothing was stored"
        ))
    _LOG.info("rows read per file: %s", json.dumps(dict(sorted(rows.items()))))
    if rows_output:
        from apache_beam.io.filesystems import FileSystems

        with FileSystems.create(rows_output) as handle:
            handle.write(json.dumps(dict(sorted(rows.items()))).encode())
    return statistics


class ComputeSplitStatistics(beam.PTransform):
    """Splits → one ``DatasetFeatureStatisticsList``, row counts reconciled.

    ``rows_output``: a file (any Beam FileSystems path) to write the rows read per file to,
    as JSON, once they are reconciled.
    """

    def __init__(self, spec: InputSpec, *, rows_output: str | None = None) -> None:
        super().__init__()
        self._cfg = read_config(spec)
        self._rows_output = rows_output

    def expand(self, splits: Any) -> Any:
        side: list[Any] = []
        if self._cfg.format == "csv":
            types = (
                splits
                | "ScanColumnTypes" >> beam.ParDo(_ScanSplitTypes(self._cfg))
                | "MergeColumnTypes" >> beam.CombineGlobally(_MergeColumnTypes())
            )
            side = [beam.pvalue.AsSingleton(types)]
        results = splits | "Accumulate" >> beam.ParDo(
            _AccumulateSplit(self._cfg), *side
        ).with_outputs(_ROWS, main="accumulators")
        statistics = results.accumulators | "MergeStatistics" >> beam.CombineGlobally(
            MergeStatistics()
        )
        rows = results[_ROWS] | "RowsPerFile" >> beam.CombinePerKey(sum)
        return statistics | "ReconcileRowCounts" >> beam.Map(
            reconcile, beam.pvalue.AsDict(rows), self._cfg.format, self._rows_output
        )
