"""Rows read per file must add up to the statistics' examples, on the local engine too."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from dataguard.errors import BadInputError, RunnerError
from dataguard.io.sources import resolve_inputs
from dataguard.stats.row_counts import check_row_counts
from tests.stats.helpers import lose_a_batch


def test_counts_that_add_up_pass_and_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="dataguard.stats.row_counts"):
        check_row_counts({"b.csv": 3, "a.csv": 2}, 5, "csv")
    assert 'rows read per file: {"a.csv": 2, "b.csv": 3}' in caplog.text


def test_counts_that_do_not_add_up_are_a_runner_error_exit_3() -> None:
    with pytest.raises(RunnerError) as info:
        check_row_counts({"a.csv": 2, "b.csv": 2}, 5, "csv")
    assert info.value.exit_code == 3
    assert str(info.value) == (
        "row counts do not add up: 2 file(s) read 4 rows, the statistics count 5 examples "
        "(a.csv, b.csv); nothing was stored"
    )


@pytest.mark.parametrize(("fmt", "message"), [
    ("csv", "b.csv: no data rows after the header"),
    ("tfrecord", "b.csv: no records (empty TFRecord file)"),
    ("parquet", "b.csv: no rows"),
])
def test_a_file_without_rows_is_bad_input(fmt: str, message: str) -> None:
    with pytest.raises(BadInputError, match=re.escape(message)):
        check_row_counts({"a.csv": 2, "b.csv": 0}, 2, fmt)


@pytest.mark.slow
def test_the_local_engine_logs_rows_per_tfrecord_shard(
    taxi: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from dataguard.stats.local import compute_statistics

    spec = resolve_inputs([str(taxi / "tfrecord" / "*.gz")])
    with caplog.at_level(logging.INFO, logger="dataguard.stats.row_counts"):
        stats = compute_statistics(spec)
    assert stats.datasets[0].num_examples == 9988 + 5012
    assert '-00000-of-00002.gz": 9988, ' in caplog.text
    assert '-00001-of-00002.gz": 5012}' in caplog.text


@pytest.mark.slow
def test_a_lost_batch_on_the_local_engine_fails_with_exit_3_and_stores_nothing(
    workdir: Path, taxi: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from dataguard.cli.main import main

    lose_a_batch(monkeypatch, 1)
    argv = ["--store", f"sqlite:///{workdir / 'dg.db'}", "--artifacts", str(workdir / "art"),
            "stats", "taxi", "b1", "--input", str(taxi / "train.csv")]
    assert main(argv) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("dataguard: error: row counts do not add up: 1 file(s) read 15002 rows")
    assert not (workdir / "art").exists() or not any((workdir / "art").rglob("*.pb"))
