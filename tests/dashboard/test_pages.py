"""Every page of the dashboard, driven by AppTest against a store the real pipeline filled."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, DAY1, DAY2, FilledStore
from tests.dashboard.light import assert_pages_stay_light

PACKAGE_APP = APP.parent


def open_page(page: str | None = None, timeout: float = 60, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if page:
        at.switch_page(f"views/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts: list[object] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success", "code"):
        parts += [element.value for element in getattr(at, kind)]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_an_empty_store_shows_how_to_start_instead_of_an_error(
    empty_env: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for page in (None, "dataset", "batch", "feature", "schemas", "hooks"):
        at = open_page(page)
        assert "dataguard demo" in texts(at), page
        assert not at.error
    from dataguard.store import open_store

    migrated = f"sqlite:///{workdir / 'migrated.db'}"  # a store with tables and no rows
    open_store(migrated).dispose()
    monkeypatch.setenv("DATAGUARD_STORE_URL", migrated)
    assert "dataguard demo" in texts(open_page())


def test_overview_lists_every_dataset_with_latest_batch_verdict_and_anomalies(
    dashboard_env: FilledStore,
) -> None:
    at = open_page()
    table = frame_with(at, "recent verdicts")
    rows = table.set_index("dataset")
    assert set(rows.index) == {"taxi", "penguin"}
    assert rows.loc["taxi", "batch"] == DAY2
    assert "fail" in rows.loc["taxi", "status"]
    assert rows.loc["taxi", "anomalies"] > 0
    assert table["dataset"].iloc[0] == "taxi", "failing datasets come first"
    assert "datasets=2" in texts(at)
    links = [link.proto for link in at.get("page_link")]
    assert any("taxi" in link.label and link.page == "dataset" for link in links)
    assert charts(at), "the recent-verdicts grid"


def test_a_dataset_without_a_recent_batch_stands_out_as_stale(
    dashboard_env: FilledStore, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = workdir / "stale.toml"
    config.write_text("[dashboard]\nstale_after_hours = 48\n"
                      "[datasets.penguin]\nstale_after_hours = 0\n")
    monkeypatch.setenv("DATAGUARD_CONFIG", str(config))
    at = open_page()
    assert "Stale" in texts(at) and "`penguin`" in texts(at) and "`taxi`" not in texts(at)
    rows = frame_with(at, "stale").set_index("dataset")
    assert bool(rows.loc["penguin", "stale"]) and not bool(rows.loc["taxi", "stale"])


def test_dataset_page_draws_drift_against_thresholds_with_exceeded_features_first(
    dashboard_env: FilledStore,
) -> None:
    at = open_page("dataset", dataset="taxi")
    assert "Dataset taxi" in texts(at)
    order = frame_with(at, "worst")
    exceeded = order["exceeded"].tolist()
    assert exceeded == sorted(exceeded, reverse=True) and exceeded[0] > 0
    assert "payment_type" in set(order.loc[order["exceeded"] > 0, "feature"])
    specs = json.dumps(charts(at))
    assert '"threshold"' in specs and '"strokeDash"' in specs, "threshold drawn dashed"
    assert '"num_examples"' in specs, "row counts over time"


def test_dataset_page_shows_skew_when_asked_in_the_url(dashboard_env: FilledStore) -> None:
    at = open_page("dataset", dataset="taxi", comparison="skew")
    assert "Skew per feature" in texts(at)
    assert len(frame_with(at, "worst")) > 5
    at = open_page("dataset", dataset="penguin", comparison="skew")
    assert "No skew measurements yet" in texts(at)


def test_batch_page_from_an_alert_link_shows_anomalies_schema_and_baseline(
    dashboard_env: FilledStore,
) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2)
    text = texts(at)
    assert f"taxi · batch {DAY2}" in text
    assert "schema version=v1" in text and f"baseline={DAY1}" in text
    assert f"serving batch={DAY2}" in text
    anomalies = frame_with(at, "severity")
    assert {"trip_seconds", "pickup_census_tract", "payment_type"} <= set(anomalies["feature"])
    drift = anomalies[(anomalies["feature"] == "payment_type") & (anomalies["kind"] == "drift")]
    assert drift["value"].iloc[0] == pytest.approx(0.0131775, abs=1e-6)
    assert drift["threshold"].iloc[0] > 0


def test_batch_page_puts_the_features_that_changed_most_first(dashboard_env: FilledStore) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2)
    table = frame_with(at, "change")
    assert set(table["side"]) == {f"{DAY2} (this batch)", f"{DAY1} (baseline)"}
    scores = table["change"].tolist()
    assert scores == sorted(scores, reverse=True)
    first = table.drop_duplicates("feature")
    assert first["status"].iloc[0] in {"type changed", "removed", "added"}
    assert {"trip_seconds", "dropoff_census_tract"} <= set(table.loc[
        table["status"] == "type changed", "feature"])
    assert first.loc[first["feature"] == "payment_type", "change"].iloc[0] == pytest.approx(
        0.0132, abs=1e-4), "the L-infinity distance TFDV measured"
    for column in ("count", "missing", "mean", "std", "min", "median", "max", "unique"):
        assert column in table.columns


def test_batch_page_overlays_numeric_histograms_and_top_values(
    dashboard_env: FilledStore,
) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2, feature="fare")
    specs = charts(at)
    marks = [json.dumps(s) for s in specs]
    assert any('"quantile"' in m for m in marks), "quantile curves"
    assert any('"low"' in m and '"share"' in m for m in marks), "histogram buckets"
    at = open_page("batch", dataset="taxi", batch=DAY2, feature="payment_type")
    overlaid = [s for s in charts(at) if "yOffset" in json.dumps(s)]
    assert overlaid, "top values of both batches side by side"


def test_batch_page_compares_with_the_serving_batch(dashboard_env: FilledStore) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2, against="serving")
    table = frame_with(at, "change")
    assert f"{DAY2} (serving)" in set(table["side"])
    removed = table[(table["feature"] == "tips")]
    assert set(removed["status"]) == {"added"}, "the label is absent from serving data"


def test_a_batch_not_checked_yet_still_shows_its_statistics(dashboard_env: FilledStore) -> None:
    at = open_page("batch", dataset="penguin", batch=DAY1)
    assert "has not been checked yet" in texts(at)
    summary = frame_with(at, "median")
    assert "culmen_length_mm" in set(summary["feature"])


def test_feature_page_draws_each_profile_series_of_the_real_pipeline(
    dashboard_env: FilledStore,
) -> None:
    at = open_page("feature", dataset="taxi", feature="fare")
    bands = [c for c in charts(at) if "outside the band" in json.dumps(c)]
    titles = {m.value for m in at.markdown}
    assert {"**num_examples (dataset)**", "**mean**", "**std**", "**missing share**"} <= titles
    assert "**unique**" not in titles  # a numeric feature
    assert len(bands) >= 4  # two batches: values, no band yet (fewer than 10 before them)
    assert "no profile yet" not in texts(at)
    categorical = open_page("feature", dataset="taxi", feature="payment_type")
    assert "**unique**" in [m.value for m in categorical.markdown]


def test_schemas_page_lists_versions_and_diffs_them_in_features(
    dashboard_env: FilledStore,
) -> None:
    at = open_page("schemas", dataset="taxi")
    versions = frame_with(at, "version")
    assert versions["version"].tolist() == [2, 1]
    assert versions["message"].tolist()[0] == "curated"
    diff = frame_with(at, "aspect")
    assert len(diff) > 0 and {"feature", "before", "after"} <= set(diff.columns)
    at = open_page("schemas", dataset="taxi", **{"from": "2", "to": "2"})
    assert any("feature {" in c.value for c in at.code)


def test_hooks_page_shows_recent_deliveries_and_failures(dashboard_env: FilledStore) -> None:
    at = open_page("hooks")
    failures = frame_with(at, "last_error")
    assert "broken-pager" in set(failures["hook"])
    everything = [d.value for d in at.dataframe][-1]
    assert {"retrain", "broken-pager"} <= set(everything["hook"])
    assert "failed=" in texts(at)
    at = open_page("hooks", dataset="penguin")
    assert set([d.value for d in at.dataframe][-1]["dataset"]) == {"penguin"}


def test_dashboards_app_py_is_the_same_app_for_streamlit_run(dashboard_env: FilledStore) -> None:
    at = AppTest.from_file(str(APP.parents[2] / "dashboards" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert {"taxi", "penguin"} == set(frame_with(at, "recent verdicts")["dataset"])


@pytest.mark.slow
def test_pages_load_neither_tensorflow_nor_beam(dashboard_env: FilledStore) -> None:
    assert_pages_stay_light([
        (None, {}), ("dataset", {"dataset": "taxi"}),
        ("batch", {"dataset": "taxi", "batch": DAY2, "feature": "fare"}),
        ("batch", {"dataset": "taxi", "batch": DAY2, "against": "serving"}),
        ("schemas", {"dataset": "taxi"}), ("hooks", {}),
        ("feature", {"dataset": "taxi", "feature": "fare"}),
    ])


def test_no_page_renders_html_from_the_data() -> None:
    """Feature names, values and descriptions are data: never passed through raw HTML."""
    for path in PACKAGE_APP.rglob("*.py"):
        source = path.read_text()
        for risky in ("unsafe_allow_html", "st.html", "components.html", "components.v1"):
            assert risky not in source, f"{path.name} uses {risky}"


def test_a_store_that_cannot_be_read_is_reported_on_the_page(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "broken.db").write_text("this is not a database")
    monkeypatch.setenv("DATAGUARD_STORE_URL", f"sqlite:///{workdir / 'broken.db'}")
    at = open_page()
    assert at.error and "Cannot" in at.error[0].value and "broken.db" in at.error[0].value
