"""core.tfdv_native gives TFDV's own answers without importing TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2

pytestmark = pytest.mark.slow

NATIVE_RUN = """
import sys
from tensorflow_metadata.proto.v0 import statistics_pb2, schema_pb2
from dataguard.core import tfdv_native
folder = sys.argv[1]
def load(name, proto):
    message = proto()
    message.ParseFromString(open(f"{folder}/{name}", "rb").read())
    return message
stats = {n: load(n + ".pb", statistics_pb2.DatasetFeatureStatisticsList)
         for n in ("train", "batch_a", "skewed")}
schema = load("schema.pb", schema_pb2.Schema)
assert tfdv_native.native() is not None
out = {
    "inferred": tfdv_native.infer_schema(stats["train"]),
    "schema": tfdv_native.validate_statistics(stats["batch_a"], schema, "TRAINING"),
    "drift": tfdv_native.validate_statistics(stats["batch_a"], schema, "TRAINING",
                                             baseline=stats["train"]),
    "skew": tfdv_native.validate_statistics(stats["train"], schema, "TRAINING",
                                            serving=stats["skewed"]),
}
for name, message in out.items():
    open(f"{folder}/native-{name}.pb", "wb").write(message.SerializeToString())
heavy = [m for m in ("tensorflow", "apache_beam") if m in sys.modules]
assert not heavy, heavy
"""


def test_native_answers_equal_tfdv_and_load_no_tensorflow(
    reference_stats, taxi_schema, tmp_path: Path
) -> None:
    import tensorflow_data_validation as tfdv

    train, batch_a = reference_stats("taxi/train.csv"), reference_stats("taxi/batch_a.csv")
    skewed = reference_stats("taxi/batch_b.csv")
    for name, message in (("train", train), ("batch_a", batch_a), ("skewed", skewed),
                          ("schema", taxi_schema)):
        (tmp_path / f"{name}.pb").write_bytes(message.SerializeToString())
    proc = subprocess.run([sys.executable, "-c", NATIVE_RUN, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]

    def native(name: str, proto):  # type: ignore[no-untyped-def]
        message = proto()
        message.ParseFromString((tmp_path / f"native-{name}.pb").read_bytes())
        return message

    assert native("inferred", schema_pb2.Schema) == tfdv.infer_schema(train)
    expected = {
        "schema": tfdv.validate_statistics(batch_a, taxi_schema, environment="TRAINING"),
        "drift": tfdv.validate_statistics(batch_a, taxi_schema, environment="TRAINING",
                                          previous_statistics=train),
        "skew": tfdv.validate_statistics(train, taxi_schema, environment="TRAINING",
                                         serving_statistics=skewed),
    }
    for name, want in expected.items():
        assert native(name, anomalies_pb2.Anomalies) == want, name
    assert len(expected["drift"].drift_skew_info) == 17


def test_without_the_extension_the_public_tfdv_api_gives_the_same_answer(
    reference_stats, taxi_schema, monkeypatch
) -> None:
    from dataguard.core import tfdv_native
    from dataguard.core.validate import infer, validate

    train, batch_a = reference_stats("taxi/train.csv"), reference_stats("taxi/batch_a.csv")
    fast = validate(batch_a, taxi_schema, baseline=train, serving=train)
    fast_schema = infer(train)
    monkeypatch.setattr(tfdv_native, "_LOADED", [None])
    assert tfdv_native.native() is None
    assert validate(batch_a, taxi_schema, baseline=train, serving=train) == fast
    assert infer(train) == fast_schema
