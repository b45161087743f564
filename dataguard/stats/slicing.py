"""Statistics per slice (TFDV's feature-value slicing), as one combiner over record batches.

    combiner = sliced(StatisticsCombiner(tfdv), SliceConfig(("payment_type",)))
    acc = combiner.add_input(combiner.create_accumulator(), batch)   # whole batch + each slice
    combiner.extract_output(acc)   # DatasetFeatureStatisticsList: All Examples, payment_type_…

Why a wrapper and not TFDV's slicing: the engines feed one accumulator per worker and chunk
(``stats.local``, ``stats.beam_fast``); slicing there keeps them streaming. Each record batch
goes whole into the ``All Examples`` accumulator and, grouped by the values of each slice column
(``Arrow`` dictionary codes, one stable sort), row subsets into one accumulator per slice, all
merged at the end like the unsliced ones. Names, missing values and multi-valued rows follow
``tfdv.utils.slicing_util.get_feature_value_slicer`` (``core.slices``); more than
``max_slices`` values of a column is a ``UsageError`` as soon as a worker sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataguard.core.slices import (
    DEFAULT_SLICE,
    SliceConfig,
    slice_name,
    too_many_slices,
    whole,
)
from dataguard.errors import BadInputError


@dataclass
class SlicedAccumulator:
    """The whole batch's accumulator and one per ``(column, slice name)``."""

    whole: Any
    slices: dict[tuple[str, str], Any] = field(default_factory=dict)


class SlicedCombiner:
    """A ``StatisticsCombiner`` per slice; the same five methods, the same output type."""

    def __init__(self, inner: Any, config: SliceConfig) -> None:
        self._inner = inner
        self._config = config

    def create_accumulator(self) -> SlicedAccumulator:
        return SlicedAccumulator(self._inner.create_accumulator())

    def add_input(self, acc: SlicedAccumulator, batch: pa.RecordBatch) -> SlicedAccumulator:
        inner = self._inner
        acc.whole = inner.add_input(acc.whole, batch)
        for column in self._config.columns:
            for name, rows in slice_rows(batch, column):
                key = (column, name)
                part = acc.slices.get(key)
                if part is None:
                    part = inner.create_accumulator()
                acc.slices[key] = inner.add_input(part, batch.take(rows))
            self._refuse_too_many(acc, column)
        return acc

    def merge_accumulators(self, accs: list[SlicedAccumulator]) -> SlicedAccumulator:
        inner = self._inner
        keys = dict.fromkeys(key for acc in accs for key in acc.slices)
        merged = SlicedAccumulator(inner.merge_accumulators([acc.whole for acc in accs]), {
            key: inner.merge_accumulators([acc.slices[key] for acc in accs if key in acc.slices])
            for key in keys
        })
        for column in self._config.columns:
            self._refuse_too_many(merged, column)
        return merged

    def compact(self, acc: SlicedAccumulator) -> SlicedAccumulator:
        return SlicedAccumulator(self._inner.compact(acc.whole),
                                 {key: self._inner.compact(a) for key, a in acc.slices.items()})

    def extract_output(self, acc: SlicedAccumulator) -> Any:
        """``All Examples`` first, then the slices by column (config order) and name."""
        out = self._inner.extract_output(acc.whole)
        everything = whole(out)
        everything.name = DEFAULT_SLICE
        typed = {_key(f): f for f in everything.features}
        order = {column: i for i, column in enumerate(self._config.columns)}
        for column, name in sorted(acc.slices, key=lambda k: (order.get(k[0], len(order)), k[1])):
            dataset = out.datasets.add()
            dataset.CopyFrom(whole(self._inner.extract_output(acc.slices[(column, name)])))
            dataset.name = name
            for feature in dataset.features:
                _type_like(feature, typed.get(_key(feature)))
        return out

    def _refuse_too_many(self, acc: SlicedAccumulator, column: str) -> None:
        count = sum(1 for c, _ in acc.slices if c == column)
        if count > self._config.max_slices:
            raise too_many_slices(column, count, self._config.max_slices)


def _key(feature: Any) -> tuple[str, ...]:
    return tuple(feature.path.step) or (feature.name,)


def _type_like(feature: Any, whole: Any | None) -> None:
    """A feature without values in a slice takes the whole batch's type. TFDV types CSV columns
    over the whole input, so its slices of an empty-looking column are still INT or FLOAT; the
    engines type each block (a column empty in every block of a slice comes out untyped)."""
    kind = feature.WhichOneof("stats")
    if whole is None or kind is None or kind == whole.WhichOneof("stats"):
        return
    common = getattr(feature, kind).common_stats
    if common.num_non_missing:
        return
    kept = type(common)()
    kept.CopyFrom(common)
    feature.ClearField(kind)
    feature.type = whole.type
    getattr(feature, str(whole.WhichOneof("stats"))).common_stats.CopyFrom(kept)


def sliced(combiner: Any, config: SliceConfig | None) -> Any:
    """``combiner`` itself when nothing is sliced, else its sliced wrapper."""
    return SlicedCombiner(combiner, config) if config else combiner


def slice_rows(batch: pa.RecordBatch, column: str) -> Iterator[tuple[str, pa.Array]]:
    """``(slice name, row indices)`` of each value of ``column`` in ``batch``: rows in order,
    each once; rows without a value in none. No such column: no slices (TFDV's slicer too)."""
    index = batch.schema.get_field_index(column)
    if index < 0:
        return
    from tfx_bsl.arrow import array_util

    values, parents = array_util.flatten_nested(batch.column(index), True)
    if len(values) == 0:
        return
    encoded = pc.dictionary_encode(values)
    codes = np.asarray(encoded.indices.fill_null(-1))
    parents = np.asarray(parents)
    order = np.argsort(codes, kind="stable")  # rows stay in order within a value
    codes, parents = codes[order], parents[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    dictionary = encoded.dictionary
    for start, end in zip(starts, ends, strict=True):
        code = int(codes[start])
        if code < 0:  # a null inside a list: no value
            continue
        rows = parents[start:end]
        rows = rows[np.r_[True, rows[1:] != rows[:-1]]]  # a value twice in one row: once
        yield _name(column, dictionary[code].as_py()), pa.array(rows)


def _name(column: str, value: Any) -> str:
    try:
        return slice_name(column, value)
    except UnicodeDecodeError:
        raise BadInputError(
            f"slice column {column!r}: value {value[:40]!r} is not UTF-8 text; TFDV names "
            "slices by their values, so slice by a text or number column"
        ) from None
