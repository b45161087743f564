"""Every job runs end to end on the DirectRunner (FnApiRunner, in memory and multi-processing)
over the shared data and gives the same results as the local commands."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from dataguard.config import Settings
from dataguard.core.models import CheckResult, Role
from dataguard.service.context import Context
from tests.jobs.conftest import DIRECT_ARGS, MULTI_PROCESS_ARGS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def store_args(settings: Settings) -> list[str]:
    return [
        f"--store_url={settings.store_url}",
        f"--artifacts={settings.artifacts}",
        f"--schemas_dir={settings.schemas_dir}",
    ]


def first_batch_and_schema(settings: Settings, dataset: str, data: Path) -> None:
    """The history every check needs: a first training batch (local engine) and a schema."""
    from dataguard.service.schemas import infer_schema
    from dataguard.service.stats import stats

    stats(dataset, "first", [str(data)], settings=settings)
    infer_schema(dataset, settings=settings)


def stored_check(settings: Settings, dataset: str, batch: str) -> CheckResult:
    with Context.create(settings).store.read() as q:
        found = q.latest_check(dataset, batch)
    assert found is not None, f"no check recorded for {dataset}/{batch}"
    return found


def comparable(result: CheckResult | dict[str, Any]) -> dict[str, Any]:
    """A check without what differs between the two runs (batch and serving batch names, the
    stored check's id and time)."""
    body = result.to_dict() if isinstance(result, CheckResult) else dict(result)
    for differs in ("batch", "serving_batch", "check_id", "checked_at"):
        body.pop(differs)
    body["metrics"] = sorted(
        (m["feature"], m["comparison"], m["method"], round(m["value"], 9), m["threshold"],
         m["exceeded"])
        for m in body["metrics"]
    )
    body["anomalies"] = sorted(
        (a["feature"], a["kind"], a["type"], a["severity"]) for a in body["anomalies"]
    )
    return body


def test_validate_batch_records_the_same_check_as_dataguard_run(
    settings: Settings, taxi: Path
) -> None:
    from dataguard.service.check import run as local_run
    from jobs import validate_batch

    first_batch_and_schema(settings, "taxi", taxi / "train.csv")
    job = validate_batch.launch([
        "--dataset=taxi", "--batch=job-a", f"--input={taxi / 'batch_a.csv'}", "--baseline=first",
        "--hooks=false", *store_args(settings), *DIRECT_ARGS,
    ])
    local = local_run(
        "taxi", "local-a", [str(taxi / "batch_a.csv")], baseline="first", hooks=False,
        settings=settings,
    )
    assert len(job.results) == 1
    recorded = stored_check(settings, "taxi", "job-a")
    assert job.results[0] == recorded.to_dict()
    assert recorded.num_examples == local.num_examples == 10000
    with Context.create(settings).store.read() as q:  # the workers record the profile too
        profiles = {name: {(p.feature, p.stat): p.value
                           for p in q.profile_history("taxi", batches=[name])}
                    for name in ("job-a", "local-a")}
    assert profiles["job-a"].keys() == profiles["local-a"].keys()
    assert profiles["job-a"][("", "num_examples")] == 10000
    assert profiles["job-a"] == pytest.approx(profiles["local-a"], rel=1e-9, nan_ok=True)
    assert recorded.verdict == local.verdict
    assert recorded.baseline_batch == "first"
    assert comparable(recorded) == comparable(local)
    drift = {m.feature: m.value for m in recorded.metrics
             if m.comparison == "drift" and m.method == "l_infinity"}
    assert math.isclose(drift["payment_type"], 0.0131775, abs_tol=1e-6)


def test_validate_batch_with_serving_input_in_multi_processing_mode(
    settings: Settings, penguin: Path
) -> None:
    from dataguard.service.check import run as local_run
    from jobs import validate_batch

    first_batch_and_schema(settings, "penguin", penguin / "train.csv")
    job = validate_batch.launch([
        "--dataset=penguin", "--batch=job-b", f"--input={penguin / 'train.csv'}",
        f"--serving_input={penguin / 'skewed.csv'}", "--hooks=false",
        *store_args(settings), *MULTI_PROCESS_ARGS,
    ])
    local = local_run(
        "penguin", "local-b", [str(penguin / "train.csv")],
        serving_inputs=[str(penguin / "skewed.csv")], hooks=False, settings=settings,
    )
    recorded = stored_check(settings, "penguin", "job-b")
    assert job.results[0]["verdict"] == recorded.verdict.value == local.verdict.value
    assert recorded.serving_batch == "job-b"
    with Context.create(settings).store.read() as q:
        serving = q.get_batch("penguin", "job-b", Role.SERVING)
    assert serving is not None and serving.num_examples == 334
    skew = {m.feature: m.value for m in recorded.metrics if m.comparison == "skew"}
    local_skew = {m.feature: m.value for m in local.metrics if m.comparison == "skew"}
    assert skew.keys() == local_skew.keys() and skew
    for feature, value in skew.items():
        assert math.isclose(value, local_skew[feature], rel_tol=1e-9, abs_tol=1e-12), feature
    # the baseline is the batch stored before: "first" for the job, "job-b" for the local run
    assert recorded.baseline_batch == "first"


def test_compute_stats_in_multi_processing_mode_stores_the_batch_like_dataguard_stats(
    settings: Settings, penguin: Path
) -> None:
    from dataguard.io.artifacts import read_statistics
    from dataguard.service.stats import stats
    from jobs import compute_stats
    from tests.convert.parity import assert_same_statistics

    pattern = str(penguin / "tfrecord" / "*.gz")
    job = compute_stats.launch([
        "--dataset=penguin", "--batch=job", f"--input={pattern}", "--input_format=tfrecord",
        *store_args(settings), *MULTI_PROCESS_ARGS,
    ])
    local = stats("penguin", "local", [pattern], input_format="tfrecord", settings=settings)
    (element,) = job.results
    assert element["num_examples"] == local.batch.num_examples == 334
    assert_same_statistics(
        read_statistics(element["artifact"], element["sha256"]),
        read_statistics(local.batch.artifact_uri, local.batch.sha256),
    )


def test_validate_batch_without_a_schema_fails_with_the_check_services_message(
    settings: Settings, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobs import validate_batch

    code = validate_batch.main([
        "--dataset=penguin", "--batch=b1", f"--input={penguin / 'train.csv'}",
        *store_args(settings), *DIRECT_ARGS,
    ])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("dataguard job: error: ")
    assert "has no schema version" in err[-1] and "schema infer penguin" in err[-1]
    with Context.create(settings).store.read() as q:
        assert q.list_batches("penguin") == []


def test_the_final_step_checks_the_store_before_recording_anything(
    settings: Settings, penguin: Path
) -> None:
    """On Dataflow nothing can be checked at launch: the worker step refuses a missing schema
    before it records a batch (the same DoFn, run here on a real pipeline)."""
    import apache_beam as beam

    from dataguard.beamjobs.config import JobConfig
    from dataguard.beamjobs.steps import RecordAndCheckFn
    from dataguard.errors import UsageError
    from dataguard.stats.pipeline_options import make_pipeline
    from dataguard.stats.runner_errors import translate_runner_error

    cfg = JobConfig(
        dataset="penguin", batch="b1", inputs=(str(penguin / "train.csv"),),
        store_url=settings.store_url, artifacts=settings.artifacts,
        schemas_dir=settings.schemas_dir,
    )
    pipeline = make_pipeline(list(DIRECT_ARGS))
    _ = (
        pipeline
        | beam.Create([_statistics_of(penguin / "train.csv")])
        | beam.ParDo(RecordAndCheckFn(cfg))
    )
    with pytest.raises(Exception) as raised:
        pipeline.run().wait_until_finish()
    error = translate_runner_error(raised.value, "DirectRunner")
    assert isinstance(error, UsageError) and "has no schema version" in str(error)
    with Context.create(settings).store.read() as q:
        assert q.list_batches("penguin") == []


def _statistics_of(path: Path) -> Any:
    from dataguard.io.sources import resolve_inputs
    from dataguard.stats.local import compute_statistics

    return compute_statistics(resolve_inputs([str(path)]))


def test_csv_to_tfrecord_output_has_the_statistics_of_the_csv(
    tmp_path: Path, penguin: Path
) -> None:
    from dataguard.io.sources import resolve_inputs
    from dataguard.stats.local import compute_statistics
    from jobs import csv_to_tfrecord
    from tests.convert.parity import assert_same_statistics

    output = tmp_path / "out" / "penguin"
    job = csv_to_tfrecord.launch([
        f"--input={penguin / 'train.csv'}", f"--output={output}", "--compression=gzip",
        "--shards=2", *DIRECT_ARGS,
    ])
    files = sorted(element["file"] for element in job.results)
    assert [Path(f).name for f in files] == [
        "penguin-00000-of-00002.gz", "penguin-00001-of-00002.gz"
    ]
    converted = compute_statistics(resolve_inputs(files, input_format="tfrecord"))
    original = compute_statistics(resolve_inputs([str(penguin / "train.csv")]))
    assert_same_statistics(converted, original)


class _Receiver:
    """A webhook receiver on 127.0.0.1 (port 0) recording what arrives."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def test_validate_batch_runs_the_hooks_of_its_config_file_with_secrets_from_the_environment(
    settings: Settings, penguin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import hmac
    import json

    from jobs import validate_batch

    receiver = _Receiver()
    try:
        config = tmp_path / "dataguard.toml"
        config.write_text(
            "[[hooks]]\nname = \"ops\"\ntype = \"webhook\"\n"
            f"url = \"{receiver.url}\"\nsecret_env = \"DATAGUARD_WEBHOOK_SECRET\"\n"
            "on = [\"pass\", \"warn\", \"fail\"]\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("DATAGUARD_WEBHOOK_SECRET", "s3cret")
        first_batch_and_schema(settings, "penguin", penguin / "train.csv")
        job = validate_batch.launch([
            "--dataset=penguin", "--batch=b2", f"--input={penguin / 'train.csv'}",
            f"--config={config}", *store_args(settings), *DIRECT_ARGS,
        ])
    finally:
        receiver.server.shutdown()
    (headers, body), = receiver.requests
    sent = json.loads(body)
    assert sent["event"] == "check.completed"
    assert {k: v for k, v in sent.items() if k != "event"} == job.results[0]
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Dataguard-Signature"] == f"sha256={expected}"
    with Context.create(settings).store.read() as q:
        (delivery,) = q.list_deliveries("penguin")
    assert (delivery.hook, delivery.batch, delivery.status) == ("ops", "b2", "delivered")


def test_the_command_lines_job_path_ships_the_config_and_runs_hooks_here(
    settings: Settings, taxi: Path, workdir: Path
) -> None:
    """``launch_run_job`` is what ``dataguard run --engine beam --runner DataflowRunner`` can
    call: the local config file travels with the job (its policy decides the verdict on the
    workers), the hooks run on this machine afterwards, and the check equals ``run``'s."""
    from dataguard.beamjobs.remote import launch_run_job, launch_stats_job
    from dataguard.config import load_settings
    from dataguard.service.check import run as local_run
    from dataguard.service.schemas import infer_schema

    marker = workdir / "hook.jsonl"
    config = workdir / "dataguard.toml"
    config.write_text(
        '[policy]\nfail = []\n\n[[hooks]]\nname = "note"\ntype = "command"\non = ["warn"]\n'
        f'command = ["sh", "-c", "cat >> {marker}; echo >> {marker}"]\n',
        encoding="utf-8",
    )
    settings = load_settings(
        store_url=settings.store_url, artifacts=settings.artifacts,
        schemas_dir=settings.schemas_dir, config_path=str(config), env={},
    )
    launch_stats_job("taxi", "first", [str(taxi / "train.csv")], settings=settings,
                  pipeline_args=list(DIRECT_ARGS))
    infer_schema("taxi", settings=settings)
    job = launch_run_job("taxi", "job-b", [str(taxi / "batch_b.csv")], baseline="first",
                        settings=settings, pipeline_args=list(DIRECT_ARGS))
    local = local_run("taxi", "local-b", [str(taxi / "batch_b.csv")], baseline="first",
                      hooks=False, settings=settings)
    assert job.batch == "job-b" and job.id is not None
    assert job.verdict.value == "warn" and job.anomalies  # errors only warn by that policy
    assert comparable(job) == comparable(local)
    (line,) = [ln for ln in marker.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert json.loads(line)["batch"] == "job-b"


def test_remote_runs_refuse_a_store_or_artifact_root_the_workers_cannot_reach(
    settings: Settings, no_network: list[object]
) -> None:
    from dataclasses import replace

    from dataguard.beamjobs.remote import launch_run_job
    from dataguard.errors import UsageError
    from tests.jobs.conftest import DATAFLOW_ARGS

    with pytest.raises(UsageError, match="workers record into the store themselves"):
        launch_run_job("taxi", "b1", ["gs://acme-ml-data/taxi/*.csv"], settings=settings,
                      pipeline_args=list(DATAFLOW_ARGS))
    remote_store = replace(settings, store_url="postgresql+psycopg://dg@10.20.0.3/dataguard")
    with pytest.raises(UsageError, match="--artifacts .*: DataflowRunner workers cannot write"):
        launch_run_job("taxi", "b1", ["gs://acme-ml-data/taxi/*.csv"], settings=remote_store,
                      pipeline_args=list(DATAFLOW_ARGS))
    assert no_network == []


def test_a_daily_run_with_everything_on_gcs_names_the_batch_after_yesterday(
    workdir: Path, fake_gcs: Path, penguin: Path
) -> None:
    """The scheduled shape: inputs, artifacts, schemas and config on gs:// (a local stand-in
    for GCS behind Beam's FileSystems), batch and input path named ``{yesterday}``."""
    import datetime as dt
    import json
    import shutil

    from dataguard.config import load_settings
    from dataguard.service.schemas import infer_schema
    from dataguard.service.stats import stats
    from jobs import validate_batch

    bucket = fake_gcs / "acme-ml-data"
    for day in ("2026-11-23", "2026-11-24"):
        (bucket / "penguin" / day).mkdir(parents=True)
        shutil.copy(penguin / "train.csv", bucket / "penguin" / day / "part-0.csv")
    (bucket / "config").mkdir()
    marker = workdir / "retrain-triggered.json"
    (bucket / "config" / "dataguard.toml").write_text(
        '[[hooks]]\nname = "retrain"\ntype = "command"\non = ["pass"]\n'
        f'command = ["sh", "-c", "cat > {marker}"]\n',
        encoding="utf-8",
    )
    settings = load_settings(
        store_url=f"sqlite:///{workdir / 'dataguard.db'}",
        artifacts="gs://acme-ml-data/artifacts",
        schemas_dir="gs://acme-ml-data/schemas",
        env={},
    )
    stats("penguin", "2026-11-23", ["gs://acme-ml-data/penguin/2026-11-23/*.csv"],
          settings=settings)
    infer_schema("penguin", settings=settings)
    job = validate_batch.launch(
        [
            "--dataset=penguin", "--batch={yesterday}",
            "--input=gs://acme-ml-data/penguin/{yesterday}/*.csv",
            "--config=gs://acme-ml-data/config/dataguard.toml",
            *store_args(settings), *DIRECT_ARGS,
        ],
        now=dt.datetime(2026, 11, 25, 2, 30, tzinfo=dt.timezone.utc),
    )
    (result,) = job.results
    assert (result["batch"], result["baseline_batch"]) == ("2026-11-24", "2026-11-23")
    assert result["verdict"] == "pass"  # the same rows as the day before
    with Context.create(settings).store.read() as q:
        batch = q.get_batch("penguin", "2026-11-24", Role.TRAINING)
    assert batch is not None and batch.num_examples == 334
    assert batch.artifact_uri.startswith("gs://acme-ml-data/artifacts/penguin/training/2026-11-24/")
    assert (fake_gcs / batch.artifact_uri.removeprefix("gs://")).is_file()
    # the config came from gs:// on the worker: its retraining hook ran on the pass
    assert json.loads(marker.read_text(encoding="utf-8"))["batch"] == "2026-11-24"


def test_bad_input_found_on_a_worker_is_exit_2_naming_the_file_and_line(
    settings: Settings, penguin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobs import validate_batch

    first_batch_and_schema(settings, "penguin", penguin / "train.csv")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    code = validate_batch.main([
        "--dataset=penguin", "--batch=b2", f"--input={ragged}", *store_args(settings),
        *DIRECT_ARGS,
    ])
    assert code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"dataguard job: error: {ragged}: line 3: 3 fields, expected 2"
    with Context.create(settings).store.read() as q:
        assert [b.name for b in q.list_batches("penguin")] == ["first"]


def test_a_stored_batch_is_refused_before_computing_unless_replaced(
    settings: Settings, penguin: Path
) -> None:
    from dataguard.errors import UsageError
    from dataguard.service.stats import stats
    from jobs import compute_stats

    stats("penguin", "b1", [str(penguin / "train.csv")], settings=settings)
    argv = ["--dataset=penguin", "--batch=b1", f"--input={penguin / 'skewed.csv'}",
            *store_args(settings), *DIRECT_ARGS]
    with pytest.raises(UsageError, match="already stored; pass --replace"):
        compute_stats.launch(argv)
    (element,) = compute_stats.launch([*argv, "--replace=true"]).results
    with Context.create(settings).store.read() as q:
        stored = q.get_batch("penguin", "b1", Role.TRAINING)
    assert stored is not None and stored.sha256 == element["sha256"]


def test_workers_record_only_when_they_can_reach_the_store_and_the_artifacts(
    settings: Settings, cloud: Settings,
) -> None:
    from dataclasses import replace

    from dataguard.beamjobs.remote import workers_can_record
    from tests.jobs.conftest import DATAFLOW_ARGS

    assert workers_can_record(DATAFLOW_ARGS, cloud)
    assert not workers_can_record(DIRECT_ARGS, cloud)
    assert not workers_can_record(DATAFLOW_ARGS, settings)  # SQLite + local folders
    assert not workers_can_record(DATAFLOW_ARGS, replace(cloud, schemas_dir="schemas"))


def test_the_launcher_refuses_by_the_same_rule_that_keeps_the_job_here(
    settings: Settings, cloud: Settings, no_network: list[object]
) -> None:
    """What ``workers_can_record`` says no to, a remote launch refuses, saying why."""
    from dataclasses import replace

    from dataguard.beamjobs.remote import launch_run_job, workers_can_record
    from dataguard.errors import UsageError
    from tests.jobs.conftest import DATAFLOW_ARGS

    for local, why in ((replace(cloud, store_url=settings.store_url), "record into the store"),
                       (replace(cloud, artifacts="art"), "--artifacts art: DataflowRunner"),
                       (replace(cloud, schemas_dir="sch"), "schemas_dir sch: DataflowRunner")):
        assert not workers_can_record(DATAFLOW_ARGS, local)
        with pytest.raises(UsageError, match=why):
            launch_run_job("taxi", "b1", ["gs://acme-ml-data/taxi/*.csv"], settings=local,
                           pipeline_args=list(DATAFLOW_ARGS))
    assert no_network == []


def test_a_retried_final_step_reuses_its_batch_and_does_not_alert_twice(
    settings: Settings, penguin: Path, workdir: Path
) -> None:
    """Dataflow retries a failed bundle: the second attempt finds the batch it recorded (same
    inputs, same row count) and goes on; the hook for that batch and verdict is not re-sent."""
    import apache_beam as beam

    from dataguard.beamjobs.config import JobConfig
    from dataguard.beamjobs.steps import RecordAndCheckFn
    from dataguard.config import load_settings
    from dataguard.stats.pipeline_options import make_pipeline

    marker = workdir / "alerts.log"
    config = workdir / "dataguard.toml"
    config.write_text(
        '[[hooks]]\nname = "note"\ntype = "command"\non = ["pass", "warn", "fail"]\n'
        f'command = ["sh", "-c", "echo sent >> {marker}"]\n',
        encoding="utf-8",
    )
    settings = load_settings(
        store_url=settings.store_url, artifacts=settings.artifacts,
        schemas_dir=settings.schemas_dir, config_path=str(config), env={},
    )
    first_batch_and_schema(settings, "penguin", penguin / "train.csv")
    cfg = JobConfig(
        dataset="penguin", batch="b2", inputs=(str(penguin / "train.csv"),),
        store_url=settings.store_url, artifacts=settings.artifacts,
        schemas_dir=settings.schemas_dir, config=str(config),
    )
    statistics = _statistics_of(penguin / "train.csv")
    for _attempt in range(2):
        pipeline = make_pipeline(list(DIRECT_ARGS))
        _ = pipeline | beam.Create([statistics]) | beam.ParDo(RecordAndCheckFn(cfg))
        pipeline.run().wait_until_finish()
    with Context.create(settings).store.read() as q:
        assert [b.name for b in q.list_batches("penguin", Role.TRAINING)] == ["first", "b2"]
        assert len(q.check_history("penguin")) == 2
    assert marker.read_text(encoding="utf-8").split() == ["sent"]
