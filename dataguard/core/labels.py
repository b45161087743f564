"""How verdicts, policy outcomes and dataset-level findings are worded for people: one home, so
the terminal, Markdown, Slack, e-mail and the dashboard say the same words (only their marks
differ by medium, and each medium's marks are here too).

    TEXT.outcome(Outcome.WARN)           # "! warn"
    MARKDOWN.outcome(None)               # "unknown": a check stored before outcomes were
    SLACK.verdict_mark(Verdict.FAIL)     # ":x:"
    DASHBOARD.verdict(None)              # "○ not checked"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dataguard.core.models import Anomaly, Metric, Outcome, Verdict

UNKNOWN = "unknown"  # the outcome of a finding stored before outcomes were recorded
NOT_CHECKED = "not checked"  # the verdict of a dataset or batch without a check
DATASET_LEVEL = "(dataset)"  # the feature of a dataset-level finding (its feature is "")


def feature_label(feature: str) -> str:
    """The feature's name, or ``(dataset)`` for a finding about the whole batch."""
    return feature or DATASET_LEVEL


def finding_label(finding: Anomaly | Metric) -> str:
    """What a finding is about: its feature (``feature_label``) and, for a finding about a slice
    (``core.slices``), the slice: ``fare [payment_type_Cash]``."""
    where = feature_label(finding.feature)
    return f"{where} [{finding.slice}]" if finding.slice else where


def outcome_word(outcome: Outcome | str | None) -> str:
    """``fail``, ``warn``, ``ignored``; ``unknown`` when none was recorded."""
    return UNKNOWN if outcome is None else Outcome(outcome).value


def verdict_word(verdict: Verdict | str | None) -> str:
    """``pass``, ``warn``, ``fail``; ``not checked`` when there is no verdict."""
    return str(verdict) if verdict else NOT_CHECKED


@dataclass(frozen=True)
class Marks:
    """One medium's marks put before a verdict or outcome word. A word without a mark stands
    alone; a verdict the table does not know (None: not checked) takes the mark of ``None``."""

    verdicts: Mapping[str | None, str] = field(default_factory=dict)
    outcomes: Mapping[str | None, str] = field(default_factory=dict)

    def verdict_mark(self, verdict: Verdict | str | None) -> str:
        key = str(verdict) if verdict else None
        return self.verdicts.get(key, self.verdicts.get(None, ""))

    def verdict(self, verdict: Verdict | str | None) -> str:
        return _marked(self.verdict_mark(verdict), verdict_word(verdict))

    def outcome(self, outcome: Outcome | str | None) -> str:
        key = None if outcome is None else outcome_word(outcome)
        return _marked(self.outcomes.get(key, ""), outcome_word(outcome))


def _marked(mark: str, word: str) -> str:
    return f"{mark} {word}" if mark else word


TEXT = Marks(outcomes={"fail": "✗", "warn": "!", "ignored": "·", None: "?"})
"""The terminal report (``check --format text``, JUnit's lines)."""

MARKDOWN = Marks(verdicts={"pass": "✅", "warn": "⚠️", "fail": "❌"},
                 outcomes={"fail": "❌", "warn": "⚠️"})
"""Pull-request comments and CI step summaries (``check --format markdown``)."""

SLACK = Marks(verdicts={"pass": ":white_check_mark:", "warn": ":warning:", "fail": ":x:"},
              outcomes={"fail": ":x:", "warn": ":warning:", "ignored": ":white_circle:"})
"""Slack's emoji codes (the ``slack`` hook)."""

PLAIN = Marks()
"""The words alone (the ``email`` hook, the dashboard's tables)."""

DASHBOARD = Marks(verdicts={"pass": "✔", "warn": "▲", "fail": "✖", None: "○"})
"""Plain symbols, no emoji: they render with any font, headless browsers included."""
