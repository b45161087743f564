"""Opening stores: SQLite settings, read-only mode, broken URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from dataguard.errors import StoreError
from dataguard.store import open_store
from tests.store.builders import make_batch


def test_default_style_relative_sqlite_url_creates_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///.dataguard/dataguard.db")
    with store.transaction() as tx:
        tx.add_batch(make_batch())
    store.dispose()
    assert (tmp_path / ".dataguard" / "dataguard.db").is_file()


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()


def test_sqlite_write_transactions_take_the_write_lock_at_begin(sqlite_url: str) -> None:
    """BEGIN IMMEDIATE: a second writer waits at BEGIN instead of failing later on upgrade."""
    store = open_store(sqlite_url)
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    with store.transaction() as tx:
        tx.list_datasets()
    with store.read() as q:
        q.list_datasets()
    store.dispose()
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN"]


def test_read_only_sqlite_never_creates_a_file_and_answers_empty(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / "dataguard.db"
    store = open_store(f"sqlite:///{path}", read_only=True)
    assert store.is_empty()
    with store.read() as q:
        assert q.list_datasets() == []
        assert q.dataset_overview() == []
        assert q.latest_check_id() is None
    assert not path.exists() and not path.parent.exists()


def test_read_only_store_opened_before_the_store_exists_sees_it_once_created(
    store_url: str,
) -> None:
    """The dashboard may start before the first command: empty first, then the data."""
    url = store_url
    reader = open_store(url, read_only=True)
    assert reader.is_empty()
    with reader.read() as q:
        assert q.dataset_overview() == []
    writer = open_store(url)
    assert reader.is_empty()
    with writer.transaction() as tx:
        tx.add_batch(make_batch())
    assert not reader.is_empty()
    with reader.read() as q:
        assert q.list_datasets() == ["taxi"]
    writer.dispose()
    reader.dispose()


def test_read_only_store_refuses_writes(store_url: str) -> None:
    writer = open_store(store_url)
    with writer.transaction() as tx:
        tx.add_batch(make_batch("b1"))
    reader = open_store(store_url, read_only=True)
    with pytest.raises(StoreError, match="read-only"), reader.transaction() as tx:
        tx.add_batch(make_batch("b2"))
    with pytest.raises(StoreError, match="read-only"):
        reader.migrate()
    # the database itself refuses too, even through a read session
    with pytest.raises(StoreError) as err, reader.read() as q:
        q.add_batch(make_batch("b3"))
        q.session.flush()
    assert "\n" not in str(err.value)
    with reader.read() as q:
        assert [b.name for b in q.list_batches("taxi")] == ["b1"]
    reader.dispose()
    writer.dispose()


def test_read_only_open_does_not_migrate_an_empty_database(store_url: str) -> None:
    reader = open_store(store_url, read_only=True)
    assert reader.is_empty()
    assert reader.revision() is None
    reader.dispose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@localhost/db", "only sqlite:// and postgresql:// are supported"),
        ("postgresql://postgres:s3cret@127.0.0.1:1/nothing", "postgresql://postgres:***@"),
    ],
)
def test_a_broken_url_gives_a_one_line_store_error_without_the_password(
    url: str, expected: str
) -> None:
    with pytest.raises(StoreError) as err:
        open_store(url)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message and "s3cret" not in message


def test_a_sqlite_path_in_a_missing_unwritable_place_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create folder"):
        open_store(f"sqlite:///{blocker / 'sub' / 'dataguard.db'}")


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "dataguard.db"
    path.write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{path}")
    assert "\n" not in str(err.value)
