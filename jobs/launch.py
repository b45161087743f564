"""Parse → build → launch, shared by every job's ``launch``/``main`` and the Flex Template."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Sequence

from dataguard.beamjobs import VALIDATE_BATCH
from dataguard.beamjobs.config import JobLaunch
from dataguard.beamjobs.pipelines import launch_job
from dataguard.errors import DataguardError
from jobs.options import parse


def launch_with_flags(
    job: str, argv: Sequence[str] | None = None, *, now: dt.datetime | None = None
) -> JobLaunch:
    """Run ``job`` with these command-line flags; local runners wait, remote ones submit."""
    options, job_options = parse(with_defaults(list(sys.argv[1:] if argv is None else argv)))
    cfg = job_options.to_config(job, now=now)
    return launch_job(job, cfg, options, wait=True if job_options.wait else None)


def with_defaults(args: list[str]) -> list[str]:
    """Defaults that make the worker image the whole environment: with ``--sdk_container_image``
    the SDK is not staged again (``--sdk_location=container``); inside the Flex Template
    launcher (``FLEX_TEMPLATE_PYTHON_PY_FILE`` set) the runner is Dataflow unless named."""
    def given(name: str) -> bool:
        return any(a == f"--{name}" or a.startswith(f"--{name}=") for a in args)

    extra = []
    if given("sdk_container_image") and not given("sdk_location"):
        extra.append("--sdk_location=container")
    if os.environ.get("FLEX_TEMPLATE_PYTHON_PY_FILE") and not given("runner"):
        extra.append("--runner=DataflowRunner")
    return args + extra


def main_for(job: str, argv: Sequence[str] | None = None) -> int:
    """A process entry point: one line on stderr and the DESIGN.md exit code on failure."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        launched = launch_with_flags(job, argv)
    except DataguardError as exc:
        print(f"dataguard job: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    for element in launched.results:
        print(json.dumps(element, sort_keys=True))
    if launched.job_id:
        print(f"{job}: submitted to {launched.runner} as job {launched.job_id}")
    elif launched.job is not None:
        name = launched.job.proto.name
        print(f"{job}: {launched.runner} job {name} built, not submitted (dry run)")
    if job == VALIDATE_BATCH and any(r.get("verdict") == "fail" for r in launched.results):
        return 1
    return 0
