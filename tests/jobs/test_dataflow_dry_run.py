"""Every job builds its Dataflow job offline (``--dry_run=True``): no GCS, no input files, no
store, no network — the job is inspected instead of submitted."""

from __future__ import annotations

import pytest

from tests.jobs.conftest import DATAFLOW_ARGS, PROJECT, REGION, WORKER_IMAGE

pytestmark = pytest.mark.timeout(120)

TAXI = "gs://acme-ml-data/taxi/{date}/*.csv"
SERVING = "gs://acme-ml-data/taxi-serving/{date}/*.csv"


def transform_names(run) -> set[str]:  # type: ignore[no-untyped-def]
    return {t.unique_name for t in run.job.proto_pipeline.components.transforms.values()}


def container_images(run) -> set[str]:  # type: ignore[no-untyped-def]
    from apache_beam.portability.api import beam_runner_api_pb2

    images = set()
    for env in run.job.proto_pipeline.components.environments.values():
        payload = beam_runner_api_pb2.DockerPayload.FromString(env.payload)
        images.add(payload.container_image)
    return images


def test_validate_batch_builds_offline_with_serving_input(no_network: list[object]) -> None:
    from jobs import validate_batch

    run = validate_batch.launch([
        "--dataset=taxi", "--batch={date}", f"--input={TAXI}", f"--serving_input={SERVING}",
        "--secret_env=DATAGUARD_STORE_URL=projects/acme-ml-prod/secrets/dg-store/versions/latest",
        "--artifacts=gs://acme-ml-dataguard/artifacts", *DATAFLOW_ARGS,
    ])
    assert no_network == []
    assert run.runner == "DataflowRunner" and run.state == "DONE"
    names = transform_names(run)
    for label in ("ReadBatch", "ComputeBatchStatistics", "ReadServing",
                  "ComputeServingStatistics", "RecordAndCheck"):
        assert label in names, label
    assert container_images(run) == {WORKER_IMAGE}
    options = run.job.options.get_all_options()
    assert (options["project"], options["region"]) == (PROJECT, REGION)
    assert options["temp_location"].startswith("gs://acme-ml-dataguard/tmp")
    assert options["dataset"] == "taxi"
    assert options["sdk_location"] == "container"  # the worker image has the SDK: no staging


def test_compute_stats_builds_offline_without_reading_the_glob(no_network: list[object]) -> None:
    from jobs import compute_stats

    run = compute_stats.launch([
        "--dataset=taxi", "--batch=2026-11-25", "--input=gs://acme-ml-data/taxi/*.tfrecord.gz",
        *DATAFLOW_ARGS,
    ])
    assert no_network == []
    names = transform_names(run)
    assert {"ReadBatch", "ComputeBatchStatistics", "RecordStatistics"} <= names
    assert not any("Serving" in name for name in names)
    assert not any(name.startswith("CollectOutput") for name in names)
    assert container_images(run) == {WORKER_IMAGE}


def test_input_whose_format_cannot_be_told_from_its_name_is_refused_before_building() -> None:
    from dataguard.errors import UsageError
    from jobs import compute_stats

    with pytest.raises(UsageError, match="--input_format"):
        compute_stats.launch(
            ["--dataset=taxi", "--batch=b1", "--input=gs://acme-ml-data/taxi/part-*",
             *DATAFLOW_ARGS]
        )


def test_csv_to_tfrecord_builds_offline_with_shards(no_network: list[object]) -> None:
    from jobs import csv_to_tfrecord

    run = csv_to_tfrecord.launch([
        f"--input={TAXI}", "--output=gs://acme-ml-data/taxi-tfrecord/{date}/data",
        "--compression=gzip", "--shards=16", *DATAFLOW_ARGS,
    ])
    assert no_network == []
    names = transform_names(run)
    for label in ("CsvToTFRecord/ReadExamples", "CsvToTFRecord/EncodeExamples",
                  "CsvToTFRecord/WriteTFRecords", "ListOutputFiles"):
        assert label in names, label
    assert container_images(run) == {WORKER_IMAGE}
    assert run.job.options.get_all_options()["shards"] == 16


@pytest.mark.slow
def test_flex_template_launcher_file_picks_the_job_and_builds_it() -> None:
    """What the launcher runs: ``python jobs/main.py --job=… <parameters> <Dataflow options>``
    (as a file, from another directory; the runner is Dataflow there unless named)."""
    import os
    import subprocess
    import sys

    from tests.jobs.conftest import REPO

    argv = [sys.executable, str(REPO / "jobs" / "main.py")]
    launcher_env = {**os.environ, "FLEX_TEMPLATE_PYTHON_PY_FILE": argv[1]}
    no_runner = [a for a in DATAFLOW_ARGS if not a.startswith("--runner")]
    proc = subprocess.run(
        [*argv, "--job=validate_batch", "--dataset=taxi", "--batch={yesterday}",
         f"--input={TAXI}", *no_runner],
        capture_output=True, text=True, timeout=110, cwd="/", env=launcher_env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "validate_batch: DataflowRunner job dataguard-validate-taxi built" in proc.stdout
    missing = subprocess.run(
        [*argv, "--dataset=taxi", *DATAFLOW_ARGS], capture_output=True, text=True, timeout=110,
        cwd="/",
    )
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1] == (
        "dataguard job: error: --job: required (validate_batch|compute_stats|csv_to_tfrecord)"
    )
