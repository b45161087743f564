"""The Flex Template's Python file (FLEX_TEMPLATE_PYTHON_PY_FILE=jobs/main.py).

The launcher calls ``python jobs/main.py --job=validate_batch --dataset=… --runner=DataflowRunner
…`` with the template parameters and Dataflow's own options; ``--job`` picks the job. The launcher
submits the job and exits: it never waits and never reads the data.
"""

from __future__ import annotations

import os
import sys

if __package__ in (None, ""):  # run as a file by the launcher: make `jobs` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from jobs.launch import main_for  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    return main_for(None, argv)


if __name__ == "__main__":
    sys.exit(main())
