"""deploy/ can't run here (no GCP, no Docker): check what a file can tell — the Flex Template
parameters against the job options, the images against the lock, Terraform and the Airflow DAG
against the template parameters (the DAG parsed statically: Airflow isn't installed)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from jobs.options import JOB_OPTIONS, REQUIRED, DataguardJobOptions
from tests.jobs.conftest import DEPLOY, REPO

LAUNCHER_ONLY = {"wait"}  # the Flex Template launcher submits and exits: it never waits


def metadata() -> dict:  # type: ignore[type-arg]
    return json.loads((DEPLOY / "dataflow" / "metadata.json").read_text(encoding="utf-8"))


def option_names() -> set[str]:
    import argparse

    parser = argparse.ArgumentParser()
    DataguardJobOptions._add_argparse_args(parser)
    return {a.dest for a in parser._actions if a.dest != "help"}


def test_every_template_parameter_is_a_job_option_and_every_option_a_parameter() -> None:
    params = {p["name"] for p in metadata()["parameters"]}
    assert params == option_names() - LAUNCHER_ONLY


def test_template_requires_exactly_what_every_job_requires() -> None:
    """Required in metadata.json ⇔ required by every job (plus the job selector); what only
    some jobs need is optional there and checked by the job at launch."""
    required = {p["name"] for p in metadata()["parameters"] if not p["isOptional"]}
    common = set.intersection(*(set(names) for names in REQUIRED.values()))
    assert required == common | {"job"}
    for job, names in REQUIRED.items():
        assert set(names) <= set(JOB_OPTIONS[job]), job
        assert set(JOB_OPTIONS[job]) <= option_names(), job


def test_template_regexes_accept_the_documented_examples() -> None:
    by_name = {p["name"]: p for p in metadata()["parameters"]}
    examples = {"job": "validate_batch", "dataset": "taxi", "batch": "{yesterday}",
                "input": "gs://acme-ml-data/taxi/{date}/*.csv", "replace": "true",
                "shards": "8", "artifacts": "gs://acme-ml-dataguard/artifacts"}
    for name, value in examples.items():
        for regex in by_name[name].get("regexes", []):
            assert re.fullmatch(regex, value), (name, value, regex)


def lock_version(package: str) -> str:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(package)}==(\S+)$", text, re.M)
    assert found, package
    return found.group(1)


def test_launcher_image_runs_jobs_main_on_the_python311_launcher_with_the_lock() -> None:
    text = (DEPLOY / "dataflow" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM gcr\.io/dataflow-templates-base/python311-template-launcher-base",
                     text, re.M)
    assert re.search(r'^ENV FLEX_TEMPLATE_PYTHON_PY_FILE=".*/jobs/main\.py"$', text, re.M)
    assert "pip install --no-cache-dir -r requirements-runtime.lock" in text  # no dev tools
    assert (REPO / "jobs" / "main.py").is_file()


def test_worker_image_is_the_beam_sdk_of_the_locked_version_with_the_same_lock() -> None:
    text = (DEPLOY / "dataflow" / "Dockerfile.worker").read_text(encoding="utf-8")
    beam = lock_version("apache-beam")
    assert re.search(rf"^FROM apache/beam_python3\.11_sdk:{re.escape(beam)}$", text, re.M)
    assert "pip install --no-cache-dir -r requirements-runtime.lock" in text  # no dev tools


def test_build_and_run_scripts_use_gcloud_flex_templates_with_the_metadata() -> None:
    build = (DEPLOY / "dataflow" / "build.sh").read_text(encoding="utf-8")
    run = (DEPLOY / "dataflow" / "run.sh").read_text(encoding="utf-8")
    assert "gcloud dataflow flex-template build" in build
    assert "--metadata-file deploy/dataflow/metadata.json" in build
    assert "gcloud dataflow flex-template run" in run
    for script in ("build.sh", "run.sh"):
        path = DEPLOY / "dataflow" / script
        assert path.stat().st_mode & 0o111, f"{script} is not executable"


def terraform_parameters() -> dict[str, str]:
    text = (DEPLOY / "schedule" / "main.tf").read_text(encoding="utf-8")
    block = re.search(r"parameters = merge\(\s*\{(.*?)\n    \},", text, re.S)
    assert block, "locals.parameters not found in main.tf"
    pairs = dict(re.findall(r"^\s*(\w+)\s*=\s*(.+?)\s*$", block.group(1), re.M))
    for name in re.findall(r"\{\s*(\w+)\s*=\s*var\.\w+\s*\}", text):
        pairs[name] = f"var.{name}"
    return pairs


def test_terraform_schedule_launches_validate_batch_daily_named_after_the_date() -> None:
    text = (DEPLOY / "schedule" / "main.tf").read_text(encoding="utf-8")
    params = terraform_parameters()
    known = {p["name"] for p in metadata()["parameters"]}
    assert set(params) <= known, set(params) - known
    required = {p["name"] for p in metadata()["parameters"] if not p["isOptional"]}
    assert required | set(REQUIRED["validate_batch"]) <= set(params)
    assert params["job"] == '"validate_batch"'
    assert params["batch"] in ('"{yesterday}"', '"{date}"')
    assert 'resource "google_cloud_scheduler_job"' in text
    assert "flexTemplates:launch" in text
    assert "containerSpecGcsPath" in text


def test_terraform_variables_used_are_declared() -> None:
    main = (DEPLOY / "schedule" / "main.tf").read_text(encoding="utf-8")
    variables = (DEPLOY / "schedule" / "variables.tf").read_text(encoding="utf-8")
    used = set(re.findall(r"\bvar\.(\w+)", main))
    declared = set(re.findall(r'^variable "(\w+)"', variables, re.M))
    assert used <= declared, used - declared


@pytest.fixture(scope="module")
def dag() -> ast.Module:
    return ast.parse((DEPLOY / "schedule" / "airflow_dag.py").read_text(encoding="utf-8"))


def test_airflow_dag_runs_the_template_then_gates_training_on_the_verdict(dag: ast.Module) -> None:
    imported = {
        alias.name
        for node in ast.walk(dag)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert {"DAG", "DataflowStartFlexTemplateOperator", "BashOperator"} <= imported
    source = ast.unparse(dag)
    assert "validate_batch >> gate >> train" in source
    assert "dataguard gate" in source
    params = next(
        node.value
        for node in dag.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PARAMETERS"
    )
    assert isinstance(params, ast.Dict)
    keys = {k.value for k in params.keys if isinstance(k, ast.Constant)}
    known = {p["name"] for p in metadata()["parameters"]}
    assert keys <= known, keys - known
    assert set(REQUIRED["validate_batch"]) | {"job"} <= keys


def test_deploy_readme_walks_through_the_files_it_ships() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for name in ("build.sh", "run.sh", "metadata.json", "main.tf", "airflow_dag.py", "secret_env"):
        assert name in readme, name
    assert Path(DEPLOY / "dataflow" / "cloudbuild.yaml").is_file()
