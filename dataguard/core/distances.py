"""Drift/skew methods beyond TFDV's: PSI, Hellinger, normalized Wasserstein and Kolmogorov-Smirnov.

Pure numpy over the statistics TFDV already stored (no TFDV, no raw rows), next to TFDV's own
L-infinity and Jensen-Shannon comparators::

    current, other = feature_stats(this_batch_feature), feature_stats(baseline_feature)
    measure(current, other)  # {"psi": 0.03, "hellinger": 0.05, "wasserstein": 0.04, "ks": 0.06}

The **other side** is the batch a comparison measures against: the baseline (drift) or the serving
batch (skew). All four are symmetric in the two sides except for the choices below that need one
side to anchor them (PSI's bins, Wasserstein's scale), and those take the other side.

Numeric features (``num_stats``) are read from both of TFDV's histograms, ``QUANTILES``
(equal-mass buckets) and ``STANDARD`` (equal-width): each side's CDF ``F`` passes through every
edge of both (``feature_cdf``), values spread evenly between consecutive edges, so ``F`` is
piecewise linear, with a jump at a zero-width quantile bucket (a value that holds a whole
bucket's mass, e.g. many zeros). The quantiles place the deciles, the equal-width buckets the
tail that the last decile would otherwise spread over most of the range.

- **Common grid.** The two sides' buckets have different edges. PSI and Hellinger compare shares
  of *bins*: the bins are the other's quantile edges ``e_0 < … < e_k`` (duplicates merged),
  as the other's deciles are the textbook PSI bins, plus two open ends:
  ``(-inf, e_0], (e_0, e_1], …, (e_{k-1}, e_k], (e_k, +inf)``. A side's share of bin
  ``(a, b]`` is ``F(b) - F(a)``; the open ends catch values outside the other's range.
  KS and Wasserstein use the union of both sides' edges, on which both CDFs are exactly
  piecewise linear, so they need no binning beyond TFDV's.
- ``ks = max_x |F_cur(x) - F_ref(x)|``, over every edge of either side, at the edge and just
  before it (a jump). In [0, 1].
- ``wasserstein = W1 / scale`` with ``W1 = ∫ |F_cur(x) - F_ref(x)| dx`` (the earth mover's
  distance, integrated exactly between edges) and ``scale`` the other's standard deviation
  (``num_stats.std_dev``, exact in the statistics). For a pure shift of the distribution W1 is the
  shift, so the value reads as "moved by this many standard deviations" (like Cohen's d); the
  range would let one outlier decide the scale, and the IQR is 0 whenever more than half of the
  values are one number (a feature that is mostly 0). A constant other (std 0) falls back to
  the range of both sides together; two equal constants measure 0. In [0, inf).

Categorical features (``string_stats``) are read from the rank histogram (else the top values):
one bin per value listed on either side, plus one "other values" bin for each side's mass that
is not listed (``tot_num_values`` minus the listed counts). KS and Wasserstein need an order,
so categorical features get PSI and Hellinger only.

On bins with shares ``p`` (current) and ``q`` (other), each summing to 1:

- ``psi = Σ (p_i - q_i) · ln(p_i / q_i)``, with every share raised to at least
  ``PSI_EPSILON = 1e-4`` first (an empty bin counts as 0.01% of the batch, so an empty bin
  on one side adds a large but finite term instead of infinity). In [0, inf); 0.1 is often read as
  a moderate shift and 0.2 as a significant one.
- ``hellinger = sqrt(1 - Σ sqrt(p_i · q_i))`` (= ``‖√p - √q‖₂ / √2``). In [0, 1]: 0 identical,
  1 disjoint.

A feature without the statistics a method needs on either side (no histogram, no values, the
two sides of different families) is not measured: ``measure`` leaves that method out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dataguard.core.stats_view import CATEGORICAL, NUMERIC, FeatureStats

PSI, HELLINGER, WASSERSTEIN, KS = "psi", "hellinger", "wasserstein", "ks"
METHODS = (PSI, HELLINGER, WASSERSTEIN, KS)
"""Every method this module measures, in the order reports list them."""
NUMERIC_ONLY = frozenset({WASSERSTEIN, KS})
PSI_EPSILON = 1e-4
"""The smallest share a PSI bin counts with (an empty bin would make PSI infinite)."""

Floats = npt.NDArray[np.float64]


# --- the formulas, on shares ----------------------------------------------------------------
def psi(p: Sequence[float] | Floats, q: Sequence[float] | Floats,
        epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of bin shares ``p`` (current) and ``q`` (other)."""
    pp = np.maximum(np.asarray(p, dtype=float), epsilon)
    qq = np.maximum(np.asarray(q, dtype=float), epsilon)
    return float(np.sum((pp - qq) * np.log(pp / qq)))


def hellinger(p: Sequence[float] | Floats, q: Sequence[float] | Floats) -> float:
    """Hellinger distance of bin shares: 0 identical, 1 disjoint."""
    pp, qq = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    overlap = float(np.sum(np.sqrt(pp * qq)))
    return math.sqrt(max(0.0, 1.0 - overlap))


# --- numeric features: CDFs from the stored buckets -----------------------------------------
@dataclass(frozen=True)
class Cdf:
    """A piecewise-linear CDF through knots ``x`` with the value just before (``left``) and at
    (``right``) each knot: a jump where they differ (a value that holds a bucket's mass)."""

    x: Floats
    left: Floats
    right: Floats

    def __call__(self, at: Floats, *, left: bool = False) -> Floats:
        """Share of the mass at or below each ``at`` (strictly below with ``left``)."""
        at = np.asarray(at, dtype=float)
        n = len(self.x)
        if left:
            i = np.searchsorted(self.x, at, side="left")  # first knot >= at
            on = (i < n) & (self.x[np.minimum(i, n - 1)] == at)
        else:
            i = np.searchsorted(self.x, at, side="right") - 1  # last knot <= at
            on = (i >= 0) & (self.x[np.maximum(i, 0)] == at)
            i = i + 1  # the knot after ``at``, as in the left case
        lo, hi = np.clip(i - 1, 0, n - 1), np.clip(i, 0, n - 1)
        x0, x1 = self.x[lo], self.x[hi]
        y0, y1 = self.right[lo], self.left[hi]
        t = np.where(x1 > x0, (at - x0) / np.where(x1 > x0, x1 - x0, 1.0), 0.0)
        between = y0 + np.clip(t, 0.0, 1.0) * (y1 - y0)
        exact = self.left[np.clip(i, 0, n - 1)] if left else self.right[lo]
        value = np.where(on, exact, np.where(i <= 0, 0.0, np.where(i >= n, 1.0, between)))
        return np.asarray(value, dtype=float)


def feature_cdf(feature: FeatureStats) -> Cdf | None:
    """One CDF from both stored histograms of a numeric feature: the quantile histogram places
    the deciles (and the values that hold whole buckets), the equal-width one the tails, where a
    decile bucket can span most of the range (``trip_miles``: 10% of the mass in [7.4, 1710],
    99.9% of which the equal-width buckets put below 171). The CDF passes through every edge of
    both, values spread evenly between consecutive edges; None without any histogram."""
    left: dict[float, list[float]] = {}
    right: dict[float, list[float]] = {}
    for buckets in (feature.quantiles, feature.histogram):
        total = sum(b.count for b in buckets)
        if total <= 0:
            continue
        seen = 0.0
        for b in buckets:
            before, seen = seen / total, seen + b.count
            after = seen / total
            if b.high > b.low:
                right.setdefault(b.low, []).append(before)
                left.setdefault(b.high, []).append(after)
            else:
                left.setdefault(b.low, []).append(before)
                right.setdefault(b.low, []).append(after)
    if not left and not right:
        return None
    x = np.array(sorted(left.keys() | right.keys()))
    lefts = [min(left.get(v) or right[v]) for v in x]
    rights = [max(right.get(v) or left[v]) for v in x]
    both = np.maximum.accumulate(np.ravel(np.column_stack([lefts, rights])))  # monotone
    both = np.clip(both, 0.0, 1.0)
    both[-1] = 1.0
    return Cdf(x, both[0::2], both[1::2])


def ks_distance(current: Cdf, other: Cdf) -> float:
    """``max |F_cur - F_ref|``, checked at every knot of either side and just before it."""
    x = np.union1d(current.x, other.x)
    right = np.abs(current(x) - other(x))
    left = np.abs(current(x, left=True) - other(x, left=True))
    return float(max(right.max(), left.max()))


def wasserstein_1(current: Cdf, other: Cdf) -> float:
    """``∫ |F_cur - F_ref| dx``: exact for the piecewise-linear CDFs (each difference is linear
    between consecutive knots; where it changes sign the two triangles are integrated apart)."""
    x = np.union1d(current.x, other.x)
    if len(x) < 2:
        return 0.0
    d = current(x) - other(x)  # right limits: the start of each interval
    d_end = current(x, left=True) - other(x, left=True)  # left limits: the ends
    d0, d1, h = d[:-1], d_end[1:], np.diff(x)
    same = d0 * d1 >= 0
    denom = np.where(same, 1.0, np.abs(d0) + np.abs(d1))
    area = np.where(same, (np.abs(d0) + np.abs(d1)) / 2, (d0**2 + d1**2) / (2 * denom))
    return float(np.sum(area * h))


def wasserstein_scale(current: FeatureStats, other: FeatureStats) -> float:
    """The other's standard deviation; for a constant other, the range of both sides."""
    if other.std and other.std > 0:
        return float(other.std)
    values = [v for f in (current, other) for v in (f.min, f.max) if v is not None]
    return float(max(values) - min(values)) if values else 0.0


def bin_edges(other: FeatureStats) -> Floats:
    """The PSI/Hellinger bin edges of a numeric feature: its quantile edges (else its
    equal-width edges), duplicates merged."""
    buckets = other.quantiles or other.histogram
    return np.unique(np.array([e for b in buckets for e in (b.low, b.high)], dtype=float))


def bin_shares(cdf: Cdf, edges: Floats) -> Floats:
    """Shares of ``(-inf, e_0], (e_0, e_1], …, (e_k, +inf)`` under ``cdf``."""
    f = np.concatenate([[0.0], cdf(edges), [1.0]])
    return np.asarray(np.clip(np.diff(f), 0.0, 1.0))


# --- categorical features --------------------------------------------------------------------
def categorical_shares(current: FeatureStats, other: FeatureStats) -> tuple[Floats, Floats]:
    """Shares of every value listed on either side, then each side's unlisted remainder."""
    values = list(dict.fromkeys(v for f in (current, other) for v, _ in f.top_values))
    out = []
    for f in (current, other):
        counts = dict(f.top_values)
        listed = np.array([counts.get(v, 0.0) for v in values], dtype=float)
        total = max(f.total_values, float(listed.sum()))
        rest = total - float(listed.sum())
        out.append(np.append(listed, rest) / total)
    return out[0], out[1]


# --- all methods of one feature --------------------------------------------------------------
def measure(current: FeatureStats, other: FeatureStats,
            methods: Iterable[str] = METHODS) -> dict[str, float]:
    """``{method: value}`` of the wanted methods that these statistics can measure, in the
    order of ``METHODS``."""
    asked = set(methods)
    wanted = [m for m in METHODS if m in asked]
    if current.family != other.family:
        return {}
    if current.family == CATEGORICAL:
        if current.total_values <= 0 or other.total_values <= 0:
            return {}
        p, q = categorical_shares(current, other)
        return {m: _on_shares(m, p, q) for m in wanted if m not in NUMERIC_ONLY}
    if current.family != NUMERIC:
        return {}
    cur, ref = feature_cdf(current), feature_cdf(other)
    if cur is None or ref is None:
        return {}
    found: dict[str, float] = {}
    if PSI in wanted or HELLINGER in wanted:
        edges = bin_edges(other)
        p, q = bin_shares(cur, edges), bin_shares(ref, edges)
        found.update({m: _on_shares(m, p, q) for m in wanted if m in (PSI, HELLINGER)})
    if KS in wanted:
        found[KS] = ks_distance(cur, ref)
    if WASSERSTEIN in wanted:
        scale = wasserstein_scale(current, other)
        w1 = wasserstein_1(cur, ref)
        found[WASSERSTEIN] = w1 / scale if scale > 0 else 0.0
    return {m: found[m] for m in wanted if m in found}


def _on_shares(method: str, p: Floats, q: Floats) -> float:
    return psi(p, q) if method == PSI else hellinger(p, q)


__all__ = [
    "HELLINGER",
    "KS",
    "METHODS",
    "PSI",
    "PSI_EPSILON",
    "WASSERSTEIN",
    "Cdf",
    "bin_edges",
    "bin_shares",
    "categorical_shares",
    "feature_cdf",
    "hellinger",
    "ks_distance",
    "measure",
    "psi",
    "wasserstein_1",
    "wasserstein_scale",
]
