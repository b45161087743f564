"""Custom rules over statistics (``core.rules``): TOML tables in, ``rule`` anomalies and metrics
out, on the inline text-proto batches of ``fixtures.py`` (100 examples each)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dataguard.core.models import AnomalyKind, Comparison, Outcome
from dataguard.core.policy import Policy
from dataguard.core.rules import (
    RULE_FAILED,
    STATS,
    Rule,
    check_rule_config,
    evaluate,
    parse_rules,
    refuse_unknown_features,
)
from dataguard.errors import UsageError
from tests.core import fixtures as fx

# 27 of fare's 100 values are 0; company's values are 9.5 characters long on average
FARE_WITH_ZEROS = fx.FARE_DAY1.replace("mean: 11.0", "num_zeros: 27  mean: 11.0")
COMPANY_WITH_LENGTH = fx.COMPANY.replace("  unique: 2", "  unique: 2  avg_length: 9.5")
FARE_WITHOUT_VALUES = """
path { step: "fare" }  type: FLOAT
num_stats { common_stats { num_missing: 100 } }
"""


def batch() -> Any:
    return fx.statistics(100, fx.PAYMENT_DAY2, FARE_WITH_ZEROS, fx.TRIP_SECONDS,
                         COMPANY_WITH_LENGTH, fx.TIPS)


def rules(*tables: dict[str, Any], dataset: str = "taxi") -> tuple[Rule, ...]:
    return parse_rules({"datasets": {dataset: {"rules": list(tables)}}}, dataset)


def rule(name: str = "r", **table: Any) -> dict[str, Any]:
    return {"name": name, **table}


def refusal(*tables: dict[str, Any], document: dict[str, Any] | None = None) -> str:
    with pytest.raises(UsageError) as raised:
        if document is not None:
            check_rule_config(document)
        else:
            rules(*tables)
    message = str(raised.value)
    assert "\n" not in message
    return message


# --- evaluation --------------------------------------------------------------------------------
def test_a_failing_rule_is_one_rule_anomaly_described_like_tfdv():
    found, measured = evaluate(rules(rule("few zero fares", feature="fare", stat="zeros_share",
                                          op="<", value=0.2)), batch())
    (anomaly,) = found
    assert (anomaly.feature, anomaly.kind, anomaly.type, anomaly.severity) == (
        "fare", AnomalyKind.RULE, RULE_FAILED, "error")
    assert anomaly.short_description == "few zero fares"
    assert anomaly.description == "fare: zeros_share is 0.27, expected < 0.2"
    assert anomaly.outcome == Outcome.FAIL
    (metric,) = measured
    assert (metric.feature, metric.comparison, metric.method) == ("fare", Comparison.RULE,
                                                                  "zeros_share")
    assert (metric.value, metric.threshold, metric.exceeded, metric.outcome) == (
        0.27, 0.2, True, Outcome.FAIL)


def test_a_rule_that_holds_is_a_metric_without_anomaly():
    found, measured = evaluate(rules(rule(stat="num_examples", op=">=", value=100)), batch())
    assert found == ()
    (metric,) = measured
    assert (metric.feature, metric.method, metric.value, metric.exceeded, metric.outcome) == (
        "", "num_examples", 100.0, False, None)


@pytest.mark.parametrize(("feature", "stat", "expected"), [
    (None, "num_examples", 100.0),
    ("company", "count", 90.0),
    ("company", "missing_share", 0.1),
    ("fare", "zeros_share", 0.27),
    ("fare", "mean", 11.0),
    ("fare", "std", 6.0),
    ("fare", "min", 0.0),
    ("fare", "median", 10.0),
    ("fare", "max", 30.0),
    ("payment_type", "unique", 3.0),
    ("payment_type", "top_value_share", 0.55),
    ("company", "avg_length", 9.5),
])
def test_every_stat_reads_the_number_tfdv_wrote(feature, stat, expected):
    table = rule(stat=stat, op="==", value=expected, **({"feature": feature} if feature else {}))
    found, (metric,) = evaluate(rules(table), batch())
    assert metric.value == pytest.approx(expected)
    assert found == ()


def test_the_stat_table_is_closed_and_documented():
    assert set(STATS) == {"num_examples", "count", "missing_share", "zeros_share", "mean", "std",
                          "min", "median", "max", "unique", "top_value_share", "avg_length"}
    from dataguard.core import rules as r
    from dataguard.core import stats_view as sv

    assert (r.NUMERIC, r.CATEGORICAL) == (sv.NUMERIC, sv.CATEGORICAL)  # the same family words


@pytest.mark.parametrize(("op", "holds"), [("<", False), ("<=", True), (">", False),
                                           (">=", True), ("==", True), ("!=", False)])
def test_each_operator_compares_the_measured_value_with_the_rule_value(op, holds):
    found, (metric,) = evaluate(rules(rule(feature="fare", stat="mean", op=op, value=11)),
                                batch())
    assert metric.exceeded is not holds
    assert len(found) == (0 if holds else 1)


def test_a_feature_without_values_fails_its_rule_instead_of_passing_silently():
    stats = fx.statistics(100, fx.PAYMENT_DAY1, FARE_WITHOUT_VALUES)
    found, (metric,) = evaluate(rules(rule("fares", feature="fare", stat="mean", op="!=",
                                           value=0)), stats)
    assert math.isnan(metric.value) and metric.exceeded
    assert found[0].description == (
        "fare: mean has no value (no values of fare in this batch), expected != 0")


def test_an_empty_batch_fails_a_minimum_example_count():
    found, _ = evaluate(rules(rule("enough", stat="num_examples", op=">", value=1000)),
                        fx.statistics(0))
    assert found[0].description == "num_examples is 0, expected > 1000"


def test_a_warning_rule_only_warns_and_the_policy_decides_outcomes():
    table = rule("zeros", feature="fare", stat="zeros_share", op="<", value=0.2,
                 severity="warning")
    found, (metric,) = evaluate(rules(table), batch())
    assert found[0].severity == "warning" and found[0].outcome == Outcome.WARN
    assert metric.outcome == Outcome.WARN
    ignoring = Policy(ignore_types=frozenset({RULE_FAILED}))
    found, _ = evaluate(rules(rule(feature="fare", stat="zeros_share", op="<", value=0.2)),
                        batch(), policy=ignoring)
    assert found[0].outcome == Outcome.IGNORED


def test_kind_rule_is_in_the_default_fail_list_and_can_be_left_out():
    failing = rules(rule(feature="fare", stat="zeros_share", op="<", value=0.2))
    assert evaluate(failing, batch())[0][0].outcome == Outcome.FAIL
    policy = Policy.from_config({"policy": {"fail": ["schema", "drift", "skew"]}})
    assert evaluate(failing, batch(), policy=policy)[0][0].outcome == Outcome.WARN
    assert "rule" in Policy().fail


def test_serving_rules_judge_the_serving_batch_only_when_there_is_one():
    table = rule("serving fares", feature="fare", stat="mean", op="<", value=12, role="serving")
    assert evaluate(rules(table), batch()) == ((), ())
    serving = fx.serving_requests()  # day 2's fares: mean 16.5
    found, (metric,) = evaluate(rules(table), batch(), serving=serving)
    assert found[0].description == "Serving batch: fare: mean is 16.5, expected < 12"
    assert metric.value == 16.5


def test_global_rules_come_first_then_the_datasets():
    document = {"rules": [rule("enough", stat="num_examples", op=">", value=10)],
                "datasets": {"taxi": {"rules": [rule("fares", feature="fare", stat="max",
                                                     op="<", value=500)]}}}
    assert [r.name for r in parse_rules(document, "taxi")] == ["enough", "fares"]
    assert [r.name for r in parse_rules(document, "penguin")] == ["enough"]


# --- bad config: one line naming the rule --------------------------------------------------------
@pytest.mark.parametrize(("table", "expected"), [
    (rule("z", feature="fare", stat="zero_share", op="<", value=0.2),
     "config [[datasets.taxi.rules]] 'z': unknown stat 'zero_share'; did you mean 'zeros_share'?"),
    (rule("z", feature="fare", stat="zeros_share", op="=<", value=0.2),
     "config [[datasets.taxi.rules]] 'z': unknown op '=<'; use one of < <= > >= == !="),
    (rule("z", feature="fare", stat="zeros_share", op="<", value="0.2"),
     "config [[datasets.taxi.rules]] 'z': 'value' must be a finite number, got '0.2'"),
    (rule("z", feature="fare", stat="zeros_share", op="<", value=float("nan")),
     "config [[datasets.taxi.rules]] 'z': 'value' must be a finite number, got nan"),
    (rule("z", feature="fare", stat="zeros_share", op="<", value=True),
     "'value' must be a finite number, got True"),
    (rule("z", feature="fare", stat="zeros_share", op="<"),
     "'z': missing 'value' (a rule needs name, stat, op, value)"),
    (rule("z", feature="fare", stat="zeros_share", op="<", value=0.2, threshold=1),
     "'z': unknown key 'threshold'"),
    (rule("z", feature="fare", stat="num_examples", op=">", value=1),
     "'z': num_examples is a stat of the batch, not of a feature; remove 'feature'"),
    (rule("z", stat="mean", op=">", value=1), "'z': mean is a stat of a feature; add feature"),
    (rule("z", feature="fare", stat="mean", op=">", value=1, severity="fatal"),
     "'z': severity 'fatal'; use error or warning"),
    (rule("z", feature="fare", stat="mean", op=">", value=1, role="test"), "'z': role 'test'"),
    ({"stat": "mean", "op": ">", "value": 1},
     "config [[datasets.taxi.rules]] #1: 'name' must be a non-empty string"),
])
def test_a_malformed_rule_is_refused_in_one_line_naming_it(table, expected):
    assert expected in refusal(table)


def test_duplicate_rule_names_are_refused_even_across_tables():
    same = rule("enough", stat="num_examples", op=">", value=1)
    assert refusal(same, same) == (
        "config [[datasets.taxi.rules]]: rule name 'enough' is used twice (also in "
        "[[datasets.taxi.rules]]); give each rule its own name")
    message = refusal(document={"rules": [same], "datasets": {"taxi": {"rules": [same]}}})
    assert "'enough' is used twice (also in [[rules]])" in message


def test_rules_that_are_not_an_array_of_tables_are_refused():
    assert "must be an array of tables" in refusal(document={"rules": {"name": "x"}})
    assert "must be an array of tables" in refusal(
        document={"datasets": {"taxi": {"rules": "num_examples > 1"}}})


def test_a_rule_naming_a_feature_the_batch_lacks_is_refused_naming_the_rule():
    found = rules(rule("fares", feature="fair", stat="mean", op=">", value=1))
    with pytest.raises(UsageError, match=r"config \[\[datasets.taxi.rules\]\] 'fares': no feature "
                       r"'fair' in the statistics of training batch 'b1'; did you mean 'fare'\?"):
        refuse_unknown_features(found, batch(), batch="b1")


def test_a_numeric_stat_of_a_categorical_feature_is_refused():
    found = rules(rule("pay", feature="payment_type", stat="mean", op=">", value=1))
    with pytest.raises(UsageError, match="'pay': mean needs a numeric feature; 'payment_type' is "
                       r"categorical \(STRING\) in batch 'b1'"):
        refuse_unknown_features(found, batch(), batch="b1")


def test_serving_rules_are_checked_against_the_serving_batch():
    found = rules(rule("tips", feature="tips", stat="mean", op=">", value=0, role="serving"))
    refuse_unknown_features(found, batch(), batch="b1")  # the training side has tips: fine
    with pytest.raises(UsageError, match="no feature 'tips' in the statistics of serving batch"):
        refuse_unknown_features(found, fx.serving_requests(), batch="s1", role="serving")


def test_the_example_config_rules_parse_and_hold_on_the_fixture_batch():
    from pathlib import Path

    from dataguard.config import load_settings

    example = Path(__file__).resolve().parents[2] / "dataguard.example.toml"
    document = load_settings(config_path=str(example), env={}).document
    taxi = parse_rules(document, "taxi")
    assert [r.name for r in taxi] == ["enough examples", "few zero fares", "company mostly known",
                                      "cash trips stay cheap"]
    assert [r.name for r in parse_rules(document, "penguin")] == ["enough examples"]
    found, measured = evaluate(taxi, batch())  # 100 examples, 27% zero fares, 10% no company
    # the fixture batch is not sliced: the slice's rule has nothing to measure, so it fails
    assert [a.short_description for a in found] == ["few zero fares", "cash trips stay cheap"]
    assert len(measured) == 4


def test_applying_the_policy_again_keeps_each_rule_metric_paired_with_its_own_rule():
    tables = (rule("hard", feature="fare", stat="mean", op="<", value=5),
              rule("soft", feature="fare", stat="max", op="<", value=5, severity="warning"))
    found, measured = evaluate(rules(*tables), batch())
    assert [m.outcome for m in measured] == [Outcome.FAIL, Outcome.WARN]
    judged, again, verdict = Policy().apply(found, measured)
    assert [m.outcome for m in again] == [Outcome.FAIL, Outcome.WARN]
    assert [a.outcome for a in judged] == [Outcome.FAIL, Outcome.WARN]
