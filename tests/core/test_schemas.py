"""core.schemas and core.schema_diff on the text-proto schema: from inferred to checked, and
what changed between two versions."""

from __future__ import annotations

from dataguard.core import schemas as sch
from dataguard.core.models import Verdict
from dataguard.core.schema_diff import diff_schemas
from dataguard.core.validate import infer, validate
from tests.core import fixtures as fx
from tests.core.fixtures import findings, only


def test_a_schema_inferred_from_day1_with_default_thresholds_catches_day2(day1, day2,
                                                                           serving) -> None:
    schema = sch.apply_comparators(infer(day1), sch.ComparatorConfig(), label="tips")
    assert validate(day1, schema, baseline=day1).verdict == Verdict.PASS
    result = validate(day2, schema, baseline=day1, serving=serving)
    assert findings(result.anomalies) == {
        ("schema", "payment_type", "ENUM_TYPE_UNEXPECTED_STRING_VALUES"),  # Mobile is new
        ("drift", "payment_type", "COMPARATOR_L_INFTY_HIGH"),  # 0.2 > 0.01
        ("drift", "fare", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"),  # 0.101 > 0.1
        ("skew", "payment_type", "COMPARATOR_L_INFTY_HIGH"),
    }
    assert only(result.metrics, feature="fare", comparison="drift").threshold == 0.1
    assert "tips" not in {m.feature for m in result.metrics if m.comparison == "skew"}
    ratio = only(result.metrics, method="num_examples")
    assert (ratio.value, ratio.exceeded) == (1.0, False)


def test_the_diff_of_a_schema_with_itself_is_empty(schema) -> None:
    diff = diff_schemas(schema, fx.schema(), "v3", "v3")
    assert diff.empty and diff.to_text() == "schema v3 → v3: no changes"


def test_the_diff_speaks_in_features_values_and_thresholds(schema) -> None:
    edited = fx.schema(
        fx.SCHEMA.replace('value: "Mobile"', 'value: "Mobile" value: "Dispute"')
        .replace("jensen_shannon_divergence { threshold: 0.05 } }\n  skew",
                 "jensen_shannon_divergence { threshold: 0.2 } }\n  skew", 1)
        .replace('feature { name: "company"  type: BYTES  presence { min_count: 1 } }',
                 'feature { name: "pickup_area"  type: INT }')
    )
    diff = diff_schemas(schema, edited, "v3", "v4")
    assert (diff.added, diff.removed) == (("pickup_area",), ("company",))
    assert {(c.feature, c.aspect): (c.before, c.after) for c in diff.changes} == {
        ("payment_type", "domain"): ("3 values", "4 values (+'Dispute')"),
        ("fare", "drift"): ("jensen_shannon 0.05", "jensen_shannon 0.2"),
    }
    text = diff.to_text()
    assert "  ~ fare  drift: jensen_shannon 0.05 → jensen_shannon 0.2" in text
    assert "  - company  (removed feature)" in text
