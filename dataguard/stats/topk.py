"""Exact top-k values and unique counts, as TFDV's Beam path computes them, in one process.

TFDV's in-memory path estimates these with sketches (Misra-Gries, KMV); its Beam path
(``TopKUniquesStatsGenerator``) counts every value exactly. Users compare batches computed by
either engine, so the local engine must give the Beam numbers: this accumulator counts values
per feature with Arrow (``value_counts`` per record batch, ``group_by`` to merge), keeps the top
``max(num_top_values, num_rank_histogram_buckets)`` by (count, value) descending — the order of
``beam.combiners.Top`` over ``(count, value)`` tuples — and builds the protos with TFDV's own
``top_k_uniques_stats_util`` so the output is byte-for-byte the Beam one.

Only features TFDV runs top-k on are counted: STRING features (and, with a schema, categorical
INT ones — not used here: statistics are computed without a schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

_COMPACT_AFTER = 64  # partial count tables per feature before they are merged


@dataclass
class TopKAccumulator:
    """Per feature path (tuple of steps): partial ``(values, counts)`` tables, merged lazily."""

    parts: dict[tuple[str, ...], list[pa.Table]] = field(default_factory=dict)


class ExactTopKUniques:
    """A combiner (create / add_input / merge / extract_output) over TFDV record batches."""

    def __init__(self, tfdv: Any, num_top_values: int, num_rank_histogram_buckets: int,
                 frequency_threshold: int) -> None:
        self._tfdv = tfdv
        self._num_top_values = num_top_values
        self._num_rank_histogram_buckets = num_rank_histogram_buckets
        self._frequency_threshold = frequency_threshold
        self._string = tfdv.stats_util.statistics_pb2.FeatureNameStatistics.STRING

    def create_accumulator(self) -> TopKAccumulator:
        return TopKAccumulator()

    def add_input(self, acc: TopKAccumulator, record_batch: pa.RecordBatch) -> TopKAccumulator:
        from tfx_bsl.arrow import array_util

        arrow_util = self._tfdv.arrow_util
        for path, array, _ in arrow_util.enumerate_arrays(
            record_batch, example_weight_map=None, enumerate_leaves_only=True
        ):
            feature_type = self._tfdv.stats_util.get_feature_type_from_arrow_type(path, array.type)
            if feature_type != self._string:
                continue
            values, _ = array_util.flatten_nested(array, False)
            if len(values) == 0:
                continue
            counts = values.value_counts()
            table = pa.table(
                {"values": counts.field("values"), "counts": counts.field("counts")}
            )
            self._append(acc, path.steps(), table)
        return acc

    def merge_accumulators(self, accs: list[TopKAccumulator]) -> TopKAccumulator:
        result = TopKAccumulator()
        for acc in accs:
            for steps, tables in acc.parts.items():
                for table in tables:
                    self._append(result, steps, table)
        return result

    def compact(self, acc: TopKAccumulator) -> TopKAccumulator:
        """One count table per feature (what travels between Beam workers)."""
        acc.parts = {steps: [_merge(tables)] for steps, tables in acc.parts.items()}
        return acc

    def extract_output(self, acc: TopKAccumulator) -> Any:
        """A ``DatasetFeatureStatistics`` with top values, rank histogram and unique per feature."""
        util = self._tfdv.top_k_uniques_stats_util
        outputs = []
        keep = max(self._num_top_values, self._num_rank_histogram_buckets)
        for steps, tables in acc.parts.items():
            totals = _merge(tables)
            order = pc.sort_indices(
                totals, sort_keys=[("counts", "descending"), ("values", "descending")]
            )
            top = totals.take(order[:keep])
            pairs = [
                util.FeatureValueCount(value, count)
                for value, count in zip(
                    top.column("values").to_pylist(), top.column("counts").to_pylist(), strict=True
                )
            ]
            outputs.append(
                util.make_dataset_feature_stats_proto_topk_single(
                    feature_path_tuple=steps,
                    value_count_list=pairs,
                    is_weighted_stats=False,
                    num_top_values=self._num_top_values,
                    frequency_threshold=self._frequency_threshold,
                    num_rank_histogram_buckets=self._num_rank_histogram_buckets,
                )
            )
            outputs.append(
                util.make_dataset_feature_stats_proto_unique_single(
                    feature_path_tuple=steps, num_uniques=totals.num_rows
                )
            )
        return outputs

    def _append(self, acc: TopKAccumulator, steps: tuple[str, ...], table: pa.Table) -> None:
        tables = acc.parts.setdefault(steps, [])
        tables.append(table)
        if len(tables) >= _COMPACT_AFTER:
            acc.parts[steps] = [_merge(tables)]


def _merge(tables: list[pa.Table]) -> pa.Table:
    if len(tables) == 1:
        return tables[0]
    merged = pa.concat_tables(tables).group_by("values").aggregate([("counts", "sum")])
    return pa.table({"values": merged.column("values"), "counts": merged.column("counts_sum")})
