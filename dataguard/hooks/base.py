"""The one small protocol every hook type implements, and the HTTP helper they share.

A hook is built once from its ``[[hooks]]`` table (``Hook.from_config``), says whether an event
fires it (``fires_on``), shows where it sends without secrets (``target``) and sends one event
(``send``). ``send`` raises ``HookError`` saying whether a retry could help; retries, backoff,
redaction and recording are the caller's business (``dataguard.hooks.delivery``,
``dataguard.service.alerts``), so a hook type stays a few dozen lines:

    class MyHook(Hook):
        type = "my"
        option_keys = frozenset({"url"})

        def target(self) -> str:
            return mask_url(self.options["url"])

        def send(self, event: Event, client: httpx.Client) -> None:
            post(client, self.options["url"], event.body(), {}, timeout=self.spec.timeout,
                 shown=self.target())

Third-party types register the class under the entry point group ``dataguard.hooks``.
"""

from __future__ import annotations

import abc
import email.utils
import json
import os
import re
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from dataguard.core.models import Anomaly, CheckResult, Verdict
from dataguard.errors import UsageError

CHECK_EVENT = "check.completed"
TEST_EVENT = "test"


@dataclass(frozen=True)
class Event:
    """What a hook sends: a committed check (or a test event), plus what some types need."""

    result: CheckResult
    name: str = CHECK_EVENT
    dashboard_url: str | None = None
    # batches of this dataset this hook alerted on (fail/warn) with no pass delivered since;
    # PagerDuty resolves their incidents when a later check passes.
    open_alerts: tuple[str, ...] = ()

    @property
    def is_test(self) -> bool:
        return self.name == TEST_EVENT

    def payload(self) -> dict[str, Any]:
        """The DESIGN.md check JSON plus ``"event"``: what webhooks and commands receive (with
        ``check_id``, ``checked_at`` and the batch page as ``dashboard_url``)."""
        return {"event": self.name, **self.result.to_dict(self.dashboard_url)}

    def body(self) -> bytes:
        """The exact bytes sent (and signed): compact UTF-8 JSON, keys in contract order."""
        return json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":")).encode()

    def batch_link(self) -> str | None:
        """The dashboard batch page ``/batch?dataset=…&batch=…`` (needs ``dashboard_url``)."""
        return self.result.batch_link(self.dashboard_url)


def full_description(anomaly: Anomaly) -> str:
    """TFDV's short description and its full one ("Expected data of type: INT but got FLOAT"),
    which says what was found: what Slack and e-mail show."""
    short, full = anomaly.short_description or anomaly.type, anomaly.description
    return f"{short} — {full}" if full and full != short else short


@dataclass(frozen=True)
class HookSpec:
    """The keys every hook has, parsed and checked by ``dataguard.hooks.config``."""

    name: str
    type: str
    on: frozenset[Verdict] = frozenset({Verdict.FAIL})
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_wait: float = 60.0  # cap on any wait, including a server's Retry-After
    timeout: float = 10.0  # seconds per attempt
    options: Mapping[str, Any] = field(default_factory=dict)


class HookError(Exception):
    """One failed attempt. ``retryable``: a later attempt may succeed (network, 5xx, 429)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Hook(abc.ABC):
    """A configured hook of one type. Subclasses set ``type`` and ``option_keys``."""

    type: ClassVar[str] = ""
    option_keys: ClassVar[frozenset[str]] = frozenset()
    required_keys: ClassVar[frozenset[str]] = frozenset()
    default_retries: ClassVar[int] = 3
    default_timeout: ClassVar[float] = 10.0

    def __init__(self, spec: HookSpec) -> None:
        self.spec = spec
        self.options = spec.options
        self.validate()

    @classmethod
    def from_config(cls, spec: HookSpec) -> Hook:
        """Build the hook; unknown or missing keys are a ``UsageError`` naming the hook."""
        unknown = sorted(set(spec.options) - cls.option_keys)
        if unknown:
            allowed = ", ".join(sorted(cls.option_keys)) or "none"
            raise UsageError(
                f"hook {spec.name!r}: unknown key {unknown[0]!r} for type {cls.type!r} "
                f"(allowed: {allowed})"
            )
        missing = sorted(k for k in cls.required_keys if k not in spec.options)
        if missing:
            raise UsageError(f"hook {spec.name!r}: type {cls.type!r} needs key {missing[0]!r}")
        _check_env_names(spec)
        if "url" in spec.options:
            _check_url(spec.name, spec.options["url"])
        return cls(spec)

    @property
    def name(self) -> str:
        return self.spec.name

    def validate(self) -> None:  # noqa: B027 - optional for subclasses
        """Check type-specific option values; raise ``UsageError`` naming the hook and key."""

    def fires_on(self, event: Event) -> bool:
        return event.result.verdict in self.spec.on

    def secrets(self) -> list[str]:
        """Values to redact from errors (read from the environment at call time)."""
        return []

    def env_names(self) -> list[str]:
        """The environment variables this hook reads (``*_env`` keys and ``header_env`` values)."""
        return [v for _, v in _env_options(self.options) if isinstance(v, str)]

    def missing_env(self) -> list[str]:
        """Variables this hook needs that are unset here (``hooks list`` warns about them)."""
        return [name for name in self.env_names() if not os.environ.get(name)]

    @abc.abstractmethod
    def target(self) -> str:
        """Where it sends, secrets masked (for ``hooks list`` and error messages)."""

    @abc.abstractmethod
    def send(self, event: Event, client: httpx.Client) -> None:
        """Send one event or raise ``HookError``."""

    # --- helpers for subclasses --------------------------------------------------------------
    def option_str(self, key: str, default: str | None = None) -> str | None:
        value = self.options.get(key, default)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"hook {self.name!r}: key {key!r} must be a string")
        return value

    def env_value(self, key: str) -> str:
        """The secret named by option ``key`` (e.g. ``secret_env``), from the environment."""
        return required_env(self.options[key], f"from {key!r}")

    def url(self) -> str:
        """``url``, or the environment variable named by ``url_env`` (for URLs holding a token)."""
        if "url_env" in self.options:
            return self.env_value("url_env")
        return str(self.options["url"])

    def shown_url(self) -> str:
        if "url_env" in self.options:
            return f"${self.options['url_env']}"
        return mask_url(str(self.options.get("url", "")))

    def tls_context(self) -> ssl.SSLContext:
        """Verified TLS: the system's CAs, or ``ca_file`` (a private CA) when set."""
        ca_file = self.options.get("ca_file")
        try:
            return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise HookError(f"ca_file {ca_file!r} cannot be read: {exc}", retryable=False) from None

    def tls_verify(self) -> ssl.SSLContext | bool:
        """httpx's ``verify``: its default CAs, or ``tls_context()`` when ``ca_file`` is set."""
        return self.tls_context() if self.options.get("ca_file") else True

    def post_to_url(
        self, client: httpx.Client, body: bytes, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """POST to ``url`` / ``url_env`` with this hook's timeout, the URL masked in errors;
        without ``headers``, ``body`` is JSON."""
        return post(client, self.url(), body, headers or JSON_HEADERS,
                    timeout=self.spec.timeout, shown=self.shown_url())

    def env_secrets(self, *keys: str) -> list[str]:
        """The values of the environment variables named by options ``keys`` that are set: what
        ``secrets()`` redacts."""
        return env_values(self.options.get(key) for key in keys)


def env_values(names: Iterable[str | None]) -> list[str]:
    """The values of the environment variables ``names`` that are set (None names skipped)."""
    return [os.environ[name] for name in names if name and os.environ.get(name)]


def required_env(var: str, what: str) -> str:
    """The variable's value; ``HookError`` (a retry cannot help) saying what needs it when unset."""
    value = os.environ.get(var)
    if not value:
        raise HookError(f"environment variable {var} ({what}) is not set", retryable=False)
    return value


ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
JSON_HEADERS: Mapping[str, str] = {"Content-Type": "application/json"}


def _env_options(options: Mapping[str, Any]) -> list[tuple[str, object]]:
    """(key, value) of the options naming environment variables: ``*_env`` keys and each
    ``header_env`` entry (as ``header_env.<header>``)."""
    pairs = [(k, v) for k, v in options.items() if k.endswith("_env") and k != "header_env"]
    header_env = options.get("header_env", {})
    if isinstance(header_env, Mapping):
        pairs += [(f"header_env.{h}", v) for h, v in header_env.items()]
    return pairs


def _check_env_names(spec: HookSpec) -> None:
    """``*_env`` values name variables; never echo a value that may be the secret itself."""
    for key, value in _env_options(spec.options):
        if not isinstance(value, str) or not ENV_NAME_RE.fullmatch(value):
            raise UsageError(
                f"hook {spec.name!r}: {key!r} must be the NAME of an environment variable "
                "(like DATAGUARD_WEBHOOK_SECRET), not the secret itself"
            )


def _check_url(hook: str, url: object) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"hook {hook!r}: 'url' must be an http:// or https:// URL")


TOKENISH_RE = re.compile(r"(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}")


def mask_url(url: str) -> str:
    """``scheme://host[:port]/path`` with userinfo, query and token-like path segments (20+
    characters mixing letters and digits, as in many webhook URLs) shown as ``…``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if port:
        host = f"{host}:{port}"
    path = "/".join("…" if TOKENISH_RE.fullmatch(seg) else seg for seg in parts.path.split("/"))
    query = "…" if parts.query else ""
    return urlunsplit((parts.scheme, host, path, query, ""))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def post(
    client: httpx.Client,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    shown: str,
) -> httpx.Response:
    """POST ``body``; map the outcome onto ``HookError`` (retry on network, 5xx and 429 only)."""
    try:
        response = client.post(url, content=body, headers=dict(headers), timeout=timeout)
    except httpx.TimeoutException:
        raise HookError(
            f"timed out after {timeout:g} s posting to {shown}", retryable=True
        ) from None
    except httpx.TransportError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            raise HookError(
                f"{shown}: TLS certificate not trusted; set 'ca_file' for a private CA",
                retryable=False,
            ) from None
        raise HookError(
            f"could not reach {shown}: {type(exc).__name__}: {exc}", retryable=True
        ) from None
    status = response.status_code
    if status == 429 or status >= 500:
        raise HookError(
            f"HTTP {status} from {shown}",
            retryable=True,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if not 200 <= status < 300:
        detail = " ".join(response.text.split())[:200]
        raise HookError(f"HTTP {status} from {shown}: {detail}".rstrip(": "), retryable=False)
    return response
