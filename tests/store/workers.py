"""A writer process for the concurrency tests: ``python -m tests.store.workers URL DIR ID STEP…``.

Each STEP is ``batch:<dataset>`` (add batch ``b<ID>``), ``same:<dataset>`` (add batch ``shared``,
which all workers race for) or ``schema:<dataset>`` (reserve the next schema version, then record
it). Before each step the worker writes ``ready-<n>-<ID>`` in DIR and waits for ``go-<n>``, so all
workers start the step at the same moment; it opens a fresh store per step (like separate
commands) and prints one JSON line per step: the outcome or the error.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dataguard.errors import DataguardError
from dataguard.store import open_store
from tests.store.builders import make_batch


def _wait(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"worker gave up waiting for {path}")
        time.sleep(0.002)


def run_step(url: str, worker: str, step: str) -> dict[str, object]:
    kind, dataset = step.split(":", 1)
    store = open_store(url)
    try:
        with store.transaction() as tx:
            if kind in ("batch", "same"):
                name = f"b{worker}" if kind == "batch" else "shared"
                batch = tx.add_batch(make_batch(name, dataset=dataset))
                return {"step": step, "ok": True, "id": batch.id}
            reserved = tx.next_schema_version(dataset)  # as `schema infer` does: name the file
            time.sleep(0.05)  # ... write it (a window for the other writer) ...
            version = tx.add_schema_version(
                dataset, path=f"v-{worker}", sha256="0" * 64, parent_version=None, message=worker
            )  # ... and record it: the number must still be the reserved one
            ok = version.version == reserved
            return {"step": step, "ok": ok, "version": version.version, "reserved": reserved}
    except DataguardError as exc:
        return {"step": step, "ok": False, "error": str(exc)}
    finally:
        store.dispose()


def main(argv: list[str]) -> int:
    url, folder, worker, *steps = argv
    sync = Path(folder)
    for n, step in enumerate(steps):
        (sync / f"ready-{n}-{worker}").touch()
        _wait(sync / f"go-{n}")
        print(json.dumps(run_step(url, worker, step)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
