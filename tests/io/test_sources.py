"""Inputs resolve to concrete files before anything is computed; bad paths fail fast (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.core.names import valid_name
from dataguard.errors import BadInputError, UsageError
from dataguard.io.sources import resolve_inputs


def test_a_csv_file_resolves_to_itself_with_the_csv_format(taxi: Path) -> None:
    spec = resolve_inputs([str(taxi / "train.csv")])
    assert spec.paths == (str(taxi / "train.csv"),)
    assert spec.format == "csv"
    assert spec.delimiter == ","


def test_a_glob_of_gzipped_shards_resolves_sorted_as_tfrecord(taxi: Path) -> None:
    spec = resolve_inputs([str(taxi / "tfrecord" / "*.gz")])
    assert [Path(p).name for p in spec.paths] == [
        "data_tfrecord-00000-of-00002.gz", "data_tfrecord-00001-of-00002.gz"
    ]
    assert spec.format == "tfrecord"


def test_a_folder_resolves_to_its_files(taxi: Path) -> None:
    assert len(resolve_inputs([str(taxi / "tfrecord")]).paths) == 2


def test_the_same_file_twice_is_read_once(taxi: Path) -> None:
    path = str(taxi / "train.csv")
    assert resolve_inputs([path, path, str(taxi / "train*.csv")]).paths == (path,)


def test_a_missing_path_is_bad_input_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"nope\.csv: no such file"):
        resolve_inputs([str(tmp_path / "nope.csv")])


def test_a_glob_matching_nothing_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="glob matches no file"):
        resolve_inputs([str(tmp_path / "*.csv")])


def test_an_unguessable_format_asks_for_input_format(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"x")
    with pytest.raises(UsageError, match="--input-format"):
        resolve_inputs([str(tmp_path / "data.bin")])
    spec = resolve_inputs([str(tmp_path / "data.bin")], input_format="tfrecord")
    assert spec.format == "tfrecord"


def test_mixing_csv_and_tfrecord_in_one_batch_is_refused(taxi: Path) -> None:
    with pytest.raises(UsageError, match="mixes CSV and TFRecord"):
        resolve_inputs([str(taxi / "train.csv"), str(taxi / "tfrecord" / "*.gz")])


@pytest.mark.parametrize("delimiter", ["", ";;", '"'])
def test_a_delimiter_must_be_one_character(taxi: Path, delimiter: str) -> None:
    with pytest.raises(UsageError, match="--delimiter"):
        resolve_inputs([str(taxi / "train.csv")], delimiter=delimiter)


def test_gs_globs_resolve_through_beam_filesystems(fake_gcs: Path) -> None:
    (fake_gcs / "bucket" / "day1").mkdir(parents=True)
    for name in ("b.csv", "a.csv"):
        (fake_gcs / "bucket" / "day1" / name).write_text("x\n1\n")
    spec = resolve_inputs(["gs://bucket/day1/*.csv"])
    assert spec.paths == ("gs://bucket/day1/a.csv", "gs://bucket/day1/b.csv")
    with pytest.raises(BadInputError, match="gs://bucket/day2/x.csv: no such file"):
        resolve_inputs(["gs://bucket/day2/x.csv"])


@pytest.mark.parametrize("name", ["taxi", "2026-11-24", "a.b_c-d", "A" * 128])
def test_valid_names_are_accepted(name: str) -> None:
    assert valid_name("batch", name) == name


@pytest.mark.parametrize("name", ["", "-x", "../etc", "a/b", "a b", "A" * 129, "é"])
def test_names_that_are_not_safe_folder_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="batch name"):
        valid_name("batch", name)
