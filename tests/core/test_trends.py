"""The trend rule (issue 13): median ± 3.5·σ̂ of the last batches, no threshold to tune."""

from __future__ import annotations

import random

import pytest

from dataguard.core.models import AnomalyKind, Verdict
from dataguard.core.policy import Policy
from dataguard.core.stats_view import DatasetStats, FeatureStats
from dataguard.core.trends import (
    TREND_OUT_OF_CONTROL,
    TrendConfig,
    control_limits,
    cutoff,
    drift_key,
    judge,
    statistics_series,
)
from dataguard.errors import UsageError


def noise(n: int, center: float = 12.0, sd: float = 0.3, seed: int = 13) -> list[float]:
    rng = random.Random(seed)
    return [rng.gauss(center, sd) for _ in range(n)]


@pytest.mark.parametrize("n", [10, 30])
def test_normal_noise_fires_about_as_rarely_as_3_5_sigma(n: int) -> None:
    """3.5σ two-sided is 0.047%; the plain 3.5·σ̂ of a short history would fire 0.56% (n = 30)
    to 3.3% (n = 10) of the time: the widening for n keeps it near 0.05%."""
    rng, fired, trials = random.Random(n), 0, 20000
    for _ in range(trials):
        limits = control_limits([rng.gauss(0, 1) for _ in range(n)])
        assert limits is not None
        fired += not limits.contains(rng.gauss(0, 1))
    assert fired / trials < 0.0015
    assert cutoff(30) == pytest.approx(4.9) and cutoff(15) == pytest.approx(7.0)


def test_a_step_change_is_out_of_control_in_either_direction() -> None:
    limits = control_limits(noise(30))
    assert limits is not None
    assert not limits.contains(12.0 + 3 * 0.3 * 3.5)
    assert not limits.contains(12.0 - 3 * 0.3 * 3.5)
    assert limits.contains(12.0 + 0.3)


def test_one_outlier_in_the_history_does_not_widen_the_limits() -> None:
    clean = control_limits(noise(30))
    spoiled = control_limits([*noise(29), 1000.0])
    assert clean is not None and spoiled is not None
    assert spoiled.high - spoiled.low < 1.2 * (clean.high - clean.low)


def test_a_flat_series_ignores_numeric_noise_and_tiny_changes_but_not_a_real_one() -> None:
    limits = control_limits([10000.0] * 30)
    assert limits is not None and limits.spread == "floor"
    assert limits.contains(10000.000000001)
    assert limits.contains(10001.0)  # a 0.01% change
    assert not limits.contains(9000.0)
    categories = control_limits([6.0] * 10)
    assert categories is not None and not categories.contains(7.0)  # a new category


def test_a_series_flat_at_zero_fires_on_any_real_value_but_not_on_rounding() -> None:
    limits = control_limits([0.0] * 10)
    assert limits is not None
    assert limits.contains(1e-12)
    assert not limits.contains(0.001)  # a feature that was never missing now is


def test_when_most_of_the_history_is_identical_earlier_deviations_still_count() -> None:
    history = [0.0] * 20 + [0.01, 0.02, 0.01, 0.015]
    limits = control_limits(history)
    assert limits is not None and limits.spread == "mean absolute deviation"
    assert limits.contains(0.01)
    assert not limits.contains(0.2)


def test_a_steady_ramp_stays_in_control() -> None:
    limits = control_limits([1000.0 + 10 * i for i in range(30)])
    assert limits is not None and limits.contains(1300.0)


@pytest.mark.parametrize("n", [0, 1, 5, 9])
def test_a_short_history_judges_nothing(n: int) -> None:
    assert control_limits(noise(n)) is None
    assert judge({("fare", "mean"): 1e9}, [{("fare", "mean"): v} for v in noise(n)]) == []


def test_missing_values_in_the_history_are_skipped() -> None:
    assert control_limits([*noise(9), float("nan")]) is None
    history = [{("fare", "mean"): v} for v in noise(10)] + [{}]  # a batch without the feature
    assert len(judge({("fare", "mean"): 100.0}, history)) == 1


def test_an_out_of_control_value_is_a_trend_warning_that_names_the_limits() -> None:
    history = [{("fare", "mean"): v, ("", "num_examples"): 100.0} for v in noise(30)]
    found = judge({("fare", "mean"): 27.1, ("", "num_examples"): 100.0}, history)
    assert len(found) == 1
    a = found[0]
    assert (a.feature, a.kind, a.type, a.severity) == (
        "fare", AnomalyKind.TREND, TREND_OUT_OF_CONTROL, "warning")
    assert a.description.startswith("mean of fare is 27.1, outside 1")
    assert "(median ± 4.9·scaled MAD of the last 30 batches; median 12" in a.description
    assert a.short_description == "Trend: mean of fare above its control limits"


def test_trend_anomalies_warn_by_default_and_fail_by_type() -> None:
    history = [{("fare", "mean"): v} for v in noise(30)]
    found = judge({("fare", "mean"): 27.1}, history)
    assert Policy().decide(found) == Verdict.WARN
    assert Policy(fail_types=frozenset({TREND_OUT_OF_CONTROL})).decide(found) == Verdict.FAIL
    assert Policy(ignore_types=frozenset({TREND_OUT_OF_CONTROL})).decide(found) == Verdict.PASS
    assert Policy.from_config({"policy": {"fail": ["schema", "trend"]}}).fail == {"schema", "trend"}


def test_the_series_of_a_batch_statistics() -> None:
    stats = DatasetStats(100, (
        FeatureStats("fare", "FLOAT", "numeric", count=90, missing=10, mean=12.0, std=3.0),
        FeatureStats("payment_type", "STRING", "categorical", count=100, missing=0, unique=6),
        FeatureStats("empty", "FLOAT", "numeric", count=0, missing=100, mean=0.0, std=0.0),
    ))
    assert statistics_series(stats) == {
        ("", "num_examples"): 100.0,
        ("fare", "missing share"): 0.1, ("fare", "mean"): 12.0, ("fare", "std"): 3.0,
        ("payment_type", "missing share"): 0.0, ("payment_type", "unique"): 6.0,
        ("empty", "missing share"): 1.0,
    }


def test_trend_config_defaults_and_switches() -> None:
    assert TrendConfig.from_config({}, "taxi") == TrendConfig(True, 30)
    doc = {"datasets": {"taxi": {"trend": False, "trend_window": 60}}}
    assert TrendConfig.from_config(doc, "taxi") == TrendConfig(False, 60)


@pytest.mark.parametrize("value", [0, -3, 9, 2.5, "30", True])
def test_a_bad_trend_window_is_one_line_naming_the_key(value: object) -> None:
    with pytest.raises(UsageError, match=r"\[datasets.taxi\] trend_window: must be a whole") as e:
        TrendConfig.from_config({"datasets": {"taxi": {"trend_window": value}}}, "taxi")
    assert "\n" not in str(e.value)


def test_a_bad_trend_switch_is_refused() -> None:
    with pytest.raises(UsageError, match=r"\[datasets.taxi\] trend: must be true or false"):
        TrendConfig.from_config({"datasets": {"taxi": {"trend": "no"}}}, "taxi")


def test_a_drift_series_fires_only_above_its_limits() -> None:
    history = [{drift_key("fare", "jensen_shannon"): v} for v in noise(30, 0.05, 0.005)]
    assert judge({drift_key("fare", "jensen_shannon"): 0.0}, history) == []
    [high] = judge({drift_key("fare", "jensen_shannon"): 0.3}, history)
    assert high.description.startswith("jensen_shannon drift of fare is 0.3, above 0.0")
    assert "(median + 4.9·scaled MAD of the last 30 batches" in high.description
    assert high.short_description == "Trend: jensen_shannon drift of fare above its control limits"


def test_the_example_config_turns_trends_on_over_30_batches() -> None:
    from pathlib import Path

    from dataguard.config import load_settings

    example = Path(__file__).resolve().parents[2] / "dataguard.example.toml"
    settings = load_settings(config_path=str(example), env={})
    assert TrendConfig.from_config(settings.document, "taxi") == TrendConfig(True, 30)
    assert "trend" in Policy.from_config(settings.document, "taxi").fail


def test_a_feature_can_be_left_out_of_the_trends() -> None:
    doc = {"datasets": {"taxi": {"features": {"trip_start_timestamp": {"trend": False},
                                              "fare": {"jensen_shannon": 0.2}}}}}
    config = TrendConfig.from_config(doc, "taxi")
    assert config.off == {"trip_start_timestamp"}
    series = {("trip_start_timestamp", "mean"): 1.0, ("fare", "mean"): 2.0}
    assert config.keep(series) == {("fare", "mean"): 2.0}
    from dataguard.core.schemas import ComparatorConfig

    ComparatorConfig.from_config(doc, "taxi")  # the threshold tables accept the key
    with pytest.raises(UsageError, match=r"features.fare\] trend: must be true or false"):
        TrendConfig.from_config({"datasets": {"taxi": {"features": {"fare": {"trend": 0}}}}},
                                "taxi")
