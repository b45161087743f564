"""`make demo` runs `dataguard demo`: the tutorial must run start to finish on the taxi data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
@pytest.mark.e2e
def test_demo_tells_the_whole_story_and_leaves_a_store_to_explore(
    taxi: Path, workdir: Path
) -> None:
    argv = [sys.executable, "-m", "dataguard", "demo", "--data", str(taxi)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for step in range(1, 6):
        assert f"Step {step}." in out
    assert "FAIL" in out and "payment_type" in out and "0.0131775" in out
    assert "dashboard" in out
    assert "Traceback" not in proc.stderr and "IPython" not in proc.stderr
    config = workdir / ".dataguard" / "demo" / "dataguard.toml"
    assert (workdir / ".dataguard" / "demo" / "schemas" / "taxi" / "v1.pbtxt").is_file()
    gate = [sys.executable, "-m", "dataguard", "--config", str(config), "gate", "taxi"]
    assert subprocess.run(gate, capture_output=True, timeout=120).returncode == 1

    again = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr  # re-runnable: starts from a fresh demo folder


def test_demo_refuses_to_wipe_a_folder_it_did_not_create(workdir: Path, taxi: Path) -> None:
    (workdir / "precious").mkdir()
    (workdir / "precious" / "keep.txt").write_text("mine")
    argv = [sys.executable, "-m", "dataguard", "demo", "--data", str(taxi), "--dir", "precious"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "not a dataguard demo folder" in proc.stderr
    assert (workdir / "precious" / "keep.txt").read_text() == "mine"


def test_the_bundled_demo_data_is_the_shared_taxi_data_gzipped(taxi: Path) -> None:
    import gzip

    from dataguard.cli.demo_cmd import BUNDLED_TAXI

    for name in ("train", "batch_a", "batch_b"):
        bundled = gzip.decompress((BUNDLED_TAXI / f"{name}.csv.gz").read_bytes())
        assert bundled == (taxi / f"{name}.csv").read_bytes(), name


@pytest.mark.slow
@pytest.mark.e2e
def test_demo_runs_on_the_bundled_data_without_shared(workdir: Path) -> None:
    """A user's clone has no ../shared: the demo falls back to the copy in the package."""
    from dataguard.cli.demo_cmd import BUNDLED_TAXI, find_taxi_data

    assert find_taxi_data(str(BUNDLED_TAXI)) == BUNDLED_TAXI
    argv = [sys.executable, "-m", "dataguard", "demo", "--data", str(BUNDLED_TAXI)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "FAIL" in proc.stdout and "0.0131775" in proc.stdout  # the same story
