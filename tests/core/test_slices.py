"""Slices in the core: reading them (one helper for the whole batch), their config, merging them
for a window baseline, and judging each slice against the same slice of the baseline."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from dataguard.core import slices as sl
from dataguard.core.merge_stats import merge_statistics, window_statistics
from dataguard.core.models import AnomalyKind, Comparison
from dataguard.core.policy import Policy
from dataguard.core.rules import evaluate, parse_rules
from dataguard.core.slice_checks import SLICE_GONE, SLICE_NEW, check_slices
from dataguard.core.stats_view import dataset_stats
from dataguard.errors import UsageError


def _sliced(path: Path, *columns: str) -> Any:
    from dataguard.io.sources import resolve_inputs
    from dataguard.stats.local import compute_statistics

    return compute_statistics(resolve_inputs([str(path)]), slicing=sl.SliceConfig(columns))


@pytest.fixture(scope="module")
def day1(shared_data: Path) -> Any:
    return _sliced(shared_data / "taxi" / "train.csv", "payment_type")


@pytest.fixture(scope="module")
def day2(shared_data: Path) -> Any:
    return _sliced(shared_data / "taxi" / "batch_a.csv", "payment_type")


def test_the_whole_batch_is_all_examples_sliced_or_not(day1: Any) -> None:
    assert sl.whole(day1).name == sl.DEFAULT_SLICE and sl.whole(day1).num_examples == 15_002
    unsliced = sl.as_list(sl.whole(day1))
    unsliced.datasets[0].name = ""
    assert sl.whole(unsliced).num_examples == 15_002 and sl.slice_names(unsliced) == ()
    assert "payment_type_Cash" in sl.slice_names(day1)
    assert sl.slice_stats(day1, None) is sl.whole(day1)
    assert sl.slice_stats(day1, "payment_type_Bitcoin") is None
    assert dataset_stats(day1).num_examples == 15_002  # every reader goes through whole()
    assert dataset_stats(day1, "payment_type_Cash").num_examples == 9909


def test_slice_names_are_tfdvs_and_belong_to_the_longest_column() -> None:
    assert sl.slice_name("payment_type", b"Credit Card") == "payment_type_Credit Card"
    assert sl.slice_name("trip_start_hour", 5) == "trip_start_hour_5"
    assert sl.column_of("payment_type_Cash", ["payment", "payment_type"]) == "payment_type"
    assert sl.column_of("company_X", ["payment_type"]) is None


@pytest.mark.parametrize(("table", "message"), [
    ({"slice_by": 3}, "slice_by: must be a column name or a list"),
    ({"slice_by": ["a", ""]}, "slice_by: must be a column name or a list"),
    ({"max_slices": 0}, "max_slices: must be a whole number"),
    ({"max_slices": -5}, "max_slices: must be a whole number"),
    ({"max_slices": float("nan")}, "max_slices: must be a whole number"),
    ({"max_slices": 2.5}, "max_slices: must be a whole number"),
    ({"max_slices": True}, "max_slices: must be a whole number"),
])
def test_bad_slice_config_is_one_line_naming_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        sl.SliceConfig.from_config({"datasets": {"taxi": table}}, "taxi")
    assert "\n" not in str(caught.value) and "[datasets.taxi]" in str(caught.value)


def test_the_flag_beats_the_config_and_a_string_is_one_column() -> None:
    document = {"datasets": {"taxi": {"slice_by": "payment_type", "max_slices": 20}}}
    assert sl.SliceConfig.from_config(document, "taxi") == sl.SliceConfig(("payment_type",), 20)
    flagged = sl.SliceConfig.from_config(document, "taxi", ["company", "company"])
    assert flagged.columns == ("company",) and flagged.max_slices == 20
    assert not sl.SliceConfig.from_config({}, "taxi")
    with pytest.raises(UsageError, match="slice column 'paymnt_type' is not in the schema; "
                                         "did you mean 'payment_type'"):
        sl.SliceConfig(("paymnt_type",)).refuse_unknown(["payment_type", "fare"], "the schema")


def test_a_window_merges_each_slice_over_the_batches_that_have_it(day1: Any, day2: Any) -> None:
    merged = merge_statistics([day1, day2])
    assert sl.whole(merged).num_examples == 25_002
    cash = sum(sl.slice_stats(s, "payment_type_Cash").num_examples for s in (day1, day2))
    assert sl.slice_stats(merged, "payment_type_Cash").num_examples == cash
    only_day1 = set(sl.slice_names(day1)) - set(sl.slice_names(day2))
    for name in only_day1:  # a slice one batch lacks: that batch had 0 examples of it
        assert sl.slice_stats(merged, name).num_examples == sl.slice_stats(day1, name).num_examples
    window = window_statistics([day1, day2])
    assert sl.slice_stats(window, "payment_type_Cash").num_examples == round(cash / 2)


def test_each_slice_is_checked_against_the_same_slice_of_the_baseline(
    day1: Any, day2: Any, taxi_schema: Any
) -> None:
    anomalies, metrics = check_slices(day2, taxi_schema, baseline=day1, policy=Policy(),
                                      min_examples={"drift": 30, "skew": 30})
    cash = [m for m in metrics if m.slice == "payment_type_Cash"]
    assert {m.comparison for m in cash} == {Comparison.DRIFT}
    assert any(m.feature == "fare" for m in cash) and any(m.method == "num_examples"
                                                          for m in cash)
    assert all(a.slice is not None for a in anomalies)
    assert {a.kind for a in anomalies} <= {AnomalyKind.DRIFT}  # no schema findings per slice
    assert not [a for a in anomalies if a.type in (SLICE_NEW, SLICE_GONE)]  # same payment types


def test_a_new_or_gone_slice_is_a_warning_of_its_own(day1: Any, day2: Any,
                                                     taxi_schema: Any) -> None:
    changed = type(day2)()
    changed.CopyFrom(day2)
    kept = [d for d in changed.datasets if d.name != "payment_type_Dispute"]  # gone
    del changed.datasets[:]
    changed.datasets.extend(kept)
    sl.slice_stats(changed, "payment_type_Pcard").name = "payment_type_Mobile"  # new (and gone)
    anomalies, _ = check_slices(changed, taxi_schema, baseline=day1)
    found = {(a.type, a.slice) for a in anomalies if a.type in (SLICE_NEW, SLICE_GONE)}
    assert found == {(SLICE_NEW, "payment_type_Mobile"), (SLICE_GONE, "payment_type_Dispute"),
                     (SLICE_GONE, "payment_type_Pcard")}
    assert all(a.severity == "warning" and a.kind == AnomalyKind.DRIFT for a in anomalies
               if a.type in (SLICE_NEW, SLICE_GONE))
    new = next(a for a in anomalies if a.type == SLICE_NEW)
    assert Policy().outcome(new).value == "warn"
    quiet = Policy.from_config({"policy": {"ignore_types": ["SLICE_NEW", "SLICE_GONE"]}})
    assert quiet.outcome(new).value == "ignored"


def test_a_small_slice_is_not_measurable_and_its_size_not_judged(day1: Any, day2: Any,
                                                                 taxi_schema: Any) -> None:
    anomalies, metrics = check_slices(day2, taxi_schema, baseline=day1,
                                      min_examples={"drift": 30, "skew": 30})
    small = [n for n in sl.slice_names(day2) if n in sl.slice_names(day1)
             and min(sl.slice_stats(day2, n).num_examples, sl.slice_stats(day1, n).num_examples)
             < 30]
    assert small
    for name in small:
        mine = [a for a in anomalies if a.slice == name]
        assert [a.type for a in mine] == ["COMPARISON_NOT_MEASURABLE"]
        assert not [m for m in metrics if m.slice == name]


def test_only_the_slices_of_the_columns_asked_for(day1: Any, taxi_schema: Any) -> None:
    anomalies, metrics = check_slices(day1, taxi_schema, baseline=day1, columns=["company"])
    assert anomalies == [] and metrics == []
    _, metrics = check_slices(day1, taxi_schema, baseline=day1, columns=["payment_type"])
    assert {m.slice for m in metrics} and all(m.value == 0 or math.isnan(m.value) or
                                              m.method == "num_examples" for m in metrics)


def test_a_custom_rule_can_read_one_slice(day1: Any) -> None:
    document = {"rules": [
        {"name": "cash trips", "stat": "num_examples", "op": ">", "value": 10_000,
         "slice": "payment_type_Cash"},
        {"name": "all trips", "stat": "num_examples", "op": ">", "value": 10_000},
        {"name": "bitcoin fares", "feature": "fare", "stat": "mean", "op": ">", "value": 0,
         "slice": "payment_type_Bitcoin"},
    ]}
    anomalies, metrics = evaluate(parse_rules(document, "taxi"), day1)
    by_rule = {m.slice: m for m in metrics}
    assert by_rule["payment_type_Cash"].value == 9909 and by_rule[None].value == 15_002
    assert math.isnan(by_rule["payment_type_Bitcoin"].value)  # no such slice: never holds
    assert {(a.short_description, a.slice) for a in anomalies} == {
        ("cash trips", "payment_type_Cash"), ("bitcoin fares", "payment_type_Bitcoin")}
    assert "slice payment_type_Cash: num_examples is 9909" in anomalies[0].description
    with pytest.raises(UsageError, match="'slice' must be a slice name"):
        parse_rules({"rules": [{"name": "x", "stat": "num_examples", "op": ">", "value": 1,
                                "slice": ""}]}, "taxi")
