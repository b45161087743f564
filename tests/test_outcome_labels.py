"""Every medium words verdicts and outcomes the same way (``core.labels``): the same words, each
medium with its own marks; a finding stored before outcomes were recorded is ``unknown``, a
dataset-level one is about ``(dataset)``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dataguard.cli.report import render_markdown, render_text
from dataguard.core.labels import DASHBOARD, MARKDOWN, PLAIN, SLACK, TEXT
from dataguard.core.models import Outcome, Verdict
from dataguard.hooks import Event
from dataguard.hooks.email import plain_text
from dataguard.hooks.slack import anomaly_line, blocks
from tests.fixtures.receivers import make_result

OUTCOMES = (Outcome.FAIL, Outcome.WARN, Outcome.IGNORED, None)


def test_each_medium_marks_the_same_outcome_words() -> None:
    assert [TEXT.outcome(o) for o in OUTCOMES] == ["✗ fail", "! warn", "· ignored", "? unknown"]
    assert [MARKDOWN.outcome(o) for o in OUTCOMES] == ["❌ fail", "⚠️ warn", "ignored", "unknown"]
    assert [SLACK.outcome(o) for o in OUTCOMES] == [
        ":x: fail", ":warning: warn", ":white_circle: ignored", "unknown"]
    assert [PLAIN.outcome(o) for o in OUTCOMES] == ["fail", "warn", "ignored", "unknown"]
    assert TEXT.outcome("warn") == "! warn"  # the stored word works too


def test_each_medium_marks_the_same_verdict_words() -> None:
    verdicts = (Verdict.PASS, Verdict.WARN, Verdict.FAIL)
    assert [MARKDOWN.verdict_mark(v) for v in verdicts] == ["✅", "⚠️", "❌"]
    assert [SLACK.verdict_mark(v) for v in verdicts] == [
        ":white_check_mark:", ":warning:", ":x:"]
    assert [DASHBOARD.verdict(v) for v in (*verdicts, None)] == [
        "✔ pass", "▲ warn", "✖ fail", "○ not checked"]
    assert DASHBOARD.verdict("pass") == "✔ pass" and DASHBOARD.verdict_mark("") == "○"


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_reports_and_hooks_show_a_findings_outcome_in_their_own_marks(
    outcome: Outcome | None,
) -> None:
    result = make_result(Verdict.FAIL)
    first = replace(result.anomalies[0], feature="", outcome=outcome)  # dataset-level
    result = replace(result, anomalies=(first,), metrics=())
    event = Event(result)

    assert f"  {TEXT.outcome(outcome):<9} drift  (dataset) " in render_text(result)
    assert f"| {MARKDOWN.outcome(outcome)} | drift | `(dataset)` |" in render_markdown(result)
    assert f"  - {PLAIN.outcome(outcome)}: (dataset) [drift, error]" in plain_text(event)
    shown = f"{SLACK.outcome(outcome)} " if outcome else ""  # Slack leaves "unknown" out
    assert anomaly_line(first, None).startswith(f"• {shown}_dataset_ (drift)")
    assert blocks(event)[0]["text"]["text"].startswith(":x: dataguard check FAIL: taxi")
