"""Store upkeep: ``dataguard migrate`` and ``dataguard admin backfill-profiles``.

``migrate`` upgrades the store to the newest schema and prints its revision. Every command
already migrates on first use; this is for operators who want it explicit (a deploy step before
the jobs start, or a read-only dashboard's database).

``admin backfill-profiles [--dataset D]`` stores the profile (trend series) of every batch
recorded before revision 0005, reading each one's artifact once (``service.profiles``); trend
checks would otherwise do it batch by batch as they need them, and the dashboard's series pages
show only profiled batches:

    $ dataguard admin backfill-profiles
    profiles: 730 batches profiled now, 12 had one already
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
    admin = sub.add_parser(
        "admin",
        help="store upkeep (backfill-profiles)",
        description="Store upkeep commands.",
    )
    tasks = admin.add_subparsers(dest="task", metavar="TASK", required=True)
    backfill = tasks.add_parser(
        "backfill-profiles",
        help="store the trend profile of every batch recorded before profiles existed",
        description="Read the statistics artifact of every batch without a stored profile "
        "(recorded before store revision 0005) and store its profile: example count, and per "
        "feature missing share, mean, std and unique count. Exit 3 if an artifact could not "
        "be read (the other batches are profiled).",
    )
    backfill.add_argument("--dataset", help="only this dataset (default: all)")
    backfill.set_defaults(handler=handle_backfill_profiles)


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


def handle_backfill_profiles(args: argparse.Namespace, settings: Settings) -> ExitCode:
    import sys

    from dataguard.service.profiles import backfill_profiles

    result = backfill_profiles(args.dataset, settings=settings)
    for failure in result.failed:
        print(f"dataguard: error: {failure}", file=sys.stderr)
    failed = f", {len(result.failed)} failed" if result.failed else ""
    print(f"profiles: {result.filled} batches profiled now, {result.present} had one "
          f"already{failed}")
    return ExitCode.INFRASTRUCTURE if result.failed else ExitCode.OK
