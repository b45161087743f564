"""Beam without its cloud connectors, for local runs over local files (launcher and workers).

    if lean_beam.local_only(pipeline_args, paths):   # decided before Beam is imported
        lean_beam.import_beam()

``import apache_beam`` loads every connector whose client library is installed: Google Cloud
Storage, BigQuery, Pub/Sub (with ``google.api_core``, which scans every installed
distribution's metadata at import), MongoDB, and pandas: ~1.2 CPU-s, in the launcher and in
each multi-processing worker, more than the statistics of a million rows cost. A local runner
over local files needs none of them, so they are made absent while Beam loads (Beam imports
each inside ``try/except ImportError``). The launcher makes them importable again afterwards,
and registers a stand-in ``gs://`` filesystem that loads the real one on first use (a path
recorded by an earlier cloud run still reads); a worker (``stats.beam_worker``) keeps the
connectors absent. A Beam that is already imported is left as it is.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import logging
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from dataguard.io.sources import is_remote
from dataguard.stats.pipeline_options import LOCAL_RUNNERS

# Connectors Beam imports when installed, and the client libraries only they use.
ABSENT = ("apache_beam.io.gcp", "google.cloud", "google.api_core", "apitools", "pymongo", "bson")
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


def local_only(pipeline_args: Sequence[str], paths: Iterable[str]) -> bool:
    """True when the runner named in ``pipeline_args`` runs here and no path is remote: read
    from the args themselves, as importing Beam to parse them would load the connectors."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--runner", default="DirectRunner")
    runner = parser.parse_known_args(list(pipeline_args))[0].runner
    return runner.lower() in LOCAL_RUNNERS and not any(is_remote(path) for path in paths)


def import_beam(module: str = "apache_beam", *, keep_absent: bool = False) -> bool:
    """Imports ``module`` (Beam or one of its modules) with the connectors absent; with
    ``keep_absent`` they stay absent for good (a worker). False when Beam was already
    imported (then nothing is hidden, and ``module`` is imported as usual)."""
    if "apache_beam" in sys.modules:
        importlib.import_module(module)
        return False
    absent, at_start = _Absent(ABSENT), _Absent(ABSENT_AT_START)
    sys.meta_path[:0] = [absent, at_start]
    # Beam warns at import that MongoDB's bson is missing; here that is the point.
    logging.getLogger("apache_beam.io.mongodbio").setLevel(logging.ERROR)
    try:
        importlib.import_module(module)
    finally:
        sys.meta_path.remove(at_start)
        if not keep_absent:
            sys.meta_path.remove(absent)
    if not keep_absent:
        _register_lazy_gcs()
    return True


_GCS = "apache_beam.io.gcp.gcsfilesystem"


def _register_lazy_gcs() -> None:
    """Beam finds a filesystem among ``FileSystem``'s subclasses by scheme, at each use: this
    one answers ``gs`` until the real one is imported, and its construction imports it."""
    from apache_beam.io.filesystem import FileSystem

    class LazyGCSFileSystem(FileSystem):  # type: ignore[misc]
        """``gs://`` before the GCS connector is loaded: constructing it loads it."""

        @classmethod
        def scheme(cls) -> str | None:
            return None if _GCS in sys.modules else "gs"

        def __new__(cls, pipeline_options: Any = None) -> Any:
            module = importlib.import_module(_GCS)
            return module.GCSFileSystem(pipeline_options=pipeline_options)

    _LAZY.append(LazyGCSFileSystem)  # kept referenced: subclasses are tracked weakly


_LAZY: list[type] = []
