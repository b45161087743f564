"""The Flex Template's Python file (FLEX_TEMPLATE_PYTHON_PY_FILE=jobs/main.py).

The launcher calls ``python jobs/main.py --job=validate_batch --dataset=… --runner=DataflowRunner
…`` with the template parameters and Dataflow's own options; ``--job`` picks the job. The launcher
submits the job and exits: it never waits and never reads the data.
"""

from __future__ import annotations

import argparse
import os
import sys

if __package__ in (None, ""):  # run as a file by the launcher: make `jobs` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dataguard.beamjobs import JOBS  # noqa: E402  (after the path fix; loads no Beam)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    picker = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    picker.add_argument("--job")
    job = picker.parse_known_args(args)[0].job
    if job not in JOBS:  # answered before Beam and TFDV are imported
        got = f" (got {job!r})" if job else ""
        print(f"dataguard job: error: --job: required ({'|'.join(JOBS)}){got}", file=sys.stderr)
        return 2
    from jobs.launch import main_for

    return main_for(job, args)


if __name__ == "__main__":
    sys.exit(main())
