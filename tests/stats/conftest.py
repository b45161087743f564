"""Fixtures for statistics tests: TFDV references (computed once per session), fake gs://."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TFDV_PIPELINE_ARGS = ["--runner=DirectRunner", "--direct_running_mode=in_memory"]


@pytest.fixture(scope="session")
def tfdv_reference() -> Callable[..., Any]:
    """``tfdv_reference("csv"|"tfrecord", pattern, delimiter=",")``: TFDV's own statistics of
    the input (its Beam path, ``generate_statistics_from_*``), computed once per session."""
    cache: dict[tuple[str, str, str], Any] = {}

    def compute(kind: str, pattern: str, delimiter: str = ",") -> Any:
        key = (kind, pattern, delimiter)
        if key not in cache:
            import tensorflow_data_validation as tfdv
            from apache_beam.options.pipeline_options import PipelineOptions

            options = PipelineOptions(TFDV_PIPELINE_ARGS)
            if kind == "csv":
                cache[key] = tfdv.generate_statistics_from_csv(
                    pattern, delimiter=delimiter, pipeline_options=options
                )
            else:
                cache[key] = tfdv.generate_statistics_from_tfrecord(
                    pattern, pipeline_options=options
                )
        return cache[key]

    return compute


@pytest.fixture
def fake_gcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Make ``gs://bucket/key`` resolve to ``<returned folder>/bucket/key`` through Beam's
    FileSystems (Beam's GCS filesystem is moved out of the way for the test)."""
    from apache_beam.io.gcp.gcsfilesystem import GCSFileSystem

    from tests.stats.fake_gcs import LocalBucketFileSystem

    root = tmp_path / "gcs"
    root.mkdir()
    monkeypatch.setattr(GCSFileSystem, "scheme", classmethod(lambda cls: "gs-real-disabled"))
    monkeypatch.setattr(LocalBucketFileSystem, "active_scheme", "gs")
    monkeypatch.setattr(LocalBucketFileSystem, "root", str(root))
    yield root
