"""Migrations shipped in the package build exactly the ORM tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dataguard.cli.main import main
from dataguard.errors import StoreError
from dataguard.store import open_store
from dataguard.store.engine import make_engine
from dataguard.store.migrate import HEAD_REVISION, downgrade, head_revision, upgrade
from dataguard.store.tables import Base
from tests.store.builders import make_batch


def _diff(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrating_an_empty_database_gives_exactly_the_orm_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    assert upgrade(engine) == head_revision()
    assert _diff(engine) == []
    tables = set(sa.inspect(engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_downgrade_to_base_and_upgrade_again(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    assert downgrade(engine, "base") is None
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    assert upgrade(engine) == head_revision()
    assert _diff(engine) == []
    engine.dispose()


def test_open_store_migrates_once_and_keeps_data(store_url: str) -> None:
    store = open_store(store_url)
    with store.transaction() as tx:
        tx.add_batch(make_batch())
    store.dispose()
    again = open_store(store_url)
    assert again.revision() == head_revision()
    with again.read() as q:
        assert q.list_datasets() == ["taxi"]
    again.dispose()


def test_migrate_command_prints_the_revision(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = head_revision()
    assert main(["--store", store_url, "migrate", "--check"]) == 1
    assert f"needs upgrade to {head}" in capsys.readouterr().out
    assert main(["--store", store_url, "migrate"]) == 0
    assert f"upgraded from empty to revision {head}" in capsys.readouterr().out
    assert main(["--store", store_url, "migrate"]) == 0
    assert f"already at revision {head}" in capsys.readouterr().out
    assert main(["--store", store_url, "migrate", "--check"]) == 0


def test_migrate_command_on_a_dead_server_exits_3_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--store", "postgresql://u:pw@127.0.0.1:1/db", "migrate"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "pw@" not in err and err.startswith("dataguard: error: store")


def test_read_only_open_of_an_outdated_store_says_to_migrate(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000_older'"))
    engine.dispose()
    with pytest.raises(StoreError) as err:
        open_store(store_url, read_only=True)
    assert "run `dataguard migrate`" in str(err.value) and "0000_older" in str(err.value)
    with pytest.raises(StoreError, match="cannot migrate"):
        open_store(store_url)


def test_the_head_constant_names_the_newest_migration_script() -> None:
    """``HEAD_REVISION`` lets commands skip importing alembic; a new migration must update it."""
    assert head_revision() == HEAD_REVISION


def test_opening_a_store_at_head_imports_neither_alembic_nor_tensorflow_nor_beam(
    sqlite_url: str,
) -> None:
    open_store(sqlite_url).dispose()
    code = (
        "import sys; from dataguard.store import open_store; "
        f"s = open_store({sqlite_url!r}); q = s.read().__enter__(); q.dataset_overview(); "
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('alembic', 'tensorflow', 'apache_beam', 'tensorflow_data_validation')]; "
        "assert not heavy, heavy"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
