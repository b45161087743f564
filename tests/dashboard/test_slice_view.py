"""The batch page's slice view, on a store where the real pipeline sliced the taxi trips by
payment_type: a table of the slices, then one slice's anomalies, measurements and statistics
side by side with the same slice of the baseline or serving batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, DAY1, DAY2
from tests.dashboard.light import assert_pages_stay_light
from tests.dashboard.test_pages import frame_with, open_page, texts

CASH = "payment_type_Cash"


@pytest.fixture(scope="module")
def sliced_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, str]:
    """taxi day 1 = train.csv, day 2 = batch_a.csv with batch_b.csv as serving, all sliced by
    payment_type (from the config), checked."""
    from dataguard import check, compute_stats, infer_schema
    from dataguard.config import load_settings

    root = tmp_path_factory.mktemp("sliced")
    config = root / "dataguard.toml"
    config.write_text('[datasets.taxi]\nslice_by = "payment_type"\n')
    settings = load_settings(store_url=f"sqlite:///{root / 'dataguard.db'}",
                             artifacts=str(root / "artifacts"), schemas_dir=str(root / "schemas"),
                             config_path=str(config), env={})
    taxi = shared_data / "taxi"
    compute_stats("taxi", DAY1, [str(taxi / "train.csv")], settings=settings)
    infer_schema("taxi", settings=settings)
    compute_stats("taxi", DAY2, [str(taxi / "batch_a.csv")], settings=settings)
    compute_stats("taxi", DAY2, [str(taxi / "batch_b.csv")], role="serving", settings=settings)
    check("taxi", DAY2, serving=DAY2, hooks=False, settings=settings)
    return {"DATAGUARD_STORE_URL": settings.store_url, "DATAGUARD_ARTIFACTS": settings.artifacts,
            "DATAGUARD_SCHEMAS_DIR": settings.schemas_dir, "DATAGUARD_CONFIG": str(config)}


@pytest.fixture
def sliced_env(sliced_store: dict[str, str], workdir: Path,
               monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in sliced_store.items():
        monkeypatch.setenv(key, value)
    return sliced_store


def test_the_batch_page_lists_every_slice_with_its_examples_and_anomalies(
    sliced_env: dict[str, str],
) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2)
    table = frame_with(at, "worst")
    assert CASH in set(table["slice"])
    assert table.loc[table["slice"] == CASH, "examples"].iloc[0] > 5000
    anomalies = frame_with(at, "severity")  # the whole batch's, as before
    assert "payment_type" in set(anomalies["feature"])
    assert [s.label for s in at.selectbox if s.label == "Slice"]


def test_picking_a_slice_shows_its_anomalies_and_statistics_next_to_the_same_slice(
    sliced_env: dict[str, str],
) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2, slice=CASH)
    assert f"in slice {CASH}" in texts(at)
    whole = open_page("batch", dataset="taxi", batch=DAY2)
    ours = frame_with(at, "change")
    assert set(ours["side"]) == {f"{DAY2} (this batch)", f"{DAY1} (baseline)"}
    assert "examples vs" in texts(at)
    counts = {line for line in texts(at).splitlines() if "examples vs" in line}
    assert counts != {line for line in texts(whole).splitlines() if "examples vs" in line}
    payment = ours[ours["feature"] == "payment_type"]
    assert set(payment["unique"].dropna()) == {1}  # one payment type in its own slice
    at = open_page("batch", dataset="taxi", batch=DAY2, slice=CASH, against="serving")
    assert f"{DAY2} (serving)" in set(frame_with(at, "change")["side"])


def test_a_slice_the_serving_batch_lacks_is_said_not_drawn(sliced_env: dict[str, str]) -> None:
    at = open_page("batch", dataset="taxi", batch=DAY2, slice="payment_type_Dispute",
                   against="serving")  # batch_b.csv has no Dispute trips
    assert f"{DAY2} (serving) has no slice payment_type_Dispute." in texts(at)
    assert set(frame_with(at, "median")["side"]) == {f"{DAY2} (this batch)"}


def test_an_unknown_slice_in_a_link_shows_the_whole_batch(sliced_env: dict[str, str]) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/batch.py")
    at.query_params.update({"dataset": "taxi", "batch": DAY2, "slice": "payment_type_Nope"})
    at.run()
    assert not at.exception and "in slice" not in texts(at)


@pytest.mark.slow
def test_the_slice_view_loads_neither_tensorflow_nor_beam(sliced_env: dict[str, str]) -> None:
    assert_pages_stay_light([("batch", {"dataset": "taxi", "batch": DAY2, "slice": CASH,
                                        "feature": "fare"})])
