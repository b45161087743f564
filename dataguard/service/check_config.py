"""What a check reads of ``dataguard.toml`` for one dataset, parsed once per check or run.

    config = CheckConfig.parse(ctx.settings.document, "taxi", slice_by=["payment_type"])

``run`` refuses bad config before computing statistics and ``check`` judges with the same
settings: parsing them in one place, once, means the preflight and the judgement can never read
the config differently, and a bad value is one ``UsageError`` (exit 2) before any work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataguard.core.policy import Policy
from dataguard.core.rules import parse_rules
from dataguard.core.slices import SliceConfig
from dataguard.core.thresholds import ComparatorConfig
from dataguard.core.trends import TrendConfig
from dataguard.service.baselines import BaselineConfig

if TYPE_CHECKING:
    from dataguard.core.rules import Rule


@dataclass(frozen=True)
class CheckConfig:
    """One dataset's check settings: trends, baseline rule, thresholds and methods, policy,
    custom rules and slice columns (``slice_by`` beats the config's)."""

    trends: TrendConfig
    baseline: BaselineConfig
    limits: ComparatorConfig
    policy: Policy
    rules: tuple[Rule, ...]
    slicing: SliceConfig

    @classmethod
    def parse(cls, document: Mapping[str, Any], dataset: str,
              slice_by: Sequence[str] | None = None) -> CheckConfig:
        """``UsageError`` (one line) for the first bad value."""
        return cls(
            trends=TrendConfig.from_config(document, dataset),
            baseline=BaselineConfig.from_document(document, dataset),
            limits=ComparatorConfig.from_config(document, dataset),
            policy=Policy.from_config(document, dataset),
            rules=parse_rules(document, dataset),
            slicing=SliceConfig.from_config(document, dataset, slice_by),
        )
