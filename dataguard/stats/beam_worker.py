"""A lean Beam SDK worker process for local multi-processing runs over local files.

    python -m dataguard.stats.beam_worker          # what the FnApiRunner starts, per worker

DirectRunner's ``--direct_running_mode=multi_processing`` starts each worker as ``python -m
apache_beam.runners.worker.sdk_worker_main``, whose ``import apache_beam`` loads every connector
whose client library is installed (~1.2 CPU-s of the ~1.7 CPU-s each worker spends starting).
This entry imports it without them (``stats.lean_beam``, kept absent for the worker's life),
runs Beam's own worker main unchanged, and once the runner has closed it ends the process
without the interpreter's teardown of Beam's, TFDV's and pyarrow's modules (~0.25 CPU-s a
worker, for nothing: its work is handed back and its logs flushed).

``pipeline_options.make_pipeline(..., lean_workers=True)`` chooses it; the Beam engine asks for
it only when every input is a local file. Other runners (Dataflow) start their own workers.
"""

from __future__ import annotations

import logging
import os
import sys

from dataguard.stats.lean_beam import import_beam


def main() -> None:
    import_beam("apache_beam.runners.worker.sdk_worker_main", keep_absent=True)
    from apache_beam.runners.worker import sdk_worker_main

    sdk_worker_main.main(sys.argv)  # returns once the runner closed the worker; failures raise
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
