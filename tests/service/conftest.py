"""Service fixtures: settings on each store backend, and batches recorded from the shared CSVs
with the local engine (as `dataguard stats` records them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dataguard.config import Settings

STRICT = {"l_infinity": 0.01, "jensen_shannon": 0.01}  # the penguin skew of 0.032 fails


@pytest.fixture
def backend_settings(settings: Settings, store_url: str) -> Settings:
    """The test's settings on SQLite and, where it answers, PostgreSQL."""
    return replace(settings, store_url=store_url)


def with_config(settings: Settings, **document: Any) -> Settings:
    return replace(settings, document=document)


@pytest.fixture
def add_batch(shared_data: Path) -> Callable[..., None]:
    """``add_batch(settings, "penguin", "2026-11-01", "penguin/train.csv")``: local statistics."""
    from dataguard.service.stats import stats

    def add(settings: Settings, dataset: str, name: str, relative: str,
            role: str = "training") -> None:
        stats(dataset, name, [str(shared_data / relative)], role=role, settings=settings)

    return add


def store_rows(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, in primary-key order."""
    import sqlalchemy as sa

    from dataguard.store.engine import make_engine

    engine = make_engine(settings.store_url)
    try:
        with engine.connect() as conn:
            tables = sa.MetaData()
            tables.reflect(conn)
            return {
                name: [tuple(row) for row in conn.execute(
                    sa.select(table).order_by(*table.primary_key.columns))]
                for name, table in sorted(tables.tables.items())
            }
    finally:
        engine.dispose()


@pytest.fixture
def snapshot() -> Iterator[Callable[[Settings], dict[str, list[tuple[Any, ...]]]]]:
    yield store_rows
