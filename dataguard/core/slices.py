"""Slices: the datasets of a statistics list, named as TFDV names them, and their config.

A batch computed with ``slice_by = ["payment_type"]`` is stored as TFDV's sliced statistics are:
one ``DatasetFeatureStatisticsList`` whose first dataset is the default slice ``All Examples``
(the whole batch) followed by one dataset per value of each slice column, named
``<column>_<value>`` (``payment_type_Cash``, ``trip_start_hour_5``), like TFDV's
``slicing_util.get_feature_value_slicer({column: None})``. Every reader of statistics takes the
whole batch through ``whole`` and a slice through ``slice_stats``, never ``datasets[0]``:

    whole(statistics).num_examples          # the whole batch, sliced or not
    slice_names(statistics)                 # ("payment_type_Cash", ...), in stored order
    slice_stats(statistics, "payment_type_Cash")   # its DatasetFeatureStatistics, or None
    SliceConfig.from_config(document, "taxi", flag=("payment_type",))

A row without a value of the column (an empty CSV cell, a tf.Example without the feature) is in
no value slice, only in ``All Examples``; a row with several values (a list feature) is in the
slice of each. Several columns slice separately (one set of slices per column, TFDV's separate
slice functions), never crossed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.core.names import dataset_table
from dataguard.errors import UsageError

DEFAULT_SLICE = "All Examples"
"""TFDV's name of the whole batch among slices (``constants.DEFAULT_SLICE_KEY``)."""
DEFAULT_MAX_SLICES = 100
"""More value slices than this in one batch is a high-cardinality column: a config mistake."""
_WHOLE_NAMES = (DEFAULT_SLICE, "")  # unsliced statistics have one dataset, often unnamed


# --- reading statistics ---------------------------------------------------------------------
def whole(statistics: Any) -> statistics_pb2.DatasetFeatureStatistics:
    """The whole batch: the default slice of sliced statistics, the one dataset of others
    (an empty dataset when there is none)."""
    for dataset in statistics.datasets:
        if dataset.name in _WHOLE_NAMES:
            return dataset
    if statistics.datasets:
        return statistics.datasets[0]
    return statistics_pb2.DatasetFeatureStatistics()


def slice_names(statistics: Any) -> tuple[str, ...]:
    """The value slices of the statistics (not the whole batch), in stored order."""
    first = whole(statistics)
    return tuple(d.name for d in statistics.datasets if d is not first and d.name)


def slice_stats(
    statistics: Any, name: str | None
) -> statistics_pb2.DatasetFeatureStatistics | None:
    """The dataset of slice ``name`` (None or ``All Examples``: the whole batch); None when the
    batch has no such slice."""
    if name in (None, *_WHOLE_NAMES):
        return whole(statistics)
    return next((d for d in statistics.datasets if d.name == name), None)


def as_list(dataset: statistics_pb2.DatasetFeatureStatistics
            ) -> statistics_pb2.DatasetFeatureStatisticsList:
    """One slice as unsliced statistics: what validation and the custom rules read."""
    out = statistics_pb2.DatasetFeatureStatisticsList()
    out.datasets.add().CopyFrom(dataset)
    return out


def slice_name(column: str, value: Any) -> str:
    """TFDV's name of the slice of ``column`` = ``value``: bytes as UTF-8, numbers as ``str``."""
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return f"{column}_{value}"


def column_of(name: str, columns: Iterable[str]) -> str | None:
    """The slice column ``name`` is a value slice of (the longest ``<column>_`` prefix)."""
    found = [c for c in columns if name.startswith(f"{c}_")]
    return max(found, key=len) if found else None


# --- config ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SliceConfig:
    """What to slice a dataset's batches by: ``[datasets.<name>] slice_by`` (a column or a list)
    and ``max_slices``; ``--slice-by`` (repeatable) beats the config."""

    columns: tuple[str, ...] = ()
    max_slices: int = DEFAULT_MAX_SLICES

    def __bool__(self) -> bool:
        return bool(self.columns)

    @classmethod
    def from_config(cls, document: Mapping[str, Any], dataset: str,
                    flag: Sequence[str] | None = None) -> SliceConfig:
        """``UsageError`` (one line naming the key) for a slice_by or max_slices that is not one."""
        table = dataset_table(document, dataset)
        where = f"config [datasets.{dataset}]"
        given: Any = list(flag) if flag else table.get("slice_by", [])
        if isinstance(given, str):
            given = [given]
        source = "--slice-by" if flag else f"{where} slice_by"
        if not isinstance(given, list) or not all(isinstance(c, str) and c for c in given):
            raise UsageError(f"{source}: must be a column name or a list of column names, "
                             f"got {given!r}")
        cap = table.get("max_slices", DEFAULT_MAX_SLICES)
        if isinstance(cap, bool) or not isinstance(cap, int | float) or not (
            isinstance(cap, int) or math.isfinite(cap)) or cap < 1 or cap != int(cap):
            raise UsageError(f"{where} max_slices: must be a whole number of slices (1 or more), "
                             f"got {cap!r}")
        return cls(tuple(dict.fromkeys(given)), int(cap))

    def refuse_unknown(self, known: Iterable[str], where: str) -> None:
        """Every slice column is one of ``known`` (the schema's features, the data's header):
        ``UsageError`` naming the column, before anything is computed or stored."""
        names = list(known)
        for column in self.columns:
            if column not in names:
                import difflib

                close = difflib.get_close_matches(column, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise UsageError(f"slice column {column!r} is not in {where}{hint}")


def too_many_slices(column: str, count: int, cap: int) -> UsageError:
    """The error of a slice column with more distinct values than ``max_slices``."""
    return UsageError(
        f"slice column {column!r}: {count} distinct values, more than max_slices = {cap}; "
        "slice by a low-cardinality column (or raise [datasets.<name>] max_slices)"
    )
