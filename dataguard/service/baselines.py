"""Baselines: what a batch is measured against for drift, chosen in one place for the CLI, the
library and the Beam jobs (``resolve_baseline``), and the statistics that baseline stands for.

    config = BaselineConfig.from_document(settings.document, "taxi")  # rule + references
    with store.read() as q:
        found = resolve_baseline(q, "taxi", "2026-11-25", "window:7", config)
    found.baseline.batches        # ("2026-11-18", …, "2026-11-24"): what the check records
    baseline_statistics(ctx, found)  # their stored statistics, merged (core.merge_stats)

Requests: a training batch name, ``reference:NAME`` (the batch ``[datasets.X] references``
pins), ``window:N`` (the last N training batches named before), None (no drift), or
``DEFAULT_BASELINE``: the baseline of the batch's first check, else the dataset's rule
(``[datasets.X] baseline``). Every miss of an explicit request is a one-line ``UsageError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from dataguard.core.baselines import BaselineSpec
from dataguard.core.models import Baseline, BaselineRule, Batch, CheckResult, Role
from dataguard.core.names import NAME_PATTERN, dataset_table
from dataguard.errors import UsageError

if TYPE_CHECKING:
    from dataguard.service.context import Context
    from dataguard.store import StoreReader


class _DefaultBaseline:
    def __repr__(self) -> str:
        return "DEFAULT_BASELINE"


DEFAULT_BASELINE: Final = _DefaultBaseline()
"""The configured default baseline: the baseline of the batch's first check if it was checked
before, else the dataset's rule (``[datasets.<name>] baseline``); none when no batch qualifies."""

BaselineRequest = str | BaselineSpec | None | _DefaultBaseline
"""What ``check(baseline=…)`` takes: BATCH, ``reference:NAME``, ``window:N`` (or their
``BaselineSpec``), None for no drift, or ``DEFAULT_BASELINE``."""


@dataclass(frozen=True)
class BaselineConfig:
    """``[datasets.<name>] baseline`` (the default rule) and ``references`` (pinned batches)."""

    rule: BaselineSpec
    references: Mapping[str, str]

    @classmethod
    def from_document(cls, document: Mapping[str, Any], dataset: str) -> BaselineConfig:
        """``UsageError`` (one line) for a bad rule, a bad references table, or a
        ``reference:NAME`` rule naming no reference."""
        rule = baseline_rule(document, dataset)
        references = _references(document, dataset)
        if rule.rule is BaselineRule.REFERENCE and rule.name not in references:
            raise UsageError(
                f"config [datasets.{dataset}] baseline {str(rule)!r}: "
                f"{_no_reference(dataset, str(rule.name), references)}"
            )
        return cls(rule, references)


@dataclass(frozen=True)
class ResolvedBaseline:
    """The baseline found: what the check records, and the batches whose statistics it merges."""

    baseline: Baseline
    batches: tuple[Batch, ...]


def baseline_rule(document: Mapping[str, Any], dataset: str) -> BaselineSpec:
    """The dataset's rule from the config document; ``UsageError`` (one line) for a bad value."""
    value = dataset_table(document, dataset).get("baseline", "preceding")
    return BaselineSpec.from_config(value, dataset)


def _references(document: Mapping[str, Any], dataset: str) -> dict[str, str]:
    value = dataset_table(document, dataset).get("references", {})
    where = f"config [datasets.{dataset}] references"
    if not isinstance(value, Mapping):
        raise UsageError(
            f'{where}: use a table of NAME = "BATCH", e.g. {{training = "2026-11-01"}}')
    for name, batch in value.items():
        if not NAME_PATTERN.fullmatch(str(name)) or not isinstance(batch, str) or (
                not NAME_PATTERN.fullmatch(batch)):
            raise UsageError(f"{where}: {name} = {batch!r}; use NAME = \"BATCH\" (batch names)")
    return dict(value)


def _no_reference(dataset: str, name: str, references: Mapping[str, str]) -> str:
    known = ", ".join(sorted(references)) or "none"
    return (f"[datasets.{dataset}] references has no {name!r} (known: {known}); add "
            f'{name} = "BATCH" there')


def resolve_baseline(
    q: StoreReader, dataset: str, batch: str, baseline: BaselineRequest,
    config: BaselineConfig,
) -> ResolvedBaseline | None:
    """What ``batch`` is measured against for drift (None: no drift).

    A request (BATCH, ``reference:NAME``, ``window:N``) is resolved now (``UsageError`` if it
    names nothing); None is no baseline; ``DEFAULT_BASELINE`` is the baseline of the batch's
    first check when it has one (so a re-check never switches baselines), else the dataset's
    rule, which finds none for the first batch."""
    if baseline is None:
        return None
    if isinstance(baseline, (str, BaselineSpec)):
        spec = baseline if isinstance(baseline, BaselineSpec) else BaselineSpec.from_option(
            baseline)
        return _resolve(q, dataset, batch, spec, config, where=f"--baseline {str(spec)!r}")
    first = q.first_check(dataset, batch)
    if first is not None:
        return _first_baseline(q, dataset, batch, first)
    return _resolve(q, dataset, batch, config.rule, config, where=None)


def _first_baseline(
    q: StoreReader, dataset: str, batch: str, first: CheckResult
) -> ResolvedBaseline | None:
    """The baseline of the batch's first check, batch for batch (a window keeps its batches)."""
    if first.baseline_batch is None:
        return None
    kept = first.baseline or Baseline(rule=None, batches=(first.baseline_batch,))
    found = [q.get_batch(dataset, name, Role.TRAINING) for name in kept.batches]
    missing = [name for name, b in zip(kept.batches, found, strict=True) if b is None]
    if missing:
        raise UsageError(
            f"batch {batch!r} was first checked against baseline {first.baseline_batch!r}, "
            f"whose batch {missing[0]!r} is no longer stored; pass --baseline or --no-baseline"
        )
    return ResolvedBaseline(kept, tuple(b for b in found if b is not None))


def _resolve(
    q: StoreReader, dataset: str, batch: str, spec: BaselineSpec, config: BaselineConfig,
    where: str | None,
) -> ResolvedBaseline | None:
    """``where`` names an explicit request (a miss is exit 2); None is the configured rule (a
    miss is no baseline, as for the first batch)."""
    rule = spec.rule
    if rule is BaselineRule.WINDOW:
        window = q.preceding_batches(dataset, batch, spec.size or 1, Role.TRAINING)
        if not window:
            if where is None:
                return None
            raise UsageError(f"{where}: dataset {dataset!r} has no training batch named "
                             f"before {batch!r}")
        names = tuple(b.name for b in window)
        return ResolvedBaseline(Baseline(rule, names, size=spec.size), tuple(window))
    if rule is BaselineRule.PRECEDING:
        found = q.preceding_batch(dataset, batch, Role.TRAINING)
    elif rule is BaselineRule.LAST_PASSING:
        found = q.last_passing_batch(dataset, batch)
    else:
        name = str(spec.name)
        if rule is BaselineRule.REFERENCE:
            if name not in config.references:
                raise UsageError(f"{where}: {_no_reference(dataset, name, config.references)}")
            name = config.references[name]
        found = q.get_batch(dataset, name, Role.TRAINING)
        if found is None:
            pinned = f" (reference {spec.name!r})" if rule is BaselineRule.REFERENCE else ""
            raise UsageError(f"{where or 'baseline'}: dataset {dataset!r} has no training batch "
                             f"{name!r}{pinned}")
    if found is None:
        return None
    reference = spec.name if rule is BaselineRule.REFERENCE else None
    return ResolvedBaseline(Baseline(rule, (found.name,), name=reference), (found,))


def baseline_statistics(ctx: Context, base: ResolvedBaseline) -> Any:
    """One batch's statistics, or a window's merged (``core.merge_stats``), read from the
    stored artifacts (each sha256-verified): no data is re-read."""
    from dataguard.core.merge_stats import window_statistics
    from dataguard.service.stats import load_statistics

    loaded = [load_statistics(ctx, b) for b in base.batches]
    if base.baseline.rule is not BaselineRule.WINDOW or len(loaded) == 1:
        return loaded[0]
    return window_statistics(loaded)
