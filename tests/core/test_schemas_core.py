"""core.schemas: text protos, comparators from config, environments, feature-level diffs."""

from __future__ import annotations

import pytest
from tensorflow_metadata.proto.v0 import schema_pb2

from dataguard.core import schemas as sch
from dataguard.core.schema_diff import diff_schemas
from dataguard.errors import UsageError

INFERRED = """
feature { name: "payment_type" type: BYTES domain: "payment_type" presence { min_count: 1 } }
feature { name: "pickup_area" type: INT int_domain { is_categorical: true } }
feature { name: "fare" type: FLOAT presence { min_fraction: 1.0 min_count: 1 } }
feature { name: "trip_seconds" type: INT }
feature { name: "tips" type: FLOAT }
string_domain { name: "payment_type" value: "Cash" value: "Credit Card" }
"""


def inferred() -> schema_pb2.Schema:
    return sch.parse_schema(INFERRED, "inline")


def feature(schema: schema_pb2.Schema, name: str) -> schema_pb2.Feature:
    return next(f for f in schema.feature if f.name == name)


def test_every_feature_gets_drift_and_skew_comparators_by_kind() -> None:
    schema = sch.apply_comparators(inferred(), sch.ComparatorConfig())
    for name in ("payment_type", "pickup_area"):
        for comparison in ("drift", "skew"):
            assert sch.comparators(feature(schema, name), comparison) == {"l_infinity": 0.01}
    for name in ("fare", "trip_seconds", "tips"):
        for comparison in ("drift", "skew"):
            assert sch.comparators(feature(schema, name), comparison) == {"jensen_shannon": 0.1}
    drift = schema.dataset_constraints.num_examples_drift_comparator
    assert (drift.min_fraction_threshold, drift.max_fraction_threshold) == (0.5, 2.0)
    assert list(schema.default_environment) == ["TRAINING", "SERVING"]


def test_the_label_is_training_only_and_not_compared_for_skew() -> None:
    schema = sch.apply_comparators(inferred(), sch.ComparatorConfig(), label="tips")
    tips = feature(schema, "tips")
    assert list(tips.not_in_environment) == ["SERVING"]
    assert not sch.in_environment(tips, "SERVING") and sch.in_environment(tips, "TRAINING")
    assert sch.comparators(tips, "skew") == {}
    assert sch.comparators(tips, "drift") == {"jensen_shannon": 0.1}


def test_thresholds_resolve_from_most_specific_config() -> None:
    document = {
        "thresholds": {"l_infinity": 0.02, "jensen_shannon": 0.3, "skew": {"jensen_shannon": 0.4},
                       "num_examples_min_fraction": 0.8},
        "datasets": {"taxi": {
            "label": "tips",
            "serving_absent": ["trip_seconds"],
            "thresholds": {"l_infinity": 0.03},
            "features": {"payment_type": {"drift": {"l_infinity": 0.05}},
                         "fare": {"method": "l_infinity", "l_infinity": 0.07}},
        }},
    }
    config = sch.ComparatorConfig.from_config(document, "taxi")
    schema = sch.apply_comparators(inferred(), config)
    assert sch.comparators(feature(schema, "payment_type"), "drift") == {"l_infinity": 0.05}
    assert sch.comparators(feature(schema, "payment_type"), "skew") == {"l_infinity": 0.03}
    assert sch.comparators(feature(schema, "pickup_area"), "drift") == {"l_infinity": 0.03}
    assert sch.comparators(feature(schema, "fare"), "skew") == {"l_infinity": 0.07}
    assert sch.comparators(feature(schema, "tips"), "drift") == {"jensen_shannon": 0.3}
    assert sch.comparators(feature(schema, "tips"), "skew") == {}  # label from config
    assert sch.comparators(feature(schema, "trip_seconds"), "skew") == {}
    assert schema.dataset_constraints.num_examples_drift_comparator.min_fraction_threshold == 0.8
    other = sch.apply_comparators(inferred(), sch.ComparatorConfig.from_config(document, "x"))
    assert sch.comparators(feature(other, "fare"), "skew") == {"jensen_shannon": 0.4}


def test_a_feature_can_go_without_drift_or_skew_comparator() -> None:
    document = {"datasets": {"d": {"features": {"trip_seconds": {"drift": False},
                                                "fare": {"skew": False}}}}}
    schema = sch.apply_comparators(inferred(), sch.ComparatorConfig.from_config(document, "d"))
    assert sch.comparators(feature(schema, "trip_seconds"), "drift") == {}
    assert sch.comparators(feature(schema, "trip_seconds"), "skew") == {"jensen_shannon": 0.1}
    assert sch.comparators(feature(schema, "fare"), "skew") == {}
    assert sch.comparators(feature(schema, "fare"), "drift") == {"jensen_shannon": 0.1}


@pytest.mark.parametrize("document, words", [
    ({"thresholds": {"l_infinty": 0.1}}, "unknown key 'l_infinty'"),
    ({"thresholds": {"l_infinity": "high"}}, "must be a non-negative number"),
    ({"datasets": {"d": {"features": {"fare": {"method": "chi2"}}}}}, "method"),
    ({"datasets": {"d": {"features": {"fair": {"l_infinity": 0.1}}}}}, "no feature 'fair'"),
    ({"thresholds": {"drift": False}}, r"\[thresholds\] drift: must be a table$"),
    ({"datasets": {"d": {"features": {"fare": {"drift": 1}}}}}, "must be a table or false"),
])
def test_bad_threshold_config_is_a_usage_error(document, words) -> None:
    with pytest.raises(UsageError, match=words):
        config = sch.ComparatorConfig.from_config(document, "d")
        sch.apply_comparators(inferred(), config)


def test_a_label_that_is_not_a_feature_is_refused() -> None:
    with pytest.raises(UsageError, match="'tip' is not in the batch's statistics"):
        sch.apply_comparators(inferred(), sch.ComparatorConfig(), label="tip")


def test_a_schema_that_does_not_parse_names_the_file() -> None:
    with pytest.raises(UsageError, match=r"^edited.pbtxt: not a TFDV schema text proto"):
        sch.parse_schema("feature { nme: 'x' }", "edited.pbtxt")


def test_text_round_trip() -> None:
    schema = sch.apply_comparators(inferred(), sch.ComparatorConfig(), label="tips")
    assert sch.parse_schema(sch.schema_text(schema), "x") == schema


def test_diff_speaks_in_features() -> None:
    a = sch.apply_comparators(inferred(), sch.ComparatorConfig(), label="tips")
    b = schema_pb2.Schema()
    b.CopyFrom(a)
    kept = [f for f in b.feature if f.name != "trip_seconds"]
    del b.feature[:]
    b.feature.extend(kept)
    b.feature.add(name="company", type=schema_pb2.BYTES)
    feature(b, "fare").type = schema_pb2.INT
    feature(b, "fare").presence.min_fraction = 0.5
    feature(b, "payment_type").drift_comparator.infinity_norm.threshold = 0.05
    feature(b, "tips").ClearField("not_in_environment")
    b.string_domain[0].value.remove("Cash")
    b.string_domain[0].value.append("Dispute")
    b.dataset_constraints.num_examples_drift_comparator.min_fraction_threshold = 0.9
    diff = diff_schemas(a, b, "v1", "v2")
    assert diff.added == ("company",) and diff.removed == ("trip_seconds",)
    aspects = {(c.feature, c.aspect): (c.before, c.after) for c in diff.changes}
    assert aspects[("fare", "type")] == ("FLOAT", "INT")
    assert aspects[("fare", "presence")] == ("min_fraction: 1.0 min_count: 1",
                                             "min_fraction: 0.5 min_count: 1")
    assert aspects[("payment_type", "drift")] == ("l_infinity 0.01", "l_infinity 0.05")
    assert aspects[("payment_type", "domain")] == ("2 values", "2 values (+'Dispute', -'Cash')")
    assert aspects[("tips", "environments")] == ("not in SERVING", "all")
    assert ("", "constraints") in aspects
    text = diff.to_text()
    assert text.splitlines()[0] == "schema v1 → v2"
    assert "  + company  (added feature)" in text
    assert "  ~ fare  type: FLOAT → INT" in text
    assert diff_schemas(a, a, "v1", "v1").to_text() == "schema v1 → v1: no changes"
