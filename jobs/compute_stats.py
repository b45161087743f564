"""compute_stats: read a batch → TFDV statistics → artifact + store row (no check).

    python -m jobs.compute_stats --dataset=taxi --batch=2026-11-25 --input=gs://…/*.csv \\
        --column_names=… --runner=DataflowRunner …
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence

from dataguard.beamjobs import COMPUTE_STATS
from dataguard.beamjobs.config import JobLaunch
from jobs.launch import launch_with_flags, main_for

JOB = COMPUTE_STATS


def launch(argv: Sequence[str] | None = None, *, now: dt.datetime | None = None) -> JobLaunch:
    return launch_with_flags(JOB, argv, now=now)


def main(argv: Sequence[str] | None = None) -> int:
    return main_for(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
