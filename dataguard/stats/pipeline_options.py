"""Beam pipeline options for dataguard's pipelines: any runner, never Prism by accident.

    pipeline = make_pipeline(["--runner=DataflowRunner", "--project=acme-ml", ...])

Local runs (no ``--runner``, ``DirectRunner``) execute on the FnApiRunner directly: Beam's
DirectRunner would first try the Prism runner, which downloads a binary (offline it fails or
hangs). ``--direct_running_mode`` / ``--direct_num_workers`` still apply (the FnApiRunner reads
them). Every other runner name is passed to Beam unchanged, so DataflowRunner stays one flag away.
"""

from __future__ import annotations

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


def make_pipeline(pipeline_args: Sequence[str] | Any = ()) -> Any:
    """A ``beam.Pipeline`` for these args (or ready ``PipelineOptions``); local = FnApiRunner."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    options = (
        pipeline_args
        if isinstance(pipeline_args, PipelineOptions)
        else parse_options(pipeline_args)
    )
    name = runner_name(options).lower()
    if name in FNAPI_RUNNERS:
        return beam.Pipeline(runner=fn_api_runner(options), options=options)
    try:
        return beam.Pipeline(options=options)
    except ValueError as exc:  # unknown runner name and the like
        raise UsageError(f"pipeline options: {str(exc).splitlines()[0]}") from None


def fn_api_runner(options: Any) -> Any:
    """The FnApiRunner as DirectRunner builds it (options reach multi-processing workers too)."""
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle

    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    info = fn_runner.ExtendedProvisionInfo(
        beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    )
    return fn_runner.FnApiRunner(provision_info=info)


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
