"""PSI, Hellinger, Wasserstein and KS in a check: recorded as metrics, judged only against a
configured threshold, refused in config when they cannot be meant (core.validate + schemas)."""

from __future__ import annotations

import pytest

from dataguard.core.models import Verdict
from dataguard.core.policy import Policy
from dataguard.core.schemas import ComparatorConfig
from dataguard.core.validate import validate
from dataguard.errors import UsageError
from tests.core import fixtures as fx


def config(**document: object) -> ComparatorConfig:
    return ComparatorConfig.from_config(document, "taxi")


def drift(settings: ComparatorConfig, policy: Policy | None = None):  # type: ignore[no-untyped-def]
    return validate(fx.day2(), fx.schema(), baseline=fx.day1(), methods=settings, policy=policy)


def test_by_default_all_four_are_recorded_for_every_compared_feature_and_none_is_judged() -> None:
    result = drift(config())
    mine = [m for m in result.metrics if m.method in ("psi", "hellinger", "wasserstein", "ks")]
    assert {(m.feature, m.method) for m in mine} == {
        ("fare", "psi"), ("fare", "hellinger"), ("fare", "wasserstein"), ("fare", "ks"),
        ("payment_type", "psi"), ("payment_type", "hellinger"),
        ("tips", "psi"), ("tips", "hellinger"), ("tips", "wasserstein"), ("tips", "ks"),
    }  # trip_seconds and company have no drift comparator in the schema: not compared
    assert all(m.threshold is None and not m.exceeded and m.outcome is None for m in mine)
    without = validate(fx.day2(), fx.schema(), baseline=fx.day1())
    assert result.verdict == without.verdict
    assert set(result.anomalies) == set(without.anomalies)


def test_a_configured_threshold_exceeded_is_a_drift_anomaly_in_tfdvs_words() -> None:
    result = drift(config(thresholds={"psi": 0.2}))
    psi = fx.only(result.metrics, feature="fare", method="psi")
    assert psi.threshold == 0.2 and psi.exceeded and psi.outcome == "fail"
    anomaly = fx.only(result.anomalies, type="PSI_HIGH", feature="fare")
    assert (anomaly.kind, anomaly.severity) == ("drift", "error")
    assert anomaly.short_description == "High PSI between current and previous"
    assert anomaly.description == (
        "The population stability index (PSI) between current and previous is 0.595852 "
        "(up to six significant digits), above the threshold 0.2."
    )
    # Mobile: 0 -> 5% of the batch, an empty bin in the baseline: (0.05 - 1e-4) ln(0.05 / 1e-4)
    assert fx.only(result.metrics, feature="payment_type", method="psi").value > 0.2
    assert fx.only(result.metrics, feature="tips", method="psi").exceeded is False


def test_the_policy_can_warn_on_or_ignore_a_method_type() -> None:
    settings = config(thresholds={"ks": 0.1})
    warned = drift(settings, Policy(warn_types=frozenset({"KS_HIGH"})))
    assert fx.only(warned.anomalies, type="KS_HIGH").outcome == "warn"
    assert fx.only(warned.metrics, feature="fare", method="ks").outcome == "warn"
    ignored = drift(settings, Policy(ignore_types=frozenset({"KS_HIGH"})))
    assert fx.only(ignored.anomalies, type="KS_HIGH").outcome == "ignored"


def test_methods_and_thresholds_resolve_feature_over_dataset_over_global_and_by_comparison(
) -> None:
    settings = config(
        thresholds={"methods": ["psi"], "psi": 0.5, "skew": {"methods": ["ks"]}},
        datasets={"taxi": {"thresholds": {"psi": 0.4},
                           "features": {"fare": {"methods": ["hellinger", "wasserstein"],
                                                 "wasserstein": 2.0,
                                                 "drift": {"hellinger": 0.25}}}}},
    )
    assert settings.distance_methods("drift") == ("psi",)
    assert settings.distance_methods("skew") == ("ks",)
    assert settings.distance_methods("drift", "fare") == ("hellinger", "wasserstein")
    assert settings.distance_threshold("psi", "drift") == 0.4
    assert settings.distance_threshold("hellinger", "drift", "fare") == 0.25
    assert settings.distance_threshold("hellinger", "skew", "fare") is None
    result = validate(fx.day2(), fx.schema(), baseline=fx.day1(), serving=fx.serving_requests(),
                      methods=settings)
    got = {(m.comparison.value, m.feature, m.method) for m in result.metrics
           if m.method in ("psi", "hellinger", "wasserstein", "ks")}
    assert got == {
        ("drift", "fare", "hellinger"), ("drift", "fare", "wasserstein"),
        ("drift", "payment_type", "psi"), ("drift", "tips", "psi"),
        # the feature's methods (any comparison) win over [thresholds.skew]
        ("skew", "fare", "hellinger"), ("skew", "fare", "wasserstein"),
        # payment_type's skew: ks only, which a categorical feature does not have; no tips
        # (the label is not compared for skew)
    }
    assert fx.only(result.anomalies, type="HELLINGER_HIGH").kind == "drift"


def test_a_skew_threshold_makes_a_skew_anomaly() -> None:
    result = validate(fx.day1(), fx.schema(), serving=fx.serving_requests(),
                      methods=config(thresholds={"skew": {"hellinger": 0.1}}))
    anomaly = fx.only(result.anomalies, type="HELLINGER_HIGH")
    assert (anomaly.feature, anomaly.kind) == ("fare", "skew")
    assert anomaly.short_description == "High Hellinger distance between training and serving"
    assert result.verdict == Verdict.FAIL


def test_an_empty_methods_list_measures_none_of_them() -> None:
    result = drift(config(thresholds={"methods": []}))
    assert {m.method for m in result.metrics} == {"l_infinity", "jensen_shannon"}


def test_too_few_examples_measure_no_method_either() -> None:
    result = validate(fx.day2(), fx.schema(), baseline=fx.day1(), methods=config(),
                      min_examples={"drift": 1000})
    assert result.metrics == ()  # (the fixture's schema bounds no example count)
    assert [a.type for a in result.anomalies if a.kind == "drift"] == [
        "COMPARISON_NOT_MEASURABLE"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"thresholds": {"methods": ["psi", "kl"]}},
         "config [thresholds] methods: unknown method 'kl'; use \"psi\", \"hellinger\", "
         "\"wasserstein\", \"ks\""),
        ({"thresholds": {"methods": "psi"}}, "config [thresholds] methods: must be a list"),
        ({"thresholds": {"psi": -0.2}},
         "config [thresholds] psi: must be a non-negative number, got -0.2"),
        ({"thresholds": {"skew": {"ks": float("nan")}}},
         "config [thresholds.skew] ks: must be a non-negative number, got nan; nan and inf "
         "are not thresholds"),
        ({"datasets": {"taxi": {"thresholds": {"drift": {"methods": ["KS"]}}}}},
         "config [datasets.taxi.thresholds.drift] methods: unknown method 'KS'"),
        ({"datasets": {"taxi": {"features": {"fare": {"wasserstein": "1"}}}}},
         "config [datasets.taxi.features.fare] wasserstein: must be a non-negative number"),
        ({"datasets": {"taxi": {"features": {"fare": {"hellinger": float("inf")}}}}},
         "config [datasets.taxi.features.fare] hellinger: must be a non-negative number"),
    ],
)
def test_bad_methods_or_thresholds_are_refused_in_one_line_when_the_config_is_read(
    document: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError) as raised:
        config(**document)
    assert message in str(raised.value) and "\n" not in str(raised.value)
