"""Separate writer processes at the same moment: migrations, new datasets, batches, schema versions.

Two ``dataguard stats`` processes writing batches of the same new dataset into a fresh store must
both succeed (issue 2); two writers allocating the next schema version must get distinct numbers;
two writers adding the same batch: one stores it, the other gets the usual --replace message.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dataguard.store import open_store
from tests.conftest import REPO

WORKERS = 2
ROUNDS = 3


def _run_in_lockstep(url: str, folder: Path, steps: list[str]) -> list[list[dict]]:
    """Start the workers, release them step by step, return each worker's JSON lines."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.workers", url, str(folder), str(i), *steps],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    try:
        for n in range(len(steps)):
            deadline = time.monotonic() + 120
            while not all((folder / f"ready-{n}-{i}").exists() for i in range(WORKERS)):
                if any(p.poll() not in (None, 0) for p in procs) or time.monotonic() > deadline:
                    raise AssertionError([p.communicate() for p in procs])
                time.sleep(0.005)
            (folder / f"go-{n}").touch()
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for (_, err), proc in zip(outputs, procs, strict=True):
        assert proc.returncode == 0, err
    return [[json.loads(line) for line in out.splitlines()] for out, _ in outputs]


@pytest.mark.slow
def test_concurrent_writers_on_a_fresh_store_all_succeed_without_duplicates(
    store_url: str, tmp_path: Path
) -> None:
    steps = [f"{kind}:ds{r}" for r in range(ROUNDS) for kind in ("batch", "schema", "same")]
    results = _run_in_lockstep(store_url, tmp_path, steps)

    for worker_results in results:
        assert [r["step"] for r in worker_results] == steps
        assert all(r["ok"] for r in worker_results if not r["step"].startswith("same")), results
    for n, step in enumerate(steps):
        if step.startswith("same"):  # the same batch name: one wins, the other is told why
            outcomes = sorted((r[n]["ok"], r[n].get("error", "")) for r in results)
            assert [ok for ok, _ in outcomes] == [False] + [True] * (WORKERS - 1)
            assert outcomes[0][1].endswith("already exists; pass --replace to recompute it")
    store = open_store(store_url, read_only=True)
    with store.read() as q:
        assert q.list_datasets() == [f"ds{r}" for r in range(ROUNDS)]
        for r in range(ROUNDS):
            names = sorted(b.name for b in q.list_batches(f"ds{r}"))
            assert names == [f"b{i}" for i in range(WORKERS)] + ["shared"]
            versions = sorted(v.version for v in q.list_schema_versions(f"ds{r}"))
            assert versions == list(range(1, WORKERS + 1))
    store.dispose()
    for n, step in enumerate(steps):
        if step.startswith("schema"):
            got = sorted(worker_results[n]["version"] for worker_results in results)
            assert got == list(range(1, WORKERS + 1))
