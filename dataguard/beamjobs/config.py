"""What a Beam job needs and what starting one returns, as plain picklable dataclasses.

    cfg = JobConfig(dataset="taxi", batch="2026-11-25", inputs=("gs://acme/taxi/*.csv",),
                    store_url="postgresql+psycopg://…", artifacts="gs://acme/dataguard/artifacts")
    run = launch_job(VALIDATE_BATCH, cfg, pipeline_args)     # → JobLaunch(runner, state, job_id, …)

Separate from the builders so that the job options (``jobs/options.py``), the worker steps and
the remote runner share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobConfig:
    """What a dataguard Beam job needs besides the Beam options (picklable: it travels to workers).

    ``store_url``/``artifacts``/``schemas_dir``/``config`` of None mean "from the worker's
    environment" (``DATAGUARD_*``); ``secret_env`` maps environment variable names to Secret
    Manager versions resolved on the worker, so no secret is ever a job option.
    """

    dataset: str
    batch: str
    inputs: tuple[str, ...]
    input_format: str | None = None
    delimiter: str = ","
    column_names: tuple[str, ...] | None = None
    role: str = "training"
    serving_inputs: tuple[str, ...] = ()
    serving_batch: str | None = None
    serving_column_names: tuple[str, ...] | None = None
    schema_version: int | None = None
    baseline: str | None = None
    no_baseline: bool = False
    replace: bool = False
    hooks: bool = True
    slice_by: tuple[str, ...] = ()  # empty: the config's [datasets.<name>] slice_by
    store_url: str | None = None
    artifacts: str | None = None
    schemas_dir: str | None = None
    config: str | None = None
    config_text: str | None = None  # a local config file's text, shipped with the job
    secret_env: tuple[tuple[str, str], ...] = ()
    # csv_to_tfrecord only
    output: str | None = None
    schema: str | None = None
    compression: str | None = None
    shards: int = 1

    @property
    def serving_batch_name(self) -> str:
        """The serving batch is named after the training batch unless named explicitly."""
        return self.serving_batch or self.batch


@dataclass(frozen=True)
class JobLaunch:
    """What starting a job returns: the runner's state and, on Dataflow, the job id."""

    runner: str
    state: str
    job_id: str | None = None
    results: tuple[dict[str, Any], ...] = field(default=())
    job: Any = field(default=None, repr=False, compare=False)  # Dataflow's Job (dry runs too)
