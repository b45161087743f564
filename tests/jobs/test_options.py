"""The jobs' options: what each job needs, dates filled in at launch, secrets never as values."""

from __future__ import annotations

import datetime as dt

import pytest

from dataguard.errors import UsageError
from jobs.options import REQUIRED, DataguardJobOptions, parse

NOW = dt.datetime(2026, 11, 25, 2, 30, tzinfo=dt.timezone.utc)


def config(job: str, *argv: str):  # type: ignore[no-untyped-def]
    _, options = parse(list(argv))
    return options.to_config(job, now=NOW)


def test_daily_batch_is_named_after_the_launch_day() -> None:
    cfg = config(
        "validate_batch",
        "--dataset=taxi",
        "--batch={yesterday}",
        "--input=gs://acme-ml-data/taxi/{yesterday}/*.csv,gs://acme-ml-data/late/{date}.csv",
    )
    assert cfg.batch == "2026-11-24"
    assert cfg.inputs == (
        "gs://acme-ml-data/taxi/2026-11-24/*.csv",
        "gs://acme-ml-data/late/2026-11-25.csv",
    )


def test_unknown_placeholder_is_a_usage_error_naming_the_value() -> None:
    with pytest.raises(UsageError, match=r"\{today\}"):
        config("validate_batch", "--dataset=taxi", "--batch={today}", "--input=a.csv")


@pytest.mark.parametrize("job", sorted(REQUIRED))
def test_each_job_names_its_missing_required_option(job: str) -> None:
    with pytest.raises(UsageError, match=f"--{REQUIRED[job][0]}: required by the {job} job"):
        config(job)


def test_flags_accept_template_style_booleans_and_lists() -> None:
    cfg = config(
        "validate_batch",
        "--dataset=taxi",
        "--batch=b1",
        "--input=a.csv",
        "--replace=true",
        "--hooks=false",
        "--no_baseline",
        "--column_names=a, b ,c",
        "--schema_version=3",
    )
    assert (cfg.replace, cfg.hooks, cfg.no_baseline) == (True, False, True)
    assert cfg.column_names == ("a", "b", "c")
    assert cfg.schema_version == 3


def test_secrets_are_secret_manager_references_not_values() -> None:
    ref = "projects/acme-ml-prod/secrets/dataguard-store-url/versions/latest"
    cfg = config(
        "compute_stats", "--dataset=taxi", "--batch=b1", "--input=a.csv",
        f"--secret_env=DATAGUARD_STORE_URL={ref}",
    )
    assert cfg.secret_env == (("DATAGUARD_STORE_URL", ref),)
    with pytest.raises(UsageError, match="--secret_env"):
        config(
            "compute_stats", "--dataset=taxi", "--batch=b1", "--input=a.csv",
            "--secret_env=DATAGUARD_STORE_URL=postgresql://u:hunter2@db/dg",
        )


def test_job_options_do_not_disturb_other_pipelines() -> None:
    """Beam parses every options class for every pipeline: nothing of ours may be required."""
    from apache_beam.options.pipeline_options import PipelineOptions

    options = PipelineOptions(["--runner=DirectRunner"]).view_as(DataguardJobOptions)
    assert options.dataset is None and options.hooks is True


def test_names_are_checked_at_launch_not_after_the_statistics() -> None:
    with pytest.raises(UsageError):
        config("validate_batch", "--dataset=taxi", "--batch=2026/11/24", "--input=a.csv")
    with pytest.raises(UsageError):
        config("compute_stats", "--dataset=-taxi", "--batch=b1", "--input=a.csv")
