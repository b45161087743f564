"""The dashboard stops showing a batch's statistics once the artifact's sha256 no longer matches
the store (issue 11, item 10): the cache used to be keyed by URI + sha256 only, so a file changed
in place after its first view kept showing the cached statistics."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP


def _batch_page(dataset: str, batch: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/batch.py")
    at.query_params["dataset"] = dataset
    at.query_params["batch"] = batch
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _shows_statistics(at: AppTest) -> bool:
    return any("median" in d.value.columns for d in at.dataframe)


@pytest.fixture
def one_batch(workdir: Path, penguin: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store of its own (the session's filled store must stay as it is): one penguin batch."""
    from dataguard import compute_stats
    from dataguard.config import load_settings

    settings = load_settings(store_url=f"sqlite:///{workdir / 'dataguard.db'}",
                             artifacts=str(workdir / "artifacts"), env={})
    result = compute_stats("penguin-changed", "day1", [str(penguin / "train.csv")],
                           settings=settings)
    monkeypatch.setenv("DATAGUARD_STORE_URL", settings.store_url)
    monkeypatch.setenv("DATAGUARD_ARTIFACTS", settings.artifacts)
    return Path(result.batch.artifact_uri)


def test_an_artifact_changed_after_it_was_shown_is_an_error_not_stale_statistics(
    one_batch: Path,
) -> None:
    assert _shows_statistics(_batch_page("penguin-changed", "day1"))
    data = bytearray(one_batch.read_bytes())
    data[-5] ^= 0xFF  # same size: only the content (and the mtime) changes
    one_batch.write_bytes(bytes(data))
    at = _batch_page("penguin-changed", "day1")
    errors = [e.value for e in at.error]
    assert any("sha256 does not match the store" in e for e in errors), errors
    assert not _shows_statistics(at)


def test_an_artifact_restored_to_its_recorded_bytes_shows_again(one_batch: Path) -> None:
    original = one_batch.read_bytes()
    stat = one_batch.stat()
    assert _shows_statistics(_batch_page("penguin-changed", "day1"))
    one_batch.write_bytes(original[:-1] + b"\x00")
    assert not _shows_statistics(_batch_page("penguin-changed", "day1"))
    one_batch.write_bytes(original)
    os.utime(one_batch, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert _shows_statistics(_batch_page("penguin-changed", "day1"))


def test_a_deleted_artifact_is_an_error_naming_it(one_batch: Path) -> None:
    assert _shows_statistics(_batch_page("penguin-changed", "day1"))
    one_batch.unlink()
    at = _batch_page("penguin-changed", "day1")
    assert any(f"{one_batch}: cannot read" in e.value for e in at.error)
    assert not _shows_statistics(at)
