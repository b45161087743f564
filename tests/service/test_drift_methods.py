"""PSI, Hellinger, Wasserstein and KS from TFDV's stored statistics of the taxi data, against an
independent computation on the raw CSV rows (scipy, and numpy on the same bins), and in a check.

The stored statistics summarise 15,000 / 5,000 rows in two 10-bucket histograms per numeric
feature, so the values cannot equal the raw computation; the tolerances say by how much they may
differ and why:

- **KS and Wasserstein**, every numeric feature: between two consecutive knots of a stored CDF
  (``distances.feature_cdf``) the true CDF runs between the same two values, so it is off by at
  most the mass ``m_i`` between them: ``|KS - KS_raw| <= max_i m_i`` (this batch) ``+ max_i m_i``
  (the baseline), and ``|W1 - W1_raw| <= Σ m_i · width_i`` over both sides (then divided by the
  same scale), plus 0.005 for TFDV's approximate quantiles and histogram counts. Where the
  histograms resolve the distribution that bound is not needed: KS within 0.005 (month, day,
  timestamp, pickup coordinates) and Wasserstein within 0.01 (month, day, timestamp).
- **PSI and Hellinger**, on the same bins (the baseline's quantile edges, read from the stored
  statistics) counted with numpy on the raw rows: within 0.01 + 25% of the raw value for the
  numeric features whose values are not piled on a few distinct numbers. The stored side's share
  of a bin is interpolated inside TFDV's buckets; on features that take few distinct values
  (``trip_start_hour``, ``tips``, the dropoff coordinates, which are community-area centroids)
  that interpolation is the whole difference, which the KS bound above still covers.
  Categorical features are exact (1e-9): TFDV's rank histogram holds exact counts.
- The census tracts are left out of the raw comparison: TFDV keeps the FLOAT values of
  batch_b.csv as float32, so ``17031081201`` is stored as ``17031081216``; the statistics are
  not of the raw values to begin with.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dataguard.core import distances as d
from dataguard.core.models import Verdict
from dataguard.core.stats_view import FeatureStats, dataset_stats
from dataguard.service.check import check
from dataguard.service.schemas import infer_schema

pytestmark = pytest.mark.slow  # TFDV reference statistics (shared per session)
scipy_stats = pytest.importorskip("scipy.stats")

NUMERIC = ("pickup_community_area", "fare", "trip_start_month", "trip_start_hour",
           "trip_start_day", "trip_start_timestamp", "pickup_latitude", "pickup_longitude",
           "dropoff_latitude", "dropoff_longitude", "trip_miles", "trip_seconds",
           "dropoff_community_area", "tips")
RESOLVED = ("trip_start_month", "trip_start_day", "trip_start_timestamp")
KS_RESOLVED = (*RESOLVED, "pickup_latitude", "pickup_longitude")
SPREAD = (*KS_RESOLVED, "fare", "trip_seconds", "pickup_community_area")  # not a few values
SLACK = 0.005


@pytest.fixture(scope="module")
def sides(reference_stats, shared_data: Path):  # type: ignore[no-untyped-def]
    """(stored batch_b, stored train, raw batch_b, raw train): batch_b checked against train."""
    current = dataset_stats(reference_stats("taxi/batch_b.csv"))
    baseline = dataset_stats(reference_stats("taxi/train.csv"))
    raw = [pd.read_csv(shared_data / "taxi" / f) for f in ("batch_b.csv", "train.csv")]
    return current, baseline, raw[0], raw[1]


def stored(sides, name: str) -> tuple[FeatureStats, FeatureStats]:  # type: ignore[no-untyped-def]
    current, baseline, _, _ = sides
    a, b = current.feature(name), baseline.feature(name)
    assert a is not None and b is not None
    return a, b


def rows(sides, name: str) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    _, _, current, baseline = sides
    return (current[name].dropna().to_numpy(float), baseline[name].dropna().to_numpy(float))


def interval_masses(feature: FeatureStats) -> tuple[np.ndarray, np.ndarray]:
    """Mass between consecutive knots of the stored CDF, and the width of each interval."""
    cdf = d.feature_cdf(feature)
    assert cdf is not None
    return cdf.left[1:] - cdf.right[:-1], np.diff(cdf.x)


@pytest.mark.parametrize("name", NUMERIC)
def test_ks_from_stored_quantiles_matches_scipy_on_the_raw_rows(sides, name: str) -> None:
    current, baseline = stored(sides, name)
    ours = d.measure(current, baseline, ["ks"])["ks"]
    raw = scipy_stats.ks_2samp(*rows(sides, name)).statistic
    bound = sum(float(interval_masses(f)[0].max()) for f in (current, baseline)) + SLACK
    assert abs(ours - raw) <= (SLACK if name in KS_RESOLVED else bound), (ours, raw, bound)


@pytest.mark.parametrize("name", NUMERIC)
def test_wasserstein_from_stored_histograms_matches_scipy_on_the_raw_rows(
    sides, name: str
) -> None:
    current, baseline = stored(sides, name)
    ours = d.measure(current, baseline, ["wasserstein"])["wasserstein"]
    a, b = rows(sides, name)
    scale = float(np.std(b))
    assert baseline.std == pytest.approx(scale, rel=1e-4)  # the stored scale is exact
    raw = scipy_stats.wasserstein_distance(a, b) / scale
    bound = sum(float(np.sum(m * w)) for m, w in map(interval_masses, (current, baseline)))
    tolerance = 0.01 if name in RESOLVED else bound / scale + SLACK
    assert abs(ours - raw) <= tolerance, (ours, raw, tolerance)


def raw_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares of (-inf, e0], (e0, e1], …, (ek, inf), counted."""
    return np.bincount(np.searchsorted(edges, values, side="left"),
                       minlength=len(edges) + 1) / len(values)


def own_psi(p: np.ndarray, q: np.ndarray, eps: float = 1e-4) -> float:
    p, q = np.maximum(p, eps), np.maximum(q, eps)
    return float(((p - q) * np.log(p / q)).sum())


def own_hellinger(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sqrt(((np.sqrt(p) - np.sqrt(q)) ** 2).sum() / 2))


@pytest.mark.parametrize("name", SPREAD)
def test_psi_and_hellinger_match_numpy_on_the_raw_rows_in_the_same_bins(
    sides, name: str
) -> None:
    current, baseline = stored(sides, name)
    ours = d.measure(current, baseline, ["psi", "hellinger"])
    edges = d.bin_edges(baseline)
    p, q = (raw_shares(x, edges) for x in rows(sides, name))
    for method, raw in (("psi", own_psi(p, q)), ("hellinger", own_hellinger(p, q))):
        assert abs(ours[method] - raw) <= 0.01 + 0.25 * raw, (method, ours[method], raw)


@pytest.mark.parametrize("name", ["payment_type", "company"])
def test_categorical_psi_and_hellinger_are_exact(sides, name: str) -> None:
    current, baseline = stored(sides, name)
    ours = d.measure(current, baseline)
    a, b = (frame[name].dropna().astype(str) for frame in sides[2:])
    values = sorted(set(a) | set(b))
    p, q = (s.value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
            for s in (a, b))
    assert set(ours) == {"psi", "hellinger"}
    assert ours["psi"] == pytest.approx(own_psi(p, q), abs=1e-9)
    assert ours["hellinger"] == pytest.approx(own_hellinger(p, q), abs=1e-9)


# --- in a check --------------------------------------------------------------------------------
@pytest.fixture
def taxi_b(settings, record_batch):  # type: ignore[no-untyped-def]
    """train.csv as 2026-11-24 with its schema, batch_b.csv as 2026-11-25, unchecked."""
    record_batch(settings, "taxi", "2026-11-24", "taxi/train.csv")
    record_batch(settings, "taxi", "2026-11-25", "taxi/batch_b.csv")
    infer_schema("taxi", label="tips", batch="2026-11-24", settings=settings)
    return settings


def test_a_check_records_all_four_by_default_and_keeps_todays_verdict(settings, taxi_b) -> None:
    result = check("taxi", "2026-11-25", hooks=False, record=False, settings=settings)
    methods = {m.method for m in result.metrics}
    assert {"psi", "hellinger", "wasserstein", "ks"} <= methods
    assert all(m.threshold is None and not m.exceeded for m in result.metrics
               if m.method in d.METHODS)
    fare = {m.method: m for m in result.metrics if m.feature == "fare"}
    assert list(fare) == ["jensen_shannon", "psi", "hellinger", "wasserstein", "ks"]
    assert not any(a.type.endswith(("PSI_HIGH", "KS_HIGH")) for a in result.anomalies)
    off = replace(settings, document={"thresholds": {"methods": []}})
    before = check("taxi", "2026-11-25", hooks=False, record=False, settings=off)
    assert before.verdict == result.verdict and before.anomalies == result.anomalies


def test_a_configured_threshold_fails_the_check_and_the_policy_can_soften_it(
    settings, taxi_b
) -> None:
    strict = replace(settings, document={"thresholds": {"methods": ["psi"], "psi": 0.2}})
    result = check("taxi", "2026-11-25", hooks=False, record=False, settings=strict)
    psi = {a.feature for a in result.anomalies if a.type == "PSI_HIGH"}
    assert psi and psi <= {"pickup_latitude", "pickup_longitude", "dropoff_census_tract"}
    assert {m.method for m in result.metrics} == {"l_infinity", "jensen_shannon", "psi",
                                                  "num_examples"}
    assert result.verdict == Verdict.FAIL
    soft = replace(strict, document={**strict.document, "policy": {"warn_types": ["PSI_HIGH"]}})
    softened = check("taxi", "2026-11-25", hooks=False, record=False, settings=soft)
    assert all(a.outcome == "warn" for a in softened.anomalies if a.type == "PSI_HIGH")
