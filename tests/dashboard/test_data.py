"""The dashboard's artifact access: verified bytes, both statistics forms, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.dashboard_app import data
from dataguard.errors import ArtifactError


def plain_statistics() -> bytes:
    stats = statistics_pb2.DatasetFeatureStatisticsList()
    stats.datasets.add(num_examples=7).features.add().path.step.append("fare")
    return stats.SerializeToString()


def test_a_changed_artifact_is_refused_by_its_sha256(tmp_path: Path) -> None:
    path = tmp_path / "stats.pb"
    path.write_bytes(plain_statistics())
    good = hashlib.sha256(path.read_bytes()).hexdigest()
    assert data.read_bytes(str(path), good) == path.read_bytes()
    with pytest.raises(ArtifactError, match="sha256 does not match"):
        data.read_bytes(str(path), "0" * 64)


def test_a_missing_artifact_names_its_location(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="gone.pb: cannot read"):
        data.read_bytes(str(tmp_path / "gone.pb"))


def test_plain_proto_statistics_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "plain.pb"
    path.write_bytes(plain_statistics())
    view = data.statistics.__wrapped__(str(path), None)  # type: ignore[attr-defined]
    assert view.num_examples == 7 and view.names == ("fare",)


def test_store_urls_are_shown_without_their_password() -> None:
    shown = data.safe_url("postgresql://dq:s3cret@db.internal:5432/dataguard")
    assert "s3cret" not in shown and "db.internal" in shown
