"""The dataset page's trends chart (issue 13): a stored series by batch in the rolling control band
``core.trends`` gives each point, the points a check would flag marked."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dataguard.core.models import CheckResult, Metric, Verdict
from dataguard.core.trends import MIN_HISTORY, control_limits, drift_key, judge
from dataguard.dashboard_app import trendline
from dataguard.store import open_store
from tests.dashboard.conftest import APP
from tests.dashboard.light import assert_pages_stay_light
from tests.store.builders import T0, make_batch

NAMES = [f"2026-01-{day:02d}" for day in range(1, 21)]
DRIFT_SPIKE, ROWS_SPIKE = "2026-01-16", "2026-01-18"


def _drift(i: int, name: str) -> float:
    return 0.5 if name == DRIFT_SPIKE else 0.02 + 0.001 * (i % 4)


def _rows(i: int, name: str) -> int:
    return 30_000 if name == ROWS_SPIKE else 10_000 + 10 * (i % 5)


@pytest.fixture
def trend_env(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """20 daily batches of taxi, each checked for drift against the one before; fare's
    jensen_shannon jumps on DRIFT_SPIKE, the row count on ROWS_SPIKE."""
    url = f"sqlite:///{workdir / 'trends.db'}"
    store = open_store(url)
    with store.transaction() as tx:
        for i, name in enumerate(NAMES):
            tx.add_batch(make_batch(name, num_examples=_rows(i, name),
                                    created_at=T0 + timedelta(days=i)))
        for i, name in enumerate(NAMES[1:], start=1):
            value = _drift(i, name)
            tx.add_check(CheckResult(
                dataset="taxi", batch=name, verdict=Verdict.PASS, schema_version=1,
                baseline_batch=NAMES[i - 1], serving_batch=None, num_examples=_rows(i, name),
                metrics=(Metric("fare", "drift", "jensen_shannon", value, 0.9, False),
                         Metric("fare", "drift", "psi", value * 2, None, False)),
                created_at=T0 + timedelta(days=i, minutes=5)))
    store.dispose()
    config = workdir / "dataguard.toml"
    config.write_text("[datasets.taxi]\ntrend_window = 12\n")
    monkeypatch.setenv("DATAGUARD_STORE_URL", url)
    monkeypatch.setenv("DATAGUARD_CONFIG", str(config))
    return url


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/dataset.py")
    for key, value in {"dataset": "taxi", **params}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _band_chart(at: AppTest) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    found = [s for s in specs if "outside the band" in json.dumps(s)]
    assert len(found) == 1, "no trends chart on the page"
    return found[0]


def _out_table(at: AppTest) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if "history" in d.value.columns]
    assert found, "no table of the points outside the band"
    return found[0]


def test_a_drift_series_is_drawn_in_its_band_with_the_known_spike_marked(trend_env: str) -> None:
    at = _open(trend_feature="fare", series="jensen_shannon")
    spec = _band_chart(at)
    assert {"low", "high", "center", "value"} <= {
        layer["encoding"].get("y", {}).get("field") for layer in spec["layer"]
    } | {layer["encoding"].get("y2", {}).get("field") for layer in spec["layer"]}
    out = _out_table(at)
    assert list(out["batch"]) == [DRIFT_SPIKE]
    assert out["value"].iloc[0] == pytest.approx(0.5)
    assert out["history"].iloc[0] == 12  # trend_window of the config
    caption = "\n".join(c.value for c in at.caption)
    assert "1 of 19 points above it" in caption


def test_the_series_picker_offers_every_stored_method_of_the_feature(trend_env: str) -> None:
    at = _open(trend_feature="fare", series="psi")
    series = next(s for s in at.selectbox if s.label == "Series")
    assert list(series.options) == ["jensen_shannon", "psi"]
    assert list(_out_table(at)["batch"]) == [DRIFT_SPIKE]


def test_the_row_count_of_the_batches_is_a_series_too(trend_env: str) -> None:
    at = _open(trend_feature="(dataset)")
    _band_chart(at)
    assert list(_out_table(at)["batch"]) == [ROWS_SPIKE]


def test_every_band_is_what_core_trends_computes_from_the_points_before_it() -> None:
    values = [_drift(i, n) for i, n in enumerate(NAMES)]
    series = pd.DataFrame({"batch": NAMES[::-1], "value": values[::-1]})  # any order in
    key = drift_key("fare", "jensen_shannon")
    band = trendline.with_band(trendline._by_name(series), NAMES, key, window=12)
    assert list(band["batch"]) == NAMES
    for i, row in band.iterrows():
        past = values[max(0, i - 12):i]
        limits = control_limits(past)
        if i < MIN_HISTORY:
            assert limits is None and pd.isna(row["low"]) and not row["out"]
            continue
        assert limits is not None
        assert (row["low"], row["high"], row["center"]) == (limits.low, limits.high,
                                                             limits.center)
        assert row["out"] == bool(judge({key: values[i]}, [{key: v} for v in past]))
    assert list(band.loc[band["out"], "batch"]) == [DRIFT_SPIKE]


def test_the_window_counts_training_batches_even_those_without_a_value() -> None:
    names = [f"b{i:02d}" for i in range(25)]
    series = pd.DataFrame({"batch": names[5:], "value": [1.0] * 20})  # b00..b04 unchecked
    band = trendline.with_band(series, names, ("", "num_examples"), window=12)
    first = band.set_index("batch")
    assert pd.isna(first.loc["b14", "low"])  # 12 batches before it, only 9 values
    assert first.loc["b15", "history"] == 10
    assert first.loc["b24", "history"] == 12


@pytest.mark.slow
def test_a_dashboard_drawing_trends_loads_neither_tensorflow_nor_beam(trend_env: str) -> None:
    assert_pages_stay_light(
        [("dataset", {"dataset": "taxi", "trend_feature": "fare", "series": "psi"}),
         ("dataset", {"dataset": "taxi", "trend_feature": "(dataset)"})],
        after_each='assert any("outside the band" in c.proto.spec '
                   'for c in at.get("vega_lite_chart"))',
    )


def test_batches_of_another_role_are_not_part_of_the_row_count_series() -> None:
    batches = pd.DataFrame({"name": ["a", "b", "a"], "role": ["training", "training", "serving"],
                            "num_examples": [1, 2, 99]})
    assert list(trendline.batch_series(batches)["value"]) == [1, 2]


def test_a_bad_trend_window_is_shown_and_the_default_window_used(
    trend_env: str, workdir: Path
) -> None:
    (workdir / "dataguard.toml").write_text("[datasets.taxi]\ntrend_window = 3\n")
    at = _open(trend_feature="fare", series="jensen_shannon")
    assert any("trend_window" in w.value for w in at.warning)
    assert "the last 30 training batches" in "\n".join(c.value for c in at.caption)
    assert list(_out_table(at)["batch"]) == [DRIFT_SPIKE]  # 15 values before it, window 30
