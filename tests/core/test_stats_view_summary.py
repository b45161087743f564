"""The dashboard's view of statistics protos: summary rows, distances, most-changed ordering."""

from __future__ import annotations

import sys

import pytest
from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.core import stats_view as sv

BASE = """
datasets {
  num_examples: 100
  features {
    path { step: "fare" } type: FLOAT
    num_stats {
      common_stats { num_non_missing: 90 num_missing: 10 tot_num_values: 90 }
      mean: 5.0 std_dev: 2.0 min: 1.0 median: 4.5 max: 10.0 num_zeros: 0
      histograms { buckets { low_value: 0 high_value: 5 sample_count: 45 }
                   buckets { low_value: 5 high_value: 10 sample_count: 45 } }
      histograms { type: QUANTILES
                   buckets { low_value: 0 high_value: 5 sample_count: 45 }
                   buckets { low_value: 5 high_value: 10 sample_count: 45 } }
    }
  }
  features {
    path { step: "payment_type" } type: STRING
    string_stats {
      common_stats { num_non_missing: 100 tot_num_values: 100 }
      unique: 2
      top_values { value: "Cash" frequency: 60 }
      top_values { value: "Card" frequency: 40 }
      rank_histogram { buckets { label: "Cash" sample_count: 60 }
                       buckets { low_rank: 1 high_rank: 1 label: "Card" sample_count: 40 } }
    }
  }
  features { path { step: "tract" } type: INT
    num_stats { common_stats { num_non_missing: 100 } mean: 3 } }
}
"""


def parse(text: str) -> sv.DatasetStats:
    return sv.dataset_stats(text_format.Parse(text, statistics_pb2.DatasetFeatureStatisticsList()))


def shifted() -> sv.DatasetStats:
    text = (
        BASE.replace('"Cash" frequency: 60', '"Cash" frequency: 30')
        .replace('"Cash" sample_count: 60', '"Cash" sample_count: 30')
        .replace("low_value: 5 high_value: 10 sample_count: 45",
                 "low_value: 5 high_value: 10 sample_count: 15")
        .replace('step: "tract" } type: INT', 'step: "tract" } type: FLOAT')
    )
    return parse(text)


def test_summary_rows_carry_count_missing_moments_and_unique() -> None:
    rows = {r["feature"]: r for r in sv.summary_rows(parse(BASE))}
    fare = rows["fare"]
    assert (fare["count"], fare["missing"], fare["missing %"]) == (90, 10, 10.0)
    assert (fare["mean"], fare["std"], fare["min"], fare["median"], fare["max"]) == (
        5.0, 2.0, 1.0, 4.5, 10.0)
    assert rows["payment_type"]["unique"] == 2 and rows["payment_type"]["mean"] is None


def test_a_batch_compared_with_itself_has_changed_nothing() -> None:
    same = parse(BASE)
    assert all(c.score == 0.0 and c.status == "changed" for c in sv.compare(same, same))


def test_type_changes_come_first_then_the_largest_distribution_change() -> None:
    changes = sv.compare(shifted(), parse(BASE))
    assert [c.feature for c in changes] == ["tract", "payment_type", "fare"]
    assert changes[0].status == "type changed" and changes[0].score == 1.0
    # Cash 0.6 → 0.3 of 100 values (Card stays 0.4): L-infinity 0.3
    assert changes[1].score == pytest.approx(0.3)
    # 45/60 of the mass is below 5 instead of 45/90: KS distance 0.25
    assert changes[2].score == pytest.approx(0.25)


def test_added_and_removed_features_score_one() -> None:
    base = parse(BASE)
    fewer = sv.DatasetStats(base.num_examples, base.features[:1])
    statuses = {c.feature: c.status for c in sv.compare(fewer, base)}
    assert statuses == {"fare": "changed", "payment_type": "removed", "tract": "removed"}
    assert {c.status for c in sv.compare(base, fewer) if c.score == 1.0} == {"added"}


def test_chart_rows_are_shares_so_batches_of_different_sizes_overlay() -> None:
    fare = parse(BASE).feature("fare")
    assert fare is not None
    assert [r["share"] for r in sv.histogram_rows(fare, "this batch")] == [0.5, 0.5]
    assert [r["quantile"] for r in sv.quantile_rows(fare, "x")] == [0.0, 0.5, 1.0]
    overlay = sv.overlay_top_values(
        [("this batch", shifted().feature("payment_type")),
         ("baseline", parse(BASE).feature("payment_type"))])
    assert {(r["side"], r["value"]): r["share"] for r in overlay} == {
        ("this batch", "Cash"): 0.3, ("this batch", "Card"): 0.4,
        ("baseline", "Cash"): 0.6, ("baseline", "Card"): 0.4}


def test_an_empty_statistics_list_has_no_features() -> None:
    assert sv.dataset_stats(statistics_pb2.DatasetFeatureStatisticsList()).features == ()


def test_the_view_needs_neither_tensorflow_nor_beam() -> None:
    import subprocess

    code = ("import sys, dataguard.core.stats_view\n"
            "assert not [m for m in ('tensorflow', 'apache_beam', 'tensorflow_data_validation')"
            " if m in sys.modules]")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
