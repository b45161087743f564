"""`dataguard dashboard`: Streamlit on the store, read-only; and the overview in a real browser."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dataguard.cli.dashboard_cmd import streamlit_command
from dataguard.cli.main import main
from dataguard.config import load_settings
from dataguard.dashboard_app import APP_PATH
from dataguard.dashboard_app.nav import batch_url
from tests.dashboard.browser import free_port, headless_chromium, wait_http
from tests.dashboard.conftest import DAY2, FilledStore

REPO = Path(__file__).resolve().parents[2]


def test_the_command_serves_the_packaged_app_with_the_resolved_store(tmp_path: Path) -> None:
    settings = load_settings(store_url=f"sqlite:///{tmp_path / 'x.db'}", artifacts="gs://b/a",
                             env={})
    args = argparse.Namespace(port=8600, address="127.0.0.1",
                              extra=["--server.baseUrlPath", "dq"])
    argv, env = streamlit_command(args, settings)
    assert argv[1:5] == ["-m", "streamlit", "run", str(APP_PATH)]
    assert APP_PATH.is_file() and APP_PATH.parent.name == "dashboard_app"
    assert argv[argv.index("--server.port") + 1] == "8600"
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[-2:] == ["--server.baseUrlPath", "dq"]
    assert env["DATAGUARD_STORE_URL"] == settings.store_url
    assert env["DATAGUARD_ARTIFACTS"] == "gs://b/a"


def test_the_command_listens_on_localhost_unless_told_otherwise() -> None:
    from dataguard.cli.main import build_parser

    args, _ = build_parser().parse_known_args(["dashboard"])
    assert (args.address, args.port) == ("127.0.0.1", 8501)


def test_an_unreachable_store_fails_fast_with_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://dataguard:s3cret@127.0.0.1:{free_port()}/nothing"
    assert main(["--store", url, "dashboard", "--port", str(free_port())]) == 3
    err = capsys.readouterr().err
    assert err.startswith("dataguard: error:") and len(err.strip().splitlines()) == 1
    assert "s3cret" not in err


def test_alert_links_open_the_batch_page() -> None:
    assert batch_url("https://dq.example.com/", "taxi", "2026-11-25") == (
        "https://dq.example.com/batch?dataset=taxi&batch=2026-11-25")


@pytest.mark.slow
@pytest.mark.e2e
def test_dataguard_dashboard_shows_the_datasets_in_headless_chromium(
    filled_store: FilledStore, chromium: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAGUARD_")}
    env.update(filled_store.env)
    server = subprocess.Popen(
        [sys.executable, "-m", "dataguard", "dashboard", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 60)
        with headless_chromium(chromium, f"http://127.0.0.1:{port}/") as page:
            text = page.wait_for_text(["taxi", "penguin", "Data quality overview"], 60)
            time.sleep(2)  # let the table and charts paint before the screenshot
            shot = page.screenshot(REPO / "test-artifacts" / "dashboard-overview.png")
        assert "Data quality overview" in text
        assert "taxi" in text and "penguin" in text
        assert shot.stat().st_size > 10_000
        # the link an alert carries opens the batch page inside the app's navigation
        link = batch_url(f"http://127.0.0.1:{port}", "taxi", DAY2)
        with headless_chromium(chromium, link) as page:
            text = page.wait_for_text(["Anomalies", "Batch / check"], 60)
        assert f"taxi · batch {DAY2}" in text and "Batch / check" in text
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
