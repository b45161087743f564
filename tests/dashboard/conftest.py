"""A store filled by the real pipeline on the shared data, once per test session (and worker).

taxi: day 1 = train.csv, schema v1 inferred (label tips), day 2 = batch_a.csv checked against v1 and
day 1 (drift: fails), batch_b.csv as day 2's serving batch (skew), and schema v2 imported from the
hand-curated user_schema.pbtxt. penguin: train.csv, schema v1, skewed.csv as day 2 (drift).
Two command hooks fire on every verdict: one delivers (``true``), one fails (``false``).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataguard.config import Settings, load_settings

APP = Path(__file__).resolve().parents[2] / "dataguard" / "dashboard_app" / "app.py"
DAY1, DAY2 = "2026-11-24", "2026-11-25"
HOOKS = """
[[hooks]]
name = "retrain"
type = "command"
command = ["true"]
on = ["pass", "warn", "fail"]

[[hooks]]
name = "broken-pager"
type = "command"
command = ["false"]
on = ["pass", "warn", "fail"]
"""


@dataclass(frozen=True)
class FilledStore:
    root: Path
    settings: Settings
    config: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "DATAGUARD_STORE_URL": self.settings.store_url,
            "DATAGUARD_ARTIFACTS": self.settings.artifacts,
            "DATAGUARD_SCHEMAS_DIR": self.settings.schemas_dir,
            "DATAGUARD_CONFIG": str(self.config),
        }


def _serving_copy(source: Path, target: Path, drop: str) -> Path:
    """Serving requests carry the features, not the label."""
    import csv

    with source.open(newline="") as src, target.open("w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, [f for f in reader.fieldnames or [] if f != drop],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)
    return target


def fill(root: Path, shared_data: Path) -> FilledStore:
    from dataguard import check, import_schema, infer_schema
    from dataguard import compute_stats as stats

    root.mkdir(parents=True, exist_ok=True)
    config = root / "dataguard.toml"
    config.write_text(HOOKS)
    settings = load_settings(
        store_url=f"sqlite:///{root / 'dataguard.db'}",
        artifacts=str(root / "artifacts"),
        schemas_dir=str(root / "schemas"),
        config_path=str(config),
        env={},
    )
    taxi, penguin = shared_data / "taxi", shared_data / "penguin"
    stats("taxi", DAY1, [str(taxi / "train.csv")], settings=settings)
    infer_schema("taxi", label="tips", message="from day 1", settings=settings)
    stats("taxi", DAY2, [str(taxi / "batch_a.csv")], settings=settings)
    serving = _serving_copy(taxi / "batch_b.csv", root / "serving.csv", "tips")
    stats("taxi", DAY2, [str(serving)], role="serving", settings=settings)
    check("taxi", DAY2, serving=DAY2, settings=settings)
    import_schema("taxi", str(taxi / "user_schema.pbtxt"), message="curated",
                            settings=settings)
    stats("penguin", DAY1, [str(penguin / "train.csv")], settings=settings)
    infer_schema("penguin", label="species", settings=settings)
    stats("penguin", DAY2, [str(penguin / "skewed.csv")], settings=settings)
    check("penguin", DAY2, settings=settings)
    return FilledStore(root, settings, config)


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> FilledStore:
    """The pipeline's store; treat it as read-only (the dashboard opens it read-only anyway)."""
    return fill(tmp_path_factory.mktemp("filled"), shared_data)


@pytest.fixture
def dashboard_env(
    filled_store: FilledStore, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> FilledStore:
    for key, value in filled_store.env.items():
        monkeypatch.setenv(key, value)
    return filled_store


@pytest.fixture
def empty_env(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{workdir / 'nothing-here' / 'dataguard.db'}"
    monkeypatch.setenv("DATAGUARD_STORE_URL", url)
    yield url


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless Chromium, installed with apt-get when missing (needs root and a mirror)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    import subprocess

    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True,
                       timeout=600, check=False)
        found = shutil.which("chromium")
    if not found:
        pytest.fail(
            "chromium not found and `apt-get install -y chromium` did not provide it: install "
            "Debian's chromium package (as .ci/run does) to run the dashboard e2e test",
            pytrace=False,
        )
    return found


def python() -> str:
    return sys.executable
