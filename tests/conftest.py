"""Shared fixtures: the real data in ../shared/data, settings in a temp folder, and store URLs.

``store_url`` is parametrized over SQLite (always) and PostgreSQL (when 127.0.0.1:5432 answers;
each test gets a fresh database that is dropped afterwards). Set DATAGUARD_TEST_POSTGRES=0 to
leave PostgreSQL out, or =1 to make its absence an error (CI sets it when the server is there).

Fixtures shared by several test folders live in tests/fixtures/ and are registered here:
``tfdv_reference`` (TFDV's own statistics of the shared data, schemas inferred from them, batches
recorded from them) and ``receivers`` (local HTTP and SMTP servers for hooks).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataguard.config import Settings, load_settings

pytest_plugins = ["tests.fixtures.tfdv_reference", "tests.fixtures.receivers"]

REPO = Path(__file__).resolve().parents[1]


def _find_shared_data() -> Path:
    """../shared/data next to the checkout, or /work/shared/data for a clone made elsewhere."""
    if os.environ.get("DATAGUARD_SHARED_DATA"):
        return Path(os.environ["DATAGUARD_SHARED_DATA"])
    for candidate in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if (candidate / "taxi" / "train.csv").is_file():
            return candidate
    return REPO.parent / "shared" / "data"


SHARED_DATA = _find_shared_data()
POSTGRES_ADMIN_URL = os.environ.get(
    "DATAGUARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    wanted = os.environ.get("DATAGUARD_TEST_POSTGRES")
    if wanted == "0":
        return False
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        if wanted == "1":
            raise RuntimeError(
                "DATAGUARD_TEST_POSTGRES=1 but nothing answers on 127.0.0.1:5432"
            ) from None
        return False


STORE_BACKENDS = ["sqlite"] + (["postgresql"] if postgres_available() else [])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "taxi" / "train.csv").is_file():
        pytest.fail(f"shared test data not found at {SHARED_DATA} (set DATAGUARD_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def taxi(shared_data: Path) -> Path:
    return shared_data / "taxi"


@pytest.fixture
def penguin(shared_data: Path) -> Path:
    return shared_data / "penguin"


def _fresh_postgres_database() -> Iterator[str]:
    import sqlalchemy as sa

    name = f"dg_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=STORE_BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store: SQLite in tmp_path, and PostgreSQL when the server answers."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dataguard.db'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dataguard.db'}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean current directory with no DATAGUARD_* variables leaking in from the caller."""
    for key in list(os.environ):
        if key.startswith("DATAGUARD_") and key not in {"DATAGUARD_SHARED_DATA"}:
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def settings(workdir: Path, sqlite_url: str) -> Settings:
    """Settings for a store, artifact folder and schemas folder inside the test's temp folder."""
    return load_settings(
        store_url=sqlite_url,
        artifacts=str(workdir / "artifacts"),
        schemas_dir=str(workdir / "schemas"),
        env={},
    )


@pytest.fixture
def fake_gcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Make ``gs://bucket/key`` resolve to ``<returned folder>/bucket/key`` through Beam's
    FileSystems (Beam's GCS filesystem is moved out of the way for the test)."""
    from apache_beam.io.gcp.gcsfilesystem import GCSFileSystem

    from tests.fixtures.fake_gcs import LocalBucketFileSystem

    root = tmp_path / "gcs"
    root.mkdir()
    monkeypatch.setattr(GCSFileSystem, "scheme", classmethod(lambda cls: "gs-real-disabled"))
    monkeypatch.setattr(LocalBucketFileSystem, "active_scheme", "gs")
    monkeypatch.setattr(LocalBucketFileSystem, "root", str(root))
    yield root
