"""``core.merge_stats`` on small text protos: what is exact, and how the approximations err."""

from __future__ import annotations

import pytest
from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.core.merge_stats import merge_statistics, window_statistics


def _stats(text: str) -> statistics_pb2.DatasetFeatureStatisticsList:
    return text_format.Parse(text, statistics_pb2.DatasetFeatureStatisticsList())


def _numeric(n: int, mean: float, std: float, low: float, high: float) -> str:
    return f"""datasets {{ num_examples: {n} features {{ path {{ step: "x" }} type: FLOAT
      num_stats {{ common_stats {{ num_non_missing: {n} min_num_values: 1 max_num_values: 1
        avg_num_values: 1 tot_num_values: {n} }}
        mean: {mean} std_dev: {std} min: {low} max: {high}
        histograms {{ buckets {{ low_value: {low} high_value: {high} sample_count: {n} }} }}
      }} }} }}"""


def _strings(n: int, unique: int, counts: dict[str, int]) -> str:
    buckets = "".join(
        f'buckets {{ low_rank: {i} high_rank: {i} label: "{v}" sample_count: {c} }}'
        for i, (v, c) in enumerate(counts.items()))
    return f"""datasets {{ num_examples: {n} features {{ path {{ step: "s" }} type: STRING
      string_stats {{ common_stats {{ num_non_missing: {n} tot_num_values: {n}
        min_num_values: 1 max_num_values: 1 }}
        unique: {unique} avg_length: 1 rank_histogram {{ {buckets} }} }} }} }}"""


def test_pooled_mean_and_std_are_those_of_the_union() -> None:
    # {0, 2} (mean 1, std 1) and {4, 6, 8} (mean 6, std sqrt(8/3)): union mean 4, var 8
    merged = merge_statistics([_stats(_numeric(2, 1, 1, 0, 2)),
                               _stats(_numeric(3, 6, (8 / 3) ** 0.5, 4, 8))])
    x = merged.datasets[0].features[0].num_stats
    assert (merged.datasets[0].num_examples, x.min, x.max) == (5, 0, 8)
    assert (x.mean, x.std_dev) == (pytest.approx(4), pytest.approx(8 ** 0.5))
    assert sum(b.sample_count for b in x.histograms[0].buckets) == pytest.approx(5)


def test_a_feature_absent_from_a_batch_is_missing_in_all_its_examples() -> None:
    other = _stats('datasets { num_examples: 7 features { path { step: "y" } type: INT '
                   'num_stats { common_stats { num_non_missing: 7 } } } }')
    merged = merge_statistics([other, _stats(_numeric(3, 1, 0, 1, 1))])
    x = next(f for f in merged.datasets[0].features if f.path.step == ["x"])
    assert (x.num_stats.common_stats.num_non_missing, x.num_stats.common_stats.num_missing) == (
        3, 7)


def test_counts_cut_off_by_a_batch_top_k_make_unique_a_lower_bound() -> None:
    # the first batch kept only its top 2 of 3 values: "c" (1 there) is lost from it
    cut = _stats(_strings(6, 3, {"a": 3, "b": 2}))
    full = _stats(_strings(3, 2, {"c": 2, "a": 1}))
    s = merge_statistics([cut, full]).datasets[0].features[0].string_stats
    counts = {b.label: b.sample_count for b in s.rank_histogram.buckets}
    assert counts == {"a": 4, "b": 2, "c": 2}  # true "c" is 3: merged counts never overcount
    assert s.unique == 3 and s.common_stats.num_non_missing == 9


def test_a_window_keeps_feature_counts_but_a_typical_num_examples() -> None:
    window = window_statistics([_stats(_numeric(2, 1, 1, 0, 2)), _stats(_numeric(4, 1, 1, 0, 2))])
    assert window.datasets[0].num_examples == 3
    assert window.datasets[0].features[0].num_stats.common_stats.num_non_missing == 6


def test_nothing_to_merge_is_an_error() -> None:
    with pytest.raises(ValueError, match="no statistics"):
        merge_statistics([])
