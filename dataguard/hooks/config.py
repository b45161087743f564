"""Parse ``[[hooks]]`` tables into hooks, refusing anything that looks like a plain-text secret.

Keys every hook has (the rest belong to its type):

    name     unique, [A-Za-z0-9][A-Za-z0-9._-]*
    type     webhook | slack | pagerduty | email | command | a plugin's type
    on       verdicts that fire it, default ["fail"]
    retries  extra attempts after the first, default 3 (command: 0)
    backoff  seconds before the first retry (doubles each time), default 1.0
    max_wait cap on any single wait, including a server's Retry-After, default 60
    timeout  seconds per attempt, default 10 (command: 60)

Secrets come only from the environment (keys ending in ``_env`` name a variable). A hook is refused
(``UsageError`` naming hook and key) when the file holds, in plain text:
- a key named like a secret: secret, token, password/passwd, routing_key, api_key/apikey,
  private_key, credentials, auth (``*_env`` variants are the way to set them);
- a variable named like a secret in a command hook's ``env`` (the command inherits dataguard's
  environment: set it there);
- a header whose name carries credentials (Authorization, Cookie, *token*, *key*, *secret*) in
  ``headers`` — use ``header_env``;
- a value of a known token shape anywhere: Slack tokens (``xox[abposr]-…``) and incoming-webhook
  URLs (``hooks.slack.com/services/T…/B…/…`` — use ``url_env``), Discord and Teams webhook URLs,
  GitHub (``ghp_…``, ``github_pat_…``), AWS access keys (``AKIA…``), Google API keys (``AIza…``),
  private key blocks,
  passwords in URLs (``https://user:pass@host``) and URL query parameters named like a secret
  (``?token=…``, ``?api_key=…``, ``?sig=…``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dataguard.core.models import Verdict
from dataguard.errors import UsageError
from dataguard.hooks.base import Hook, HookSpec

COMMON_KEYS = frozenset({"name", "type", "on", "retries", "backoff", "max_wait", "timeout"})
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SECRET_KEY_RE = re.compile(
    r"(secret|token|passw(or)?d|passwd|routing_key|api_?key|private_key|credential|^auth)", re.I
)
SECRET_HEADER_RE = re.compile(r"(authorization|cookie|token|secret|key|signature|auth)", re.I)
SECRET_QUERY_RE = re.compile(
    r"^(token|access_token|api_?key|key|secret|sig|signature|password|pass|auth|code)$", re.I
)
TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{8,}")),
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/(services|workflows|triggers)/\w+")),
    ("a Discord webhook URL", re.compile(r"discord(app)?\.com/api/webhooks/\d+/")),
    ("a Microsoft Teams webhook URL", re.compile(r"\.webhook\.office\.com/webhookb2/")),
    (
        "a GitHub token",
        re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_\w{20,}"),
    ),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{30,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("an API key", re.compile(r"\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}|\bsk-[A-Za-z0-9_-]{20,}")),
)


def parse_hooks(tables: Any, types: Mapping[str, type[Hook]]) -> list[Hook]:
    """Every ``[[hooks]]`` table as a hook, in file order; the first problem is a ``UsageError``."""
    if tables is None:
        return []
    if not isinstance(tables, Sequence) or isinstance(tables, str):
        raise UsageError("config: 'hooks' must be an array of tables ([[hooks]])")
    hooks: list[Hook] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, Mapping):
            raise UsageError(f"config: hooks entry {index} must be a table ([[hooks]])")
        hook = parse_hook(table, types, index=index)
        if hook.name in seen:
            raise UsageError(f"config: hook name {hook.name!r} is used twice; names must be unique")
        seen.add(hook.name)
        hooks.append(hook)
    return hooks


def parse_hook(
    table: Mapping[str, Any], types: Mapping[str, type[Hook]], *, index: int = 1
) -> Hook:
    name = table.get("name")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise UsageError(
            f"config: hooks entry {index} needs a 'name' matching [A-Za-z0-9][A-Za-z0-9._-]*"
        )
    refuse_plain_secrets(name, table)
    hook_type = table.get("type")
    if not isinstance(hook_type, str) or hook_type not in types:
        known = ", ".join(sorted(types))
        raise UsageError(f"hook {name!r}: unknown type {hook_type!r} (known: {known})")
    cls = types[hook_type]
    spec = HookSpec(
        name=name,
        type=hook_type,
        on=_verdicts(name, table.get("on", ["fail"])),
        retries=int(_number(name, table, "retries", cls.default_retries, integer=True)),
        backoff=_number(name, table, "backoff", 1.0),
        max_wait=_number(name, table, "max_wait", 60.0),
        timeout=_number(name, table, "timeout", cls.default_timeout, positive=True),
        options={k: v for k, v in table.items() if k not in COMMON_KEYS},
    )
    return cls.from_config(spec)


def refuse_plain_secrets(hook: str, table: Mapping[str, Any]) -> None:
    """Raise ``UsageError`` naming the hook and key when a secret seems written in the file."""
    for path, key, value in _walk(table):
        if key.endswith("_env") or path.startswith("header_env."):
            continue
        if path.startswith("env.") and SECRET_KEY_RE.search(key):
            raise UsageError(
                f"hook {hook!r}: variable {key!r} in 'env' looks like a secret; leave it out: "
                "the command inherits dataguard's environment"
            )
        if path.startswith("headers.") and SECRET_HEADER_RE.search(key):
            raise UsageError(
                f"hook {hook!r}: header {key!r} in 'headers' looks like a credential; "
                f"put it in an environment variable and name it in header_env = {{ {key!r} = "
                f'"VAR" }}'
            )
        if SECRET_KEY_RE.search(key) and not path.startswith("headers."):
            raise UsageError(
                f"hook {hook!r}: key {path!r} holds a secret in plain text; put it in an "
                f"environment variable and set '{key}_env' to its name"
            )
        if isinstance(value, str):
            what = looks_like_secret(value)
            if what:
                raise UsageError(
                    f"hook {hook!r}: key {path!r} looks like {what} in plain text; put it in an "
                    f"environment variable and set '{key.split('.')[-1]}_env' to its name"
                )


def looks_like_secret(value: str) -> str | None:
    """A description of the secret shape ``value`` has, or None."""
    for what, pattern in TOKEN_SHAPES:
        if pattern.search(value):
            return what
    if "://" in value:
        try:
            parts = urlsplit(value.strip())
            password = parts.password
        except ValueError:
            return None
        if password:
            return "a URL with a password"
        for name, _ in parse_qsl(parts.query, keep_blank_values=True):
            if SECRET_QUERY_RE.match(name):
                return f"a URL with a secret query parameter ({name})"
    return None


def _walk(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    for key, value in node.items():
        path = f"{prefix}{key}"
        yield path, str(key), value
        if isinstance(value, Mapping):
            yield from _walk(value, prefix=f"{path}.")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    yield path, str(key), item


def _verdicts(hook: str, value: Any) -> frozenset[Verdict]:
    if isinstance(value, str):
        value = [value]
    names = [v.value for v in Verdict]
    if not isinstance(value, list) or not value or any(v not in names for v in value):
        raise UsageError(f"hook {hook!r}: 'on' must be a non-empty list of {names}, got {value!r}")
    return frozenset(Verdict(v) for v in value)


def _number(
    hook: str,
    table: Mapping[str, Any],
    key: str,
    default: float,
    *,
    integer: bool = False,
    positive: bool = False,
) -> float:
    value = table.get(key, default)
    ok = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not ok or value < 0 or (positive and value == 0):
        expected = "an integer" if integer else "a number"
        sign = "> 0" if positive else ">= 0"
        raise UsageError(f"hook {hook!r}: {key!r} must be {expected} {sign}, got {value!r}")
    return float(value)
