"""Custom rules over a batch's statistics: declarative TOML tables in, ``rule`` anomalies out.

TFDV checks a batch against a schema; some expectations are simpler said as a number ("fewer
than 20% zero fares", "more than 1000 examples"). TFDV removed its SQL custom validations in
1.21, and config files are data, never executed: a rule is a TOML table of six plain values, read
here and evaluated on the stored statistics, never code::

    [[datasets.taxi.rules]]          # or [[rules]]: for every dataset
    name = "few zero fares"          # unique; the anomaly's short description
    feature = "fare"                 # omit for a dataset stat (num_examples)
    stat = "zeros_share"             # one of STATS
    op = "<"                         # < <= > >= == !=: the rule holds when `stat op value`
    value = 0.2
    severity = "error"               # default; "warning" only warns under the default policy
    role = "training"                # default: the checked batch; "serving": the serving batch
    slice = "payment_type_Cash"      # default: the whole batch; else that slice (core.slices)

    rules = parse_rules(document, "taxi")                       # UsageError for a bad table
    refuse_unknown_features(rules, statistics, batch="2026-11-25")
    anomalies, metrics = evaluate(rules, statistics, policy=policy)

A rule that does not hold is one anomaly of kind ``rule``, type ``CUSTOM_RULE_FAILED``, short
description the rule's name, description like TFDV's ("fare: zeros_share is 0.27, expected
< 0.2"). Every rule evaluated is one ``Metric`` (comparison ``rule``, method the stat, value the
measured number, threshold the rule's value, exceeded when the rule does not hold), so a stored
check shows what was measured whether or not it held. A stat that has no value (a feature without
values, an empty batch) is NaN and the rule does not hold: an unverifiable rule is never silent.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from dataguard.core.models import Anomaly, AnomalyKind, Comparison, Metric
from dataguard.core.names import dataset_table
from dataguard.errors import UsageError

if TYPE_CHECKING:
    from tensorflow_metadata.proto.v0 import statistics_pb2

    from dataguard.core.policy import Policy
    from dataguard.core.stats_view import DatasetStats, FeatureStats

RULE_FAILED = "CUSTOM_RULE_FAILED"
DATASET, ANY, NUMERIC, CATEGORICAL = "dataset", "any", "numeric", "categorical"


class Stat(NamedTuple):
    applies_to: str  # dataset | any (feature) | numeric | categorical
    meaning: str


STATS: Mapping[str, Stat] = {
    "num_examples": Stat(DATASET, "examples in the batch"),
    "count": Stat(ANY, "examples that have the feature"),
    "missing_share": Stat(ANY, "share of examples without the feature (0 to 1)"),
    "zeros_share": Stat(NUMERIC, "share of the feature's values that are 0 (0 to 1)"),
    "mean": Stat(NUMERIC, "mean of the values"),
    "std": Stat(NUMERIC, "standard deviation of the values"),
    "min": Stat(NUMERIC, "smallest value"),
    "median": Stat(NUMERIC, "median (TFDV's approximate quantile)"),
    "max": Stat(NUMERIC, "largest value"),
    "unique": Stat(CATEGORICAL, "number of distinct values"),
    "top_value_share": Stat(CATEGORICAL, "share of the values that are the most frequent one"),
    "avg_length": Stat(CATEGORICAL, "average length of the values (TFDV's avg_length)"),
}
OPS: Mapping[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
SEVERITIES = ("error", "warning")
ROLES = ("training", "serving")
KEYS = ("name", "feature", "stat", "op", "value", "severity", "role", "slice")
_REQUIRED = ("name", "stat", "op", "value")


@dataclass(frozen=True)
class Rule:
    """One custom rule: ``stat`` of ``feature`` (or of the batch) ``op`` ``value``."""

    name: str
    stat: str
    op: str
    value: float
    feature: str | None = None
    severity: str = "error"
    role: str = "training"  # which batch of the check: the checked one, or the serving one
    where: str = "[[rules]]"  # the config table it came from, for error messages
    slice: str | None = None  # a slice of the batch (``payment_type_Cash``); None: all of it

    def holds(self, measured: float) -> bool:
        """NaN (nothing to measure) never holds, whatever the operator (``!=`` too)."""
        return not math.isnan(measured) and OPS[self.op](measured, self.value)

    @property
    def subject(self) -> str:
        return f"{self.feature}: {self.stat}" if self.feature else self.stat

    @property
    def label(self) -> str:
        return f"config {self.where} {self.name!r}"


# --- config --------------------------------------------------------------------------------
def parse_rules(document: Mapping[str, Any], dataset: str) -> tuple[Rule, ...]:
    """``[[rules]]`` (every dataset) then ``[[datasets.<dataset>.rules]]``; ``UsageError`` (one
    line naming the table and the rule) for anything that is not a well-formed rule."""
    found = _rule_list(document.get("rules", []), "[[rules]]")
    found += _rule_list(dataset_table(document, dataset).get("rules", []),
                        f"[[datasets.{dataset}.rules]]")
    seen: dict[str, Rule] = {}
    for rule in found:
        if rule.name in seen:
            first = seen[rule.name].where
            raise UsageError(
                f"config {rule.where}: rule name {rule.name!r} is used twice (also in {first}); "
                "give each rule its own name"
            )
        seen[rule.name] = rule
    return tuple(found)


def check_rule_config(document: Mapping[str, Any]) -> None:
    """Every dataset's rules well formed: what reading the config file refuses (exit 2)."""
    datasets = document.get("datasets", {})
    names = list(datasets) if isinstance(datasets, Mapping) else []
    for dataset in names or [""]:
        parse_rules(document, dataset)


def _rule_list(value: Any, where: str) -> list[Rule]:
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        raise UsageError(f"config {where}: must be an array of tables, one [[...rules]] per rule")
    return [_rule(table, where, i) for i, table in enumerate(value, 1)]


def _rule(table: Mapping[str, Any], where: str, number: int) -> Rule:
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"config {where} #{number}: 'name' must be a non-empty string")
    at = f"config {where} {name!r}"
    for key in table:
        if key not in KEYS:
            raise UsageError(f"{at}: unknown key {key!r}{_hint(key, KEYS)}")
    for key in _REQUIRED:
        if key not in table:
            raise UsageError(f"{at}: missing {key!r} (a rule needs {', '.join(_REQUIRED)})")
    stat, op, value = table["stat"], table["op"], table["value"]
    if stat not in STATS:
        raise UsageError(f"{at}: unknown stat {stat!r}{_hint(str(stat), STATS)}")
    if op not in OPS:
        raise UsageError(f"{at}: unknown op {op!r}; use one of {' '.join(OPS)}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(f"{at}: 'value' must be a finite number, got {value!r}")
    feature = table.get("feature")
    if feature is not None and (not isinstance(feature, str) or not feature):
        raise UsageError(f"{at}: 'feature' must be a feature name, got {feature!r}")
    if STATS[stat].applies_to == DATASET and feature is not None:
        raise UsageError(f"{at}: {stat} is a stat of the batch, not of a feature; remove 'feature'")
    if STATS[stat].applies_to != DATASET and feature is None:
        raise UsageError(f"{at}: {stat} is a stat of a feature; add feature = \"...\"")
    severity = table.get("severity", "error")
    if severity not in SEVERITIES:
        raise UsageError(f"{at}: severity {severity!r}; use {' or '.join(SEVERITIES)}")
    role = table.get("role", "training")
    if role not in ROLES:
        raise UsageError(
            f"{at}: role {role!r}; use \"training\" (the checked batch) or \"serving\" "
            "(the check's serving batch)"
        )
    slice = table.get("slice")
    if slice is not None and (not isinstance(slice, str) or not slice):
        raise UsageError(f"{at}: 'slice' must be a slice name like \"payment_type_Cash\", "
                         f"got {slice!r}")
    return Rule(name, stat, op, float(value), feature, severity, role, where, slice)


def _hint(word: str, choices: Sequence[str] | Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; use one of {', '.join(choices)}"


def refuse_unknown_features(
    rules: Sequence[Rule], statistics: statistics_pb2.DatasetFeatureStatisticsList,
    *, batch: str, role: str = "training",
) -> None:
    """A rule (of that role) naming a feature the batch does not have, or a stat its feature
    does not have (``mean`` of a categorical feature): ``UsageError`` naming the rule."""
    from dataguard.core.stats_view import dataset_stats

    view = dataset_stats(statistics)
    for rule in rules:
        if rule.role != role or rule.feature is None:
            continue
        feature = view.feature(rule.feature)
        if feature is None:
            raise UsageError(
                f"{rule.label}: no feature {rule.feature!r} in the statistics of {role} batch "
                f"{batch!r}{_hint(rule.feature, view.names)}"
            )
        wanted = STATS[rule.stat].applies_to  # the words of stats_view's families
        if wanted in (NUMERIC, CATEGORICAL) and feature.family != wanted:
            raise UsageError(
                f"{rule.label}: {rule.stat} needs a {wanted} feature; {rule.feature!r} is "
                f"{feature.family} ({feature.type}) in batch {batch!r}"
            )


def refuse_features_not_in(rules: Sequence[Rule], names: Sequence[str], source: str) -> None:
    """Before statistics exist (``dataguard run``): the features must be the schema's."""
    for rule in rules:
        if rule.feature is not None and rule.feature not in names:
            raise UsageError(
                f"{rule.label}: no feature {rule.feature!r} in {source}"
                f"{_hint(rule.feature, names)}"
            )


# --- evaluation -----------------------------------------------------------------------------
def measure(stat: str, batch: DatasetStats, feature: FeatureStats | None) -> float:
    """The number a rule compares; NaN when there is nothing to measure."""
    if stat == "num_examples":
        return float(batch.num_examples)
    if feature is None:
        return math.nan
    if stat == "count":
        return float(feature.count)
    if stat == "missing_share":
        return feature.missing_ratio if feature.count + feature.missing else math.nan
    if stat == "zeros_share":
        total = feature.total_values
        return (feature.zeros or 0) / total if total else math.nan
    if stat == "top_value_share":
        top = max((c for _, c in feature.top_values), default=0.0)
        return top / feature.total_values if feature.total_values else math.nan
    if feature.count == 0:  # TFDV writes 0 for the mean of no values: not a measurement
        return math.nan
    value = getattr(feature, stat)
    return math.nan if value is None else float(value)


def evaluate(
    rules: Sequence[Rule],
    statistics: statistics_pb2.DatasetFeatureStatisticsList,
    *,
    serving: statistics_pb2.DatasetFeatureStatisticsList | None = None,
    policy: Policy | None = None,
) -> tuple[tuple[Anomaly, ...], tuple[Metric, ...]]:
    """Every rule on its batch (serving rules only when there is a serving batch) or on its
    slice of it (a slice the batch lacks has no examples): an anomaly per rule that does not
    hold and a metric per rule, each with the policy's outcome."""
    from dataguard.core.policy import Policy
    from dataguard.core.stats_view import dataset_stats

    policy = policy or Policy()
    batches = {"training": statistics, "serving": serving}
    anomalies: list[Anomaly] = []
    metrics: list[Metric] = []
    for rule in rules:
        batch = batches.get(rule.role)
        if batch is None:
            continue
        view = dataset_stats(batch, rule.slice)
        value = measure(rule.stat, view, view.feature(rule.feature) if rule.feature else None)
        held = rule.holds(value)
        metric = Metric(rule.feature or "", Comparison.RULE, rule.stat, value, rule.value,
                        not held, slice=rule.slice)
        if not held:
            anomaly = _anomaly(rule, value)
            anomaly = replace(anomaly, outcome=policy.outcome(anomaly))
            anomalies.append(anomaly)
            metric = replace(metric, outcome=anomaly.outcome)
        metrics.append(metric)
    return tuple(anomalies), tuple(metrics)


def _anomaly(rule: Rule, value: float) -> Anomaly:
    prefix = "Serving batch: " if rule.role == "serving" else ""
    expected = f"expected {rule.op} {rule.value:g}"
    if math.isnan(value):
        what = (f"{rule.subject} has no value (no values of {rule.feature} in this batch)"
                if rule.feature else f"{rule.subject} has no value")
    else:
        what = f"{rule.subject} is {value:.6g}"
    where = f"slice {rule.slice}: " if rule.slice else ""
    return Anomaly(rule.feature or "", AnomalyKind.RULE, RULE_FAILED, rule.severity, rule.name,
                   f"{prefix}{where}{what}, {expected}", slice=rule.slice)


__all__ = [
    "KEYS",
    "OPS",
    "RULE_FAILED",
    "STATS",
    "Rule",
    "check_rule_config",
    "evaluate",
    "measure",
    "parse_rules",
    "refuse_features_not_in",
    "refuse_unknown_features",
]
