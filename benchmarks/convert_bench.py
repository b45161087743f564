"""CSV → TFRecord: dataguard's converter vs the per-row ``tf.train.Example`` loop of the TFDV book.

    python -m benchmarks.convert_bench                 # 200k taxi rows (replicated train.csv)
    python -m benchmarks.convert_bench --rows 1000000  # or any size; --quick for 20k rows

Both write gzipped TFRecord of the same tf.Examples (same column types, missing values absent)
from the same CSV in the same run; timings start after imports (TensorFlow is imported for the
book loop only). Prints rows/s of each and the ratio. Generated files live in a temp folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def dataguard_converter(csv: Path, output: Path) -> tuple[int, float]:
    import tfx_bsl.coders.example_coder  # noqa: F401

    import dataguard.convert.local  # noqa: F401  - imports before the clock starts
    import dataguard.io.csv  # noqa: F401
    from dataguard.service.convert import csv_to_tfrecord

    started = time.perf_counter()
    result = csv_to_tfrecord(str(csv), str(output), compression="gzip")
    return result.rows, time.perf_counter() - started


def book_loop(csv: Path, output: Path, types: dict[str, str]) -> tuple[int, float]:
    """The TFDV/TFX book recipe: pandas rows → tf.train.Example → SerializeToString → writer."""
    import pandas as pd
    import tensorflow as tf

    started = time.perf_counter()
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    rows = 0
    with tf.io.TFRecordWriter(str(output), options="GZIP") as writer:
        for record in frame.to_dict("records"):
            feature = {}
            for name, value in record.items():
                if value == "":
                    continue  # missing: absent feature, as dataguard writes it
                kind = types.get(name, "STRING")
                if kind == "INT":
                    feature[name] = tf.train.Feature(
                        int64_list=tf.train.Int64List(value=[int(value)])
                    )
                elif kind == "FLOAT":
                    feature[name] = tf.train.Feature(
                        float_list=tf.train.FloatList(value=[float(value)])
                    )
                else:
                    feature[name] = tf.train.Feature(
                        bytes_list=tf.train.BytesList(value=[value.encode()])
                    )
            example = tf.train.Example(features=tf.train.Features(feature=feature))
            writer.write(example.SerializeToString())
            rows += 1
    return rows, time.perf_counter() - started


def run(rows: int, workdir: Path | None = None) -> dict[str, Any]:
    """Run both on one generated CSV; returns the figures (also printed)."""
    from benchmarks.datagen import build_taxi_csv

    with tempfile.TemporaryDirectory(prefix="dataguard-convert-bench-") as tmp:
        folder = Path(workdir or tmp)
        csv = build_taxi_csv(folder / f"taxi_{rows}.csv", rows)
        from dataguard.io.csv import infer_column_types
        from dataguard.io.sources import resolve_inputs

        types = infer_column_types(resolve_inputs([str(csv)]))
        ours_rows, ours_s = dataguard_converter(csv, folder / "dataguard.tfrecord.gz")
        import tensorflow  # noqa: F401  - imported before the clock starts, like ours

        book_rows, book_s = book_loop(csv, folder / "book.tfrecord.gz", types)
        assert ours_rows == book_rows == rows, (ours_rows, book_rows, rows)
        figures = {
            "rows": rows,
            "dataguard_seconds": round(ours_s, 2),
            "dataguard_rows_per_s": round(rows / ours_s),
            "book_loop_seconds": round(book_s, 2),
            "book_loop_rows_per_s": round(rows / book_s),
            "speedup": round(book_s / ours_s, 1),
            "dataguard_bytes": (folder / "dataguard.tfrecord.gz").stat().st_size,
            "book_loop_bytes": (folder / "book.tfrecord.gz").stat().st_size,
        }
    print(
        f"convert {rows:,} rows (gzip TFRecord): dataguard {figures['dataguard_rows_per_s']:,} "
        f"rows/s ({ours_s:.2f} s), tf.train.Example loop {figures['book_loop_rows_per_s']:,} "
        f"rows/s ({book_s:.2f} s): {figures['speedup']}x faster"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="20k rows")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    run(20_000 if args.quick else args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
