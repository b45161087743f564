"""The Beam engine's fast path gives TFDV's statistics on every runner mode, reconciles rows.

References are TFDV's own ``generate_statistics_from_*`` (``tfdv_reference``); the comparison is
the strict one of the local engine's parity tests (every field; floats within 1e-9, quantile
sketch outputs within 1e-2 since TFDV's sketch depends on batching). CSVs are cut into small
byte ranges here (``CHUNK_BYTES``) so that several workers read one file.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from dataguard.errors import BadInputError, RunnerError
from dataguard.io.sources import resolve_inputs
from tests.stats.helpers import assert_statistics_match, feature_map, lose_a_batch, quoted_csv

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

IN_MEMORY = ("--runner=DirectRunner", "--direct_running_mode=in_memory")
MULTI = ("--direct_running_mode=multi_processing", "--direct_num_workers=2")
MODES = {"in_memory": IN_MEMORY, "multi_processing": MULTI}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    from dataguard.stats import chunks

    monkeypatch.setattr(chunks, "CHUNK_BYTES", 256 << 10)  # taxi/train.csv: 7 ranges
    return 256 << 10


def _beam(spec: Any, args: tuple[str, ...] = IN_MEMORY) -> Any:
    from dataguard.stats.beam import compute_statistics

    return compute_statistics(spec, args)


@pytest.mark.parametrize("mode", list(MODES))
def test_a_big_taxi_csv_read_as_byte_ranges_matches_tfdv(
    taxi: Path, tfdv_reference: Any, small_chunks: int, mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = str(taxi / "train.csv")
    with caplog.at_level(logging.INFO, logger="dataguard.stats.beam"):
        actual = _beam(resolve_inputs([path]), MODES[mode])
    assert actual.datasets[0].num_examples == 15_002
    assert_statistics_match(actual, tfdv_reference("csv", path))
    assert f"'{path}': 15002" in caplog.text  # rows read per file, in the log


@pytest.mark.parametrize("mode", list(MODES))
def test_taxi_tfrecord_shards_match_tfdv(taxi: Path, tfdv_reference: Any, mode: str) -> None:
    pattern = str(taxi / "tfrecord" / "*.gz")
    actual = _beam(resolve_inputs([pattern]), MODES[mode])
    assert actual.datasets[0].num_examples == 9988 + 5012
    assert_statistics_match(actual, tfdv_reference("tfrecord", pattern))


def test_penguin_tfrecord_shards_match_tfdv(penguin: Path, tfdv_reference: Any) -> None:
    pattern = str(penguin / "tfrecord" / "*.gz")
    actual = _beam(resolve_inputs([pattern]))
    assert actual.datasets[0].num_examples == 334
    assert_statistics_match(actual, tfdv_reference("tfrecord", pattern))


def test_several_csv_files_and_a_late_widening_column_match_tfdv(
    tmp_path_factory: pytest.TempPathFactory, tfdv_reference: Any, small_chunks: int
) -> None:
    folder = tmp_path_factory.mktemp("widen")
    rows = [f"{i % 1000},{i % 7},{i}\n" for i in range(60_000)]
    (folder / "a.csv").write_text("n,s,k\n" + "".join(rows[:40_000]))
    (folder / "b.csv").write_text("n,s,k\n" + "".join(rows[40_000:]) + "2.5,x,\n")
    pattern = str(folder / "*.csv")
    actual = _beam(resolve_inputs([pattern]))
    features = feature_map(actual)
    assert features["n"].type == features["n"].FLOAT
    assert features["s"].type == features["s"].STRING
    assert_statistics_match(actual, tfdv_reference("csv", pattern))


@pytest.mark.parametrize("delimiter", [",", ";"], ids=["comma", "semicolon"])
def test_quoted_fields_with_delimiters_split_in_ranges_match_tfdv(
    tmp_path_factory: pytest.TempPathFactory, tfdv_reference: Any, delimiter: str
) -> None:
    from dataguard.stats.chunks import ReadConfig, plan_csv

    path = quoted_csv(tmp_path_factory.mktemp("quoted") / "data.csv", delimiter, rows=20_000)
    cfg = ReadConfig("csv", delimiter, chunk_size=64 << 10)
    assert len(plan_csv(cfg, str(path), path.stat().st_size)) > 3  # quotes, but none open at a cut
    from dataguard.stats import chunks

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CHUNK_BYTES", 64 << 10)
        actual = _beam(resolve_inputs([str(path)], delimiter=delimiter))
    assert_statistics_match(actual, tfdv_reference("csv", str(path), delimiter))


# --- byte ranges ---------------------------------------------------------------------------------
def test_ranges_cover_every_line_once_starting_at_line_starts(tmp_path: Path) -> None:
    from dataguard.stats.chunks import ReadConfig, plan_csv

    path = tmp_path / "lines.csv"
    body = "".join(f"{i},{'x' * (i % 50)}\r\n" for i in range(5_000))
    path.write_bytes(("id,pad\r\n" + body).encode())
    data = path.read_bytes()
    parts = plan_csv(ReadConfig("csv", chunk_size=10_000), str(path), len(data))
    assert len(parts) > 10
    assert parts[0].start == len(b"id,pad\r\n") and parts[-1].end == len(data)
    for before, after in zip(parts, parts[1:], strict=False):
        assert before.end == after.start and data[after.start - 1:after.start] == b"\n"
    lines = [line for p in parts for line in data[p.start:p.end].splitlines()]
    assert lines == body.encode().splitlines()
    assert {p.names for p in parts} == {("id", "pad")}


def _notes_csv(path: Path) -> Path:
    """Short rows around one note of 3,000 lines: cuts every 20 kB fall inside its quotes."""
    note = '"first line\n' + "more text\n" * 3000 + 'last line"'
    rows = [f"{i},plain {i % 7}\n" for i in range(2_000)]
    rows[1_000] = f"1000,{note}\n"
    path.write_text("id,note\n" + "".join(rows))
    return path


def test_planning_cuts_optimistically_without_reading_the_file(tmp_path: Path) -> None:
    from dataguard.stats.chunks import ReadConfig, plan_csv, unsafe_cut

    path = _notes_csv(tmp_path / "notes.csv")
    data = path.read_bytes()
    parts = plan_csv(ReadConfig("csv", chunk_size=20_000), str(path), len(data))
    assert len(parts) >= 2  # cut, though a quoted field spans lines at a cut
    counted = [(p, data[p.start:p.end].count(b'"')) for p in parts]
    cut = unsafe_cut(counted)
    assert cut is not None and data[:cut].count(b'"') % 2 == 1
    assert unsafe_cut([(p, 0) for p in parts]) is None


@pytest.mark.parametrize("mode", list(MODES))
def test_a_quoted_newline_across_a_range_boundary_reads_the_file_whole_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    from dataguard.stats.beam import compute
    from dataguard.stats.local import compute as local_compute

    path = _notes_csv(tmp_path / "notes.csv")
    other = tmp_path / "other.csv"  # cut safely: its ranges are kept
    other.write_text("id,note\n" + "".join(f"{i},x{i % 5}\n" for i in range(20_000)))
    spec = resolve_inputs([str(path), str(other)])
    with caplog.at_level(logging.WARNING, logger="dataguard.stats.beam_fast"):
        computed = compute(spec, MODES[mode], chunk_size=20_000)
    assert computed.rows_per_file == {str(path): 2_000, str(other): 20_000}
    assert_statistics_match(computed.statistics, local_compute(spec).statistics)
    if mode == "in_memory":  # the workers' log is this process's
        assert re.search(r"notes\.csv: a quoted field spans lines at byte \d+: read whole",
                         caplog.text)
        assert "other.csv" not in caplog.text


def test_a_ragged_row_in_a_file_cut_inside_quotes_names_its_line(tmp_path: Path) -> None:
    path = _notes_csv(tmp_path / "notes.csv")
    lines = path.read_text().splitlines(keepends=True)
    lines[-5] = "1,2,3\n"
    path.write_text("".join(lines))
    from dataguard.stats.beam import compute

    number = len(lines) - 4
    with pytest.raises(BadInputError, match=re.escape(f"notes.csv: line {number}: 3 fields")):
        compute(resolve_inputs([str(path)]), IN_MEMORY, chunk_size=20_000)


def test_a_csv_with_quoted_newlines_gives_the_same_statistics_split_or_not(
    tmp_path: Path, small_chunks: int
) -> None:
    path = tmp_path / "notes.csv"
    note = '"first line\nsecond line"'
    path.write_text("id,note\n" + "".join(f"{i},{note if i % 3 else 'plain'}\n"
                                           for i in range(40_000)))
    stats = _beam(resolve_inputs([str(path)]))
    assert stats.datasets[0].num_examples == 40_000
    from dataguard.stats.local import compute_statistics

    assert_statistics_match(stats, compute_statistics(resolve_inputs([str(path)])))


def test_a_utf8_bom_is_no_part_of_the_first_column_name(tmp_path: Path) -> None:
    from dataguard.stats.chunks import ReadConfig, read_header

    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfcity,fare\nOak Park,1.5\n")
    assert read_header(ReadConfig("csv"), str(path)) == (("city", "fare"), 13)


def test_gzip_csv_is_one_chunk(tmp_path: Path) -> None:
    import gzip

    from dataguard.stats.chunks import ReadConfig, plan_csv

    path = tmp_path / "day.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 100_000))
    parts = plan_csv(ReadConfig("csv", chunk_size=1000), str(path), path.stat().st_size)
    assert [(p.start, p.end) for p in parts] == [(4, None)]
    stats = _beam(resolve_inputs([str(path)], input_format="csv"))
    assert stats.datasets[0].num_examples == 100_000


# --- bad input and row counts ---------------------------------------------------------------------
def test_a_ragged_row_deep_in_a_chunked_file_names_its_line(
    tmp_path: Path, small_chunks: int
) -> None:
    path = tmp_path / "big.csv"
    lines = [f"{i},{i % 7}\n" for i in range(100_000)]
    lines[77_776] = "oops\n"  # line 77,778 of the file (the header is line 1)
    path.write_text("a,b\n" + "".join(lines))
    with pytest.raises(BadInputError, match=re.escape("big.csv: line 77778: 1 fields, expected 2")):
        _beam(resolve_inputs([str(path)]))


def test_bad_input_on_a_multi_processing_worker_names_the_file_and_line(
    tmp_path: Path, small_chunks: int
) -> None:
    path = tmp_path / "big.csv"
    lines = [f"{i},{i % 7}\n" for i in range(100_000)]
    lines[99_000] = "1,2,3\n"  # line 99,002, in the last range
    path.write_text("a,b\n" + "".join(lines))
    with pytest.raises(BadInputError) as info:
        _beam(resolve_inputs([str(path)]), MULTI)
    assert str(info.value) == f"{path}: line 99002: 3 fields, expected 2"


def test_a_header_only_file_among_others_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "b.csv").write_text("x,y\n")
    with pytest.raises(BadInputError, match=r"b\.csv: no data rows after the header"):
        _beam(resolve_inputs([str(tmp_path / "*.csv")]))


def test_rows_that_do_not_add_up_fail_the_run_with_exit_3_and_store_nothing(
    workdir: Path, taxi: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from dataguard.cli.main import main

    lose_a_batch(monkeypatch, 2)
    monkeypatch.setattr("dataguard.stats.chunks._PARSE_BLOCK", 256 << 10)  # several batches
    argv = ["--store", f"sqlite:///{workdir / 'dg.db'}", "--artifacts", str(workdir / "art"),
            "stats", "taxi", "b1", "--input", str(taxi / "train.csv"), "--engine", "beam"]
    assert main(argv) == 3
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(
        r"dataguard: error: row counts do not add up: 1 file\(s\) read 15002 rows, the "
        r"statistics count \d+ examples \(.*train\.csv\); nothing was stored", err
    ), err
    assert not (workdir / "art").exists() or not any((workdir / "art").rglob("*.pb"))


def test_reconcile_passes_matching_counts_and_marks_a_mismatch_as_a_runner_error() -> None:
    from tensorflow_metadata.proto.v0 import statistics_pb2

    from dataguard.stats.beam_fast import reconcile
    from dataguard.stats.runner_errors import translate_runner_error

    stats = statistics_pb2.DatasetFeatureStatisticsList()
    stats.datasets.add().num_examples = 5
    assert reconcile(stats, {"a.csv": 2, "b.csv": 3}, "csv", None) is stats
    with pytest.raises(ValueError) as info:
        reconcile(stats, {"a.csv": 2, "b.csv": 2}, "csv", None)
    error = translate_runner_error(info.value, "DataflowRunner")
    assert isinstance(error, RunnerError) and error.exit_code == 3
    assert "read 4 rows, the statistics count 5 examples (a.csv, b.csv)" in str(error)


def test_accumulators_move_between_processes_without_tensorflow(taxi: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys, apache_beam\n"
        "from dataguard.stats import accumulators\n"
        "from dataguard.stats.beam_fast import _combiner\n"
        "from dataguard.stats.chunks import ReadConfig, Chunk, parsed\n"
        "import pyarrow as pa\n"
        "c = _combiner()\n"
        "batch = pa.RecordBatch.from_pydict({'f': pa.array([[1.5], None, [2.0]],"
        " pa.large_list(pa.float32())), 's': pa.array([[b'a'], [b'b'], None],"
        " pa.large_list(pa.large_binary()))})\n"
        "acc = accumulators.loads(accumulators.dumps(c.add_input(c.create_accumulator(), batch)))\n"
        "out = c.extract_output(c.merge_accumulators([acc, c.create_accumulator()]))\n"
        "assert out.datasets[0].num_examples == 3, out\n"
        "print(type(sys.modules.get('tensorflow')).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "NoneType"  # TensorFlow never imported
