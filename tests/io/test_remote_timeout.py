"""An unreachable gs:// location (input or artifacts) fails within DATAGUARD_REMOTE_TIMEOUT
seconds with exit 3, naming it, and says on stderr what it is waiting for meanwhile — instead
of minutes of silent client retries and exit 2.

No network here: a Beam filesystem for ``gs://`` whose calls hang stands in for a bucket that
does not answer (Beam's own GCS filesystem is moved out of the way, as ``fake_gcs`` does).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dataguard.cli.main import main
from dataguard.errors import ArtifactError
from tests.fixtures.fake_gcs import LocalBucketFileSystem

TIMEOUT = 2.0
HANG_AT_MOST = 20.0  # an unfixed dataguard waits this long, then sees an OSError


class HangingBucketFileSystem(LocalBucketFileSystem):
    """``gs://`` that never answers (until the test releases it)."""

    active_scheme: ClassVar[str] = "dataguard-test-hanging-inactive"
    release: ClassVar[threading.Event] = threading.Event()

    def _hang(self, *args: Any, **kwargs: Any) -> Any:
        self.release.wait(HANG_AT_MOST)
        raise OSError("connection timed out")

    match = exists = create = open = _hang  # type: ignore[assignment]


@pytest.fixture
def dead_gcs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from apache_beam.io.gcp.gcsfilesystem import GCSFileSystem

    monkeypatch.setattr(GCSFileSystem, "scheme", classmethod(lambda cls: "gs-real-disabled"))
    monkeypatch.setattr(HangingBucketFileSystem, "active_scheme", "gs")
    monkeypatch.setattr(HangingBucketFileSystem, "release", threading.Event())
    monkeypatch.setenv("DATAGUARD_REMOTE_TIMEOUT", str(TIMEOUT))
    yield
    HangingBucketFileSystem.release.set()  # let the abandoned threads finish


@pytest.fixture
def taxi_with_schema(workdir: Path, taxi: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["stats", "taxi", "2026-11-24", "--input", str(taxi / "train.csv")]) == 0
    assert main(["schema", "infer", "taxi"]) == 0
    capsys.readouterr()
    return workdir


def timed(argv: list[str]) -> tuple[int, float]:
    start = time.monotonic()
    code = main(argv)
    return code, time.monotonic() - start


def test_run_on_an_unreachable_gs_input_exits_3_in_bounded_time_with_progress(
    taxi_with_schema: Path, dead_gcs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    location = "gs://acme-ml-data/taxi/2026-11-25/*.csv"
    code, seconds = timed(["run", "taxi", "2026-11-25", "--input", location, "--no-hooks"])
    err = capsys.readouterr().err
    assert code == 3
    assert TIMEOUT <= seconds < TIMEOUT + 3
    assert f"dataguard: waiting for {location} (listing input" in err
    assert f"{location}: unreachable: no answer within 2 s" in err
    assert "DATAGUARD_REMOTE_TIMEOUT" in err


def test_stats_into_unreachable_gs_artifacts_exits_3_naming_the_location(
    workdir: Path, taxi: Path, dead_gcs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, seconds = timed(["--artifacts", "gs://acme-ml-artifacts/dg", "stats", "taxi",
                           "2026-11-24", "--input", str(taxi / "batch_a.csv")])
    err = capsys.readouterr().err
    assert code == 3
    assert seconds < 60  # statistics of 10,000 rows, then at most the timeout per artifact call
    assert "dataguard: waiting for gs://acme-ml-artifacts/dg/taxi/" in err
    assert "gs://acme-ml-artifacts/dg/taxi/" in err and "unreachable" in err


def test_a_quick_answer_says_nothing_and_errors_in_time_are_the_callers() -> None:
    from dataguard.io.remote import bounded

    err = io.StringIO()
    assert bounded("gs://b/x", "listing input", lambda: 42, timeout=1, stderr=err) == 42
    assert err.getvalue() == ""
    with pytest.raises(KeyError):
        bounded("gs://b/x", "listing input", lambda: {}["k"], timeout=1, stderr=err)


def test_a_slow_answer_is_an_artifact_error_after_the_timeout() -> None:
    from dataguard.io.remote import bounded

    err = io.StringIO()
    gate = threading.Event()
    start = time.monotonic()
    with pytest.raises(ArtifactError, match=r"gs://b/x: unreachable: no answer within 1\.5 s"):
        bounded("gs://b/x", "reading artifact", lambda: gate.wait(10), timeout=1.5, stderr=err)
    gate.set()
    assert 1.5 <= time.monotonic() - start < 2.5
    assert err.getvalue().startswith("dataguard: waiting for gs://b/x (reading artifact, 1 s")


def test_a_bad_timeout_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataguard.errors import UsageError
    from dataguard.io.remote import remote_timeout

    monkeypatch.setenv("DATAGUARD_REMOTE_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="DATAGUARD_REMOTE_TIMEOUT='soon'"):
        remote_timeout()


def test_opening_an_unreachable_gs_input_is_an_artifact_error_naming_it(
    dead_gcs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataguard.io.sources import InputSpec, open_binary

    spec = InputSpec(paths=("gs://acme-ml-data/taxi/part-0.csv",), format="csv")
    start = time.monotonic()
    with pytest.raises(ArtifactError, match=r"gs://acme-ml-data/taxi/part-0\.csv: unreachable"):
        open_binary(spec, spec.paths[0])
    assert time.monotonic() - start < TIMEOUT + 2
    assert "waiting for gs://acme-ml-data/taxi/part-0.csv (opening input" in capsys.readouterr().err
