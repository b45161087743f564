"""TFRecord of tf.Example is read without TensorFlow, every CRC checked, gzip or not."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pytest

from dataguard.errors import BadInputError
from dataguard.io.sources import resolve_inputs
from dataguard.io.tfrecord import read_record_batches
from tests.stats.helpers import encode_examples, write_tfrecord


def _examples(n: int = 5) -> list[bytes]:
    return encode_examples({"x": [[i] for i in range(n)], "s": [[b"a"]] * n})


def _read(path: Path, **kwargs: object) -> pa.Table:
    spec = resolve_inputs([str(path)], input_format="tfrecord")
    return pa.Table.from_batches(list(read_record_batches(spec, **kwargs)))


def test_plain_and_gzipped_files_decode_to_the_same_examples(tmp_path: Path) -> None:
    plain = _read(write_tfrecord(tmp_path / "a.tfrecord", _examples()))
    zipped = _read(write_tfrecord(tmp_path / "a.tfrecord.gz", _examples(), gz=True))
    assert plain.equals(zipped)
    assert plain.column("x").to_pylist() == [[0], [1], [2], [3], [4]]


def test_many_files_stream_in_bounded_batches(taxi: Path) -> None:
    spec = resolve_inputs([str(taxi / "tfrecord" / "*.gz")])
    batches = list(read_record_batches(spec, batch_records=4000))
    assert sum(b.num_rows for b in batches) == 15_000
    assert max(b.num_rows for b in batches) <= 4000


def test_a_bad_data_checksum_names_the_record(tmp_path: Path) -> None:
    path = write_tfrecord(tmp_path / "a.tfrecord", _examples())
    data = bytearray(path.read_bytes())
    data[-6] ^= 0xFF  # inside the last record's payload
    path.write_bytes(bytes(data))
    with pytest.raises(BadInputError, match=r"a\.tfrecord: record 5: bad data checksum"):
        _read(path)


def test_a_truncated_file_names_the_record(tmp_path: Path) -> None:
    path = write_tfrecord(tmp_path / "a.tfrecord", _examples())
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(BadInputError, match=r"a\.tfrecord: record 5: truncated record"):
        _read(path)


def test_a_corrupt_gzip_is_bad_input(tmp_path: Path) -> None:
    path = write_tfrecord(tmp_path / "a.tfrecord.gz", _examples(200), gz=True)
    data = path.read_bytes()
    path.write_bytes(data[:20] + bytes(b ^ 0x5A for b in data[20:60]) + data[60:])
    with pytest.raises(BadInputError, match=r"a\.tfrecord\.gz: record \d+: "):
        _read(path)


def test_a_file_that_is_not_tfrecord_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord"
    path.write_bytes(b"pickup,fare\n1,2\n" * 10)
    with pytest.raises(BadInputError, match=r"a\.tfrecord: record 1: bad length checksum"):
        _read(path)


def test_an_empty_file_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(BadInputError, match=r"a\.tfrecord\.gz: no records"):
        _read(path)


def test_a_payload_that_is_not_a_tf_example_names_the_record(tmp_path: Path) -> None:
    path = write_tfrecord(tmp_path / "a.tfrecord", [*_examples(2), b"\xff\xff\xff"])
    with pytest.raises(BadInputError, match=r"a\.tfrecord: record 3: not a tf.Example"):
        _read(path)
