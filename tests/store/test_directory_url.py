"""A SQLite store URL naming a directory is a store failure (exit 3) on every path, read-only
ones included: it used to open as an empty store and answer "unknown dataset" (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.errors import StoreError
from dataguard.store import open_store


@pytest.mark.parametrize(
    "args",
    [("gate", "taxi"), ("schema", "list", "taxi"), ("check", "taxi", "b1"),
     ("stats", "taxi", "b1", "--input", "data.csv")],
)
def test_a_store_url_naming_a_directory_exits_3_naming_it(
    workdir: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    (workdir / "folder").mkdir()
    (workdir / "data.csv").write_text("a,b\n1,2\n")
    code = main(["--store", f"sqlite:///{workdir / 'folder'}", "--artifacts", "artifacts", *args])
    err = capsys.readouterr().err
    assert code == 3, err
    assert err.strip().splitlines() == [
        f"dataguard: error: store URL sqlite:///{workdir / 'folder'}: {workdir / 'folder'} is a "
        "directory, not a SQLite database file; name a file, e.g. "
        f"sqlite:///{workdir / 'folder' / 'dataguard.db'}"
    ]
    assert list((workdir / "folder").iterdir()) == []
    assert not (workdir / "artifacts").exists()


@pytest.mark.parametrize("read_only", [True, False])
def test_open_store_refuses_a_directory(tmp_path: Path, read_only: bool) -> None:
    with pytest.raises(StoreError, match="is a directory, not a SQLite database file"):
        open_store(f"sqlite:///{tmp_path}", read_only=read_only)


def test_a_missing_sqlite_file_still_reads_as_an_empty_store(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'not-yet.db'}", read_only=True)
    try:
        with store.read() as q:
            assert q.list_datasets() == []
    finally:
        store.dispose()
    assert not (tmp_path / "not-yet.db").exists()
