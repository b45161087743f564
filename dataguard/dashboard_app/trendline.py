"""A stored series of a dataset with the control band ``core.trends`` gives each of its points.

    frame = drift_series(metrics, "fare", "jensen_shannon")      # one value per batch
    frame = profile_series(profiles, "mean")                     # fare's profile rows
    band = with_band(frame, training_names, drift_key("fare", "jensen_shannon"), window=30)

Every point is judged as a check would have judged it: against the same series over the last
``window`` training batches named before its batch (byte order; a batch without a value in the
series just adds nothing), with ``core.trends.control_limits`` for the band and
``core.trends.judge`` for "out of control" (drift and skew distances from above only, counts on
both sides). Fewer than ``core.trends.MIN_HISTORY`` past values: no band, nothing judged.

Only what the store already holds is used — the metrics of the checks, the batches' profiles
(missing share, mean, std, unique count per feature) and example counts — never the statistics
artifacts (365 batches would mean 365 files to read and parse).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import pandas as pd

from dataguard.core.trends import MIN_HISTORY, SeriesKey, TrendConfig, control_limits, judge

COLUMNS = ["batch", "value", "low", "high", "center", "history", "out"]


def drift_series(metrics: pd.DataFrame, feature: str, method: str) -> pd.DataFrame:
    """``batch``, ``value`` of one feature's method, from each batch's most recent check that
    measured it (``metrics`` as ``data.metrics`` returns them), in batch-name order."""
    if metrics.empty:
        return pd.DataFrame(columns=["batch", "value"])
    rows = metrics[(metrics["feature"] == feature) & (metrics["method"] == method)]
    latest = rows.sort_values("check_id", kind="stable").groupby("batch").tail(1)
    return _by_name(latest[["batch", "value"]])


def profile_series(profiles: pd.DataFrame, stat: str) -> pd.DataFrame:
    """``batch``, ``value`` of one statistic of a feature's profile rows (``data.profiles``), in
    batch-name order."""
    if profiles.empty:
        return pd.DataFrame(columns=["batch", "value"])
    return _by_name(profiles.loc[profiles["stat"] == stat, ["batch", "value"]])


def batch_series(batches: pd.DataFrame, column: str = "num_examples") -> pd.DataFrame:
    """``batch``, ``value`` of a column of the training batches (``data.batches``)."""
    if batches.empty:
        return pd.DataFrame(columns=["batch", "value"])
    rows = batches[batches["role"] == "training"]
    return _by_name(rows.rename(columns={"name": "batch", column: "value"})[["batch", "value"]])


def with_band(series: pd.DataFrame, training: Sequence[str], key: SeriesKey,
              window: int) -> pd.DataFrame:
    """``series`` with ``low``, ``high``, ``center`` (NaN without enough history), ``history``
    (how many past values) and ``out`` (outside its limits, as a check would flag it).

    ``training``: the dataset's training batch names; the history of a point is the series at
    the last ``window`` of them named before its batch."""
    names = sorted(set(training), key=_key)
    keys = [_key(n) for n in names]
    values = dict(zip(series["batch"], series["value"].astype(float), strict=True))
    rows = []
    for batch, value in zip(series["batch"], series["value"].astype(float), strict=True):
        end = bisect.bisect_left(keys, _key(batch))
        past = [values[n] for n in names[max(0, end - window):end] if n in values]
        limits = control_limits(past)
        if limits is None:
            rows.append((batch, value, math.nan, math.nan, math.nan, len(past), False))
            continue
        out = bool(judge({key: value}, [{key: v} for v in past]))
        rows.append((batch, value, limits.low, limits.high, limits.center, limits.history, out))
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def _by_name(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(batch=frame["batch"].astype(str))
    order = sorted(range(len(frame)), key=lambda i: _key(frame["batch"].iloc[i]))
    return frame.iloc[order].reset_index(drop=True)


def _key(name: str) -> bytes:
    return name.encode("utf-8")


def band_text(config: TrendConfig) -> str:
    """How the band is drawn: the start of the trend charts' captions."""
    return (f"Band: the control limits (`core.trends`: median ± c(n)·scaled MAD) of the last "
            f"{config.window} training batches before each batch (`trend_window`); none before "
            f"{MIN_HISTORY} past values.")


def off_text(config: TrendConfig, feature: str | None) -> str:
    """What of the shown series checks do not judge (``trend = false``): the captions' end."""
    return ((" This feature's series are not judged by checks (`trend = false`)."
             if feature in config.off else "")
            + (" Trends are off for this dataset (`trend = false`)." if not config.enabled else ""))
