"""Fixtures for the Beam jobs: real-looking Dataflow options and a guard against network access."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dataguard.config import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"

PROJECT = "acme-ml-prod"
REGION = "europe-west1"
WORKER_IMAGE = f"{REGION}-docker.pkg.dev/{PROJECT}/dataguard/worker:0.1.0"
DATAFLOW_ARGS = (
    "--runner=DataflowRunner",
    "--dry_run=True",
    f"--project={PROJECT}",
    f"--region={REGION}",
    "--temp_location=gs://acme-ml-dataguard/tmp",
    "--staging_location=gs://acme-ml-dataguard/staging",
    f"--sdk_container_image={WORKER_IMAGE}",
    "--job_name=dataguard-validate-taxi",
)
DIRECT_ARGS = ("--runner=DirectRunner", "--direct_running_mode=in_memory")
MULTI_PROCESS_ARGS = (
    "--runner=DirectRunner",
    "--direct_running_mode=multi_processing",
    "--direct_num_workers=2",
)


@pytest.fixture
def cloud(settings: Settings) -> Settings:
    """Settings whose remote workers can record: PostgreSQL, artifacts and schemas on gs://."""
    return replace(
        settings, store_url="postgresql+psycopg://dg@10.20.0.3/dataguard",
        artifacts="gs://acme-ml-dataguard/artifacts", schemas_dir="gs://acme-ml-dataguard/schemas",
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any connection to a non-loopback address fails at once and is recorded (no hang)."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError(f"network access attempted in a dry run: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded)
    yield attempts
