"""Hostile inputs end in one line and the right exit code, or (a BOM) are simply read (issue 11).

Each test reproduces an input that used to crash or mislead: a spreadsheet's UTF-8 byte order
mark, a TFRecord length field claiming 1 TiB, a tf.Example with invalid UTF-8 (protobuf's C++
parser logged on stderr), ``/dev/null`` and a header of empty names.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.io.tfrecord import frame_records, masked_crc32c

DATAGUARD = [sys.executable, "-m", "dataguard"]
BOM = b"\xef\xbb\xbf"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", "sqlite:///store.db", "--artifacts", "artifacts", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _artifacts(workdir: Path) -> list[Path]:
    return sorted(p for p in (workdir / "artifacts").rglob("*") if p.is_file())


def _stored_sha256(capsys: pytest.CaptureFixture[str], batch: str, *args: str) -> str:
    import json

    code, out, err = _cli(capsys, "stats", "taxi", batch, "--format", "json", *args)
    assert code == 0, err
    return str(json.loads(out)["sha256"])


def _one_error_line(err: str, *parts: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dataguard: error: "), err
    for part in parts:
        assert part in lines[0], err


def _example(key: bytes, value: int) -> bytes:
    """A serialized tf.Example with one int64 feature, written by hand (any key bytes)."""

    def field(tag: int, payload: bytes) -> bytes:
        assert len(payload) < 128
        return bytes([tag, len(payload)]) + payload

    int64_list = b"\x08" + bytes([value])
    entry = field(0x0A, key) + field(0x12, field(0x1A, int64_list))
    return field(0x0A, field(0x0A, entry))


# --- 1. a UTF-8 byte order mark ------------------------------------------------------------------
def _with_bom(source: Path, target: Path) -> Path:
    target.write_bytes(BOM + source.read_bytes())
    return target


def test_a_csv_starting_with_a_bom_has_the_statistics_of_the_same_csv_without_it(
    workdir: Path, taxi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = _with_bom(taxi / "batch_b.csv", workdir / "bom.csv")
    with_bom = _stored_sha256(capsys, "bom", "--input", str(bom))
    plain = _stored_sha256(capsys, "plain", "--input", str(taxi / "batch_b.csv"))
    assert with_bom == plain


def test_a_gzipped_csv_starting_with_a_bom_is_read_as_well(
    workdir: Path, taxi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = workdir / "bom.csv.gz"
    bom.write_bytes(gzip.compress(BOM + (taxi / "batch_b.csv").read_bytes()))
    assert _stored_sha256(capsys, "bom", "--input", str(bom)) == _stored_sha256(
        capsys, "plain", "--input", str(taxi / "batch_b.csv")
    )


@pytest.mark.slow
def test_the_beam_engine_strips_the_bom_too(
    workdir: Path, taxi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = _with_bom(taxi / "batch_b.csv", workdir / "bom.csv")
    with_bom = _stored_sha256(capsys, "bom", "--engine", "beam", "--input", str(bom))
    plain = _stored_sha256(
        capsys, "plain", "--engine", "beam", "--input", str(taxi / "batch_b.csv")
    )
    assert with_bom == plain


@pytest.mark.parametrize("engine", ["local", pytest.param("beam", marks=pytest.mark.slow)])
def test_csv_to_tfrecord_strips_the_bom(
    workdir: Path, taxi: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    from tfx_bsl.coders.example_coder import ExamplesToRecordBatchDecoder

    from dataguard.io.sources import resolve_inputs
    from dataguard.io.tfrecord import iter_records

    bom = _with_bom(taxi / "batch_b.csv", workdir / "bom.csv")
    outputs = []
    for name, source in (("bom", bom), ("plain", taxi / "batch_b.csv")):
        out = workdir / f"{name}.tfrecord"
        code, _, err = _cli(capsys, "convert", "csv-to-tfrecord", str(source), str(out),
                            "--engine", engine)
        assert code == 0, err
        files = sorted(workdir.glob(f"{name}.tfrecord*"))
        spec = resolve_inputs([str(f) for f in files], "tfrecord")
        records = [r for p in spec.paths for r in iter_records(spec, p)]
        outputs.append(ExamplesToRecordBatchDecoder().DecodeBatch(records).to_pydict())
    assert outputs[0] == outputs[1]


# --- 2. a TFRecord length field claiming 1 TiB ---------------------------------------------------
@pytest.mark.parametrize("engine", ["local", pytest.param("beam", marks=pytest.mark.slow)])
def test_a_tfrecord_length_of_a_tebibyte_is_bad_input_naming_the_record(
    workdir: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    good = frame_records([_example(b"a", 1)])
    length = struct.pack("<Q", 1 << 40)
    bad = length + struct.pack("<I", masked_crc32c(length)) + b"x" * 64
    (workdir / "huge.tfrecord.gz").write_bytes(gzip.compress(good + bad))
    code, out, err = _cli(capsys, "stats", "t", "b", "--input", "huge.tfrecord.gz",
                          "--engine", engine)
    assert code == 2 and out == ""
    _one_error_line(err, "huge.tfrecord.gz: record 2: length 1099511627776 bytes")
    assert _artifacts(workdir) == []


def test_a_truncated_record_claiming_a_large_length_is_read_in_slices(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataguard.io.tfrecord as tfrecord

    monkeypatch.setattr(tfrecord, "_READ_SLICE", 16)
    length = struct.pack("<Q", 1 << 30)
    data = length + struct.pack("<I", masked_crc32c(length)) + b"x" * 100
    (workdir / "short.tfrecord").write_bytes(data)
    code, _, err = _cli(capsys, "stats", "t", "b", "--input", "short.tfrecord")
    assert code == 2
    _one_error_line(err, "short.tfrecord: record 1: truncated record")


# --- 3. invalid UTF-8 in a tf.Example, valid CRCs ------------------------------------------------
def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAGUARD_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local", "beam"])
def test_a_tf_example_with_invalid_utf8_is_one_line_on_stderr_of_the_real_process(
    workdir: Path, engine: str
) -> None:
    payloads = [_example(b"a", 1), _example(b"\xff", 2), _example(b"a", 3)]
    (workdir / "bad.tfrecord").write_bytes(frame_records(payloads))
    proc = subprocess.run(
        [*DATAGUARD, "stats", "t", "b", "--input", "bad.tfrecord", "--engine", engine],
        capture_output=True, text=True, timeout=180, env=_env(), cwd=workdir,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    # both engines name the record, in the same words
    assert proc.stderr.splitlines() == [
        "dataguard: error: bad.tfrecord: record 2: not a tf.Example: DATA_LOSS: Unable to parse "
        "example."
    ]


def test_other_writes_to_stderr_while_decoding_are_passed_on(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from dataguard.io.tfrecord import protobuf_log_captured

    with protobuf_log_captured():
        os.write(2, b"[libprotobuf ERROR wire_format_lite.cc:618] String field ...\n")
        os.write(2, b"something else\n")
    assert capfd.readouterr().err == "something else\n"


# --- 4. say what is actually wrong ---------------------------------------------------------------
def test_dev_null_is_not_a_regular_file_rather_than_missing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(capsys, "stats", "t", "b", "--input", "/dev/null")
    assert code == 2
    _one_error_line(err, "/dev/null: not a regular file")
    assert "no such file" not in err


@pytest.mark.parametrize("engine", ["local", pytest.param("beam", marks=pytest.mark.slow)])
def test_a_header_of_empty_names_is_not_an_empty_file(
    workdir: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    (workdir / "commas.csv").write_text(",,,,\n1,2,3,4,5\n")
    code, _, err = _cli(capsys, "stats", "t", "b", "--input", "commas.csv", "--engine", engine)
    assert code == 2
    _one_error_line(err, "commas.csv: line 1: the header names no column (5 empty fields)")
    assert "empty file" not in err


def test_an_empty_file_is_still_an_empty_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "empty.csv").write_text("")
    code, _, err = _cli(capsys, "stats", "t", "b", "--input", "empty.csv")
    assert code == 2
    _one_error_line(err, "empty.csv: empty file (no header line)")


def test_the_statistics_of_a_bom_file_match_byte_for_byte(workdir: Path, taxi: Path) -> None:
    """The reader itself: the same record batches with and without the BOM."""
    from dataguard.io.csv import read_record_batches
    from dataguard.io.sources import resolve_inputs

    bom = _with_bom(taxi / "train.csv", workdir / "bom.csv")

    def digest(path: Path) -> str:
        spec = resolve_inputs([str(path)])
        h = hashlib.sha256()
        for batch in read_record_batches(spec):
            h.update(str(batch.schema).encode())
            for column in batch.columns:
                h.update(str(column.to_pylist()).encode())
        return h.hexdigest()

    assert digest(bom) == digest(taxi / "train.csv")
