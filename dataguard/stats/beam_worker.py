"""A lean Beam SDK worker process for local multi-processing runs over local files.

    python -m dataguard.stats.beam_worker          # what the FnApiRunner starts, per worker

DirectRunner's ``--direct_running_mode=multi_processing`` starts each worker as ``python -m
apache_beam.runners.worker.sdk_worker_main``, whose ``import apache_beam`` loads every connector
whose client library is installed: Google Cloud Storage, BigQuery, Pub/Sub (with
``google.api_core``, which scans every installed distribution's metadata at import) and
MongoDB, and pandas. That is ~1.2 CPU-s of the ~1.7 CPU-s each worker spends starting, more
than a worker's share of the statistics of a million rows. The statistics fast path over local
files needs none of them, so this entry makes them absent (Beam imports each inside
``try/except ImportError``) and then runs Beam's own worker main unchanged.

``pipeline_options.make_pipeline(..., lean_workers=True)`` chooses it; the Beam engine asks for
it only when every input is a local file. Other runners (Dataflow) start their own workers.
"""

from __future__ import annotations

import importlib.abc
import logging
import sys
from typing import Any

# Connectors Beam imports when installed, and the client libraries only they use.
ABSENT = ("apache_beam.io.gcp", "google.cloud", "google.api_core", "apitools", "pymongo")
# Beam's pandas support: absent while Beam loads (TFDV's modules get a lazy stand-in,
# ``stats.tfdv_modules``), importable again afterwards.
ABSENT_AT_START = ("pandas",)


class _Absent(importlib.abc.MetaPathFinder):
    """Makes some packages look not installed (``ModuleNotFoundError``)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if any(fullname == name or fullname.startswith(name + ".") for name in self._names):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def main() -> None:
    at_start = _Absent(ABSENT_AT_START)
    sys.meta_path[:0] = [_Absent(ABSENT), at_start]
    # Beam warns at import that MongoDB's bson is missing; here that is the point.
    logging.getLogger("apache_beam.io.mongodbio").setLevel(logging.ERROR)
    from apache_beam.runners.worker import sdk_worker_main

    sys.meta_path.remove(at_start)
    sdk_worker_main.main(sys.argv)


if __name__ == "__main__":
    main()
