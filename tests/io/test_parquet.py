"""Parquet input gives the statistics TFDV computes from the same rows, on both engines.

The reference is TFDV's own ``generate_statistics_from_csv`` of the shared taxi CSV; the Parquet
file holds the same rows as pyarrow reads them (empty cell = null), in several row groups, so
that the Beam engine reads it as several chunks. The comparison is the parity tests' strict one.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from dataguard.errors import BadInputError, UsageError
from dataguard.io.sources import resolve_inputs
from tests.stats.helpers import assert_statistics_match

IN_MEMORY = ["--runner=DirectRunner", "--direct_running_mode=in_memory"]
MULTI = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]


@pytest.fixture(scope="module")
def taxi_parquet(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    table = pacsv.read_csv(
        shared_data / "taxi" / "train.csv",
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    path = tmp_path_factory.mktemp("parquet") / "train.parquet"
    pq.write_table(table, path, row_group_size=2_000)  # 8 row groups
    return path


@pytest.fixture(scope="module")
def taxi_csv_reference(shared_data: Path) -> Any:
    import tensorflow_data_validation as tfdv
    from apache_beam.options.pipeline_options import PipelineOptions

    return tfdv.generate_statistics_from_csv(
        str(shared_data / "taxi" / "train.csv"),
        pipeline_options=PipelineOptions(IN_MEMORY),
    )


def test_parquet_is_told_from_its_name_and_not_mixed_with_csv(tmp_path: Path) -> None:
    (tmp_path / "a.parquet").write_bytes(b"")
    (tmp_path / "b.pq").write_bytes(b"")
    (tmp_path / "c.csv").write_text("x\n1\n")
    assert resolve_inputs([str(tmp_path / "*.p*")]).format == "parquet"
    with pytest.raises(UsageError, match="mixes CSV and Parquet files"):
        resolve_inputs([str(tmp_path / "*")])


@pytest.mark.slow
def test_local_engine_on_parquet_matches_tfdv_on_the_same_rows(
    taxi_parquet: Path, taxi_csv_reference: Any
) -> None:
    from dataguard.stats.local import compute_statistics

    actual = compute_statistics(resolve_inputs([str(taxi_parquet)]))
    assert actual.datasets[0].num_examples == 15_002
    assert_statistics_match(actual, taxi_csv_reference)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["in_memory", "multi_processing"])
def test_beam_engine_reads_row_groups_in_parallel_and_matches_tfdv(
    taxi_parquet: Path, taxi_csv_reference: Any, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from dataguard.stats import chunks
    from dataguard.stats.beam import compute_statistics

    monkeypatch.setattr(chunks, "CHUNK_BYTES", 100_000)  # several chunks of row groups
    spec = resolve_inputs([str(taxi_parquet)], input_format="parquet")
    args = IN_MEMORY if mode == "in_memory" else MULTI
    actual = compute_statistics(spec, args)
    assert_statistics_match(actual, taxi_csv_reference)


def test_parquet_types_map_to_tfdv_features_as_tf_example_would_hold_them(tmp_path: Path) -> None:
    from dataguard.io.parquet import read_record_batches

    table = pa.table({
        "n": pa.array([1, None, 3], pa.int32()),
        "flag": pa.array([True, False, None]),
        "x": pa.array([0.5, 1.5, None], pa.float64()),
        "s": pa.array(["a", None, "b"]).dictionary_encode(),
        "day": pa.array([datetime.date(2026, 12, 1), None, datetime.date(2026, 12, 2)]),
        "tags": pa.array([["a", "b"], [], None]),
        "ids": pa.array([[1, None, 2], None, [3]], pa.list_(pa.int64())),
        "nothing": pa.nulls(3),
    })
    path = tmp_path / "types.parquet"
    pq.write_table(table, path)
    (batch,) = list(read_record_batches(resolve_inputs([str(path)])))
    assert batch.to_pydict() == {
        "n": [[1], None, [3]],
        "flag": [[1], [0], None],
        "x": [[0.5], [1.5], None],
        "s": [[b"a"], None, [b"b"]],
        "day": [[b"2026-12-01"], None, [b"2026-12-02"]],
        "tags": [[b"a", b"b"], [], None],
        "ids": [[1, 2], None, [3]],
        "nothing": [None, None, None],
    }
    assert str(batch.schema.field("x").type) == "large_list<item: float>"
    assert str(batch.schema.field("n").type) == "large_list<item: int64>"


def test_a_file_that_is_not_parquet_is_bad_input_naming_it(tmp_path: Path) -> None:
    from dataguard.stats.local import compute_statistics

    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(BadInputError, match=r"broken\.parquet: not a readable Parquet file"):
        compute_statistics(resolve_inputs([str(path)]))


def test_nested_columns_are_bad_input_naming_the_column(tmp_path: Path) -> None:
    from dataguard.stats.local import compute_statistics

    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"pt": pa.array([{"x": 1}, {"x": 2}])}), path)
    with pytest.raises(BadInputError, match=r"nested\.parquet: column 'pt'"):
        compute_statistics(resolve_inputs([str(path)]))


@pytest.mark.slow
def test_dataguard_stats_takes_input_format_parquet_on_both_engines(
    workdir: Path, taxi_parquet: Path, capsys: pytest.CaptureFixture
) -> None:
    import json

    from dataguard.cli.main import main

    common = ["--store", f"sqlite:///{workdir / 'dg.db'}", "--artifacts", str(workdir / "art")]
    counts = {}
    for batch, engine in (("d1", "local"), ("d2", "beam")):
        argv = [*common, "stats", "taxi", batch, "--input", str(taxi_parquet),
                "--input-format", "parquet", "--engine", engine, "--format", "json"]
        assert main(argv) == 0
        counts[engine] = json.loads(capsys.readouterr().out)["num_examples"]
    assert counts == {"local": 15_002, "beam": 15_002}


@pytest.mark.slow
def test_a_bad_parquet_file_on_a_beam_worker_is_exit_2_naming_it(
    workdir: Path, capsys: pytest.CaptureFixture
) -> None:
    from dataguard.cli.main import main

    bad = workdir / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    argv = ["--store", f"sqlite:///{workdir / 'dg.db'}", "--artifacts", str(workdir / "art"),
            "stats", "t", "b1", "--input", str(bad), "--engine", "beam"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"dataguard: error: {bad}: not a readable Parquet file")
    assert "\n" not in err
