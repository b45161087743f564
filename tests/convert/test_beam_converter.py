"""The Beam converter (DirectRunner here) writes the same tf.Examples as the local one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataguard.cli.main import main
from tests.convert.conftest import local_statistics
from tests.convert.parity import assert_same_statistics


@pytest.mark.slow
def test_beam_round_trip_statistics_of_the_taxi_tfrecord_equal_those_of_the_csv(
    shared_data: Path, tmp_path: Path, taxi_csv_statistics: Any, capsys: pytest.CaptureFixture
):
    output = tmp_path / "out" / "taxi.gz"
    code = main(
        [
            "convert", "csv-to-tfrecord", str(shared_data / "taxi" / "train.csv"), str(output),
            "--engine", "beam", "--shards", "2", "--format", "json",
            "--runner=DirectRunner", "--direct_running_mode=in_memory",
        ]
    )  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rows"] == 15002 and result["engine"] == "beam"
    written = sorted(p.name for p in output.parent.iterdir())
    assert written == ["taxi-00000-of-00002.gz", "taxi-00001-of-00002.gz"]
    assert [Path(p).name for p in result["outputs"]] == written
    stats = local_statistics([str(output.parent / "*.gz")], input_format="tfrecord")
    assert_same_statistics(stats, taxi_csv_statistics)


def test_the_conversion_job_builds_offline_with_stable_step_labels():
    import apache_beam as beam

    from dataguard.convert.beam import build_csv_to_tfrecord
    from dataguard.io.sources import InputSpec

    spec = InputSpec(paths=("gs://acme-ml-dataguard/raw/2026-11-24/*.csv",), format="csv")
    pipeline = beam.Pipeline()
    build_csv_to_tfrecord(pipeline, spec, "gs://acme-ml-dataguard/tfr/2026-11-24.gz", shards=8)
    labels = {t.full_label for t in pipeline.transforms_stack[0].parts[0].parts}
    assert labels == {
        "CsvToTFRecord/ReadExamples",
        "CsvToTFRecord/EncodeExamples",
        "CsvToTFRecord/WriteTFRecords",
    }


@pytest.mark.slow
def test_without_shards_the_beam_runner_chooses_and_the_result_lists_what_it_wrote(
    penguin: Path, tmp_path: Path
):
    from dataguard.service.convert import csv_to_tfrecord

    output = tmp_path / "penguin.tfrecord.gz"
    result = csv_to_tfrecord(
        str(penguin / "train.csv"),
        str(output),
        engine="beam",
        pipeline_args=("--runner=FnApiRunner",),
    )
    assert result.rows == 334 and result.compression == "gzip"
    assert result.outputs and all(Path(p).is_file() for p in result.outputs)
    assert sorted(str(p) for p in tmp_path.iterdir()) == list(result.outputs)
    assert all(p.endswith(".gz") and "-of-" in p for p in result.outputs)
    stats = local_statistics(list(result.outputs), input_format="tfrecord")
    assert stats.datasets[0].num_examples == 334
