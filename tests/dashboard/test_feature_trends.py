"""The feature page and the dataset page's statistics series (issue 13): each feature's profile
series (mean, std, missing share, unique) by batch in the control band ``core.trends`` gives it,
out-of-control points marked, read from the store's batch profiles only."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dataguard.core.models import Role
from dataguard.core.trends import control_limits
from dataguard.store import open_store
from tests.dashboard.conftest import APP
from tests.dashboard.light import assert_pages_stay_light
from tests.dashboard.test_trends_chart import DRIFT_SPIKE, NAMES, ROWS_SPIKE, trend_env

__all__ = ["trend_env"]  # the fixture: 20 checked batches, window 12

MEAN_SPIKE, MISSING_SPIKE = "2026-01-14", "2026-01-19"
UNPROFILED = NAMES[:2]  # as if recorded before revision 0005


def _mean(i: int, name: str) -> float:
    return 40.0 if name == MEAN_SPIKE else 12.0 + 0.1 * (i % 3)


def _missing(i: int, name: str) -> float:
    return 0.3 if name == MISSING_SPIKE else 0.01


@pytest.fixture
def profile_env(trend_env: str) -> str:
    store = open_store(trend_env)
    with store.transaction() as tx:
        for i, name in enumerate(NAMES):
            if name in UNPROFILED:
                continue
            batch = tx.get_batch("taxi", name, Role.TRAINING)
            assert batch is not None
            tx.set_profile(batch, {
                ("", "num_examples"): float(batch.num_examples),
                ("fare", "mean"): _mean(i, name), ("fare", "std"): 3.0 + 0.01 * (i % 2),
                ("fare", "missing share"): _missing(i, name),
                ("company", "missing share"): 0.0, ("company", "unique"): 6.0,
            })
    store.dispose()
    return trend_env


def _open(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page(f"views/{page}.py")
    for key, value in {"dataset": "taxi", **params}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _bands(at: AppTest) -> dict[str, dict]:
    """The control-band charts by their y-axis title."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if "outside the band" in json.dumps(spec):
            found[spec["layer"][0]["encoding"]["y"]["title"]] = spec
    return found


def _out(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "history" in d.value.columns)


def test_the_feature_page_draws_every_series_of_the_feature_with_its_spikes_marked(
    profile_env: str,
) -> None:
    at = _open("feature", feature="fare")
    assert set(_bands(at)) == {"num_examples (dataset)", "mean", "std", "missing share",
                               "jensen_shannon drift", "psi drift"}
    out = _out(at)
    found = set(zip(out["series"], out["batch"], strict=True))
    assert found == {("num_examples (dataset)", ROWS_SPIKE), ("mean", MEAN_SPIKE),
                     ("missing share", MISSING_SPIKE), ("jensen_shannon drift", DRIFT_SPIKE),
                     ("psi drift", DRIFT_SPIKE)}
    mean = out[out["series"] == "mean"].iloc[0]
    past = [_mean(i, n) for i, n in enumerate(NAMES)
            if n not in UNPROFILED and n < MEAN_SPIKE][-12:]
    limits = control_limits(past)  # trend_window = 12 of the config, unprofiled batches skipped
    assert limits is not None
    assert (mean["low"], mean["high"], mean["history"]) == (limits.low, limits.high, 11)
    assert "2 of 20 training batches have no profile yet" in "\n".join(i.value for i in at.info)


def test_a_categorical_feature_shows_its_unique_count(profile_env: str) -> None:
    at = _open("feature", feature="company")
    assert set(_bands(at)) == {"num_examples (dataset)", "missing share", "unique"}
    out = _out(at)  # company's series are flat: in control; the dataset's row count is not
    assert set(zip(out["series"], out["batch"], strict=True)) == {
        ("num_examples (dataset)", ROWS_SPIKE)}


def test_the_dataset_page_offers_the_profile_series_next_to_the_drift_methods(
    profile_env: str,
) -> None:
    at = _open("dataset", trend_feature="fare", series="mean")
    series = next(s for s in at.selectbox if s.label == "Series")
    assert list(series.options) == ["mean", "std", "missing share", "jensen_shannon", "psi"]
    assert list(_out(at)["batch"]) == [MEAN_SPIKE]
    assert "1 of 18 points outside it" in "\n".join(c.value for c in at.caption)
    feature = next(s for s in at.selectbox if s.label == "Feature")
    assert list(feature.options) == ["(dataset)", "company", "fare"]


@pytest.mark.slow
def test_the_feature_page_loads_neither_tensorflow_nor_beam(profile_env: str) -> None:
    assert_pages_stay_light(
        [("feature", {"dataset": "taxi", "feature": "fare"}),
         ("dataset", {"dataset": "taxi", "trend_feature": "fare", "series": "std"})],
        after_each='assert any("outside the band" in c.proto.spec '
                   'for c in at.get("vega_lite_chart"))',
    )


def test_the_page_reads_no_artifact(profile_env: str, workdir: Path) -> None:
    """The batches of the fixture point to artifacts that do not exist: the page still draws."""
    assert not any(Path("/artifacts").glob("taxi/**/*.pb"))
    assert _bands(_open("feature", feature="fare"))
