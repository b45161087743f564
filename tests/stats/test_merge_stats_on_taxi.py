"""A window's merged statistics equal the statistics of its batches' data taken whole.

``taxi/train.csv`` is split into three batches by rows; each is computed by the local engine,
as ``dataguard stats`` records batches, and ``core.merge_stats`` merges them. The whole file,
computed by the same engine, is the truth. Exact fields must be equal; approximate ones within
the tolerances docs/checks.md#window-baselines documents.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from dataguard.core.merge_stats import _cdf, _pieces, merge_statistics, window_statistics
from dataguard.io.sources import InputSpec
from dataguard.stats.local import compute_statistics

pytestmark = pytest.mark.slow

PARTS = 3
JSD_TOLERANCE = 0.01  # standard histograms, merged vs whole (taxi: at most 0.0073)


@pytest.fixture(scope="module")
def taxi_whole_and_parts(shared_data: Path, tmp_path_factory: pytest.TempPathFactory
                         ) -> tuple[Any, list[Any]]:
    source = shared_data / "taxi" / "train.csv"
    header, *rows = source.read_text().splitlines(keepends=True)
    folder = tmp_path_factory.mktemp("taxi-parts")
    cuts = [len(rows) * i // PARTS for i in range(PARTS + 1)]
    parts = []
    for i in range(PARTS):
        path = folder / f"part{i}.csv"
        path.write_text(header + "".join(rows[cuts[i]:cuts[i + 1]]))
        parts.append(compute_statistics(InputSpec(paths=(str(path),), format="csv")))
    whole = compute_statistics(InputSpec(paths=(str(source),), format="csv"))
    return whole, parts


def _features(stats: Any) -> dict[tuple[str, ...], Any]:
    return {tuple(f.path.step): f for f in stats.datasets[0].features}


def _histogram(numeric: Any, kind: int) -> Any:
    return next(h for h in numeric.histograms if h.type == kind)


def _jsd(p: list[float], q: list[float]) -> float:
    p = [x / sum(p) for x in p]
    q = [x / sum(q) for x in q]
    m = [(x + y) / 2 for x, y in zip(p, q, strict=True)]

    def kl(a: list[float]) -> float:
        return sum(x * math.log2(x / y) for x, y in zip(a, m, strict=True) if x > 0)

    return (kl(p) + kl(q)) / 2


def test_merged_counts_and_moments_equal_those_of_the_whole(taxi_whole_and_parts) -> None:
    whole, parts = taxi_whole_and_parts
    merged = merge_statistics(parts)
    assert merged.datasets[0].num_examples == whole.datasets[0].num_examples == 15002
    truth, got = _features(whole), _features(merged)
    assert list(got) == list(truth)
    for key, feature in truth.items():
        kind = feature.WhichOneof("stats")
        assert got[key].WhichOneof("stats") == kind and got[key].type == feature.type
        a, b = getattr(feature, kind), getattr(got[key], kind)
        for field in ("num_non_missing", "num_missing", "min_num_values", "max_num_values",
                      "tot_num_values"):
            assert getattr(b.common_stats, field) == getattr(a.common_stats, field), (key, field)
        assert b.common_stats.avg_num_values == pytest.approx(a.common_stats.avg_num_values)
        if kind == "num_stats":
            assert (b.min, b.max, b.num_zeros) == (a.min, a.max, a.num_zeros), key
            assert b.mean == pytest.approx(a.mean, rel=1e-9, abs=1e-12), key
            assert b.std_dev == pytest.approx(a.std_dev, rel=1e-9, abs=1e-12), key


def test_merged_top_values_and_rank_histograms_equal_the_whole_when_none_was_cut_off(
    taxi_whole_and_parts,
) -> None:
    whole, parts = taxi_whole_and_parts
    truth, got = _features(whole), _features(merge_statistics(parts))
    strings = [k for k, f in truth.items() if f.WhichOneof("stats") == "string_stats"]
    assert strings  # payment_type, company
    for key in strings:
        a, b = truth[key].string_stats, got[key].string_stats
        assert b.unique == a.unique
        assert b.avg_length == pytest.approx(a.avg_length, rel=1e-9)
        assert [(t.value, t.frequency) for t in b.top_values] == [
            (t.value, t.frequency) for t in a.top_values]
        assert [(r.label, r.sample_count) for r in b.rank_histogram.buckets] == [
            (r.label, r.sample_count) for r in a.rank_histogram.buckets]


def test_merged_histograms_are_within_the_documented_tolerance(taxi_whole_and_parts) -> None:
    whole, parts = taxi_whole_and_parts
    truth, got = _features(whole), _features(merge_statistics(parts))
    numeric = [k for k, f in truth.items() if f.WhichOneof("stats") == "num_stats"]
    for key in numeric:
        a, b = truth[key].num_stats, got[key].num_stats
        sa, sb = _histogram(a, 0), _histogram(b, 0)
        assert [e for x in sb.buckets for e in (x.low_value, x.high_value)] == pytest.approx(
            [e for x in sa.buckets for e in (x.low_value, x.high_value)])  # TFDV's grid
        counts = [x.sample_count for x in sb.buckets]
        assert sum(counts) == pytest.approx(sum(x.sample_count for x in sa.buckets))
        assert _jsd([x.sample_count for x in sa.buckets], counts) <= JSD_TOLERANCE, key
        qa, qb = _histogram(a, 1), _histogram(b, 1)
        assert len(qb.buckets) == len(qa.buckets)
        assert sum(x.sample_count for x in qb.buckets) == pytest.approx(
            sum(x.sample_count for x in qa.buckets))
        # the merged median is a median of the whole within one decile of its mass
        pieces = _pieces([qa])
        total = sum(p.count for p in pieces)
        below = _cdf(pieces, b.median - 1e-9 * max(1.0, abs(b.median))) / total
        at_or_below = _cdf(pieces, b.median) / total
        assert below <= 0.6 and at_or_below >= 0.4, (key, below, at_or_below, a.median, b.median)


def test_a_window_compares_num_examples_with_a_typical_batch(taxi_whole_and_parts) -> None:
    _, parts = taxi_whole_and_parts
    window = window_statistics(parts)
    sizes = [p.datasets[0].num_examples for p in parts]
    assert window.datasets[0].num_examples == round(sum(sizes) / len(sizes))
    fare = _features(window)[("fare",)].num_stats.common_stats
    assert fare.num_non_missing + fare.num_missing == sum(sizes)  # features keep exact counts
