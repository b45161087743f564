"""stderr carries dataguard's own lines only: no TensorFlow C++ notices (oneDNN, CUDA, TensorRT)
from the statistics engines, whether run by the CLI or the library, and no ASGI server chatter
("Uvicorn server started on …") from `dataguard dashboard`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def clean_env(workdir: Path) -> dict[str, str]:
    drop = ("DATAGUARD_", "TF_CPP_", "GRPC_", "STREAMLIT_", "PYTHONWARNINGS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["DATAGUARD_STORE_URL"] = f"sqlite:///{workdir / 'dg.db'}"
    env["DATAGUARD_ARTIFACTS"] = str(workdir / "artifacts")
    return env


OWN = re.compile(r"^(dataguard|schema v\d+ of )")  # "dataguard: …", `schema infer`'s receipt


def foreign_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and not OWN.match(line)]


def dataguard(workdir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dataguard", *argv], cwd=workdir,
                          env=clean_env(workdir), capture_output=True, text=True, timeout=600)


def test_stats_and_check_on_the_command_line_print_only_dataguards_lines(
    tmp_path: Path, taxi: Path
) -> None:
    runs = [
        dataguard(tmp_path, "stats", "taxi", "d1", "--input", str(taxi / "train.csv")),
        dataguard(tmp_path, "schema", "infer", "taxi", "--label", "tips"),
        dataguard(tmp_path, "stats", "taxi", "d2", "--input", str(taxi / "batch_a.csv"),
                  "--engine", "beam"),
        dataguard(tmp_path, "check", "taxi", "d2", "--no-hooks"),
    ]
    assert [r.returncode for r in runs] == [0, 0, 0, 1], [r.stderr[-500:] for r in runs]
    assert [foreign_lines(r.stderr) for r in runs] == [[], [], [], []]


def test_the_library_with_the_beam_engine_prints_nothing_on_stderr(
    tmp_path: Path, taxi: Path
) -> None:
    code = (
        "import dataguard\n"
        f"dataguard.compute_stats('taxi', 'd1', [{str(taxi / 'train.csv')!r}], engine='beam')\n"
        "dataguard.infer_schema('taxi')\n"
        f"dataguard.compute_stats('taxi', 'd2', [{str(taxi / 'batch_a.csv')!r}])\n"
        "print(dataguard.check('taxi', 'd2', hooks=False).verdict)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "fail"
    assert foreign_lines(proc.stderr) == []


def test_the_dashboard_server_prints_only_dataguards_line(tmp_path: Path, taxi: Path) -> None:
    assert dataguard(tmp_path, "stats", "taxi", "d1", "--input",
                     str(taxi / "batch_b.csv")).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "dataguard", "dashboard", "--port", str(port)], cwd=tmp_path,
        env=clean_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.5)
        time.sleep(2)  # anything logged at start-up has been written by now
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "dataguard: dashboard on" in stderr
    assert foreign_lines(stderr) == []
