"""Sliced statistics on both engines are TFDV's sliced statistics (``get_feature_value_slicer``).

The reference is TFDV's own Beam path with ``experimental_slice_functions`` over the real taxi
trips sliced by ``payment_type``: the same datasets (``All Examples`` and one per value, named as
TFDV names them), the same counts, every feature compared as the unsliced parity tests compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dataguard.core.slices import DEFAULT_SLICE, SliceConfig, as_list, slice_names, slice_stats
from dataguard.errors import BadInputError, UsageError
from dataguard.io.sources import resolve_inputs
from dataguard.stats.local import compute_statistics
from dataguard.stats.slicing import slice_rows
from tests.stats.conftest import TFDV_PIPELINE_ARGS
from tests.stats.helpers import assert_statistics_match

BY_PAYMENT = SliceConfig(("payment_type",))


@pytest.fixture(scope="session")
def tfdv_sliced(shared_data: Path) -> Any:
    """TFDV's statistics of taxi/train.csv sliced by payment_type, computed once."""
    import tensorflow_data_validation as tfdv
    from apache_beam.options.pipeline_options import PipelineOptions
    from tensorflow_data_validation.utils import slicing_util

    options = tfdv.StatsOptions(experimental_slice_functions=[
        slicing_util.get_feature_value_slicer({"payment_type": None})])
    return tfdv.generate_statistics_from_csv(
        str(shared_data / "taxi" / "train.csv"), stats_options=options,
        pipeline_options=PipelineOptions(TFDV_PIPELINE_ARGS))


def assert_slices_match(actual: Any, expected: Any) -> None:
    assert actual.datasets[0].name == DEFAULT_SLICE  # the whole batch first, as stored
    assert sorted(d.name for d in actual.datasets) == sorted(d.name for d in expected.datasets)
    for dataset in expected.datasets:
        got = slice_stats(actual, dataset.name)
        assert got is not None and got.num_examples == dataset.num_examples, dataset.name
        assert_statistics_match(as_list(got), as_list(dataset))


@pytest.mark.slow
def test_local_engine_slices_taxi_by_payment_type_as_tfdv_does(taxi: Path,
                                                               tfdv_sliced: Any) -> None:
    actual = compute_statistics(resolve_inputs([str(taxi / "train.csv")]), slicing=BY_PAYMENT,
                                block_size=256 << 10)  # several blocks, both workers
    assert_slices_match(actual, tfdv_sliced)
    assert slice_stats(actual, "payment_type_Cash").num_examples == 9909


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_beam_fast_path_slices_taxi_by_payment_type_as_tfdv_does(
    taxi: Path, tfdv_sliced: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataguard.stats import chunks
    from dataguard.stats.beam import compute_statistics as beam_statistics

    monkeypatch.setattr(chunks, "CHUNK_BYTES", 256 << 10)  # several chunks, merged per slice
    actual = beam_statistics(resolve_inputs([str(taxi / "train.csv")]),
                             ("--runner=DirectRunner", "--direct_running_mode=in_memory"),
                             slicing=BY_PAYMENT)
    assert_slices_match(actual, tfdv_sliced)


def test_rows_without_a_value_are_in_no_value_slice_only_in_all_examples(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    path.write_text("color,size\nred,1\n,2\nblue,3\nred,\n,5\n")
    stats = compute_statistics(resolve_inputs([str(path)]),
                               slicing=SliceConfig(("color", "size")))
    assert stats.datasets[0].num_examples == 5
    counts = {name: slice_stats(stats, name).num_examples for name in slice_names(stats)}
    assert counts == {"color_blue": 1, "color_red": 2,  # two rows have no color
                      "size_1": 1, "size_2": 1, "size_3": 1, "size_5": 1}  # columns not crossed


def test_a_row_with_a_value_twice_is_in_its_slice_once() -> None:
    values = pa.array([[b"a", b"a", b"b"], None, [b"b"], []], pa.large_list(pa.large_binary()))
    batch = pa.RecordBatch.from_arrays([values], ["tags"])
    found = {name: rows.to_pylist() for name, rows in slice_rows(batch, "tags")}
    assert found == {"tags_a": [0], "tags_b": [0, 2]}
    assert list(slice_rows(batch, "missing")) == []  # TFDV's slicer: no column, no slices


def test_more_values_than_max_slices_is_exit_2_naming_column_and_count(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,x\n" + "".join(f"{i},{i % 3}\n" for i in range(12)))
    with pytest.raises(UsageError, match=r"slice column 'id': 1[12] distinct values, more than "
                                         r"max_slices = 10") as caught:
        compute_statistics(resolve_inputs([str(path)]), slicing=SliceConfig(("id",), 10))
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_a_value_that_is_not_utf8_cannot_name_a_slice() -> None:
    values = pa.array([[b"\xff\xfe"]], pa.large_list(pa.large_binary()))
    batch = pa.RecordBatch.from_arrays([values], ["raw"])
    with pytest.raises(BadInputError, match="slice column 'raw'.*not UTF-8"):
        list(slice_rows(batch, "raw"))
