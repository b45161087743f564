"""Who may look (OIDC login, allow-list), PostgreSQL stores, and caches that follow new checks."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dataguard.config import load_settings
from dataguard.core.models import CheckResult, Verdict
from dataguard.dashboard_app.access import email_allowed
from dataguard.store import open_store
from tests.conftest import STORE_BACKENDS, _fresh_postgres_database
from tests.dashboard.conftest import APP, DAY1, DAY2, FilledStore
from tests.dashboard.test_pages import frame_with, open_page, texts


def test_with_oidc_configured_nothing_shows_before_login(dashboard_env: FilledStore) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.dataframe and "taxi" not in texts(at)


def test_the_allow_list_admits_listed_addresses_and_domains_only() -> None:
    rules = {"allowed_domains": ["example.com"], "allowed_emails": ["Oncall@Partner.org"]}
    assert email_allowed("ana@example.com", rules)
    assert email_allowed("oncall@partner.org", rules)
    assert not email_allowed("mallory@example.com.evil.org", rules)
    assert not email_allowed(None, rules)
    assert email_allowed("anyone@anywhere.org", {})


def copy_of(filled_store: FilledStore, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the session store (its artifacts stay where they are), for writing."""
    # sqlite3's backup API, not a file copy: the store runs in WAL mode, so recent commits may
    # still live in dataguard.db-wal
    source = sqlite3.connect(filled_store.root / "dataguard.db")
    target = sqlite3.connect(workdir / "copy.db")
    with source, target:
        source.backup(target)
    source.close()
    target.close()
    url = f"sqlite:///{workdir / 'copy.db'}"
    monkeypatch.setenv("DATAGUARD_STORE_URL", url)
    monkeypatch.setenv("DATAGUARD_CONFIG", str(filled_store.config))
    return url


def test_a_new_check_shows_at_once_despite_the_caches(
    filled_store: FilledStore, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = copy_of(filled_store, workdir, monkeypatch)
    before = frame_with(open_page(), "recent verdicts").set_index("dataset")
    assert "fail" in before.loc["taxi", "status"]
    store = open_store(url)
    with store.read() as q:
        latest = q.latest_check("taxi")
    assert latest is not None
    with store.transaction() as tx:  # what a re-check with a fixed schema would record
        tx.add_check(replace(latest, verdict=Verdict.PASS, anomalies=(), id=None,
                             created_at=None))
    store.dispose()
    after = frame_with(open_page(), "recent verdicts").set_index("dataset")
    assert "pass" in after.loc["taxi", "status"] and after.loc["taxi", "anomalies"] == 0
    assert isinstance(latest, CheckResult)


def test_browsing_every_page_never_writes_to_the_store(
    filled_store: FilledStore, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = copy_of(filled_store, workdir, monkeypatch)
    db = Path(url.removeprefix("sqlite:///"))
    before = db.read_bytes()
    open_page()
    open_page("dataset", dataset="taxi")
    open_page("batch", dataset="taxi", batch=DAY2)
    open_page("schemas", dataset="taxi")
    open_page("hooks")
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_overview_says_which_batch_the_verdict_belongs_to(
    filled_store: FilledStore, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = copy_of(filled_store, workdir, monkeypatch)
    store = open_store(url)
    with store.read() as q:
        day2 = q.get_batch("taxi", DAY2)
    assert day2 is not None
    with store.transaction() as tx:  # a third day arrives, not checked yet
        tx.add_batch(replace(day2, name="2026-11-26", id=None, created_at=None))
    store.dispose()
    rows = frame_with(open_page(), "recent verdicts").set_index("dataset")
    assert rows.loc["taxi", "batch"] == "2026-11-26"
    assert rows.loc["taxi", "checked"] == DAY2 and rows.loc["penguin", "checked"] == "latest"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", [b for b in STORE_BACKENDS if b != "sqlite"])
def test_every_page_reads_a_pipeline_store_on_postgresql(
    backend: str, shared_data: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The penguins through the real pipeline into PostgreSQL, read back read-only (SQLite: the
    session's filled store)."""
    with contextlib.ExitStack() as stack:
        store_url = stack.enter_context(contextlib.contextmanager(_fresh_postgres_database)())
        _penguins_through_the_pipeline(store_url, shared_data, workdir, monkeypatch)


def _penguins_through_the_pipeline(
    store_url: str, shared_data: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataguard import check, infer_schema
    from dataguard import compute_stats as stats

    settings = load_settings(store_url=store_url, artifacts=str(workdir / "artifacts"),
                             schemas_dir=str(workdir / "schemas"), env={})
    penguin = shared_data / "penguin"
    stats("penguin", DAY1, [str(penguin / "train.csv")], settings=settings)
    infer_schema("penguin", label="species", settings=settings)
    stats("penguin", DAY2, [str(penguin / "skewed.csv")], settings=settings)
    check("penguin", DAY2, hooks=False, settings=settings)
    monkeypatch.setenv("DATAGUARD_STORE_URL", store_url)
    overview = frame_with(open_page(), "recent verdicts")
    assert overview["dataset"].tolist() == ["penguin"]
    assert "Dataset penguin" in texts(open_page("dataset", dataset="penguin"))
    batch = open_page("batch", dataset="penguin", batch=DAY2)
    assert f"baseline={DAY1}" in texts(batch)
    assert "culmen_length_mm" in set(frame_with(batch, "change")["feature"])
    assert "v1" in texts(open_page("schemas", dataset="penguin"))
