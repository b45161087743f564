"""Beam pipeline options for dataguard's pipelines: any runner, never Prism by accident.

    pipeline = make_pipeline(["--runner=DataflowRunner", "--project=acme-ml", ...])

Local runs (no ``--runner``, ``DirectRunner``) execute on the FnApiRunner directly: Beam's
DirectRunner would first try the Prism runner, which downloads a binary (offline it fails or
hangs). ``--direct_running_mode`` / ``--direct_num_workers`` still apply (the FnApiRunner reads
them). Every other runner name is passed to Beam unchanged, so DataflowRunner stays one flag away.
With ``lean_workers`` (the statistics of local files), multi-processing workers start from
``stats.beam_worker``, which skips the cloud connectors Beam would import in each of them.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from typing import Any

from dataguard.errors import UsageError

FNAPI_RUNNERS = {"directrunner", "direct", "switchingdirectrunner", "fnapirunner"}
LOCAL_RUNNERS = FNAPI_RUNNERS | {"bundlebaseddirectrunner"}


def parse_options(pipeline_args: Sequence[str] = ()) -> Any:
    """``PipelineOptions`` from command-line style args (unknown args are kept for the runner)."""
    from apache_beam.options.pipeline_options import PipelineOptions

    return PipelineOptions(list(pipeline_args))


def runner_name(options: Any) -> str:
    from apache_beam.options.pipeline_options import StandardOptions

    runner = options.view_as(StandardOptions).runner
    if runner is None:
        return "DirectRunner"
    return runner if isinstance(runner, str) else type(runner).__name__


def is_local(options: Any) -> bool:
    """True when the pipeline runs in this process (its workers can read local temp files)."""
    return runner_name(options).lower() in LOCAL_RUNNERS


def make_pipeline(pipeline_args: Sequence[str] | Any = (), *, lean_workers: bool = False) -> Any:
    """A ``beam.Pipeline`` for these args (or ready ``PipelineOptions``); local = FnApiRunner.

    ``lean_workers``: multi-processing workers need no cloud connector (every input is local);
    the given ``PipelineOptions`` are then changed (``_lean_worker_command``).
    """
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    options = (
        pipeline_args
        if isinstance(pipeline_args, PipelineOptions)
        else parse_options(pipeline_args)
    )
    name = runner_name(options).lower()
    if name in FNAPI_RUNNERS:
        command = _lean_worker_command(options) if lean_workers else None
        return beam.Pipeline(runner=fn_api_runner(options, command), options=options)
    try:
        return beam.Pipeline(options=options)
    except ValueError as exc:  # unknown runner name and the like
        raise UsageError(f"pipeline options: {str(exc).splitlines()[0]}") from None


def fn_api_runner(options: Any, worker_command: str | None = None) -> Any:
    """The FnApiRunner as DirectRunner builds it (options reach multi-processing workers too);
    with ``worker_command``, its workers are processes started with that command."""
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle
    from apache_beam.transforms import environments

    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    info = fn_runner.ExtendedProvisionInfo(
        beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    )
    if worker_command is None:
        return fn_runner.FnApiRunner(provision_info=info)
    environment = environments.SubprocessSDKEnvironment.from_command_string(worker_command)
    return fn_runner.FnApiRunner(default_environment=environment, provision_info=info)


def _lean_worker_command(options: Any) -> str | None:
    """For ``multi_processing``: the command of ``stats.beam_worker``, and the mode is unset in
    ``options``, as the FnApiRunner would otherwise start Beam's own workers (their number
    still comes from ``--direct_num_workers``). Other modes: None."""
    from apache_beam.options.pipeline_options import DirectOptions

    direct = options.view_as(DirectOptions)
    if direct.direct_running_mode != "multi_processing":
        return None
    direct.direct_running_mode = None
    return f"{sys.executable} -m dataguard.stats.beam_worker"


def scratch_location(options: Any, fallback_root: str | None = None) -> str:
    """A fresh folder URI for a pipeline's side outputs that the caller can read back.

    Local runners use a local temp folder; remote runners need ``--temp_location`` (or the
    artifacts root as ``fallback_root``) because their workers cannot write to this machine.
    """
    from apache_beam.options.pipeline_options import GoogleCloudOptions

    if is_local(options):
        import tempfile

        return tempfile.mkdtemp(prefix="dataguard-beam-")
    root = options.view_as(GoogleCloudOptions).temp_location or fallback_root
    if not root:
        raise UsageError(
            f"runner {runner_name(options)} needs --temp_location (e.g. gs://BUCKET/tmp) "
            "to hand the statistics back"
        )
    return root.rstrip("/") + f"/dataguard-{uuid.uuid4().hex[:12]}"
