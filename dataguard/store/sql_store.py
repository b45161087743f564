"""``SqlStore``, the SQL adapter of the port's ``Store``, and ``open_store``, which opens one.

``SqlStore`` owns the engine's lifecycle: one SQLAlchemy ``Session`` per unit of work, wrapped in
a ``SqlStoreSession`` (write transactions run ``BEGIN IMMEDIATE`` on SQLite, see ``engine``),
migrations, the schema revision check, and the switch from an empty stand-in to the real database
for a read-only store opened before it existed. Every database failure leaves a ``with`` block as
``StoreError`` with a one-line message and no password in it.

    store = open_store(url)                   # migrates to head on first use
    reader = open_store(url, read_only=True)  # the dashboard: never writes nor migrates
    reader.is_empty()                         # True until the first command creates the store
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dataguard.errors import StoreError
from dataguard.store.engine import (
    WRITE_OPTION,
    make_engine,
    parse_url,
    refuse_directory,
    safe_url,
    sqlite_path,
)
from dataguard.store.port import Store
from dataguard.store.sql_session import SqlStoreSession


class SqlStore:
    """An open SQL store (the port's ``Store``); ``engine`` is for tests and bulk loaders only."""

    def __init__(
        self,
        url: str,
        engine: sa.Engine,
        *,
        read_only: bool = False,
        pending: Callable[[], sa.Engine | None] | None = None,
    ) -> None:
        self.url = url
        self.read_only = read_only
        self._pending = pending  # read-only store not created yet: returns its engine once it is
        self._local = threading.local()  # is this thread inside transaction()?
        self._attach_lock = threading.Lock()
        self._use(engine)

    def _use(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writes = sessionmaker(
            bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self._reads = sessionmaker(bind=engine, expire_on_commit=False)

    def _attach_pending(self) -> None:
        """Switch from the empty stand-in to the real database once it has been created (the
        dashboard may start before the first ``dataguard`` command)."""
        if self._pending is None:
            return
        with self._attach_lock:  # Streamlit serves sessions from several threads
            real = None if self._pending is None else self._pending()
            if real is None:
                return
            self._pending = None
            stand_in = self._engine
            self._use(real)
            stand_in.dispose()
        self.require_current_revision()

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, for bulk loaders (benchmarks) and migrations; not for callers."""
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[SqlStoreSession]:
        """A write unit of work: commits on success, rolls back on any exception."""
        if self.read_only:
            raise StoreError(f"store {safe_url(self.url)} is open read-only; writes are refused")
        if getattr(self._local, "writing", False):  # would wait on itself (SQLite: 30 s, then fail)
            raise StoreError(
                "store.transaction() is already open in this thread; do all writes of one "
                "command in that one transaction"
            )
        self._local.writing = True
        try:
            with self._session(self._writes, write=True) as session:
                yield session
        finally:
            self._local.writing = False

    @contextmanager
    def read(self) -> Iterator[SqlStoreSession]:
        """A read-only unit of work on one consistent snapshot; always rolled back."""
        self._attach_pending()
        with self._session(self._reads) as session:
            yield session

    @contextmanager
    def _session(
        self, factory: sessionmaker[Session], *, write: bool = False
    ) -> Iterator[SqlStoreSession]:
        session = factory()
        try:
            session.begin()
            yield SqlStoreSession(session, write=write)
            if write:
                session.commit()
        except SQLAlchemyError as exc:
            _quietly_roll_back(session)
            raise StoreError(describe_error(exc, self.url)) from exc
        except BaseException:
            _quietly_roll_back(session)
            raise
        finally:
            with suppress(SQLAlchemyError):  # a dead connection: the first error matters more
                session.close()

    def is_empty(self) -> bool:
        """True when the store holds no dataset (also: no tables yet, or no SQLite file)."""
        self._attach_pending()
        try:
            with self._engine.connect() as conn:
                if not sa.inspect(conn).has_table("datasets"):
                    return True
        except SQLAlchemyError as exc:
            raise StoreError(describe_error(exc, self.url)) from exc
        with self.read() as q:  # checks, batches and schema versions all belong to a dataset
            return not q.list_datasets()

    def revision(self) -> str | None:
        """The Alembic revision the database is at (None for an empty database)."""
        from dataguard.store.migrate import current_revision

        try:
            with self._engine.connect() as conn:
                return current_revision(conn)
        except SQLAlchemyError as exc:
            raise StoreError(describe_error(exc, self.url)) from exc

    def migrate(self) -> str | None:
        """Upgrade to the newest revision (under a writer lock); returns the revision."""
        from dataguard.store.migrate import upgrade

        if self.read_only:
            raise StoreError(f"store {safe_url(self.url)} is open read-only; cannot migrate")
        try:
            return upgrade(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(describe_error(exc, self.url)) from exc
        except Exception as exc:
            if not type(exc).__module__.startswith("alembic"):
                raise
            # alembic's CommandError, e.g. a revision written by a newer dataguard
            raise StoreError(
                f"store {safe_url(self.url)}: cannot migrate: {' '.join(str(exc).split())} "
                "(is this dataguard older than the one that wrote the store?)"
            ) from exc

    def require_current_revision(self) -> None:
        """Raise ``StoreError`` unless the database is empty or at this dataguard's revision."""
        from dataguard.store.migrate import HEAD_REVISION

        current, head = self.revision(), HEAD_REVISION
        if current is not None and current != head:
            raise StoreError(
                f"store {safe_url(self.url)} is at schema revision {current} but this dataguard "
                f"needs {head}; run `dataguard migrate` (or upgrade dataguard)"
            )

    def dispose(self) -> None:
        self._engine.dispose()


def _quietly_roll_back(session: Session) -> None:
    """Roll back without hiding the error being raised (the connection may be what failed)."""
    with suppress(SQLAlchemyError):
        session.rollback()


def _empty_stand_in() -> sa.Engine:
    """An in-memory, query-only database with the store's tables: answers like an empty store."""
    from sqlalchemy.pool import StaticPool

    from dataguard.store.tables import Base

    engine = sa.create_engine(  # any thread: Streamlit serves sessions from several
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    Base.metadata.create_all(engine)

    with engine.connect() as conn:  # StaticPool: this one connection serves every session
        conn.exec_driver_sql("PRAGMA query_only = ON")
    return engine


def describe_error(exc: BaseException, url: str) -> str:
    """One line for a database error: what failed and where, never the password or the SQL."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or type(orig).__name__
    password = _password(url)
    if password:
        text = text.replace(password, "***")
    if len(text) > 300:
        text = text[:297] + "..."
    return f"store {safe_url(url)}: {type(orig).__name__}: {text}"


def _password(url: str) -> str | None:
    try:
        return sa.engine.make_url(url).password  # type: ignore[return-value]
    except Exception:  # noqa: BLE001 - an unparsable URL has no password to hide
        return None


def open_store(url: str, *, migrate: bool = True, read_only: bool = False) -> Store:
    """Open the store at ``url``; by default upgrade it to the newest schema first.

    ``read_only=True`` (the dashboard) never writes or migrates: SQLite opens ``mode=ro``,
    PostgreSQL sessions are read-only by default (``default_transaction_read_only``), and a store
    that does not exist yet (no SQLite file, or no tables) answers as an empty store until it does.
    """
    if not read_only:
        store = SqlStore(url, make_engine(url))
        if migrate:
            store.migrate()
        return store
    probe = _created_store_probe(url)
    engine = probe()
    if engine is None:
        return SqlStore(url, _empty_stand_in(), read_only=True, pending=probe)
    store = SqlStore(url, engine, read_only=True)
    store.require_current_revision()
    return store


def _created_store_probe(url: str) -> Callable[[], sa.Engine | None]:
    """A function giving a read-only engine on the store once it exists (has been migrated)."""
    from dataguard.store.migrate import current_revision

    parsed = parse_url(url)
    path = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None:
        refuse_directory(parsed)
    held: list[sa.Engine] = []

    def probe() -> sa.Engine | None:
        if path is not None and not path.is_file():
            return None  # never let SQLite create it
        if not held:
            held.append(make_engine(url, read_only=True))
        try:
            with held[0].connect() as conn:
                created = current_revision(conn) is not None
        except SQLAlchemyError as exc:
            raise StoreError(describe_error(exc, url)) from exc
        return held[0] if created else None

    return probe


__all__: Sequence[str] = ["SqlStore", "describe_error", "open_store"]
