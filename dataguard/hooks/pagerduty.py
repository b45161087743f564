"""``pagerduty``: Events API v2 — ``trigger`` on a failed check, ``resolve`` when a later check of
the dataset passes.

    [[hooks]]
    name = "oncall"
    type = "pagerduty"
    routing_key_env = "PAGERDUTY_ROUTING_KEY"   # integration key of an Events API v2 service
    on = ["fail"]                              # verdicts that trigger (default); pass resolves
    severity = "error"                         # critical | error | warning | info

``dedup_key`` is ``<dataset>/<batch>``, so re-running a failing batch updates one incident. A
passing check resolves every incident this hook triggered for the dataset since its last resolve
(``Event.open_alerts``, computed from the store by ``dataguard.service.alerts``).

``dataguard hooks test`` triggers a ``[TEST]`` incident (``dedup_key`` ``…/test``) and resolves it
right after, so a test leaves no open incident behind.
"""

from __future__ import annotations

import json
import socket

import httpx

from dataguard.core.labels import finding_label
from dataguard.core.models import Verdict
from dataguard.errors import UsageError
from dataguard.hooks.base import Event, Hook

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITIES = ("critical", "error", "warning", "info")


def dedup_key(dataset: str, batch: str) -> str:
    return f"{dataset}/{batch}"


class PagerDutyHook(Hook):
    type = "pagerduty"
    option_keys = frozenset({"routing_key_env", "url", "severity", "source", "ca_file"})
    required_keys = frozenset({"routing_key_env"})

    def validate(self) -> None:
        if Verdict.PASS in self.spec.on:
            raise UsageError(
                f"hook {self.name!r}: a pagerduty hook resolves on 'pass' by itself; "
                'set on = ["fail"] or ["fail", "warn"]'
            )
        if self.options.get("severity", "error") not in SEVERITIES:
            raise UsageError(f"hook {self.name!r}: 'severity' must be one of {list(SEVERITIES)}")

    def fires_on(self, event: Event) -> bool:
        if event.result.verdict == Verdict.PASS:
            return bool(event.open_alerts)
        return super().fires_on(event)

    def target(self) -> str:
        return f"{self.shown_url() or EVENTS_URL} (routing key ${self.options['routing_key_env']})"

    def shown_url(self) -> str:
        return super().shown_url() if "url" in self.options else EVENTS_URL

    def url(self) -> str:
        return str(self.options.get("url", EVENTS_URL))

    def secrets(self) -> list[str]:
        return self.env_secrets("routing_key_env")

    def events(self, event: Event) -> list[dict]:
        """The Events API v2 bodies: resolves for open alerts on pass, else one trigger."""
        r = event.result
        key = self.env_value("routing_key_env")
        if r.verdict == Verdict.PASS and event.open_alerts and not event.is_test:
            return [
                {
                    "routing_key": key,
                    "event_action": "resolve",
                    "dedup_key": dedup_key(r.dataset, b),
                }
                for b in event.open_alerts
            ]
        test = "[TEST] " if event.is_test else ""
        worst = ", ".join(sorted({finding_label(a) for a in r.anomalies})[:5])
        summary = f"{test}dataguard: {r.dataset}/{r.batch} check {r.verdict.value}"
        if worst:
            summary += f" ({len(r.anomalies)} anomalies: {worst})"
        body: dict = {
            "routing_key": key,
            "event_action": "trigger",
            "dedup_key": dedup_key(r.dataset, r.batch) + ("/test" if event.is_test else ""),
            "payload": {
                "summary": summary[:1024],
                "source": self.options.get("source") or socket.gethostname(),
                "severity": self.options.get("severity", "error"),
                "component": r.dataset,
                "group": "dataguard",
                "class": r.verdict.value,
                "custom_details": event.payload(),
            },
        }
        link = event.batch_link()
        if link:
            body["links"] = [{"href": link, "text": "dataguard dashboard"}]
        if event.is_test:  # the test incident is resolved at once: nobody gets paged for it
            return [body, {"routing_key": key, "event_action": "resolve",
                           "dedup_key": body["dedup_key"]}]
        return [body]

    def send(self, event: Event, client: httpx.Client) -> None:
        for body in self.events(event):
            self.post_to_url(client, json.dumps(body).encode())
