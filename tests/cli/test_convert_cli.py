"""`dataguard convert csv-to-tfrecord`: exit codes, one-line errors, text and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataguard.cli.main import main


def test_convert_prints_one_json_object_and_exits_0(
    penguin: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    output = tmp_path / "penguin.tfrecord"
    assert main(["convert", "csv-to-tfrecord", str(penguin / "train.csv"), str(output),
                 "--format", "json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["rows"] == 334
    assert result["outputs"] == [str(output)] and output.stat().st_size > 0
    assert result["column_types"]["species"] == "INT"


def test_convert_text_output_names_rows_and_files(
    penguin: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    output = tmp_path / "p.gz"
    assert main(["convert", "csv-to-tfrecord", str(penguin / "train.csv"), str(output),
                 "--shards", "2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "converted 334 rows" in out and "p-00001-of-00002.gz" in out


def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture
):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,caf\xe9\n")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["convert", "csv-to-tfrecord", str(bad), str(out / "x.tfrecord")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("dataguard: error:") and "bad.csv" in err and "\n" not in err
    assert list(out.iterdir()) == []


def test_missing_input_and_bad_flags_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture):
    out = str(tmp_path / "x.tfrecord")
    assert main(["convert", "csv-to-tfrecord", str(tmp_path / "nope.csv"), out]) == 2
    assert "nope.csv" in capsys.readouterr().err
    csv = tmp_path / "a.csv"
    csv.write_text("a\n1\n")
    assert main(["convert", "csv-to-tfrecord", str(csv), out, "--shards", "0"]) == 2
    assert "--shards 0" in capsys.readouterr().err
    assert main(["convert", "csv-to-tfrecord", str(csv), out, "--runner=DataflowRunner"]) == 2
    assert "--engine beam" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
