"""core.distances: PSI, Hellinger, normalized Wasserstein and KS from stored statistics, on
text-proto fixtures small enough to check by hand (the real-data comparison with scipy is in
tests/service/test_drift_methods.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dataguard.core import distances as d
from dataguard.core.stats_view import Bucket, FeatureStats, feature_stats
from tests.core import fixtures as fx


def numeric(*buckets: tuple[float, float, float], std: float = 1.0,
            quantiles: tuple[tuple[float, float, float], ...] = ()) -> FeatureStats:
    return FeatureStats(
        name="x", type="FLOAT", family="numeric", count=100, missing=0, std=std,
        min=min(b[0] for b in buckets + quantiles), max=max(b[1] for b in buckets + quantiles),
        histogram=tuple(Bucket(*b) for b in buckets),
        quantiles=tuple(Bucket(*b) for b in quantiles),
    )


def categorical(total: float, **counts: float) -> FeatureStats:
    return FeatureStats(name="c", type="STRING", family="categorical", count=int(total),
                        missing=0, top_values=tuple(counts.items()), total_values=total)


def proto(snippet: str) -> FeatureStats:
    return feature_stats(fx.statistics(100, snippet).datasets[0].features[0])


def test_fare_day2_against_day1_matches_the_formulas_worked_by_hand() -> None:
    # bins = day 1's edges: (-inf,0] (0,10] (10,20] (20,30] (30,inf)
    # day 2: 0 .25 .35 .40 0   day 1: 0 .50 .40 .10 0
    m = d.measure(proto(fx.FARE_DAY2), proto(fx.FARE_DAY1))
    psi = (.25 - .5) * math.log(.25 / .5) + (.35 - .4) * math.log(.35 / .4) \
        + (.4 - .1) * math.log(.4 / .1)
    hellinger = math.sqrt(1 - (math.sqrt(.25 * .5) + math.sqrt(.35 * .4) + math.sqrt(.4 * .1)))
    # CDFs at 10, 20: .25/.50 and .60/.90; W1 = 10 * (.25/2 + (.25+.3)/2 + .3/2) = 5.5
    assert m == pytest.approx({"psi": psi, "hellinger": hellinger, "ks": 0.3,
                               "wasserstein": 5.5 / 6.0})  # / day 1's std_dev
    assert m["psi"] == pytest.approx(0.595851, abs=1e-6)


@pytest.mark.parametrize("feature", [fx.FARE_DAY1, fx.TRIP_SECONDS, fx.PAYMENT_DAY2, fx.COMPANY])
def test_identical_distributions_measure_zero(feature: str) -> None:
    same = proto(feature)
    assert all(v == pytest.approx(0, abs=1e-12) for v in d.measure(same, same).values())


def test_numeric_features_get_all_four_and_categorical_ones_psi_and_hellinger() -> None:
    assert set(d.measure(proto(fx.FARE_DAY2), proto(fx.FARE_DAY1))) == set(d.METHODS)
    assert list(d.measure(proto(fx.PAYMENT_DAY2), proto(fx.PAYMENT_DAY1))) == ["psi",
                                                                                "hellinger"]


def test_disjoint_distributions_measure_the_maximum() -> None:
    low, high = numeric((0, 1, 100)), numeric((2, 3, 100))
    m = d.measure(high, low)
    assert m["ks"] == 1.0 and m["hellinger"] == 1.0
    assert m["wasserstein"] == pytest.approx(2.0)  # shifted by 2, reference std 1
    # every share sits in a bin the other side leaves empty: eps instead of 0, finite
    assert m["psi"] == pytest.approx(2 * (1 - d.PSI_EPSILON) * math.log(1 / d.PSI_EPSILON))
    cats = d.measure(categorical(10, a=10), categorical(10, b=10))
    assert cats["hellinger"] == 1.0 and math.isfinite(cats["psi"])


def test_an_empty_bucket_counts_with_epsilon_instead_of_making_psi_infinite() -> None:
    assert d.psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) == pytest.approx(
        2 * 0.1 * math.log(0.5 / 0.4) + (d.PSI_EPSILON - 0.2) * math.log(d.PSI_EPSILON / 0.2))
    assert d.psi([0.0, 1.0], [0.0, 1.0]) == 0.0


def test_a_shift_reads_as_standard_deviations_of_the_reference() -> None:
    reference = numeric((0, 10, 100), std=2.5)
    shifted = numeric((1, 11, 100), std=2.5)
    assert d.measure(shifted, reference, ["wasserstein"]) == {"wasserstein": pytest.approx(0.4)}


def test_a_value_holding_whole_quantile_buckets_is_a_jump_of_the_cdf() -> None:
    # 60% zeros (three zero-width deciles of five), then spread over (0, 2]
    zeros = numeric((0, 2, 100), quantiles=((0, 0, 20), (0, 0, 20), (0, 0, 20), (0, 1, 20),
                                            (1, 2, 20)))
    cdf = d.feature_cdf(zeros)
    assert cdf is not None
    assert cdf(np.array([0.0]), left=True)[0] == 0.0
    assert cdf(np.array([0.0]))[0] == pytest.approx(0.6)
    no_zeros = numeric((0, 2, 100), quantiles=((0, 1, 50), (1, 2, 50)))
    assert d.measure(zeros, no_zeros, ["ks"])["ks"] == pytest.approx(0.6)


def test_the_equal_width_histogram_places_the_tail_of_the_last_decile() -> None:
    # 90% in [0, 1]; the last decile spans [1, 100] but the equal-width buckets put it in [1, 10]
    quantiles = tuple((i / 9, (i + 1) / 9, 10) for i in range(9)) + ((1, 100, 10),)
    tail_known = numeric((0, 10, 100), (10, 100, 0), quantiles=quantiles)
    tail_unknown = numeric(quantiles=quantiles)
    cdf_known, cdf_unknown = d.feature_cdf(tail_known), d.feature_cdf(tail_unknown)
    assert cdf_known is not None and cdf_unknown is not None
    assert cdf_known(np.array([10.0]))[0] == pytest.approx(1.0)
    assert cdf_unknown(np.array([10.0]))[0] == pytest.approx(0.9 + 0.1 * 9 / 99)


def test_categorical_values_not_listed_share_one_other_bin_per_side() -> None:
    current, reference = categorical(100, a=50, b=30), categorical(100, a=50, c=30)
    p, q = d.categorical_shares(current, reference)
    assert p.tolist() == [0.5, 0.3, 0.0, 0.2] and q.tolist() == [0.5, 0.0, 0.3, 0.2]


def test_missing_statistics_are_not_measured() -> None:
    fare = proto(fx.FARE_DAY1)
    no_histogram = numeric((0, 1, 0))
    assert d.measure(fare, no_histogram) == {} and d.measure(no_histogram, fare) == {}
    assert d.measure(proto(fx.PAYMENT_DAY1), categorical(0)) == {}
    assert d.measure(fare, proto(fx.PAYMENT_DAY1)) == {}  # different families


def test_only_the_wanted_methods_are_measured() -> None:
    assert list(d.measure(proto(fx.FARE_DAY2), proto(fx.FARE_DAY1), ["ks", "psi"])) == ["psi",
                                                                                      "ks"]
    assert d.measure(proto(fx.FARE_DAY2), proto(fx.FARE_DAY1), []) == {}


def test_every_method_is_symmetric_when_the_anchors_are() -> None:
    a, b = numeric((0, 5, 60), (5, 10, 40)), numeric((0, 5, 30), (5, 10, 70))
    forth, back = d.measure(a, b), d.measure(b, a)
    assert forth == pytest.approx(back)


def test_constant_features_fall_back_to_the_range_of_both_sides() -> None:
    five = numeric(quantiles=((5, 5, 50), (5, 5, 50)), std=0.0)
    seven = numeric(quantiles=((7, 7, 50), (7, 7, 50)), std=0.0)
    assert d.measure(seven, five) == {"psi": pytest.approx(2 * (1 - d.PSI_EPSILON)
                                                           * math.log(1 / d.PSI_EPSILON)),
                                      "hellinger": 1.0, "wasserstein": 1.0, "ks": 1.0}
    assert d.measure(five, five) == {"psi": 0.0, "hellinger": 0.0, "wasserstein": 0.0, "ks": 0.0}
