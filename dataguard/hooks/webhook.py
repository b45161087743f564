"""``webhook``: POST the check JSON, signed with HMAC-SHA256 when ``secret_env`` is set.

    [[hooks]]
    name = "ops"
    type = "webhook"
    url = "https://alerts.example.com/dataguard"      # or url_env = "OPS_WEBHOOK_URL"
    secret_env = "DATAGUARD_WEBHOOK_SECRET"          # X-Dataguard-Signature: sha256=<hex>
    headers = { "X-Team" = "ml-platform" }           # plain, non-secret headers
    header_env = { "Authorization" = "OPS_AUTH" }    # header values read from the environment
    on = ["fail", "warn"]
    ca_file = "/etc/ssl/private-ca.pem"              # optional: HTTPS with a private CA

Receivers verify ``hmac.new(secret, body, sha256).hexdigest()`` against the header, over the raw
request body bytes (before any JSON parsing).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

import httpx

from dataguard.errors import UsageError
from dataguard.hooks.base import Event, Hook, env_values, required_env

SIGNATURE_HEADER = "X-Dataguard-Signature"
USER_AGENT = "dataguard-hooks/1"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Dataguard-Signature`` value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookHook(Hook):
    type = "webhook"
    option_keys = frozenset({"url", "url_env", "secret_env", "headers", "header_env", "ca_file"})

    def validate(self) -> None:
        if ("url" in self.options) == ("url_env" in self.options):
            raise UsageError(f"hook {self.name!r}: set exactly one of 'url' and 'url_env'")
        for key in ("headers", "header_env"):
            table = self.options.get(key, {})
            if not isinstance(table, Mapping) or not all(
                isinstance(v, str) for v in table.values()
            ):
                raise UsageError(f"hook {self.name!r}: {key!r} must be a table of strings")

    def target(self) -> str:
        signed = " (signed)" if "secret_env" in self.options else ""
        return self.shown_url() + signed

    def secrets(self) -> list[str]:
        headers = self.options.get("header_env", {}).values()
        return self.env_secrets("url_env", "secret_env") + env_values(headers)

    def headers(self, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        headers.update(self.options.get("headers", {}))
        for header, var in self.options.get("header_env", {}).items():
            headers[header] = required_env(var, f"header {header!r}")
        if "secret_env" in self.options:
            headers[SIGNATURE_HEADER] = sign(self.env_value("secret_env"), body)
        return headers

    def send(self, event: Event, client: httpx.Client) -> None:
        body = event.body()
        self.post_to_url(client, body, self.headers(body))
