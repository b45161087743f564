"""Helpers for statistics tests: proto comparison with float tolerance, small input files."""

from __future__ import annotations

import gzip
import math
import struct
from pathlib import Path
from typing import Any

from google.protobuf import text_format


def feature_map(stats: Any) -> dict[str, Any]:
    return {".".join(f.path.step) or f.name: f for f in stats.datasets[0].features}


def assert_statistics_match(actual: Any, expected: Any, *, rel: float = 1e-9,
                            sketch_rel: float = 1e-2) -> None:
    """Every field of every feature equal: counts, top values, uniques exactly; mean/std/min/max
    within ``rel``; quantile-sketch outputs (median, histogram bounds) within ``sketch_rel``,
    since TFDV's quantiles sketch depends on how the examples were batched."""
    assert len(actual.datasets) == len(expected.datasets) == 1
    assert actual.datasets[0].num_examples == expected.datasets[0].num_examples
    got, want = feature_map(actual), feature_map(expected)
    assert sorted(got) == sorted(want)
    for name, w in want.items():
        _assert_close(got[name], w, rel, sketch_rel, name)


def _assert_close(a: Any, b: Any, rel: float, sketch_rel: float, where: str) -> None:
    ta = text_format.MessageToString(a).splitlines()
    tb = text_format.MessageToString(b).splitlines()
    assert len(ta) == len(tb), (where, "\n".join(ta), "\n".join(tb))
    blocks: list[str] = []
    for la, lb in zip(ta, tb, strict=True):
        if la.endswith("{"):
            blocks.append(la.strip())
        elif la.strip() == "}":
            blocks.pop()
        if la == lb:
            continue
        ka, _, va = la.partition(": ")
        kb, _, vb = lb.partition(": ")
        assert ka == kb, (where, la, lb)
        sketch = ka.strip() == "median" or any(b.startswith("histograms") for b in blocks)
        tolerance = sketch_rel if sketch else rel
        assert math.isclose(float(va), float(vb), rel_tol=tolerance, abs_tol=1e-12), (
            where, la, lb
        )


def write_tfrecord(path: Path, payloads: list[bytes], *, gz: bool = False) -> Path:
    """Frame ``payloads`` as TFRecord (real CRCs), optionally gzipped."""
    from dataguard.io.tfrecord import masked_crc32c

    data = bytearray()
    for payload in payloads:
        length = struct.pack("<Q", len(payload))
        data += length + struct.pack("<I", masked_crc32c(length))
        data += payload + struct.pack("<I", masked_crc32c(payload))
    path.write_bytes(gzip.compress(bytes(data)) if gz else bytes(data))
    return path


def encode_examples(columns: dict[str, list[Any]]) -> list[bytes]:
    """Serialized tf.Examples of the given columns (lists of value lists), without TensorFlow."""
    import pyarrow as pa
    from tfx_bsl.coders.example_coder import RecordBatchToExamplesEncoder

    batch = pa.RecordBatch.from_pydict(columns)
    return list(RecordBatchToExamplesEncoder().encode(batch))


def quoted_csv(path: Path, delimiter: str, rows: int = 400) -> Path:
    """A CSV whose quoted fields hold delimiters and quotes (no newlines), some cells empty."""
    import csv
    import random

    rng = random.Random(7)
    companies = ["Acme, Inc.", 'Taxi "Best" Co', "Blue; Line", "plain", ""]
    with path.open("w", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["company", "fare", "trips", "note"])
        for i in range(rows):
            writer.writerow([
                rng.choice(companies),
                "" if i % 13 == 0 else f"{rng.uniform(1, 90):.2f}",
                rng.randint(0, 40),
                rng.choice(["a,b", "c;d", "x"]),
            ])
    return path


def lose_a_batch(monkeypatch: Any, number: int) -> None:
    """Make the statistics combiner drop its ``number``-th batch (1-based) in this process:
    the statistics then count fewer examples than the readers read."""
    from dataguard.stats.local import StatisticsCombiner

    add_input = StatisticsCombiner.add_input
    seen: list[int] = []

    def losing(self: Any, acc: Any, batch: Any) -> Any:
        seen.append(batch.num_rows)
        return acc if len(seen) == number else add_input(self, acc, batch)

    monkeypatch.setattr(StatisticsCombiner, "add_input", losing)
