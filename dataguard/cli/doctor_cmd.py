"""``dataguard doctor [--fix]``: find what crashes left behind (``service.doctor``).

    $ dataguard doctor
    orphan artifact: /srv/dg/artifacts/taxi/training/2026-11-24/stats-1a2b3c4d.pb (no store row; …)
    sha256 mismatch artifact: /srv/dg/artifacts/taxi/training/2026-11-25/stats-… (re-run …)
    dataguard doctor: 2 findings, 0 fixed

Exit 0 when clean (or everything found was fixed), 1 when something is left to do.
"""

from __future__ import annotations

import argparse

from dataguard.config import Settings
from dataguard.errors import ExitCode


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the `dataguard` parser."""
    parser = sub.add_parser(
        "doctor",
        help="find orphan artifacts/schema files and sha256 mismatches (--fix: clean up)",
        description="Compare the artifacts root and the schemas folder with the store: files "
        "no row points to (left by killed runs), rows whose file changed or is gone. Exit 0 "
        "when clean, 1 when something is left to do.",
    )
    parser.add_argument("--fix", action="store_true",
                        help="delete orphan artifacts, move orphan schema files aside")
    parser.add_argument("--grace", type=float, default=600.0, metavar="SECONDS",
                        help="never remove files younger than this: a run may be writing them "
                        "(default 600)")
    parser.set_defaults(handler=handle_doctor)


def handle_doctor(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.errors import UsageError
    from dataguard.service.doctor import examine

    if args.grace < 0:
        raise UsageError(f"--grace {args.grace:g}: give seconds >= 0")
    report = examine(fix=args.fix, grace=args.grace, settings=settings)
    for finding in report.findings:
        print(f"{finding.kind} {finding.what}: {finding.path} ({finding.action})")
    if not report.findings:
        print("dataguard doctor: clean (every file has its store row, every sha256 matches)")
    else:
        print(f"dataguard doctor: {len(report.findings)} finding(s), {report.fixed} fixed")
    return ExitCode.OK if report.clean else ExitCode.CHECK_FAILED
