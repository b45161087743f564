"""10 serving rows (penguin ``serving_unlabelled.csv``) against 334 training rows (issue 14,
item 4): with the default configuration skew is not measured and the check warns; configured
down, it is measured again."""

from __future__ import annotations

import pytest

from dataguard.core.models import Verdict
from dataguard.service.check import check
from dataguard.service.schemas import infer_schema
from tests.service.conftest import with_config

pytestmark = pytest.mark.slow

DAY = "2026-11-24"


@pytest.fixture
def penguin_day(settings, add_batch):  # type: ignore[no-untyped-def]
    s = with_config(settings, datasets={"penguin": {"label": "species"}})
    add_batch(s, "penguin", DAY, "penguin/train.csv")
    add_batch(s, "penguin", DAY, "penguin/serving_unlabelled.csv", role="serving")
    infer_schema("penguin", settings=s)
    return s


def test_ten_serving_rows_warn_that_skew_is_not_measurable(penguin_day) -> None:
    result = check("penguin", DAY, serving=DAY, hooks=False, settings=penguin_day)
    assert result.verdict == Verdict.WARN
    skew = [a for a in result.anomalies if a.kind == "skew"]
    assert [(a.feature, a.type, a.severity) for a in skew] == [
        ("", "COMPARISON_NOT_MEASURABLE", "warning")]
    assert "334 examples" in skew[0].description
    assert "serving batch 10" in skew[0].description and "at least 30" in skew[0].description
    assert not [m for m in result.metrics if m.comparison == "skew"]


def test_min_examples_in_config_measures_small_serving_batches(penguin_day) -> None:
    document = {**penguin_day.document, "thresholds": {"skew": {"min_examples": 10}}}
    s = with_config(penguin_day, **document)
    result = check("penguin", DAY, serving=DAY, hooks=False, settings=s)
    assert "COMPARISON_NOT_MEASURABLE" not in {a.type for a in result.anomalies}
    assert {m.feature for m in result.metrics if m.comparison == "skew"} == {
        "culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "body_mass_g"}
