"""csv_to_tfrecord: CSV → tf.Example TFRecord shards (types from --schema or inferred).

    python -m jobs.csv_to_tfrecord --input=gs://…/*.csv --output=gs://…/tfrecord/data \\
        --compression=gzip --shards=8 --runner=DataflowRunner …
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence

from dataguard.beamjobs import CSV_TO_TFRECORD
from dataguard.beamjobs.config import JobLaunch
from jobs.launch import launch_with_flags, main_for

JOB = CSV_TO_TFRECORD


def launch(argv: Sequence[str] | None = None, *, now: dt.datetime | None = None) -> JobLaunch:
    return launch_with_flags(JOB, argv, now=now)


def main(argv: Sequence[str] | None = None) -> int:
    return main_for(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
