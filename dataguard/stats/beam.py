"""The Beam statistics engine: TFDV's ``GenerateStatistics`` over CSV or TFRecord, on any runner.

    stats = compute_statistics(resolve_inputs(["day1.csv"]))              # DirectRunner here
    stats = compute_statistics(spec, ["--runner=DataflowRunner", ...])    # the same, on Dataflow
    engine = BeamStatsEngine(("--runner=DataflowRunner", ...))           # the same, as the port

    with make_pipeline(args) as p:                                        # or build your own job
        _ = (p | "ReadExamples" >> ReadExamples(spec)
               | "ComputeStatistics" >> ComputeStatistics()
               | "WriteStatistics" >> tfdv.WriteStatisticsToBinaryFile(uri))

Reading (``ReadExamples``: files → Arrow RecordBatches, built offline, read on the workers) is
``stats.beam_read``; this module computes the statistics and runs pipelines. ``execute_pipeline``
is the one way dataguard runs a Beam pipeline (statistics, conversion, jobs): bad input found on
a worker surfaces as ``BadInputError`` naming the file and line/record, a dataguard error
raised on a worker as itself, any other failure as a one-line ``RunnerError``
(``stats.runner_errors``).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes

from dataguard.core.models import ComputedStatistics
from dataguard.core.tfdv_native import import_tfdv
from dataguard.errors import RunnerError
from dataguard.io.sources import is_remote
from dataguard.stats.beam_fast import ChunkInputs, ComputeChunkStatistics
from dataguard.stats.beam_read import BATCH_SIZE, ReadExamples
from dataguard.stats.pipeline_options import (
    is_local,
    make_pipeline,
    parse_options,
    runner_name,
    scratch_location,
)
from dataguard.stats.runner_errors import map_runner_errors

if TYPE_CHECKING:
    from tensorflow_metadata.proto.v0 import statistics_pb2

    from dataguard.core.slices import SliceConfig
    from dataguard.io.sources import InputSpec

__all__ = [
    "BATCH_SIZE",
    "BeamStatsEngine",
    "ComputeChunkStatistics",
    "ComputeStatistics",
    "ReadExamples",
    "ChunkInputs",
    "compute",
    "compute_statistics",
    "execute_pipeline",
]

_LOG = logging.getLogger(__name__)


class ComputeStatistics(beam.PTransform):
    """RecordBatches → one ``DatasetFeatureStatisticsList`` (``tfdv.GenerateStatistics``).

    Default ``StatsOptions`` are what ``tfdv.generate_statistics_from_*`` use (exact top-k and
    unique counts on Beam).
    """

    def __init__(self, options: Any = None):
        super().__init__()
        self._options = options

    def expand(self, record_batches: Any) -> Any:
        import_tfdv()
        from tensorflow_data_validation.api import stats_api
        from tensorflow_data_validation.statistics import stats_options

        options = self._options if self._options is not None else stats_options.StatsOptions()
        return record_batches | "GenerateStatistics" >> stats_api.GenerateStatistics(options)


_WORKER_LOGGERS = (
    "apache_beam.runners.common",
    "apache_beam.runners.worker.bundle_processor",
    "apache_beam.runners.worker.sdk_worker",
    "apache_beam.runners.portability.fn_api_runner.fn_runner",
)


@contextlib.contextmanager
def _quiet_worker_errors() -> Iterator[None]:
    """In-process workers log each failure with a traceback; we re-raise it as one line."""
    loggers = [logging.getLogger(name) for name in _WORKER_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def execute_pipeline(pipeline: Any, *, wait: bool = True, quiet: bool = True) -> Any:
    """Run (and by default wait for) ``pipeline``; errors come back as dataguard errors.

    ``quiet`` keeps in-process workers from logging each failure's traceback before it is
    re-raised as one line; ``wait=False`` returns once a remote runner has the job.
    """
    runner = runner_name(pipeline.options)
    hush = _quiet_worker_errors() if quiet else contextlib.nullcontext()
    state = None
    with map_runner_errors(runner), hush:
        result = pipeline.run()
        if wait:
            state = result.wait_until_finish()
    if state is not None and str(state).rsplit(".", 1)[-1] not in ("DONE", "RUNNING"):
        raise RunnerError(f"Beam runner {runner} ended in state {state}")
    return result


def compute_statistics(
    spec: InputSpec, pipeline_args: Sequence[str] = (), **options: Any
) -> statistics_pb2.DatasetFeatureStatisticsList:
    """Statistics of the batch in ``spec``, computed by a Beam pipeline on the named runner
    (``options``: those of ``compute``)."""
    return compute(spec, pipeline_args, **options).statistics


def compute(
    spec: InputSpec,
    pipeline_args: Sequence[str] = (),
    *,
    stats_options: Any = None,
    scratch_root: str | None = None,
    chunk_size: int | None = None,
    slicing: SliceConfig | None = None,
) -> ComputedStatistics:
    """``compute_statistics`` with the rows read per file (the fast path reconciles and reports
    them; TFDV's own path, for other ``stats_options``, does not: ``{}``). ``chunk_size``:
    bytes per CSV range (default ``stats.chunks.CHUNK_BYTES``; small ones are for tests).
    ``slicing``: sliced statistics on the fast path (``stats.slicing``, TFDV's feature-value
    slicing).

    The statistics (and rows per file) are written to a scratch folder (local temp, or
    ``--temp_location`` / ``scratch_root`` for remote runners) and read back.
    """
    from apache_beam.io.filesystems import FileSystems
    from tensorflow_metadata.proto.v0 import statistics_pb2

    options = parse_options(pipeline_args)
    folder = scratch_location(options, scratch_root)
    output = FileSystems.join(folder, "statistics.pb")
    rows_output = FileSystems.join(folder, "rows.json")
    local_inputs = not any(is_remote(path) for path in spec.paths)
    pipeline = make_pipeline(options, lean_workers=stats_options is None and local_inputs)
    if stats_options is None:  # the fast path: TFDV's default statistics, reconciled rows
        statistics = (
            pipeline
            | "ReadExamples" >> ChunkInputs(spec, chunk_size=chunk_size)
            | "ComputeStatistics" >> ComputeChunkStatistics(spec, rows_output=rows_output,
                                                          slicing=slicing)
        )
    else:  # other options (a schema, slicing, …): TFDV's own GenerateStatistics
        statistics = (
            pipeline
            | "ReadExamples" >> ReadExamples(spec)
            | "ComputeStatistics" >> ComputeStatistics(stats_options)
        )
    _ = statistics | "WriteStatistics" >> beam.Map(_write_statistics, output)
    execute_pipeline(pipeline)  # on failure nothing is cleaned up: don't touch a remote FS again
    rows: dict[str, int] = {}
    try:
        with FileSystems.open(output, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            data = handle.read()
        if stats_options is None:
            with FileSystems.open(rows_output, compression_type=CompressionTypes.UNCOMPRESSED) as f:
                rows = json.loads(f.read())
            _LOG.info("rows read per file: %s", rows)
    except OSError as exc:
        raise RunnerError(f"Beam runner wrote no statistics at {output}: {exc}") from None
    finally:
        _delete_quietly(FileSystems, folder)
    statistics = statistics_pb2.DatasetFeatureStatisticsList.FromString(data)
    return ComputedStatistics(statistics, rows, engine="beam", runner=runner_name(options))


def _write_statistics(statistics: Any, path: str) -> None:
    """The one statistics proto, as ``tfdv.WriteStatisticsToBinaryFile`` writes it (its
    transform would make every worker import TensorFlow to unpickle it)."""
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.create(path) as handle:
        handle.write(statistics.SerializeToString())


def _delete_quietly(filesystems: Any, folder: str) -> None:
    with contextlib.suppress(Exception):  # scratch clean-up must never hide the real outcome
        filesystems.delete([folder])


@dataclass(frozen=True)
class BeamStatsEngine:
    """The beam engine behind ``dataguard.engines.StatsEngine``: a pipeline on the runner that
    ``pipeline_args`` name (DirectRunner by default)."""

    pipeline_args: tuple[str, ...] = ()
    name = "beam"

    @property
    def remote(self) -> bool:
        """True unless the runner runs in this process (its workers can't read local files)."""
        return not is_local(parse_options(self.pipeline_args))

    def compute_statistics(
        self, spec: InputSpec, slicing: SliceConfig | None = None
    ) -> ComputedStatistics:
        return compute(spec, self.pipeline_args, slicing=slicing)
