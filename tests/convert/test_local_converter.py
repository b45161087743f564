"""The local converter writes TFRecord of tf.Example that TFDV and TensorFlow read like the CSV."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from dataguard.errors import BadInputError, UsageError
from dataguard.service.convert import csv_to_tfrecord
from tests.convert.conftest import local_statistics
from tests.convert.parity import assert_same_statistics

SCHEMA = """
feature { name: "id" type: BYTES }
feature { name: "fare" type: FLOAT }
"""


def _examples(paths: list[str]) -> list[Any]:
    import tensorflow as tf

    dataset = tf.data.TFRecordDataset(
        paths, compression_type="GZIP" if paths[0].endswith(".gz") else ""
    )
    return [tf.train.Example.FromString(record.numpy()) for record in dataset]


def _kinds(example: Any) -> dict[str, str]:
    return {name: f.WhichOneof("kind") for name, f in example.features.feature.items()}


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text("id,fare,company\n7,1.5,Flash Cab\n8,,\n9,3,Taxi Affiliation\n")
    return path


@pytest.mark.slow
def test_round_trip_statistics_of_the_taxi_tfrecord_equal_those_of_the_csv(
    shared_data: Path, tmp_path: Path, taxi_csv_statistics: Any
):
    output = tmp_path / "out" / "taxi.tfrecord.gz"
    result = csv_to_tfrecord(str(shared_data / "taxi" / "train.csv"), str(output), shards=3)
    assert result.rows == 15002
    assert [Path(p).name for p in result.outputs] == [
        f"taxi.tfrecord-0000{i}-of-00003.gz" for i in range(3)
    ]
    assert sorted(p.name for p in output.parent.iterdir()) == sorted(
        Path(p).name for p in result.outputs
    )
    stats = local_statistics([str(output.parent / "*.gz")], input_format="tfrecord")
    assert_same_statistics(stats, taxi_csv_statistics)


@pytest.mark.slow
def test_types_follow_tfdv_inference_and_missing_values_are_absent_features(
    small_csv: Path, tmp_path: Path
):
    output = tmp_path / "small.tfrecord"
    result = csv_to_tfrecord(str(small_csv), str(output))
    assert result.column_types == {"id": "INT", "fare": "FLOAT", "company": "STRING"}
    assert result.compression is None
    first, second, third = _examples([str(output)])  # plain TFRecord that TensorFlow reads
    assert _kinds(first) == {"id": "int64_list", "fare": "float_list", "company": "bytes_list"}
    assert _kinds(second) == {"id": "int64_list"}
    assert list(third.features.feature["company"].bytes_list.value) == [b"Taxi Affiliation"]
    assert list(third.features.feature["fare"].float_list.value) == [3.0]


@pytest.mark.slow
def test_a_schema_decides_the_feature_types_of_the_columns_it_names(
    small_csv: Path, tmp_path: Path
):
    schema = tmp_path / "schema.pbtxt"
    schema.write_text(SCHEMA)
    output = tmp_path / "typed.gz"
    result = csv_to_tfrecord(str(small_csv), str(output), schema=str(schema))
    assert result.compression == "gzip"
    assert result.column_types == {"id": "STRING", "fare": "FLOAT", "company": "STRING"}
    with gzip.open(output) as handle:  # really gzip
        assert handle.read(1)
    first = _examples([str(output)])[0]
    assert list(first.features.feature["id"].bytes_list.value) == [b"7"]


def test_shard_names_keep_a_trailing_gz_last():
    from dataguard.convert.local import shard_paths

    assert shard_paths("out/data.gz", 2) == [
        "out/data-00000-of-00002.gz",
        "out/data-00001-of-00002.gz",
    ]
    assert shard_paths("out/data", 2, gzip=True)[1] == "out/data-00001-of-00002.gz"
    assert shard_paths("out/data.tfrecord", 1, gzip=True) == ["out/data.tfrecord"]


def test_bad_csv_is_bad_input_and_writes_nothing(tmp_path: Path):
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BadInputError, match="ragged.csv"):
        csv_to_tfrecord(str(bad), str(out / "x.tfrecord"), shards=2)
    assert list(out.iterdir()) == []


def test_a_value_that_contradicts_the_schema_is_bad_input_and_writes_nothing(
    small_csv: Path, tmp_path: Path
):
    schema = tmp_path / "schema.pbtxt"
    schema.write_text('feature { name: "company" type: INT }')
    out = tmp_path / "out"
    with pytest.raises(BadInputError, match="company"):
        csv_to_tfrecord(str(small_csv), str(out / "x.tfrecord"), schema=str(schema))
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shards": 0}, "--shards 0"),
        ({"compression": "zstd"}, "--compression"),
        ({"engine": "spark"}, "--engine"),
        ({"pipeline_args": ("--runner=DataflowRunner",)}, "need --engine beam"),
        ({"schema": "/nonexistent/schema.pbtxt"}, "--schema /nonexistent"),
    ],
)
def test_bad_usage_is_a_usage_error(small_csv: Path, tmp_path: Path, kwargs: dict, message: str):
    with pytest.raises(UsageError, match=message):
        csv_to_tfrecord(str(small_csv), str(tmp_path / "x.tfrecord"), **kwargs)
