"""What a batch is measured against for drift: the rule asked for, and the baseline it found.

    BaselineSpec.from_option("2026-11-24")          # --baseline BATCH: that training batch
    BaselineSpec.from_option("reference:training")  # the batch [datasets.X] references names
    BaselineSpec.from_option("window:7")            # the last 7 training batches, merged
    BaselineSpec.from_config("last-passing", "taxi")  # [datasets.taxi] baseline = "…"

Batch names cannot contain ``:``, so ``reference:`` and ``window:`` never shadow a batch. A bad
value is a ``UsageError`` naming where it came from (``--baseline`` or the config key), raised
before anything is computed. What a check then records is ``core.models.Baseline``
(``CheckResult.baseline``, the ``baseline`` object of the check JSON): the rule, the batches in
name order, the reference name or the window size. Pure: no store, no TFDV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dataguard.core.models import BaselineRule
from dataguard.core.names import NAME_PATTERN
from dataguard.errors import UsageError

MAX_WINDOW = 1000
_WINDOW = re.compile(r"window:(.*)")
_REFERENCE = re.compile(r"reference:(.*)")


CONFIG_CHOICES = '"preceding", "last-passing", "reference:NAME" or "window:N"'


@dataclass(frozen=True)
class BaselineSpec:
    """A baseline asked for: a rule with its batch name, reference name or window size."""

    rule: BaselineRule
    name: str | None = None  # the batch (BATCH) or the reference (REFERENCE)
    size: int | None = None  # WINDOW

    @classmethod
    def from_option(cls, text: str) -> BaselineSpec:
        """``--baseline`` (CLI, library, Beam jobs): BATCH, ``reference:NAME`` or ``window:N``."""
        special = _special(text, "--baseline")
        if special is not None:
            return special
        if not NAME_PATTERN.fullmatch(text):
            raise UsageError(
                f"--baseline {text!r}: use a training batch name, reference:NAME or window:N"
            )
        return cls(BaselineRule.BATCH, name=text)

    @classmethod
    def from_config(cls, value: Any, dataset: str) -> BaselineSpec:
        """``[datasets.<dataset>] baseline``: a rule, ``reference:NAME`` or ``window:N``."""
        where = f"config [datasets.{dataset}] baseline"
        if isinstance(value, str):
            if value in (BaselineRule.PRECEDING.value, BaselineRule.LAST_PASSING.value):
                return cls(BaselineRule(value))
            special = _special(value, where)
            if special is not None:
                return special
        raise UsageError(f"{where}: {value!r}; use {CONFIG_CHOICES}")

    def __str__(self) -> str:
        if self.rule is BaselineRule.REFERENCE:
            return f"reference:{self.name}"
        if self.rule is BaselineRule.WINDOW:
            return f"window:{self.size}"
        return str(self.name) if self.rule is BaselineRule.BATCH else self.rule.value


def _special(text: str, where: str) -> BaselineSpec | None:
    window = _WINDOW.fullmatch(text)
    if window:
        digits = window.group(1)
        size = int(digits) if digits.isdigit() else 0
        if not 1 <= size <= MAX_WINDOW:
            raise UsageError(
                f"{where} {text!r}: N in window:N is a whole number from 1 to {MAX_WINDOW}"
            )
        return BaselineSpec(BaselineRule.WINDOW, size=size)
    reference = _REFERENCE.fullmatch(text)
    if reference:
        name = reference.group(1)
        if not NAME_PATTERN.fullmatch(name):
            raise UsageError(
                f"{where} {text!r}: NAME in reference:NAME is 1-128 letters, digits, '.', '_' "
                "or '-', starting with a letter or digit"
            )
        return BaselineSpec(BaselineRule.REFERENCE, name=name)
    return None
