"""The schema and check use cases on a real store (SQLite; PostgreSQL where it answers)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from tensorflow_metadata.proto.v0 import statistics_pb2

from dataguard.core import schemas as sch
from dataguard.core.models import AnomalyKind, Verdict
from dataguard.errors import ArtifactError, UsageError
from dataguard.service.check import check, gate
from dataguard.service.schemas import (
    diff_schemas,
    import_schema,
    infer_schema,
    list_schemas,
    show_schema,
)
from dataguard.store import open_store

pytestmark = pytest.mark.slow

DAY1, DAY2 = "2026-11-24", "2026-11-25"


def checks(settings, dataset="taxi"):  # type: ignore[no-untyped-def]
    """The dataset's checks, newest first, as ``gate`` reads each back."""
    store = open_store(settings.store_url)
    try:
        with store.read() as q:
            return [q.latest_check(dataset, c.batch) for c in q.check_history(dataset)]
    finally:
        store.dispose()


@pytest.fixture
def taxi_days(strict_settings, record_batch):  # type: ignore[no-untyped-def]
    record_batch(strict_settings, "taxi", DAY1, "taxi/train.csv")
    record_batch(strict_settings, "taxi", DAY2, "taxi/batch_a.csv")
    return strict_settings


def test_infer_writes_version_files_and_records_them(taxi_days) -> None:
    settings = taxi_days
    v1 = infer_schema("taxi", batch=DAY1, label="tips", settings=settings)
    assert (v1.version, v1.parent_version) == (1, None)
    assert v1.path == os.path.abspath(os.path.join(settings.schemas_dir, "taxi", "v1.pbtxt"))
    text = Path(v1.path).read_text()
    assert text.startswith("# dataguard schema for dataset 'taxi'")
    schema = sch.parse_schema(text, v1.path)
    tips = next(f for f in schema.feature if f.name == "tips")
    assert list(tips.not_in_environment) == ["SERVING"]
    payment = next(f for f in schema.feature if f.name == "payment_type")
    assert sch.comparators(payment, "drift") == {"l_infinity": 0.01}
    v2 = infer_schema("taxi", message="from day 2", settings=settings)  # latest batch: DAY2
    assert (v2.version, v2.parent_version, v2.message) == (2, 1, "from day 2")
    assert [v.version for v in list_schemas("taxi", settings=settings)] == [1, 2]
    assert show_schema("taxi", 1, settings=settings).text == text
    diff = diff_schemas("taxi", 1, 2, settings=settings)
    assert ("trip_seconds", "type") in {(c.feature, c.aspect) for c in diff.changes}


def test_infer_never_overwrites_an_existing_version_file(taxi_days) -> None:
    stray = Path(taxi_days.schemas_dir) / "taxi" / "v1.pbtxt"
    stray.parent.mkdir(parents=True)
    stray.write_text("# someone's file\n")
    with pytest.raises(UsageError, match="v1.pbtxt already exists"):
        infer_schema("taxi", settings=taxi_days)
    assert stray.read_text() == "# someone's file\n"
    assert list_schemas("taxi", settings=taxi_days) == []


def test_import_checks_the_file_parses_and_names_real_features(taxi_days, taxi, tmp_path) -> None:
    settings = taxi_days
    infer_schema("taxi", batch=DAY1, settings=settings)
    v2 = import_schema("taxi", str(taxi / "user_schema.pbtxt"), message="curated",
                       settings=settings)
    assert (v2.version, v2.parent_version, v2.message) == (2, 1, "curated")
    assert Path(v2.path).read_bytes() == (taxi / "user_schema.pbtxt").read_bytes()
    broken = tmp_path / "broken.pbtxt"
    broken.write_text("feature { name: 'fare' typo: FLOAT }\n")
    with pytest.raises(UsageError, match="broken.pbtxt: not a TFDV schema text proto"):
        import_schema("taxi", str(broken), settings=settings)
    wrong = tmp_path / "wrong.pbtxt"
    wrong.write_text("feature { name: 'fare' type: FLOAT }\nfeature { name: 'tip' type: FLOAT }\n")
    with pytest.raises(UsageError, match=r"feature\(s\) tip not in the statistics of batch"):
        import_schema("taxi", str(wrong), settings=settings)
    with pytest.raises(UsageError, match="cannot read the schema file"):
        import_schema("taxi", str(tmp_path / "missing.pbtxt"), settings=settings)
    assert [v.version for v in list_schemas("taxi", settings=settings)] == [1, 2]


def test_check_of_batch_a_reports_tfdv_numbers_and_records_everything(
    store_url, tmp_path, record_batch
) -> None:
    from dataguard.config import load_settings

    settings = replace(load_settings(store_url=store_url, artifacts=str(tmp_path / "a"),
                                     schemas_dir=str(tmp_path / "s"), env={}),
                       document={"thresholds": {"l_infinity": 0.01, "jensen_shannon": 0.01}})
    record_batch(settings, "taxi", DAY1, "taxi/train.csv")
    record_batch(settings, "taxi", DAY2, "taxi/batch_a.csv")
    infer_schema("taxi", label="tips", batch=DAY1, settings=settings)
    result = check("taxi", DAY2, hooks=False, settings=settings)
    assert result.verdict == Verdict.FAIL
    assert (result.schema_version, result.baseline_batch, result.serving_batch) == (1, DAY1, None)
    assert result.num_examples == 10000 and result.id is not None
    schema_types = {(a.feature, a.type) for a in result.anomalies if a.kind == AnomalyKind.SCHEMA}
    assert {("trip_seconds", "UNEXPECTED_DATA_TYPE"), ("pickup_census_tract",
            "FEATURE_TYPE_NOT_PRESENT")} <= schema_types
    (m,) = [m for m in result.metrics if (m.feature, m.method) == ("payment_type", "l_infinity")]
    assert (m.method, round(m.value, 7), m.threshold, m.exceeded) == (
        "l_infinity", 0.0131775, 0.01, True)
    (stored,) = checks(settings)
    assert stored == result  # the check, every anomaly and every metric, as returned
    tfdv_metrics = [m for m in stored.metrics if m.method not in sch.DISTANCE_METHODS]
    assert len(tfdv_metrics) == 18  # 17 of 18 features measured + the example-count ratio


def test_a_batch_checked_against_itself_passes(taxi_days) -> None:
    infer_schema("taxi", batch=DAY1, label="tips", settings=taxi_days)
    result = check("taxi", DAY1, baseline=DAY1, hooks=False, settings=taxi_days)
    assert result.verdict == Verdict.PASS and result.anomalies == ()
    assert all(m.value == 0 for m in result.metrics if m.method != "num_examples")
    assert gate("taxi", settings=taxi_days).verdict == Verdict.PASS


def test_the_first_batch_has_no_baseline_and_no_baseline_means_no_drift(taxi_days) -> None:
    infer_schema("taxi", batch=DAY1, settings=taxi_days)
    first = check("taxi", DAY1, hooks=False, settings=taxi_days)
    assert first.baseline_batch is None and first.metrics == ()
    second = check("taxi", DAY2, baseline=None, hooks=False, settings=taxi_days)
    assert second.baseline_batch is None and second.metrics == ()


@pytest.mark.parametrize("kwargs, words", [
    ({"schema_version": 7}, "has no schema version 7; versions: 1"),
    ({"baseline": "nope"}, "--baseline 'nope'"),
    ({"serving": "nope"}, "--serving 'nope'"),
])
def test_bad_input_is_a_usage_error_and_records_nothing(taxi_days, kwargs, words) -> None:
    infer_schema("taxi", batch=DAY1, settings=taxi_days)
    with pytest.raises(UsageError, match=words):
        check("taxi", DAY2, hooks=False, settings=taxi_days, **kwargs)
    assert checks(taxi_days) == []


def test_unknown_dataset_batch_or_missing_schema_are_usage_errors(taxi_days) -> None:
    with pytest.raises(UsageError, match="has no schema version; run `dataguard schema infer"):
        check("taxi", DAY2, settings=taxi_days)
    with pytest.raises(UsageError, match="unknown dataset 'cabs'"):
        check("cabs", DAY2, settings=taxi_days)
    with pytest.raises(UsageError, match="no training batch '2026-12-01'"):
        check("taxi", "2026-12-01", settings=taxi_days)
    with pytest.raises(UsageError, match="batch name"):
        check("taxi", "../etc", settings=taxi_days)


def test_a_schema_file_edited_in_place_is_an_artifact_error(taxi_days) -> None:
    v1 = infer_schema("taxi", batch=DAY1, settings=taxi_days)
    Path(v1.path).write_text(Path(v1.path).read_text() + "\n# edited\n")
    with pytest.raises(ArtifactError, match="changed after it was recorded"):
        check("taxi", DAY2, hooks=False, settings=taxi_days)


def test_skew_against_serving_requests_without_the_label(strict_settings, record_batch) -> None:
    # 10 serving rows: below the default min_examples (30), so measure them explicitly
    thresholds = {**strict_settings.document["thresholds"], "min_examples": 10}
    s = replace(strict_settings, document={**strict_settings.document, "thresholds": thresholds})
    record_batch(s, "penguin", DAY1, "penguin/train.csv")
    record_batch(s, "penguin", DAY1, "penguin/serving_unlabelled.csv", role="serving")
    infer_schema("penguin", label="species", settings=s)
    result = check("penguin", DAY1, serving=DAY1, hooks=False, settings=s)
    assert result.serving_batch == DAY1
    assert {m.feature for m in result.metrics if m.comparison == "skew"} == {
        "culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "body_mass_g"}
    assert "species" not in {a.feature for a in result.anomalies}


def test_penguin_skewed_serving_data(strict_settings, record_batch) -> None:
    s = replace(strict_settings, document={**strict_settings.document,
                                           "datasets": {"penguin": {"label": "species"}}})
    record_batch(s, "penguin", DAY1, "penguin/train.csv")
    record_batch(s, "penguin", DAY1, "penguin/skewed.csv", role="serving")
    infer_schema("penguin", settings=s)  # label from config
    result = check("penguin", DAY1, serving=DAY1, hooks=False, settings=s)
    (m,) = [m for m in result.metrics
            if (m.feature, m.method) == ("culmen_length_mm", "jensen_shannon")]
    assert (m.comparison, round(m.value, 7), m.exceeded) == ("skew", 0.0323799, True)
    assert result.verdict == Verdict.FAIL


def test_an_empty_batch_fails(taxi_days, record_batch) -> None:
    empty = statistics_pb2.DatasetFeatureStatisticsList()
    empty.datasets.add(num_examples=0)
    record_batch(taxi_days, "taxi", "empty", statistics=empty)
    infer_schema("taxi", batch=DAY1, settings=taxi_days)
    result = check("taxi", "empty", hooks=False, settings=taxi_days)
    assert result.verdict == Verdict.FAIL
    assert [a.type for a in result.anomalies] == ["NO_DATA_IN_SPAN"]


def test_gate_answers_from_the_store(taxi_days) -> None:
    with pytest.raises(UsageError, match="unknown dataset 'cabs'"):
        gate("cabs", settings=taxi_days)
    with pytest.raises(UsageError, match="has no check yet"):
        gate("taxi", settings=taxi_days)
    infer_schema("taxi", batch=DAY1, settings=taxi_days)
    check("taxi", DAY1, hooks=False, settings=taxi_days)
    check("taxi", DAY2, hooks=False, settings=taxi_days)
    assert (gate("taxi", settings=taxi_days).batch, gate("taxi", settings=taxi_days).verdict) == (
        DAY2, Verdict.FAIL)
    assert gate("taxi", DAY1, settings=taxi_days).verdict == Verdict.PASS
    with pytest.raises(UsageError, match="batch 'x' of dataset 'taxi' has no check"):
        gate("taxi", "x", settings=taxi_days)


def test_hooks_run_after_the_check_is_committed(taxi_days, tmp_path) -> None:
    received = tmp_path / "received.json"
    hook = {"name": "log", "type": "command", "on": ["fail"],
            "command": ["sh", "-c", f"cat > {received}"]}
    settings = replace(taxi_days, document={**taxi_days.document, "hooks": [hook]})
    infer_schema("taxi", batch=DAY1, settings=settings)
    result = check("taxi", DAY2, settings=settings)
    body = json.loads(received.read_text())
    assert body["verdict"] == "fail" and body["batch"] == DAY2
    assert body["metrics"] == result.to_dict()["metrics"]
    received.unlink()
    check("taxi", DAY2, hooks=False, settings=settings)
    assert not received.exists()


def test_concurrent_infers_get_distinct_versions(store_url, tmp_path, record_batch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dataguard.config import load_settings

    settings = load_settings(store_url=store_url, artifacts=str(tmp_path / "a"),
                             schemas_dir=str(tmp_path / "s"), env={})
    record_batch(settings, "taxi", DAY1, "taxi/train.csv")
    with ThreadPoolExecutor(2) as pool:  # two different schemas (an identical one is not written)
        versions = list(pool.map(lambda label: infer_schema("taxi", label=label,
                                                            settings=settings), ["tips", None]))
    assert sorted(v.version for v in versions) == [1, 2]
    for v in versions:
        assert Path(v.path).name == f"v{v.version}.pbtxt" and Path(v.path).is_file()
    assert sorted(p.name for p in (tmp_path / "s" / "taxi").iterdir()) == ["v1.pbtxt", "v2.pbtxt"]
