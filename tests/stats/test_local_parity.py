"""The local engine gives exactly the statistics of TFDV's Beam path (floats within 1e-9).

References come from ``tfdv.generate_statistics_from_csv`` / ``_from_tfrecord`` run in the test
session (see ``tfdv_reference``); the comparison covers every field of every feature: counts,
mean/std/min/max, top values and their counts, uniques, histograms and quantiles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataguard.io.sources import resolve_inputs
from dataguard.stats.local import compute_statistics
from tests.stats.helpers import assert_statistics_match, feature_map, quoted_csv

pytestmark = pytest.mark.slow


def test_taxi_csv_matches_tfdv(taxi: Path, tfdv_reference: Any) -> None:
    path = str(taxi / "train.csv")
    actual = compute_statistics(resolve_inputs([path]))
    assert actual.datasets[0].num_examples == 15_002
    assert_statistics_match(actual, tfdv_reference("csv", path))


def test_penguin_tfrecord_shards_match_tfdv(penguin: Path, tfdv_reference: Any) -> None:
    pattern = str(penguin / "tfrecord" / "*.gz")
    actual = compute_statistics(resolve_inputs([pattern]))
    assert actual.datasets[0].num_examples == 334
    assert_statistics_match(actual, tfdv_reference("tfrecord", pattern))


def test_taxi_tfrecord_shards_match_tfdv(taxi: Path, tfdv_reference: Any) -> None:
    pattern = str(taxi / "tfrecord" / "*.gz")
    actual = compute_statistics(resolve_inputs([pattern]))
    assert_statistics_match(actual, tfdv_reference("tfrecord", pattern))


@pytest.mark.parametrize("delimiter", [",", ";"], ids=["comma", "semicolon"])
def test_quoted_fields_with_delimiters_inside_match_tfdv(
    tmp_path_factory: pytest.TempPathFactory, tfdv_reference: Any, delimiter: str
) -> None:
    path = quoted_csv(tmp_path_factory.mktemp("quoted") / "data.csv", delimiter)
    actual = compute_statistics(resolve_inputs([str(path)], delimiter=delimiter))
    assert_statistics_match(actual, tfdv_reference("csv", str(path), delimiter))
    tops = {v.value for v in feature_map(actual)["company"].string_stats.top_values}
    assert {"Acme, Inc.", 'Taxi "Best" Co', "Blue; Line"} <= tops


def test_quoted_fields_may_span_lines(tmp_path: Path) -> None:
    # TFDV's own CSV path splits on newlines first and cannot read these; we follow RFC 4180.
    path = tmp_path / "notes.csv"
    path.write_text('id,note\n1,"first line\nsecond line"\n2,plain\n3,"a, b"\n')
    stats = compute_statistics(resolve_inputs([str(path)]))
    assert stats.datasets[0].num_examples == 3
    note = feature_map(stats)["note"].string_stats
    assert note.unique == 3
    assert "first line\nsecond line" in {v.value for v in note.top_values}


def test_a_column_that_widens_late_gives_tfdv_numbers(
    tmp_path_factory: pytest.TempPathFactory, tfdv_reference: Any
) -> None:
    # The first float comes after the first block: the speculative pass restarts.
    path = tmp_path_factory.mktemp("widen") / "late.csv"
    with path.open("w") as f:
        f.write("n,s\n")
        f.writelines(f"{i % 1000},{i % 7}\n" for i in range(20_000))
        f.write("2.5,x\n")
    actual = compute_statistics(resolve_inputs([str(path)]), block_size=16 << 10)
    features = feature_map(actual)
    assert features["n"].type == features["n"].FLOAT
    assert features["s"].type == features["s"].STRING
    assert_statistics_match(actual, tfdv_reference("csv", str(path)))
