"""Big taxi CSVs for benchmarks: ``taxi/train.csv`` replicated with a bit of noise.

    python -m benchmarks.datagen /tmp/taxi_1m.csv 1000000

Numeric columns get multiplicative noise (±5 %, integer columns rounded) so values are not just
copies; missing cells stay missing; strings are kept. Files are written to a temp folder by
``benchmarks/run.py`` and never committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    import os

    for candidate in (
        Path(os.environ.get("DATAGUARD_SHARED_DATA", "/nonexistent")),
        REPO.parent / "shared" / "data",
        Path("/work/shared/data"),
    ):
        if (candidate / "taxi" / "train.csv").is_file():
            return candidate
    raise SystemExit("shared data not found: set DATAGUARD_SHARED_DATA")


def build_taxi_csv(path: Path, rows: int, seed: int = 0) -> Path:
    """Write ``rows`` rows of noisy replicated taxi trips to ``path`` (streaming, bounded)."""
    base = pacsv.read_csv(shared_data() / "taxi" / "train.csv")
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with pacsv.CSVWriter(str(path), base.schema) as writer:
        while written < rows:
            take = min(base.num_rows, rows - written)
            chunk = base.slice(0, take)
            columns = []
            for field, column in zip(chunk.schema, chunk.columns, strict=True):
                if pa.types.is_floating(field.type) or (
                    pa.types.is_integer(field.type) and field.name not in _IDS
                ):
                    noise = pa.array(rng.uniform(0.95, 1.05, take))
                    noisy = pc.multiply(pc.cast(column, pa.float64()), noise)
                    if pa.types.is_integer(field.type):
                        noisy = pc.cast(pc.round(noisy), field.type)
                    else:
                        noisy = pc.round(noisy, 6)
                    columns.append(noisy)
                else:
                    columns.append(column)
            writer.write_table(pa.table(columns, schema=base.schema))
            written += take
    return path


# Identifier-like integer columns keep their values (noise would make them meaningless).
_IDS = {"pickup_census_tract", "dropoff_census_tract", "pickup_community_area",
        "dropoff_community_area", "trip_start_timestamp", "trip_start_month", "trip_start_day",
        "trip_start_hour"}


if __name__ == "__main__":  # pragma: no cover
    build_taxi_csv(Path(sys.argv[1]), int(sys.argv[2]))
