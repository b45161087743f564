"""validate_batch: read a batch (+ a serving batch) → TFDV statistics → record both → check
against the schema, its baseline batch and the serving batch → store + hooks. One job, so a
scheduled run needs no machine waiting for it.

    python -m jobs.validate_batch --dataset=taxi --batch=2026-11-25 --input=data/day.csv \\
        [--serving_input=…] [--runner=DataflowRunner --project=… --region=… --temp_location=gs://…]

Exit code (local runs): 0 pass/warn, 1 fail, 2 bad usage/input, 3 store/artifact/runner.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence

from dataguard.beamjobs import VALIDATE_BATCH
from dataguard.beamjobs.config import JobLaunch
from jobs.launch import launch_with_flags, main_for

JOB = VALIDATE_BATCH


def launch(argv: Sequence[str] | None = None, *, now: dt.datetime | None = None) -> JobLaunch:
    return launch_with_flags(JOB, argv, now=now)


def main(argv: Sequence[str] | None = None) -> int:
    return main_for(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
