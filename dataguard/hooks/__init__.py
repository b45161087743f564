"""Alert hooks: one module per type behind one small protocol (``dataguard.hooks.base.Hook``).

    hooks = load_hooks(settings.document.get("hooks"))   # parses [[hooks]], refuses plain secrets
    outcome = deliver(hooks[0], Event(result))             # retries, backoff, redaction

Built-in types: webhook, slack, pagerduty, email, command. Third-party types are classes
registered under the entry point group ``dataguard.hooks`` (name → ``Hook`` subclass):

    [project.entry-points."dataguard.hooks"]
    teams = "my_package.teams:TeamsHook"

This package is an adapter: it knows nothing of the store (``dataguard.service.alerts`` records
deliveries) nor of the statistics engines.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from dataguard.errors import UsageError
from dataguard.hooks.base import CHECK_EVENT, TEST_EVENT, Event, Hook, HookError, HookSpec
from dataguard.hooks.config import parse_hooks
from dataguard.hooks.delivery import Outcome, deliver

ENTRY_POINT_GROUP = "dataguard.hooks"
BUILTIN_TYPES = {
    "webhook": "dataguard.hooks.webhook:WebhookHook",
    "slack": "dataguard.hooks.slack:SlackHook",
    "pagerduty": "dataguard.hooks.pagerduty:PagerDutyHook",
    "email": "dataguard.hooks.email:EmailHook",
    "command": "dataguard.hooks.command:CommandHook",
}


def _load(ref: str) -> type[Hook]:
    module, _, attr = ref.partition(":")
    return getattr(import_module(module), attr)


def hook_types() -> dict[str, type[Hook]]:
    """Built-in types plus those installed under the ``dataguard.hooks`` entry point group."""
    types = {name: _load(ref) for name, ref in BUILTIN_TYPES.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in types:
            continue  # built-ins cannot be replaced by a plugin
        try:
            cls = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin names itself, once
            raise UsageError(
                f"hook type {ep.name!r} from entry point {ep.value!r} failed to load: {exc}"
            ) from None
        if not (isinstance(cls, type) and issubclass(cls, Hook)):
            raise UsageError(f"hook type {ep.name!r} ({ep.value}) is not a dataguard Hook class")
        types[ep.name] = cls
    return types


def load_hooks(tables: Any, types: Mapping[str, type[Hook]] | None = None) -> list[Hook]:
    """The configured hooks (the ``hooks`` array of the config document), validated."""
    if not tables:
        return []
    return parse_hooks(tables, types or hook_types())


__all__ = [
    "BUILTIN_TYPES",
    "CHECK_EVENT",
    "ENTRY_POINT_GROUP",
    "TEST_EVENT",
    "Event",
    "Hook",
    "HookError",
    "HookSpec",
    "Outcome",
    "deliver",
    "hook_types",
    "load_hooks",
]
