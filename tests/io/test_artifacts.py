"""Artifacts are written whole (temp name + rename), verified on read, local or gs://."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.errors import ArtifactError
from dataguard.io import artifacts


def _stats() -> statistics_pb2.DatasetFeatureStatisticsList:
    stats = statistics_pb2.DatasetFeatureStatisticsList()
    stats.datasets.add(num_examples=3).features.add(name="x")
    return stats


def test_write_then_read_round_trips_with_the_sha256(tmp_path: Path) -> None:
    uri = artifacts.join(str(tmp_path), "taxi", "training", "b1", "stats-00000000.pb")
    sha = artifacts.write_atomic(uri, _stats().SerializeToString())
    assert artifacts.read_statistics(uri, sha) == _stats()
    assert os.listdir(Path(uri).parent) == ["stats-00000000.pb"]  # no temp file left


def test_statistics_artifacts_are_one_tfrecord_record_and_plain_protos_still_read() -> None:
    data = artifacts.encode_statistics(_stats())
    assert data[12:-4] == _stats().SerializeToString(deterministic=True)
    assert artifacts.parse_statistics(data) == _stats()
    assert artifacts.parse_statistics(_stats().SerializeToString()) == _stats()
    with pytest.raises(ArtifactError, match="not a DatasetFeatureStatisticsList"):
        artifacts.parse_statistics(b"\xff\xff\xff")


def test_a_changed_artifact_fails_its_sha256_check(tmp_path: Path) -> None:
    uri = str(tmp_path / "stats.pb")
    sha = artifacts.write_atomic(uri, _stats().SerializeToString())
    Path(uri).write_bytes(Path(uri).read_bytes()[:-1])
    with pytest.raises(ArtifactError, match="sha256 does not match"):
        artifacts.read_statistics(uri, sha)


def test_a_missing_artifact_is_an_artifact_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot read artifact"):
        artifacts.read_statistics(str(tmp_path / "gone.pb"))


def test_an_unwritable_location_is_an_artifact_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArtifactError, match="cannot write artifact"):
        artifacts.write_atomic(str(tmp_path / "file" / "stats.pb"), b"data")


def test_delete_is_quiet_for_a_missing_file(tmp_path: Path) -> None:
    artifacts.delete(str(tmp_path / "gone.pb"))


def test_gs_artifacts_go_through_beam_filesystems(fake_gcs: Path) -> None:
    uri = artifacts.join("gs://bucket/artifacts", "taxi", "training", "b1", "stats-1.pb")
    assert uri == "gs://bucket/artifacts/taxi/training/b1/stats-1.pb"
    sha = artifacts.write_atomic(uri, _stats().SerializeToString())
    local = fake_gcs / "bucket" / "artifacts" / "taxi" / "training" / "b1"
    assert os.listdir(local) == ["stats-1.pb"]
    assert artifacts.read_statistics(uri, sha) == _stats()
    artifacts.delete(uri)
    assert not artifacts.exists(uri)
