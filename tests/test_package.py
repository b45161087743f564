"""The package's promises to users: a pinned public API and a command line that starts fast."""

from __future__ import annotations

import subprocess
import sys

import dataguard

NO_HEAVY_IMPORTS = (
    "import sys, {module}\n"
    "heavy = [m for m in ('tensorflow', 'tensorflow_data_validation', 'apache_beam', 'tfx_bsl')"
    " if m in sys.modules]\n"
    "assert not heavy, heavy\n"
)


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_public_api_is_pinned() -> None:
    assert sorted(dataguard.__all__) == sorted(
        name for name in dataguard.__all__ if hasattr(dataguard, name)
    )
    for name in ("check", "infer_schema", "compute_stats", "run", "gate", "CheckResult", "Verdict"):
        assert name in dataguard.__all__


def test_use_cases_stay_callable_after_the_engines_load() -> None:
    import dataguard.stats.local  # noqa: F401  (binds the `dataguard.stats` package attribute)

    assert callable(dataguard.compute_stats) and callable(dataguard.check)


def test_importing_dataguard_loads_neither_tensorflow_nor_beam() -> None:
    proc = _run_python(NO_HEAVY_IMPORTS.format(module="dataguard"))
    assert proc.returncode == 0, proc.stderr


def test_cli_help_loads_neither_tensorflow_nor_beam() -> None:
    code = (
        "import contextlib, io, sys\n"
        "from dataguard.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
        "assert 'COMMAND' in out.getvalue()\n"
        + NO_HEAVY_IMPORTS.format(module="dataguard.store")
    )
    proc = _run_python(code)
    assert proc.returncode == 0, proc.stderr


def test_cli_help_lists_every_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dataguard", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    commands = ("stats", "schema", "check", "gate", "run", "convert", "hooks", "dashboard", "demo")
    for command in commands:
        assert command in proc.stdout


def test_version_names_dataguard_and_the_tfdv_it_runs_on() -> None:
    from importlib.metadata import version

    proc = subprocess.run(
        [sys.executable, "-m", "dataguard", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"dataguard {dataguard.__version__} ")
    assert f"TFDV {version('tensorflow-data-validation')}" in proc.stdout
