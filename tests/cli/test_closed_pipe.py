"""The gate's exit code survives a reader that leaves early (`| head -c 0`, `| true`).

A pipeline that pipes `dataguard check` into `head` under `set -o pipefail` must still see exit 1
for a failed check: EPIPE on stdout used to turn a failed check into exit 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dataguard.cli.main import main
from tests.cli.test_check_cli import DAY1, DAY2, cli  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DATAGUARD = [sys.executable, "-m", "dataguard"]


def exit_code_with_reader_gone(cwd: Path, *argv: str) -> int:
    """Run dataguard with its stdout a pipe whose read end is closed before anything is written."""
    proc = subprocess.Popen([*DATAGUARD, *argv], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=300)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()
    return proc.returncode


def exit_code_in_a_shell_pipeline(cwd: Path, command: str) -> int:
    """``${PIPESTATUS[0]}`` of ``dataguard … | <reader>`` in bash under ``set -o pipefail``."""
    script = f"set -o pipefail; {command}; echo \"status=${{PIPESTATUS[0]}}\" >&2"
    proc = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "DG": " ".join(DATAGUARD)})
    return int(proc.stderr.rsplit("status=", 1)[1].split()[0])


@pytest.fixture
def failed_check(cli: Path, capsys: pytest.CaptureFixture[str]) -> Path:  # noqa: F811
    """A store whose batch DAY2 fails its check (L-infinity drift of payment_type)."""
    assert main(["schema", "infer", "taxi", "--batch", DAY1]) == 0
    assert main(["check", "taxi", DAY2, "--no-hooks"]) == 1
    capsys.readouterr()
    return cli


def test_failed_check_exits_1_when_its_reader_is_gone(failed_check: Path) -> None:
    for fmt in ("text", "json", "junit", "markdown"):
        assert exit_code_with_reader_gone(
            failed_check, "check", "taxi", DAY2, "--no-hooks", "--format", fmt) == 1, fmt


def test_failed_gate_exits_1_through_head_under_pipefail(failed_check: Path) -> None:
    assert exit_code_in_a_shell_pipeline(failed_check, "$DG gate taxi | head -c 0") == 1
    assert exit_code_in_a_shell_pipeline(
        failed_check, f"$DG check taxi {DAY2} --no-hooks | true") == 1
    assert exit_code_with_reader_gone(failed_check, "gate", "taxi", "--format", "json") == 1


def test_failed_run_exits_1_when_its_reader_is_gone(failed_check: Path, taxi: Path) -> None:
    code = exit_code_with_reader_gone(
        failed_check, "run", "taxi", "2026-11-26", "--input", str(taxi / "batch_a.csv"),
        "--baseline", DAY1, "--no-hooks")
    assert code == 1


def test_help_through_a_closed_pipe_still_exits_0(tmp_path: Path) -> None:
    assert exit_code_with_reader_gone(tmp_path, "--help") == 0
