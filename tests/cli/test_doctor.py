"""Crash leftovers (issue 11, item 8): a rerun heals its own batch or schema version, and
``dataguard doctor`` finds (``--fix``: removes or sets aside) what is left.

The kills are real ``kill -9``s of a ``dataguard`` process: at the worst moment (between writing
the file and committing its store row, by a wrapper that kills its own process right after the
write) and mid-computation on a big CSV.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.store import open_store

KILLED_AFTER = """
import os, signal, sys
import {module} as target
original = target.{function}
def then_die(*args, **kwargs):
    result = original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
    return result
target.{function} = then_die
from dataguard.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _globals(workdir: Path) -> list[str]:
    return ["--store", f"sqlite:///{workdir / 'store.db'}", "--artifacts",
            str(workdir / "artifacts"), "--config", str(workdir / "dataguard.toml")]


def _cli(workdir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*_globals(workdir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAGUARD_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def _killed_after(workdir: Path, module: str, function: str, *args: str) -> None:
    """Run ``dataguard ARGS`` in a process that kills itself (-9) right after ``function``."""
    code = KILLED_AFTER.format(module=module, function=function)
    proc = subprocess.run([sys.executable, "-c", code, *_globals(workdir), *args],
                          capture_output=True, text=True, timeout=240, env=_env(), cwd=workdir)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _batches(workdir: Path, dataset: str) -> list[str]:
    store = open_store(f"sqlite:///{workdir / 'store.db'}")
    try:
        with store.read() as q:
            return [b.name for b in q.list_batches(dataset)]
    finally:
        store.dispose()


def _statistics_files(workdir: Path) -> list[Path]:
    return sorted((workdir / "artifacts").rglob("stats-*.pb"))


@pytest.fixture
def work(workdir: Path, penguin: Path) -> Path:
    (workdir / "dataguard.toml").write_text(f'schemas_dir = "{workdir / "schemas"}"\n')
    shutil.copy(penguin / "train.csv", workdir / "train.csv")
    return workdir


# --- stats: killed between artifact and commit ---------------------------------------------
@pytest.mark.slow
def test_a_stats_run_killed_before_its_commit_leaves_an_orphan_that_the_rerun_removes(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _killed_after(work, "dataguard.io.artifacts", "write_atomic",
                  "stats", "penguin", "day1", "--input", "train.csv")
    (orphan,) = _statistics_files(work)
    assert _batches(work, "penguin") == []

    code, out, _ = _cli(work, capsys, "doctor")
    assert code == 1
    assert f"orphan artifact: {orphan} (no store row; `dataguard doctor --fix` deletes it)" in out

    code, _, err = _cli(work, capsys, "stats", "penguin", "day1", "--input", "train.csv")
    assert code == 0, err
    assert not orphan.exists()
    assert len(_statistics_files(work)) == 1 and _batches(work, "penguin") == ["day1"]
    code, out, _ = _cli(work, capsys, "doctor")
    assert code == 0, out


def test_a_replace_sweeps_artifacts_left_by_raced_or_killed_runs_of_the_batch(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(work, capsys, "stats", "penguin", "day1", "--input", "train.csv")
    assert code == 0, err
    (recorded,) = _statistics_files(work)
    raced = recorded.with_name("stats-0badc0de.pb")
    shutil.copy(recorded, raced)
    fresh_tmp = recorded.with_name(".tmp-0123456789ab-stats-00000000.pb")
    fresh_tmp.write_bytes(b"being written")  # a live writer's: too young to sweep
    code, _, err = _cli(work, capsys, "stats", "penguin", "day1", "--input", "train.csv",
                        "--replace")
    assert code == 0, err
    assert not raced.exists() and not recorded.exists() and fresh_tmp.exists()
    assert len(_statistics_files(work)) == 1


def test_a_run_whose_artifact_was_swept_by_a_concurrent_run_writes_it_again(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataguard.service.stats as service

    original = service.sweep_batch_folder

    def sweep_everything(uri: str, keep: set[str]) -> list[str]:  # as a racing run would
        Path(uri).unlink()
        return original(uri, keep)

    monkeypatch.setattr(service, "sweep_batch_folder", sweep_everything)
    code, _, err = _cli(work, capsys, "stats", "penguin", "day1", "--input", "train.csv")
    assert code == 0, err
    code, out, _ = _cli(work, capsys, "doctor")
    assert code == 0, out


@pytest.mark.slow
def test_stats_killed_mid_computation_leaves_nothing_behind(
    work: Path, taxi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (taxi / "train.csv").read_bytes().split(b"\n", 1)[1]
    with (work / "big.csv").open("wb") as big:
        big.write((taxi / "train.csv").read_bytes())
        for _ in range(60):  # ~115 MB
            big.write(body)
    proc = subprocess.Popen(
        [*(sys.executable, "-m", "dataguard"), *_globals(work),
         "stats", "taxi", "big", "--input", "big.csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=work,
    )
    _wait_until_reading(proc, work / "big.csv")
    proc.kill()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert _batches(work, "taxi") == []
    code, out, _ = _cli(work, capsys, "doctor", "--grace", "0")
    assert code == 0, out


def _wait_until_reading(proc: subprocess.Popen[bytes], path: Path) -> None:
    """Until the process has ``path`` open (statistics under way), then a little longer."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "finished before it could be killed"
        try:
            fds = os.listdir(f"/proc/{proc.pid}/fd")
            if any(os.readlink(f"/proc/{proc.pid}/fd/{fd}") == str(path) for fd in fds):
                time.sleep(0.3)
                return
        except OSError:
            pass  # an fd closed meanwhile
        time.sleep(0.02)
    pytest.fail("the process never opened its input")


# --- schema infer: killed between the version file and its row --------------------------------
def _stored_versions(work: Path) -> list[tuple[int, str]]:
    store = open_store(f"sqlite:///{work / 'store.db'}")
    try:
        with store.read() as q:
            return [(v.version, v.sha256) for v in q.list_schema_versions("penguin")]
    finally:
        store.dispose()


@pytest.mark.slow
def test_schema_infer_killed_before_its_commit_is_healed_by_the_rerun(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    code, _, err = _cli(work, capsys, "stats", "penguin", "day1", "--input", "train.csv")
    assert code == 0, err
    _killed_after(work, "dataguard.service.schemas", "_link_new", "schema", "infer", "penguin")
    leftover = work / "schemas" / "penguin" / "v1.pbtxt"
    assert leftover.is_file() and _stored_versions(work) == []

    code, out, err = _cli(work, capsys, "schema", "infer", "penguin")
    assert code == 0, err
    assert err.strip().splitlines()[0] == (
        f"dataguard: {leftover}: recorded the identical file an interrupted run left"
    )
    sha = hashlib.sha256(leftover.read_bytes()).hexdigest()
    assert _stored_versions(work) == [(1, sha)]
    code, out, _ = _cli(work, capsys, "doctor")
    assert code == 0, out


def test_a_different_unrecorded_schema_is_moved_aside_and_the_version_written(
    work: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(work, capsys, "stats", "penguin", "day1", "--input", "train.csv")
    assert code == 0, err
    leftover = work / "schemas" / "penguin" / "v1.pbtxt"
    leftover.parent.mkdir(parents=True)
    shutil.copy(penguin / "user_schema.pbtxt", leftover)
    code, out, err = _cli(work, capsys, "schema", "infer", "penguin")
    assert code == 0, err
    (aside,) = leftover.parent.glob("v1.pbtxt.orphan-*")
    assert err.strip().splitlines()[0] == (
        f"dataguard: {leftover}: not recorded in the store (left by an interrupted run?); "
        f"moved aside to {aside}"
    )
    assert aside.read_bytes() == (penguin / "user_schema.pbtxt").read_bytes()
    assert leftover.read_bytes() != aside.read_bytes()
    assert [v for v, _ in _stored_versions(work)] == [1]
    code, out, _ = _cli(work, capsys, "doctor")
    assert code == 0, out


# --- doctor ------------------------------------------------------------------------------------
@pytest.fixture
def stored(work: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    for args in (("stats", "penguin", "day1", "--input", "train.csv"),
                 ("schema", "infer", "penguin")):
        code, _, err = _cli(work, capsys, *args)
        assert code == 0, err
    return work


def test_doctor_is_clean_on_a_sound_store(stored: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(stored, capsys, "doctor")
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("dataguard doctor: clean")


def test_doctor_fix_deletes_orphan_artifacts_and_sets_orphan_schema_files_aside(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (recorded,) = _statistics_files(stored)
    orphans = [recorded.with_name("stats-0badc0de.pb"),
               stored / "artifacts" / "penguin" / "training" / "gone" / "stats-12345678.pb",
               recorded.with_name(".tmp-0123456789ab-stats-00000000.pb")]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"left by a killed run")
    schema_orphan = stored / "schemas" / "penguin" / "v2.pbtxt"
    shutil.copy(stored / "schemas" / "penguin" / "v1.pbtxt", schema_orphan)

    code, out, _ = _cli(stored, capsys, "doctor", "--fix")  # default grace: all too young
    assert code == 1
    assert all(orphan.exists() for orphan in orphans) and schema_orphan.exists()
    assert "4 finding(s), 0 fixed" in out

    code, out, _ = _cli(stored, capsys, "doctor", "--fix", "--grace", "0")
    assert code == 0, out
    assert not any(orphan.exists() for orphan in orphans) and not schema_orphan.exists()
    assert len(list(schema_orphan.parent.glob("v2.pbtxt.orphan-*"))) == 1
    assert recorded.exists() and (stored / "schemas" / "penguin" / "v1.pbtxt").exists()
    assert "4 finding(s), 4 fixed" in out
    code, out, _ = _cli(stored, capsys, "doctor")
    assert code == 0, out


def test_doctor_reports_a_sha256_mismatch_it_cannot_fix_and_says_what_to_do(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (recorded,) = _statistics_files(stored)
    recorded.write_bytes(recorded.read_bytes() + b"\0")
    schema = stored / "schemas" / "penguin" / "v1.pbtxt"
    schema.write_text(schema.read_text() + "\n# edited in place\n")
    for args in (("doctor",), ("doctor", "--fix", "--grace", "0")):
        code, out, _ = _cli(stored, capsys, *args)
        assert code == 1
        assert (f"sha256 mismatch artifact: {recorded} (re-run `dataguard stats penguin day1 "
                "--role training --input … --replace`, or restore the file)") in out
        assert f"sha256 mismatch schema file: {schema} (restore schema v1 of 'penguin'" in out
    assert recorded.exists() and schema.exists()


def test_doctor_reports_a_missing_artifact(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (recorded,) = _statistics_files(stored)
    recorded.unlink()
    code, out, _ = _cli(stored, capsys, "doctor")
    assert code == 1 and f"missing artifact: {recorded}" in out


def test_doctor_refuses_a_negative_grace(stored: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(stored, capsys, "doctor", "--grace", "-1")
    assert code == 2 and "--grace -1: give seconds >= 0" in err


def test_doctor_never_creates_a_store(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--store", f"sqlite:///{workdir / 'none.db'}", "--artifacts",
                 str(workdir / "artifacts"), "doctor"])
    assert code == 0, capsys.readouterr()
    assert list(workdir.iterdir()) == []
