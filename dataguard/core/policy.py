"""The verdict policy: every finding of a check → ``pass`` / ``warn`` / ``fail``, in one place.

Policy is data (``[policy]`` in ``dataguard.toml``, overridable per dataset), interpreted here only:

    [policy]
    fail = ["schema", "drift", "skew", "rule", "trend"]  # kinds whose anomalies of a failing
                                         # severity fail
    fail_severities = ["error"]          # severities that fail: "error", "warning"
    fail_types = []                      # anomaly types that always fail (even TFDV warnings)
    warn_types = []                      # anomaly types that only warn (whatever kind/severity)
    ignore_types = []                    # anomaly types recorded but left out of the verdict

    [datasets.taxi.policy]               # per dataset: the keys given replace the global ones
    warn_types = ["COMPARATOR_L_INFTY_HIGH"]

One anomaly's outcome, first rule that matches wins:
1. its type is in ``ignore_types`` → ignored (asks for ``pass``);
2. its type is in ``fail_types`` → fail;
3. its type is in ``warn_types`` → warn;
4. its severity is in ``fail_severities`` and its kind is in ``fail`` → fail;
5. otherwise (by default: a TFDV warning, or an error of a kind not in ``fail``) → warn.
The check's verdict is the worst of its anomalies' outcomes (``pass`` when there are none).
Some findings are never negotiable: an empty batch (``NO_DATA_IN_SPAN``) always fails.
``trend`` anomalies (``core.trends``) are warnings, so they warn unless a type rule says
otherwise: ``fail_types = ["TREND_OUT_OF_CONTROL"]`` makes them fail.

Every anomaly and metric carries its outcome (``Policy.apply``), so reports say *why* a check
failed. A metric's outcome is that of the anomaly it caused (same feature, comparison and the
method's ``…_HIGH`` / ``…_NUM_EXAMPLES`` type); a metric within its threshold caused nothing and
has no outcome (``None``). A custom rule's metric keeps the outcome ``core.rules`` gave it
with its rule's anomaly (several rules may measure one feature).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dataguard.core.models import Anomaly, AnomalyKind, Metric, Outcome, Verdict
from dataguard.core.names import dataset_table
from dataguard.errors import UsageError

ALWAYS_FAIL_TYPES = frozenset({"NO_DATA_IN_SPAN"})
KINDS = tuple(k.value for k in AnomalyKind)
SEVERITIES = ("error", "warning")
_KEYS = ("fail", "fail_severities", "fail_types", "warn_types", "ignore_types")
VERDICT_OF = {Outcome.FAIL: Verdict.FAIL, Outcome.WARN: Verdict.WARN, Outcome.IGNORED: Verdict.PASS}
CAUSED_BY_METHOD = {  # the anomaly types an exceeded metric of that method causes
    "l_infinity": ("COMPARATOR_L_INFTY_HIGH",),
    "jensen_shannon": ("COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",),
    "normalized_abs_difference": ("COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH",),
    "num_examples": ("COMPARATOR_LOW_NUM_EXAMPLES", "COMPARATOR_HIGH_NUM_EXAMPLES"),
    # dataguard's own methods (core.distances, core.distance_checks)
    "psi": ("PSI_HIGH",),
    "hellinger": ("HELLINGER_HIGH",),
    "wasserstein": ("WASSERSTEIN_HIGH",),
    "ks": ("KS_HIGH",),
}


@dataclass(frozen=True)
class Policy:
    """Which findings fail a check and which only warn (see the module docstring)."""

    fail: frozenset[str] = frozenset(KINDS)
    fail_severities: frozenset[str] = frozenset({"error"})
    fail_types: frozenset[str] = frozenset()
    warn_types: frozenset[str] = frozenset()
    ignore_types: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, document: Mapping[str, Any], dataset: str | None = None) -> Policy:
        """``[policy]`` then ``[datasets.<dataset>.policy]`` of the config document."""
        merged: dict[str, Any] = {}
        for where, table in (
            ("[policy]", document.get("policy", {})),
            (f"[datasets.{dataset}.policy]", dataset_table(document, dataset).get("policy", {})),
        ):
            if not isinstance(table, Mapping):
                raise UsageError(f"config {where}: must be a table with keys {', '.join(_KEYS)}")
            for key, value in table.items():
                if key not in _KEYS:
                    raise UsageError(
                        f"config {where}: unknown key {key!r}; use one of {', '.join(_KEYS)}"
                    )
                merged[key] = _string_list(where, key, value)
        fail = merged.get("fail", list(KINDS))
        unknown = sorted(set(fail) - set(KINDS))
        if unknown:
            raise UsageError(
                f"config [policy] fail: unknown kind {unknown[0]!r}; use {', '.join(KINDS)}"
            )
        severities = merged.get("fail_severities", ["error"])
        unknown = sorted(set(severities) - set(SEVERITIES))
        if unknown:
            raise UsageError(
                f"config [policy] fail_severities: unknown severity {unknown[0]!r}; use "
                f"{', '.join(SEVERITIES)}"
            )
        return cls(
            fail=frozenset(fail),
            fail_severities=frozenset(severities),
            fail_types=frozenset(merged.get("fail_types", ())),
            warn_types=frozenset(merged.get("warn_types", ())),
            ignore_types=frozenset(merged.get("ignore_types", ())),
        )

    def outcome(self, anomaly: Anomaly) -> Outcome:
        """What one anomaly does to the check (the rules of the module docstring)."""
        if anomaly.type in ALWAYS_FAIL_TYPES:
            return Outcome.FAIL
        if anomaly.type in self.ignore_types:
            return Outcome.IGNORED
        if anomaly.type in self.fail_types:
            return Outcome.FAIL
        if anomaly.type in self.warn_types:
            return Outcome.WARN
        if anomaly.severity in self.fail_severities and anomaly.kind.value in self.fail:
            return Outcome.FAIL
        return Outcome.WARN

    def judge(self, anomaly: Anomaly) -> Verdict:
        """The verdict one anomaly asks for."""
        return VERDICT_OF[self.outcome(anomaly)]

    def decide(self, anomalies: Iterable[Anomaly]) -> Verdict:
        """The worst verdict over all anomalies; ``pass`` when there are none."""
        verdict = Verdict.PASS
        for anomaly in anomalies:
            judged = self.judge(anomaly)
            if judged.rank > verdict.rank:
                verdict = judged
        return verdict

    def apply(
        self, anomalies: Iterable[Anomaly], metrics: Iterable[Metric] = ()
    ) -> tuple[tuple[Anomaly, ...], tuple[Metric, ...], Verdict]:
        """Anomalies and metrics with their outcomes, and the verdict (``core.validate``)."""
        judged = tuple(replace(a, outcome=self.outcome(a)) for a in anomalies)
        measured = tuple(replace(m, outcome=self.metric_outcome(m, judged)) for m in metrics)
        return judged, measured, self.decide(judged)

    def metric_outcome(self, metric: Metric, anomalies: Iterable[Anomaly]) -> Outcome | None:
        """That of the anomaly the metric caused; ``None`` when it is within its threshold."""
        if not metric.exceeded:
            return None
        if metric.comparison.value == "rule":  # judged with its rule, which only core.rules knows
            return metric.outcome
        types = CAUSED_BY_METHOD.get(metric.method, ())
        for a in anomalies:
            if a.feature == metric.feature and a.kind.value == metric.comparison.value \
                    and a.slice == metric.slice and a.type in types:
                return a.outcome or self.outcome(a)
        # exceeded but TFDV reported nothing for it: judged as the error it would have been
        stand_in = Anomaly(metric.feature, AnomalyKind(metric.comparison.value),
                           types[0] if types else "THRESHOLD_EXCEEDED", "error", "", "",
                           slice=metric.slice)
        return self.outcome(stand_in)


def _string_list(where: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"config {where} {key}: must be a list of strings, e.g. {key} = [\"...\"]")
    return list(value)
