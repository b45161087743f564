"""The Beam engine gives TFDV's statistics, on the shared data, through named PTransforms.

Every pipeline here runs for real on the FnApiRunner (DirectRunner without Prism); the TFDV
references are computed once per session with TFDV's own convenience functions.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest

from dataguard.errors import BadInputError, RunnerError, UsageError
from dataguard.io.sources import InputSpec, resolve_inputs
from tests.convert.parity import assert_same_statistics

pytestmark = pytest.mark.slow
LOCAL = ("--runner=FnApiRunner",)


def _beam(spec: InputSpec, args: tuple[str, ...] = ()) -> Any:
    from dataguard.stats.beam import compute_statistics

    return compute_statistics(spec, args)


@pytest.fixture(scope="session")
def taxi_csv_reference(shared_data: Path) -> Any:
    import tensorflow_data_validation as tfdv
    from apache_beam.options.pipeline_options import PipelineOptions

    return tfdv.generate_statistics_from_csv(
        str(shared_data / "taxi" / "train.csv"), pipeline_options=PipelineOptions(list(LOCAL))
    )


@pytest.fixture(scope="session")
def penguin_tfrecord_reference(shared_data: Path) -> Any:
    import tensorflow_data_validation as tfdv
    from apache_beam.options.pipeline_options import PipelineOptions

    return tfdv.generate_statistics_from_tfrecord(
        str(shared_data / "penguin" / "tfrecord" / "*.gz"),
        pipeline_options=PipelineOptions(list(LOCAL)),
    )


def test_beam_engine_matches_tfdv_on_the_taxi_csv(shared_data: Path, taxi_csv_reference: Any):
    spec = resolve_inputs([str(shared_data / "taxi" / "train.csv")])
    stats = _beam(spec)
    assert stats.datasets[0].num_examples == 15002
    assert_same_statistics(stats, taxi_csv_reference)


def test_beam_engine_matches_tfdv_on_gzipped_penguin_tfrecords(
    shared_data: Path, penguin_tfrecord_reference: Any
):
    spec = resolve_inputs([str(shared_data / "penguin" / "tfrecord" / "*.gz")])
    assert spec.format == "tfrecord"
    stats = _beam(spec)
    assert stats.datasets[0].num_examples == 334
    assert_same_statistics(stats, penguin_tfrecord_reference)


def test_taxi_tfrecord_shards_give_the_same_statistics_as_the_taxi_csv_rows(shared_data: Path):
    stats = _beam(resolve_inputs([str(shared_data / "taxi" / "tfrecord" / "*.gz")]))
    assert stats.datasets[0].num_examples == 9988 + 5012


def test_quoted_fields_with_delimiters_and_newlines_and_a_custom_delimiter(tmp_path: Path):
    path = tmp_path / "quoted.csv"
    path.write_text(
        'city;note;fare\n"Oak; Park";"line one\nline two";1.5\nChicago;"say ""hi""";2\n'
        "Chicago;;\n\nEvanston;plain;3\n",
        encoding="utf-8",
    )
    stats = _beam(resolve_inputs([str(path)], delimiter=";"))
    dataset = stats.datasets[0]
    assert dataset.num_examples == 4
    features = {f.path.step[0]: f for f in dataset.features}
    city = features["city"].string_stats
    assert city.unique == 3
    assert [(v.value, v.frequency) for v in city.top_values][0] == ("Chicago", 2)
    note = features["note"].string_stats
    assert {v.value for v in note.top_values} == {"line one\nline two", 'say "hi"', "plain"}
    assert note.common_stats.num_missing == 1
    fare = features["fare"].num_stats
    assert fare.common_stats.num_non_missing == 3
    assert fare.max == pytest.approx(3.0) and fare.mean == pytest.approx(6.5 / 3)
    from dataguard.stats.local import compute_statistics as local_statistics

    assert_same_statistics(stats, local_statistics(resolve_inputs([str(path)], delimiter=";")))


def test_column_names_from_the_spec_make_the_first_line_data_on_both_engines(
    tmp_path: Path,
):
    """TFDV's rule (skip_header_lines 0 when column_names are given): a first line equal to
    the names is a data row too, on both engines, with the same statistics."""
    from dataguard.stats.local import compute as local_compute

    (tmp_path / "a.csv").write_text("x,y\n1,a\n2,b\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("3,c\n", encoding="utf-8")
    spec = resolve_inputs([str(tmp_path / "*.csv")], column_names=["x", "y"])
    stats = _beam(spec)
    local = local_compute(spec)
    assert stats.datasets[0].num_examples == 4
    x = next(f for f in stats.datasets[0].features if f.path.step[0] == "x")
    assert x.type == x.STRING  # "x" is one of its values
    assert {v.value for v in x.string_stats.top_values} == {"x", "1", "2", "3"}
    assert_same_statistics(stats, local.statistics)
    assert local.rows_per_file == {str(tmp_path / "a.csv"): 3, str(tmp_path / "b.csv"): 1}
    # the given order names the columns, as in TFDV
    spec = resolve_inputs([str(tmp_path / "a.csv")], column_names=["y", "x"])
    y = next(f for f in _beam(spec).datasets[0].features if f.path.step[0] == "y")
    assert {v.value for v in y.string_stats.top_values} == {"x", "1", "2"}


def test_building_the_read_never_touches_the_input_files(tmp_path: Path):
    import apache_beam as beam

    from dataguard.stats.beam import ComputeStatistics, ReadExamples

    spec = InputSpec(paths=("gs://acme-ml-dataguard/nowhere/*.csv",), format="csv")
    pipeline = beam.Pipeline()
    _ = pipeline | "ReadExamples" >> ReadExamples(spec) | "ComputeStatistics" >> ComputeStatistics()
    labels = {t.full_label for t in pipeline.transforms_stack[0].parts}
    assert {"ReadExamples", "ComputeStatistics"} <= labels


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ragged.csv", b"a,b\n1,2\n3\n", "ragged.csv: line 3: 1 fields, expected 2"),
        ("latin1.csv", b"a,b\n1,caf\xe9\n", "latin1.csv: line 2: not UTF-8"),
        ("header_only.csv", b"a,b\n", "header_only.csv: no data rows"),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("dupes.csv", b"a,b,a\n1,2,3\n", "dupes.csv: line 1: duplicate column names ['a']"),
        (
            "quote.csv",
            b'a,b\n1,"never closed\n2,3\n',
            "quote.csv: line 2: unexpected end of data (unterminated quote?)",
        ),
    ],
)
def test_bad_csv_is_bad_input_naming_the_file_and_line(
    tmp_path: Path, name: str, content: bytes, message: str
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadInputError, match=re.escape(message)) as info:
        _beam(InputSpec(paths=(str(path),), format="csv"))
    assert "\n" not in str(info.value)


def test_corrupt_tfrecord_and_corrupt_gzip_are_bad_input(tmp_path: Path, shared_data: Path):
    source = shared_data / "penguin" / "tfrecord" / "eval-00000-of-00001.gz"
    records = gzip.decompress(source.read_bytes())
    truncated = tmp_path / "truncated.tfrecord"
    truncated.write_bytes(records[: len(records) // 2 + 7])  # mid-record
    with pytest.raises(BadInputError, match=r"truncated\.tfrecord: record \d+"):
        _beam(InputSpec(paths=(str(truncated),), format="tfrecord"))
    broken = tmp_path / "broken.gz"
    broken.write_bytes(source.read_bytes()[:200] + b"\x00garbage" * 20)
    with pytest.raises(BadInputError, match=r"broken\.gz"):
        _beam(InputSpec(paths=(str(broken),), format="tfrecord"))


def test_csv_files_with_different_headers_are_bad_input(tmp_path: Path):
    (tmp_path / "a.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("x,z\n1,2\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="different headers"):
        _beam(resolve_inputs([str(tmp_path / "*.csv")]))


def test_a_failing_pipeline_step_is_a_runner_error():
    import apache_beam as beam

    from dataguard.stats.beam import execute_pipeline
    from dataguard.stats.pipeline_options import make_pipeline

    def explode(_: int) -> int:
        raise RuntimeError("worker ran out of disk")

    pipeline = make_pipeline(LOCAL)
    _ = pipeline | beam.Create([1]) | beam.Map(explode)
    with pytest.raises(RunnerError, match="FnApiRunner failed") as info:
        execute_pipeline(pipeline)
    assert "\n" not in str(info.value)


def test_remote_runner_without_temp_location_is_a_usage_error(shared_data: Path):
    spec = resolve_inputs([str(shared_data / "penguin" / "train.csv")])
    with pytest.raises(UsageError, match="--temp_location"):
        _beam(spec, ("--runner=DataflowRunner", "--project=acme-ml-prod"))


def test_the_whole_read_and_statistics_graph_pickles_for_remote_workers(tmp_path: Path):
    """What multi-processing / Dataflow workers receive: the pipeline proto with pickled fns.

    (Running it with --direct_running_mode=multi_processing works too but costs ~40 s of worker
    start-up importing TensorFlow; the jobs' tests run that mode end to end.)
    """
    import apache_beam as beam
    from apache_beam.internal import pickler

    from dataguard.stats.beam import ComputeStatistics, ReadExamples

    spec = InputSpec(paths=(str(tmp_path / "*.csv"),), format="csv", delimiter=";")
    pipeline = beam.Pipeline()
    _ = pipeline | "ReadExamples" >> ReadExamples(spec) | "ComputeStatistics" >> ComputeStatistics()
    proto = pipeline.to_runner_api()
    payloads = [t.spec.payload for t in proto.components.transforms.values() if t.spec.payload]
    assert len(payloads) > 5
    rebuilt = beam.Pipeline.from_runner_api(proto, pipeline.runner, pipeline.options)
    assert rebuilt is not None
    from dataguard.stats import beam_read as engine

    for fn in (
        engine._InferFileTypes(engine._CsvFile(";", None, "auto")),
        engine._DecodeCsvFile(engine._CsvFile(";", ("a", "b"), "auto")),
        engine._MergeFileTypes(),
        engine._InferColumnTypes(),
        engine._ReadTFRecordExamples("auto"),
    ):
        assert type(pickler.loads(pickler.dumps(fn))) is type(fn)


def test_dataguard_stats_with_the_beam_engine_stores_the_batch_like_the_local_engine(
    workdir: Path, shared_data: Path, capsys: pytest.CaptureFixture
):
    import json

    from dataguard.cli.main import main
    from dataguard.io.artifacts import read_statistics

    csv = str(shared_data / "penguin" / "train.csv")
    common = ["--store", f"sqlite:///{workdir / 'dg.db'}", "--artifacts", str(workdir / "art")]
    runs = {}
    for batch, engine in (("d1", "beam"), ("d2", "local")):
        argv = [*common, "stats", "penguin", batch, "--input", csv, "--engine", engine]
        assert main([*argv, "--format", "json"]) == 0
        runs[engine] = json.loads(capsys.readouterr().out)
    beam, local = runs["beam"], runs["local"]
    assert beam["engine"] == "beam" and beam["num_examples"] == local["num_examples"] == 334
    assert beam["artifact"].startswith(str(workdir / "art" / "penguin" / "training" / "d1"))
    assert_same_statistics(
        read_statistics(beam["artifact"], beam["sha256"]), read_statistics(local["artifact"])
    )
    again = [*common, "stats", "penguin", "d1", "--input", csv, "--engine", "beam"]
    assert main(again) == 2  # refused before any pipeline runs
    assert "--replace" in capsys.readouterr().err


def test_dataguard_stats_beam_engine_reports_bad_input_with_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture
):
    from dataguard.cli.main import main

    bad = workdir / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    argv = ["--store", f"sqlite:///{workdir / 'dg.db'}", "--artifacts", str(workdir / "art")]
    assert main([*argv, "stats", "t", "b1", "--input", str(bad), "--engine", "beam"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"dataguard: error: {bad}: line 3: 1 fields, expected 2"
    assert not (workdir / "art").exists() or not any((workdir / "art").rglob("*.pb"))


def test_forced_column_types_override_inference(tmp_path: Path):
    import apache_beam as beam
    from apache_beam.testing.util import assert_that, equal_to

    from dataguard.stats.beam import ReadExamples
    from dataguard.stats.pipeline_options import make_pipeline

    path = tmp_path / "zips.csv"
    path.write_text("zip,fare\n60601,1\n,2\n")
    spec = resolve_inputs([str(path)])
    with make_pipeline(LOCAL) as pipeline:
        types = (
            pipeline
            | ReadExamples(spec, {"zip": "STRING", "fare": "FLOAT"})
            | beam.Map(lambda batch: (str(batch.schema.field("zip").type), batch.to_pydict()))
        )
        assert_that(
            types,
            equal_to(
                [
                    (
                        "large_list<item: large_binary>",
                        {"zip": [[b"60601"], None], "fare": [[1.0], [2.0]]},
                    )
                ]
            ),
        )
    with pytest.raises(UsageError, match="column types"):
        ReadExamples(spec, {"zip": "DATE"})


def test_an_input_missing_when_the_workers_look_is_bad_input(tmp_path: Path):
    spec = InputSpec(paths=(str(tmp_path / "gone" / "*.csv"),), format="csv")
    with pytest.raises(BadInputError, match=r"gone/\*\.csv: no such file, or the glob matches"):
        _beam(spec)


def test_the_real_command_prints_one_line_and_no_traceback_for_bad_input(workdir: Path):
    import subprocess
    import sys

    bad = workdir / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    argv = [sys.executable, "-m", "dataguard", "--store", f"sqlite:///{workdir / 'dg.db'}"]
    argv += ["--artifacts", str(workdir / "art"), "stats", "t", "b1", "--input", str(bad)]
    done = subprocess.run(
        [*argv, "--engine", "beam"], capture_output=True, text=True, timeout=300, cwd=workdir
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"dataguard: error: {bad}: line 3: 1 fields, expected 2"
