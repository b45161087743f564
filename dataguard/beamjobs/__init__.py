"""dataguard's Beam jobs: whole use cases (statistics → record → check → hooks) as one pipeline,
so a scheduled run needs no machine waiting for it.

    from dataguard.beamjobs.pipelines import launch_job
    launch_job(VALIDATE_BATCH, JobConfig(dataset="taxi", batch="2026-11-25", inputs=(...)),
            ["--runner=DataflowRunner", ...])

This package sits above the use cases (``dataguard.service``) and calls them on the workers;
the use cases never import it. Its users are the entry points: ``python -m jobs.<name>`` / the
Flex Template (``jobs/``), and ``dataguard stats|run --engine beam`` through ``dataguard.api``
when the runner's workers can record themselves.

    config.py     JobConfig (what a job needs, picklable), JobLaunch (what starting one returns)
    pipelines.py  the graph builders per job, and launch_job
    steps.py      the steps on a worker that call the services; secrets and config there
    remote.py     the command line's remote path: launch_stats_job, launch_run_job

Importing this package (for ``JOBS``) loads neither Beam nor TensorFlow: the Flex Template's
``jobs/main.py`` answers a bad ``--job`` before either is imported.
"""

from __future__ import annotations

VALIDATE_BATCH = "validate_batch"
COMPUTE_STATS = "compute_stats"
CSV_TO_TFRECORD = "csv_to_tfrecord"
JOBS = (VALIDATE_BATCH, COMPUTE_STATS, CSV_TO_TFRECORD)
"""Every job's name: ``jobs/<name>.py``, ``--job=<name>`` of the Flex Template, a builder each."""
