"""Each slice of a batch against the same slice of its baseline (drift) and serving batch (skew).

    anomalies, metrics = check_slices(stats, schema, baseline=day1, serving=requests,
                                      min_examples={"drift": 30, "skew": 30}, methods=limits)

The whole batch is ``core.validate``'s; here every value slice (``core.slices``) is validated
the same way, with the same schema thresholds, against the slice of that name on the other side,
and only the comparisons are kept (drift and skew anomalies and metrics: the schema findings of a
slice repeat the whole batch's). Each finding carries its ``slice``. A slice with fewer than
``min_examples`` examples on either side is ``COMPARISON_NOT_MEASURABLE`` like a small batch, and
there its example-count ratio is not judged either (1 example against 3 is sampling noise, not a
shrinking slice). A slice in the batch but not in the baseline is a ``SLICE_NEW`` warning, one
in the baseline but not in the batch ``SLICE_GONE`` (drift, feature ""); a slice the serving
batch lacks is not compared for skew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tensorflow_metadata.proto.v0 import schema_pb2

from dataguard.core.distance_checks import MethodSettings
from dataguard.core.models import Anomaly, AnomalyKind, Metric
from dataguard.core.policy import CAUSED_BY_METHOD, Policy
from dataguard.core.slices import as_list, column_of, slice_names, slice_stats
from dataguard.core.validate import (
    COMPARATOR_TYPES,
    NOT_MEASURABLE,
    NUM_EXAMPLES_TYPES,
    Stats,
    validate,
)

SLICE_NEW, SLICE_GONE = "SLICE_NEW", "SLICE_GONE"
_COMPARISON_TYPES = (COMPARATOR_TYPES | {NOT_MEASURABLE}
                     | {t for types in CAUSED_BY_METHOD.values() for t in types})


def check_slices(
    statistics: Stats,
    schema: schema_pb2.Schema,
    *,
    baseline: Stats | None = None,
    serving: Stats | None = None,
    policy: Policy | None = None,
    min_examples: Mapping[str, int] | None = None,
    methods: MethodSettings | None = None,
    columns: Sequence[str] | None = None,
) -> tuple[list[Anomaly], list[Metric]]:
    """Per-slice drift and skew findings (each with its ``slice``), and the new/gone slices.
    ``columns``: only the slices of these slice columns (None: every slice stored)."""
    mine = _slices(statistics, columns)
    anomalies: list[Anomaly] = []
    metrics: list[Metric] = []
    for name in mine:
        current = slice_stats(statistics, name)
        base = slice_stats(baseline, name) if baseline is not None else None
        served = slice_stats(serving, name) if serving is not None else None
        if current is None or (base is None and served is None):
            continue
        found, measured, _ = validate(
            as_list(current), schema,
            baseline=as_list(base) if base is not None else None,
            serving=as_list(served) if served is not None else None,
            policy=policy, min_examples=min_examples, methods=methods,
        )
        small = {a.kind for a in found if a.type == NOT_MEASURABLE}
        anomalies += [replace(a, slice=name) for a in found if a.type in _COMPARISON_TYPES
                      and not (a.kind in small and a.type in NUM_EXAMPLES_TYPES)]
        metrics += [replace(m, slice=name) for m in measured
                    if not (m.method == "num_examples" and AnomalyKind.DRIFT in small)]
    if baseline is not None:
        theirs = _slices(baseline, columns)
        anomalies += [_new(name) for name in mine if name not in theirs]
        anomalies += [_gone(name) for name in theirs if name not in mine]
    return anomalies, metrics


def _slices(statistics: Stats, columns: Sequence[str] | None) -> list[str]:
    names = slice_names(statistics)
    if columns is None:
        return list(names)
    return [n for n in names if column_of(n, columns) is not None]


def _new(name: str) -> Anomaly:
    return Anomaly("", AnomalyKind.DRIFT, SLICE_NEW, "warning", "New slice",
                   f"Slice {name} is in this batch but not in the baseline: its drift is not "
                   "measured.", slice=name)


def _gone(name: str) -> Anomaly:
    return Anomaly("", AnomalyKind.DRIFT, SLICE_GONE, "warning", "Slice gone",
                   f"Slice {name} is in the baseline but not in this batch (no example has "
                   "that value).", slice=name)
