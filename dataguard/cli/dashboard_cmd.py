"""`dataguard dashboard [--port N] [--address 127.0.0.1]`: the Streamlit dashboard on this store.

Runs ``streamlit run`` on the app shipped inside the package (``dataguard/dashboard_app/app.py``,
so an installed dataguard finds it without the repository), with the resolved store URL, artifact
root, schemas folder and config passed through ``DATAGUARD_*`` variables. The dashboard opens the
store read-only. Unknown options go to Streamlit (e.g. ``--server.baseUrlPath dataguard``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "dashboard",
        help="open the Streamlit dashboard on the store (read-only)",
        description="Serve the dashboard: overview, datasets, batches/checks, schemas, hooks. "
        "Options it does not know go to `streamlit run` (e.g. --server.baseUrlPath).",
    )
    parser.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    parser.add_argument(
        "--address", default="127.0.0.1",
        help="address to bind (default 127.0.0.1; put a login proxy in front before widening it)",
    )
    parser.set_defaults(handler=handle, accepts_extra=True)


def streamlit_command(args: argparse.Namespace, settings: Settings) -> tuple[list[str], dict]:
    """The argv and environment of the Streamlit server (separate from exec, for tests)."""
    from dataguard.dashboard_app import APP_PATH

    env = dict(os.environ)
    env["DATAGUARD_STORE_URL"] = settings.store_url
    env["DATAGUARD_ARTIFACTS"] = settings.artifacts
    env["DATAGUARD_SCHEMAS_DIR"] = settings.schemas_dir
    if settings.config_path:
        env["DATAGUARD_CONFIG"] = str(Path(settings.config_path).resolve())
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    # Streamlit logs at INFO by default ("Uvicorn server started on …" on stderr at every start):
    # warnings and errors only; `--logger.level info` (or the variable) brings it back.
    env.setdefault("STREAMLIT_LOGGER_LEVEL", "warning")
    argv = [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.port", str(args.port),
        "--server.address", args.address,
        "--server.headless", "true",
        "--client.toolbarMode", "viewer",  # no "Deploy" or developer menu for readers
        *getattr(args, "extra", []),
    ]
    return argv, env


def require_readable_store(settings: Settings) -> None:
    """Fail fast (exit 3, one line) when the store cannot be read, instead of a broken page."""
    url = settings.store_url
    if url.startswith("sqlite") and not Path(url.split(":///", 1)[-1].split("?")[0]).exists():
        return  # not created yet: the dashboard shows its first-run page
    from dataguard.store import open_store

    store = open_store(url, migrate=False, read_only=True)
    try:
        with store.read() as q:
            q.list_datasets()
    finally:
        store.dispose()


def handle(args: argparse.Namespace, settings: Settings) -> ExitCode:
    require_readable_store(settings)
    argv, env = streamlit_command(args, settings)
    print(f"dataguard: dashboard on http://{args.address}:{args.port} (store opened read-only)",
          file=sys.stderr, flush=True)
    if os.name == "posix":
        os.execve(argv[0], argv, env)  # the server replaces this process: signals reach it
    import subprocess

    return ExitCode(subprocess.run(argv, env=env).returncode and ExitCode.INFRASTRUCTURE)
