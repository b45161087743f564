"""``dataguard migrate``: upgrade the store to the newest schema and print its revision.

Every command already migrates on first use; this is for operators who want it explicit (a
deploy step before the jobs start, or a read-only dashboard's database).
"""

from __future__ import annotations

import argparse

from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the `dataguard` parser."""
    parser = sub.add_parser(
        "migrate",
        help="upgrade the store to the newest schema (prints the revision)",
        description="Upgrade the store (--store / DATAGUARD_STORE_URL) to the newest schema.",
    )
    parser.add_argument(
        "--check", action="store_true", help="only report: exit 1 if an upgrade is pending"
    )
    parser.set_defaults(handler=handle_migrate)


def handle_migrate(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.store import open_store
    from dataguard.store.engine import safe_url
    from dataguard.store.migrate import HEAD_REVISION

    store = open_store(settings.store_url, migrate=False)
    try:
        before = store.revision()
        if args.check:
            head = HEAD_REVISION
            state = "up to date" if before == head else f"needs upgrade to {head}"
            print(f"store {safe_url(settings.store_url)}: revision {before or 'none'} ({state})")
            return ExitCode.OK if before == head else ExitCode.CHECK_FAILED
        after = store.migrate()
    finally:
        store.dispose()
    change = "already at" if before == after else f"upgraded from {before or 'empty'} to"
    print(f"store {safe_url(settings.store_url)}: {change} revision {after}")
    return ExitCode.OK
