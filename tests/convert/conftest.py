"""Converter fixtures: the taxi CSV's statistics (local engine, once per session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def local_statistics(patterns: list[str], **kwargs: Any) -> Any:
    from dataguard.io.sources import resolve_inputs
    from dataguard.stats.local import compute_statistics

    return compute_statistics(resolve_inputs(patterns, **kwargs))


@pytest.fixture(scope="session")
def taxi_csv_statistics(shared_data: Path) -> Any:
    return local_statistics([str(shared_data / "taxi" / "train.csv")])
