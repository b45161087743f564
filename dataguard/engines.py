"""The engine port, and the one place where ``--engine local|beam`` becomes an engine.

A use case needs statistics of a batch (or a CSV converted) and should not care where the work
runs: in this process (``local``) or in a Beam pipeline on DirectRunner or Dataflow (``beam``,
with its pipeline options). The entry points (CLI, ``dataguard.compute_stats`` & co., jobs) pick
an engine and pass it down; the use cases only call it.

    engine = stats_engine("beam", ["--runner=DataflowRunner", "--project=acme-ml", ...])
    computed = engine.compute_statistics(spec)        # core.models.ComputedStatistics:
    computed.statistics                               #   a DatasetFeatureStatisticsList,
    computed.rows_per_file                            #   {"gs://b/day1.csv": 1000000, …}
    engine.remote                                     # True: workers off this machine
    converter("local").csv_to_tfrecord(spec, "out/day1.tfrecord.gz", column_types={},
                                       shards=1, gzip=True)

Implementations: ``stats.local.LocalStatsEngine``, ``stats.beam.BeamStatsEngine``,
``convert.local.LocalConverter``, ``convert.beam.BeamConverter``; each is imported only when
chosen, so choosing ``local`` never loads Beam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from dataguard.errors import UsageError

if TYPE_CHECKING:
    from dataguard.core.models import ComputedStatistics
    from dataguard.core.slices import SliceConfig
    from dataguard.io.sources import InputSpec

ENGINES = ("local", "beam")


class StatsEngine(Protocol):
    """Computes the statistics of one batch; where and how is the implementation's business."""

    @property
    def name(self) -> str:
        """``local`` or ``beam``: recorded with the batch."""

    @property
    def remote(self) -> bool:
        """True when the work runs on workers off this machine (they can't see local files)."""

    @property
    def pipeline_args(self) -> tuple[str, ...]:
        """The Beam pipeline options it runs with (none for the local engine)."""

    def compute_statistics(
        self, spec: InputSpec, slicing: SliceConfig | None = None
    ) -> ComputedStatistics:
        """The statistics of every example in ``spec``, with the rows read per file (they add
        up to ``num_examples``: the engine checked) and the engine's and runner's names; with
        ``slicing``, TFDV's sliced statistics (``All Examples`` first, then one per slice)."""


class Converter(Protocol):
    """Writes CSV rows as TFRecord files of tf.Example."""

    @property
    def name(self) -> str: ...

    @property
    def default_shards(self) -> int:
        """Output files when none are asked for: 1, or 0 to let a Beam runner choose."""

    def require_writable_output(self, output: str) -> None:
        """``UsageError`` for an output it cannot write, before any input is read."""

    def csv_to_tfrecord(
        self,
        spec: InputSpec,
        output: str,
        *,
        column_types: Mapping[str, str],
        shards: int,
        gzip: bool,
    ) -> tuple[list[str], int, dict[str, str]]:
        """(files written, rows written or -1 if unknown, the column types used)."""


def require_engine(engine: str, pipeline_args: Sequence[str]) -> None:
    """``--engine`` is known, and Beam options come only with the Beam engine."""
    if engine not in ENGINES:
        raise UsageError(f"--engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine == "local" and pipeline_args:
        raise UsageError(
            f"unrecognized arguments: {' '.join(pipeline_args)} "
            "(Beam pipeline options need --engine beam)"
        )


def stats_engine(
    engine: str | StatsEngine = "local",
    pipeline_args: Sequence[str] = (),
    locations: Sequence[str] | None = None,
) -> StatsEngine:
    """The statistics engine named ``engine`` (an engine object is returned as it is).

    ``locations``: every input and output the run reads or writes in this process; when all
    are local and so is the runner, Beam loads without its cloud connectors (``stats.lean_beam``:
    ~1 CPU-s less), as nothing here will need them.
    """
    if not isinstance(engine, str):
        _no_options_for(engine, pipeline_args)
        return engine
    require_engine(engine, pipeline_args)
    if engine == "local":
        from dataguard.stats.local import LocalStatsEngine

        return LocalStatsEngine()
    if locations is not None:
        from dataguard.stats import lean_beam

        if lean_beam.local_only(pipeline_args, locations):
            lean_beam.import_beam()
    from dataguard.stats.beam import BeamStatsEngine

    return BeamStatsEngine(tuple(pipeline_args))


def converter(engine: str | Converter = "local", pipeline_args: Sequence[str] = ()) -> Converter:
    """The CSV → TFRecord converter of engine ``engine`` (a converter is returned as it is)."""
    if not isinstance(engine, str):
        _no_options_for(engine, pipeline_args)
        return engine
    require_engine(engine, pipeline_args)
    if engine == "local":
        from dataguard.convert.local import LocalConverter

        return LocalConverter()
    from dataguard.convert.beam import BeamConverter

    return BeamConverter(tuple(pipeline_args))


def _no_options_for(engine: StatsEngine | Converter, pipeline_args: Sequence[str]) -> None:
    if pipeline_args:
        raise UsageError(
            f"pipeline options {' '.join(pipeline_args)}: give them with the engine's name; "
            f"the {engine.name} engine object has its own"
        )
