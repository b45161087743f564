"""`dataguard stats` on the command line: output, exit codes, bad input, concurrent writers."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.store import open_store
from tests.stats.helpers import encode_examples, write_tfrecord

DATAGUARD = [sys.executable, "-m", "dataguard"]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", "sqlite:///store.db", "--artifacts", "artifacts", "stats", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _state(workdir: Path) -> tuple[list[str], list[str]]:
    files = sorted(str(p) for p in (workdir / "artifacts").rglob("*") if p.is_file())
    store = open_store(f"sqlite:///{workdir / 'store.db'}")
    try:
        with store.read() as q:
            batches = [f"{d}/{b.name}" for d in q.list_datasets() for b in q.list_batches(d)]
    finally:
        store.dispose()
    return files, batches


def test_json_output_is_one_object_with_the_stored_batch(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "penguin", "day1", "--input", str(penguin / "train.csv"),
                        "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["dataset"] == "penguin" and result["batch"] == "day1"
    assert result["role"] == "training" and result["num_examples"] == 334
    assert result["engine"] == "local"
    assert Path(result["artifact"]).is_file()


def test_text_output_summarises_rows_features_and_artifact(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "penguin", "day1", "--input", str(penguin / "tfrecord"),
                        "--role", "serving")
    assert code == 0
    assert out.splitlines()[0].startswith("penguin/day1 (serving): 334 examples, 5 features")
    assert "artifact: " in out


def test_a_second_run_is_refused_with_exit_2_unless_replace(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["penguin", "day1", "--input", str(penguin / "train.csv")]
    assert _cli(capsys, *args)[0] == 0
    code, out, err = _cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.strip() == ("dataguard: error: batch 'day1' of dataset 'penguin' (training) "
                           "is already stored; pass --replace to recompute it")
    assert _cli(capsys, *args, "--replace")[0] == 0


def _bad_inputs(tmp: Path) -> dict[str, tuple[str, str]]:
    """name → (input argument, what the one-line error must say)."""
    tmp.mkdir(exist_ok=True)
    files = {
        "empty.csv": b"",
        "header.csv": b"a,b\n",
        "ragged.csv": b"a,b\n1,2\n3\n",
        "quote.csv": b'a,b\n1,"2\n3,4\n',
        "latin1.csv": b"a,b\n1,caf\xe9\n",
    }
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    gz = gzip.compress(b"a,b\n" + b"1,2\n" * 2000)
    (tmp / "cut.csv.gz").write_bytes(gz[: len(gz) // 2])
    records = write_tfrecord(tmp / "crc.tfrecord", encode_examples({"x": [[1], [2]]}))
    data = bytearray(records.read_bytes())
    data[-6] ^= 0xFF
    records.write_bytes(bytes(data))
    truncated = write_tfrecord(tmp / "short.tfrecord", encode_examples({"x": [[1], [2]]}))
    truncated.write_bytes(truncated.read_bytes()[:-5])
    return {
        "missing": (str(tmp / "nope.csv"), "nope.csv: no such file"),
        "empty-glob": (str(tmp / "*.parquet"), "glob matches no file"),
        "empty": (str(tmp / "empty.csv"), "empty.csv: empty file"),
        "header-only": (str(tmp / "header.csv"), "header.csv: no data rows"),
        "ragged": (str(tmp / "ragged.csv"), "ragged.csv: line 3: expected 2 fields, found 1"),
        "unterminated-quote": (str(tmp / "quote.csv"), "quote.csv: line 2: unexpected end"),
        "not-utf8": (str(tmp / "latin1.csv"), "latin1.csv: line 2: bytes are not UTF-8"),
        "corrupt-gzip": (str(tmp / "cut.csv.gz"), "cut.csv.gz: "),
        "bad-crc": (str(tmp / "crc.tfrecord"), "crc.tfrecord: record 2: bad data checksum"),
        "truncated": (str(tmp / "short.tfrecord"), "short.tfrecord: record 2: truncated"),
    }


BAD = ["missing", "empty-glob", "empty", "header-only", "ragged", "unterminated-quote",
       "not-utf8", "corrupt-gzip", "bad-crc", "truncated"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    assert _cli(capsys, "penguin", "day1", "--input", str(penguin / "train.csv"))[0] == 0
    before = _state(workdir)
    path, message = _bad_inputs(workdir / "bad")[case]
    code, out, err = _cli(capsys, "penguin", "day2", "--input", path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("dataguard: error: ") and message in err
    assert _state(workdir) == before


@pytest.mark.slow
def test_bad_input_in_a_real_process_prints_one_line_and_exits_2(workdir: Path) -> None:
    (workdir / "ragged.csv").write_text("a,b\n1,2\n3\n")
    proc = subprocess.run(
        [*DATAGUARD, "stats", "t", "b", "--input", "ragged.csv"],
        capture_output=True, text=True, timeout=120, env=_env(workdir),
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "dataguard: error: ragged.csv: line 3: expected 2 fields, found 1"
    ]
    assert not (workdir / ".dataguard" / "artifacts").exists()


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAGUARD_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


@pytest.mark.slow
def test_two_processes_store_different_batches_of_a_dataset_at_once(
    workdir: Path, store_url: str, taxi: Path
) -> None:
    procs = [
        subprocess.Popen(
            [*DATAGUARD, "--store", store_url, "--artifacts", str(workdir / "artifacts"),
             "stats", "taxi", name, "--input", str(taxi / source), "--format", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(workdir),
        )
        for name, source in (("a", "batch_a.csv"), ("b", "batch_b.csv"))
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    assert sorted(json.loads(out)["num_examples"] for out, _ in outputs) == [5000, 10000]
    store = open_store(store_url)
    try:
        with store.read() as q:
            assert sorted(b.name for b in q.list_batches("taxi")) == ["a", "b"]
    finally:
        store.dispose()


@pytest.mark.slow
def test_the_artifact_is_what_tfdv_load_statistics_reads(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tensorflow_data_validation as tfdv

    code, out, _ = _cli(capsys, "penguin", "day1", "--input", str(penguin / "train.csv"),
                        "--format", "json")
    assert code == 0
    loaded = tfdv.load_statistics(json.loads(out)["artifact"])
    assert loaded.datasets[0].num_examples == 334


def test_tab_separated_files_take_a_typed_tab_delimiter(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "data.tsv").write_text("a\tb\n1\tx, y\n2\tz\n")
    code, out, err = _cli(capsys, "t", "b1", "--input", "data.tsv", "--delimiter", "\\t",
                          "--format", "json")
    assert code == 0, err
    assert json.loads(out)["num_examples"] == 2


def test_run_reads_its_inputs_as_stats_does(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run`` shares ``stats``'s input options (``cli.inputs``): a typed ``\\t`` delimiter and
    column names with spaces after the commas work in both."""
    (workdir / "day1.tsv").write_text("a\tb\n1\tx\n2\ty\n3\tx\n")
    (workdir / "day2.tsv").write_text("2\tx\n3\ty\n1\tx\n")  # no header line
    code, _, err = _cli(capsys, "t", "d1", "--input", "day1.tsv", "--delimiter", "\\t")
    assert code == 0, err
    store = ["--store", "sqlite:///store.db", "--artifacts", "artifacts"]
    assert main([*store, "schema", "infer", "t"]) == 0
    capsys.readouterr()
    code = main([*store, "run", "t", "d2", "--input", "day2.tsv", "--delimiter", "\\t",
                 "--column-names", "a, b", "--no-baseline", "--format", "json", "--no-hooks"])
    out, err = capsys.readouterr()
    assert code == 0, err
    checked = json.loads(out)
    assert (checked["num_examples"], checked["anomalies"]) == (3, [])  # "b" is "b"


def test_local_engine_refuses_beam_pipeline_options(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(capsys, "penguin", "day1", "--input", str(penguin / "train.csv"),
                        "--runner=DataflowRunner")
    assert code == 2
    assert "--runner=DataflowRunner (Beam pipeline options need --engine beam)" in err
