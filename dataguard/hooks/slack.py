"""``slack``: an incoming-webhook message in Block Kit — verdict, dataset, batch, worst anomalies,
and a button to the dashboard's batch page when ``dashboard_url`` is configured.

    [[hooks]]
    name = "data-alerts"
    type = "slack"
    url_env = "SLACK_WEBHOOK_URL"   # the hooks.slack.com URL is a secret: never in the file
    on = ["fail", "warn"]
    max_anomalies = 5                # optional

The worst anomalies come first: by the policy's outcome (fail, warn, ignored), then the measured
distance's excess over its threshold (so the feature that drifted most leads). Each line shows
its outcome and TFDV's full description ("Expected data of type: INT but got FLOAT").
"""

from __future__ import annotations

import json

import httpx

from dataguard.core.labels import SLACK
from dataguard.core.models import Anomaly, CheckResult, Metric, Outcome
from dataguard.errors import UsageError
from dataguard.hooks.base import Event, Hook, full_description

TEXT_LIMIT = 2900  # Slack's section text limit is 3000 characters
_OUTCOME_RANK = {Outcome.FAIL: 0, Outcome.WARN: 1, None: 2, Outcome.IGNORED: 3}


def _esc(text: str) -> str:
    """Slack mrkdwn escaping: feature names and descriptions are data, not markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _metric_for(result: CheckResult, anomaly: Anomaly) -> Metric | None:
    for m in result.metrics:
        if m.feature == anomaly.feature and m.comparison == anomaly.kind.value and m.exceeded \
                and m.slice == anomaly.slice:
            return m
    return None


def worst_anomalies(result: CheckResult, limit: int) -> list[tuple[Anomaly, Metric | None]]:
    """Failing first (TFDV errors first for checks stored without outcomes), then by how far the
    distance exceeds its threshold."""

    def badness(item: tuple[Anomaly, Metric | None]) -> tuple[int, int, float]:
        anomaly, metric = item
        excess = 0.0
        if metric is not None and metric.threshold:
            excess = metric.value / metric.threshold
        return (_OUTCOME_RANK[anomaly.outcome], 0 if anomaly.severity == "error" else 1, -excess)

    items = [(a, _metric_for(result, a)) for a in result.anomalies]
    return sorted(items, key=badness)[:limit]


def anomaly_line(anomaly: Anomaly, metric: Metric | None) -> str:
    feature = f"`{_esc(anomaly.feature)}`" if anomaly.feature else "_dataset_"
    what = _esc(full_description(anomaly))
    outcome = f"{SLACK.outcome(anomaly.outcome)} " if anomaly.outcome else ""
    in_slice = f" in slice `{_esc(anomaly.slice)}`" if anomaly.slice else ""
    line = f"• {outcome}{feature}{in_slice} ({anomaly.kind.value}): {what}"
    if metric is not None and metric.threshold is not None:
        line += f" — {metric.method} {metric.value:.4g} vs threshold {metric.threshold:.4g}"
    return line


def blocks(event: Event, limit: int = 5) -> list[dict]:
    r = event.result
    test = "[TEST] " if event.is_test else ""
    verdict = r.verdict.value.upper()
    icon = SLACK.verdict_mark(r.verdict)
    title = f"{test}{icon} dataguard check {verdict}: {r.dataset} / {r.batch}"
    fields = [
        f"*Dataset*\n{_esc(r.dataset)}",
        f"*Batch*\n{_esc(r.batch)}",
        f"*Verdict*\n{r.verdict.value}",
        f"*Schema version*\nv{r.schema_version}",
        f"*Examples*\n{r.num_examples:,}",
        f"*Anomalies*\n{len(r.anomalies)}",
    ]
    if r.baseline_batch:
        fields.append(f"*Baseline*\n{_esc(r.baseline_batch)}")
    if r.serving_batch:
        fields.append(f"*Serving*\n{_esc(r.serving_batch)}")
    out: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields[:10]]},
    ]
    worst = worst_anomalies(r, limit)
    if worst:
        lines = [anomaly_line(a, m) for a, m in worst]
        more = len(r.anomalies) - len(worst)
        if more > 0:
            lines.append(f"…and {more} more")
        text = "*Worst anomalies*\n" + "\n".join(lines)
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:TEXT_LIMIT]}})
    link = event.batch_link()
    if link:
        out.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in dashboard"},
                        "url": link,
                    }
                ],
            }
        )
    if event.is_test:
        out.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "Test event from `dataguard hooks test`."}],
            }
        )
    return out


def message(event: Event, limit: int = 5) -> dict:
    r = event.result
    test = "[TEST] " if event.is_test else ""
    fallback = f"{test}dataguard check {r.verdict.value}: {r.dataset} / {r.batch}"
    return {"text": fallback, "blocks": blocks(event, limit)}


class SlackHook(Hook):
    type = "slack"
    option_keys = frozenset({"url", "url_env", "max_anomalies", "ca_file"})

    def validate(self) -> None:
        if ("url" in self.options) == ("url_env" in self.options):
            raise UsageError(f"hook {self.name!r}: set 'url_env' (or 'url' for a local relay)")
        limit = self.options.get("max_anomalies", 5)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 20:
            raise UsageError(f"hook {self.name!r}: 'max_anomalies' must be an integer 1..20")

    def target(self) -> str:
        return self.shown_url()

    def secrets(self) -> list[str]:
        return self.env_secrets("url_env")

    def send(self, event: Event, client: httpx.Client) -> None:
        body = json.dumps(message(event, self.options.get("max_anomalies", 5))).encode()
        self.post_to_url(client, body)
