"""The layers of docs/architecture.md hold: import-linter's contracts and no module import cycle.

Run in the test suite (and so in CI), not only by `make lint`, so a change that makes a use case
import the Beam jobs, or two modules import each other lazily, fails where everyone looks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_no_module_import_cycles_in_dataguard_and_jobs() -> None:
    proc = subprocess.run([sys.executable, "scripts/import_cycles.py", "dataguard", "jobs"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("0 import cycle(s) among ")
