"""The launcher loads Beam without its cloud connectors only when nothing remote is needed
(``stats.lean_beam``): decided from the args and locations before Beam is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dataguard.stats.lean_beam import local_only

_PROBE = """
import json, sys
from dataguard.engines import stats_engine
engine = stats_engine("beam", {args!r}, {locations!r})
import apache_beam  # noqa: F401  (already loaded by the engine)
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.filesystem import FileSystem
print(json.dumps({{
    "gcs": "apache_beam.io.gcp.gcsfilesystem" in sys.modules,
    "api_core": "google.api_core" in sys.modules,
    "remote": engine.remote,
    "schemes": sorted({{str(fs.scheme()) for fs in FileSystem.get_all_subclasses()}}),
    "gs_later": [type(FileSystems.get_filesystem("gs://acme/a.pb")).__name__ for _ in "12"],
}}))
"""


def _probe(args: list[str], locations: list[str]) -> dict[str, object]:
    code = _PROBE.format(args=args, locations=locations)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_local_only_reads_the_runner_and_the_locations_without_beam() -> None:
    assert local_only([], ["data/day1.csv", "file:///tmp/x.csv"])
    assert local_only(["--runner=DirectRunner", "--direct_num_workers=2"], ["a.csv"])
    assert not local_only(["--runner", "DataflowRunner"], ["a.csv"])
    assert not local_only(["--runner=DataflowRunner"], ["a.csv"])
    assert not local_only([], ["a.csv", "gs://acme/artifacts"])


@pytest.mark.slow
def test_the_launcher_hides_connectors_for_local_runs_only(tmp_path: Path) -> None:
    lean = _probe(["--direct_running_mode=multi_processing"], [str(tmp_path / "a.csv")])
    assert lean["gcs"] is False and lean["api_core"] is False and lean["remote"] is False
    # loaded on first use (a gs:// path recorded by a cloud run), then Beam's own
    assert lean["gs_later"] == ["GCSFileSystem", "GCSFileSystem"]
    full = _probe([], [str(tmp_path / "a.csv"), "gs://acme/artifacts"])
    assert full["gcs"] is True and "gs" in full["schemes"]  # type: ignore[operator]
    dataflow = _probe(["--runner=DataflowRunner"], [str(tmp_path / "a.csv")])
    assert dataflow["gcs"] is True and dataflow["remote"] is True


def test_an_imported_beam_is_left_as_it_is() -> None:
    import apache_beam  # noqa: F401

    from dataguard.stats.lean_beam import import_beam

    before = list(sys.meta_path)
    assert import_beam() is False
    assert sys.meta_path == before
