"""Fixtures for statistics tests: TFDV references (computed once per session), fake gs://."""

from __future__ import annotations

from collections.abc import Callable
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
