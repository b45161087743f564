"""`dataguard hooks list` and `dataguard hooks test [NAME]`.

$ dataguard hooks list
NAME     TYPE       ON          TARGET
ops      webhook    fail,warn   https://alerts.example.com/dataguard (signed)
$ dataguard hooks test ops      # sends "event": "test"; exit 3 if a hook fails
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from dataguard.config import Settings
from dataguard.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from dataguard.core.models import CheckResult
    from dataguard.service.context import Context as ContextType

VERDICT_ORDER = ("fail", "warn", "pass")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `hooks list` and `hooks test` to the `dataguard` parser."""
    hooks = sub.add_parser("hooks", help="list the configured alert hooks or send a test event")
    hooks_sub = hooks.add_subparsers(dest="hooks_command", metavar="ACTION", required=True)

    list_p = hooks_sub.add_parser("list", help="name, type, verdicts and target (secrets masked)")
    list_p.add_argument("--format", choices=("text", "json"), default="text")
    list_p.set_defaults(handler=list_hooks)

    test_p = hooks_sub.add_parser(
        "test", help='send a test event ("event": "test") to every hook, or to NAME'
    )
    test_p.add_argument("name", nargs="?", metavar="NAME", help="only this hook")
    test_p.add_argument(
        "--dataset", help="send the latest stored check of this dataset (default: a sample check)"
    )
    test_p.add_argument("--batch", help="with --dataset: the check of this batch")
    test_p.set_defaults(handler=send_test_event)


def _rows(settings: Settings) -> list[dict[str, str]]:
    from dataguard.hooks import load_hooks

    rows: list[dict[str, str]] = []
    for hook in load_hooks(settings.document.get("hooks")):
        on = ",".join(v for v in VERDICT_ORDER if v in {x.value for x in hook.spec.on})
        rows.append(
            {
                "name": hook.name,
                "type": hook.spec.type,
                "on": on,
                "target": hook.target(),
                "missing_env": ", ".join(hook.missing_env()),
            }
        )
    return rows


def list_hooks(args: argparse.Namespace, settings: Settings) -> ExitCode:
    rows = _rows(settings)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return ExitCode.OK
    if not rows:
        where = settings.config_path or "dataguard.toml"
        print(f"no hooks configured (add [[hooks]] tables to {where})")
        return ExitCode.OK
    widths = {k: max(len(k), *(len(r[k]) for r in rows)) for k in ("name", "type", "on")}
    print(f"{'NAME':<{widths['name']}}  {'TYPE':<{widths['type']}}  {'ON':<{widths['on']}}  TARGET")
    for r in rows:
        missing = f"  (not set: {r['missing_env']})" if r["missing_env"] else ""
        print(
            f"{r['name']:<{widths['name']}}  {r['type']:<{widths['type']}}  "
            f"{r['on']:<{widths['on']}}  {r['target']}{missing}"
        )
    return ExitCode.OK


def send_test_event(args: argparse.Namespace, settings: Settings) -> ExitCode:
    from dataguard.service.alerts import configured_hooks, notify
    from dataguard.service.context import Context

    ctx = Context.create(settings)
    if not configured_hooks(ctx):
        raise UsageError("no hooks configured: add [[hooks]] tables to dataguard.toml")
    deliveries = notify(ctx, _test_check(ctx, args), only=args.name, test=True)
    for d in deliveries:
        attempts = f"{d.attempts} attempt{'s' if d.attempts != 1 else ''}"
        mark = "ok    " if d.status == "delivered" else "FAILED"
        print(f"{mark} {d.hook}: test event {d.status} ({attempts})")
    failed = [d for d in deliveries if d.status != "delivered"]
    return ExitCode.INFRASTRUCTURE if failed else ExitCode.OK


def _test_check(ctx: ContextType, args: argparse.Namespace) -> CheckResult:
    """A stored check (to see real anomalies in the message) or the built-in sample."""
    from dataguard.service.alerts import sample_result

    if args.batch and not args.dataset:
        raise UsageError("--batch needs --dataset")
    if not args.dataset:
        return sample_result()
    with ctx.store.read() as q:
        result = q.latest_check(args.dataset, args.batch)
    if result is None:
        where = f"batch {args.batch!r} of dataset" if args.batch else "dataset"
        target = f"{where} {args.dataset!r}"
        raise UsageError(f"no check of {target} in the store; run `dataguard check` first")
    return result
