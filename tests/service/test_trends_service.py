"""Trend checks on a real store (issue 13): 13 daily taxi batches of 1,000 distinct rows of
``taxi/train.csv`` through the local engine, the last with every fare tripled. Each batch is
checked in name order, so each check reads the statistics artifacts and stored drift metrics of
the batches named before it. SQLite, and PostgreSQL where it answers."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import Settings
from dataguard.core.models import AnomalyKind, Batch, CheckResult, Role, Verdict
from dataguard.errors import UsageError
from dataguard.service.check import check, run
from dataguard.service.schemas import import_schema, infer_schema
from tests.service.conftest import with_config

pytestmark = pytest.mark.slow

DAYS = [f"2026-11-{d:02d}" for d in range(1, 14)]  # 12 normal days, then the shifted one
ROWS = 1000
LOOSE = {"l_infinity": 0.5, "jensen_shannon": 0.5}  # 1,000-row batches: drift only if gross
TAXI = {"label": "tips", "features": {"fare": {"drift": False}}}  # fare: judged by trend only


def taxi(settings: Settings, **dataset: object) -> Settings:
    return with_config(settings, thresholds=LOOSE, datasets={"taxi": {**TAXI, **dataset}})


@pytest.fixture(scope="module")
def day_files(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One CSV per day: disjoint random rows of train.csv; the last day's fares × 3. Then all
    rows, for the schema. Without pickup_census_tract, a value in 1 row of 15,000 (a day of
    1,000 rows usually has none: a schema anomaly that is not this test's subject)."""
    with open(shared_data / "taxi" / "train.csv", newline="") as f:
        header, *rows = list(csv.reader(f))
    drop = header.index("pickup_census_tract")
    header, rows = _without(header, drop), [_without(r, drop) for r in rows]
    random.Random(13).shuffle(rows)
    fare = header.index("fare")
    folder = tmp_path_factory.mktemp("taxi_days")
    paths = []
    for n, day in enumerate(DAYS):
        chunk = rows[n * ROWS:(n + 1) * ROWS]
        if day == DAYS[-1]:
            chunk = [[*r[:fare], f"{float(r[fare]) * 3:g}" if r[fare] else "", *r[fare + 1:]]
                     for r in chunk]
        path = folder / f"{day}.csv"
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows([header, *chunk])
        paths.append(path)
    with open(folder / "all.csv", "w", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return [*paths, folder / "all.csv"]


def _without(row: list[str], column: int) -> list[str]:
    return row[:column] + row[column + 1:]


@pytest.fixture
def taxi_store(backend_settings: Settings, day_files: list[Path]) -> Settings:
    """The 13 days, and a schema inferred from all their rows (one day's 1,000 rows miss
    companies and values the others have: schema anomalies that are not this test's subject)."""
    from dataguard.service.stats import stats

    s = with_config(backend_settings, thresholds=LOOSE,
                    datasets={"taxi": TAXI, "reference": TAXI})
    stats("reference", DAYS[0], [str(day_files[-1])], settings=s)
    for day, path in zip(DAYS, day_files[:-1], strict=True):
        stats("taxi", day, [str(path)], settings=s)
    import_schema("taxi", infer_schema("reference", settings=s).path, settings=s)
    return taxi(s)


def trends(result: CheckResult) -> list[tuple[str, str]]:
    return [(a.feature, a.description.split(" is ")[0])
            for a in result.anomalies if a.kind == AnomalyKind.TREND]


def check_days(s: Settings, days: list[str]) -> list[CheckResult]:
    return [check("taxi", day, hooks=False, settings=s) for day in days]


def test_a_tripled_fare_is_a_trend_warning_and_normal_days_are_in_control(taxi_store) -> None:
    normal = check_days(taxi_store, DAYS[:-1])
    assert [trends(r) for r in normal] == [[]] * 12  # days 11 and 12 judged: 10 and 11 before
    assert {r.verdict for r in normal} == {Verdict.PASS}
    shifted = check("taxi", DAYS[-1], hooks=False, settings=taxi_store)
    assert ("fare", "mean of fare") in trends(shifted)
    assert ("fare", "std of fare") in trends(shifted)
    mean = next(a for a in shifted.anomalies if a.description.startswith("mean of fare"))
    assert (mean.type, mean.severity, mean.outcome) == ("TREND_OUT_OF_CONTROL", "warning", "warn")
    assert "scaled MAD of the last 12 batches" in mean.description
    assert shifted.verdict == Verdict.WARN  # fare has no drift comparator: the trend warns
    assert not [m for m in shifted.metrics if m.comparison not in ("drift", "skew")]


def test_policy_can_make_a_trend_fail_and_a_dataset_can_turn_trends_off(taxi_store) -> None:
    check_days(taxi_store, DAYS[:-1])
    strict = with_config(taxi_store, **{**taxi_store.document,
                                        "policy": {"fail_types": ["TREND_OUT_OF_CONTROL"]}})
    failed = check("taxi", DAYS[-1], hooks=False, record=False, settings=strict)
    assert failed.verdict == Verdict.FAIL and trends(failed)
    off = check("taxi", DAYS[-1], hooks=False, record=False, settings=taxi(taxi_store, trend=False))
    assert (off.verdict, trends(off)) == (Verdict.PASS, [])
    fare_off = taxi(taxi_store, features={"fare": {"drift": False, "trend": False}})
    assert not [f for f, _ in trends(
        check("taxi", DAYS[-1], hooks=False, record=False, settings=fare_off)) if f == "fare"]
    short = taxi(taxi_store, trend_window=10)  # the 10 batches before: days 3..12
    assert ("fare", "mean of fare") in trends(
        check("taxi", DAYS[-1], hooks=False, record=False, settings=short))


def test_the_history_is_the_batches_named_before_not_the_batches_stored_before(
    taxi_store,
) -> None:
    check_days(taxi_store, DAYS[:-1])
    check("taxi", DAYS[-1], hooks=False, settings=taxi_store)  # the shifted day is stored now
    again = check("taxi", DAYS[10], hooks=False, record=False, settings=taxi_store)
    assert trends(again) == []  # day 13's numbers are not in day 11's history


@pytest.mark.parametrize("window", [0, -1, 2.5, "30", 9])
def test_a_bad_trend_window_is_exit_2_before_anything_is_stored(
    settings, add_batch, snapshot, taxi: Path, window: object
) -> None:
    taxi_dir = taxi
    s = with_config(settings, datasets={"taxi": TAXI})
    add_batch(s, "taxi", DAYS[0], "taxi/batch_a.csv")
    infer_schema("taxi", settings=s)
    bad = with_config(settings, datasets={"taxi": {**TAXI, "trend_window": window}})
    before = snapshot(s)
    with pytest.raises(UsageError, match=r"\[datasets.taxi\] trend_window: must be a whole"):
        check("taxi", DAYS[0], hooks=False, settings=bad)
    with pytest.raises(UsageError, match="trend_window"):
        run("taxi", DAYS[1], [str(taxi_dir / "batch_b.csv")], hooks=False, settings=bad)
    assert snapshot(s) == before


def test_the_cli_refuses_a_bad_trend_window_with_one_line(
    settings, add_batch, tmp_path: Path, capsys
) -> None:
    add_batch(taxi(settings), "taxi", DAYS[0], "taxi/batch_a.csv")
    config = tmp_path / "bad.toml"
    config.write_text('[datasets.taxi]\ntrend_window = 0\n')
    code = main(["--store", settings.store_url, "--artifacts", settings.artifacts,
                 "--config", str(config), "check", "taxi", DAYS[0]])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "[datasets.taxi] trend_window" in err[0]



def test_a_batch_drift_series_value_is_that_of_its_most_recent_check() -> None:
    from datetime import datetime, timezone

    from dataguard.service.trends import drift_series, history_batches
    from dataguard.store.views import MetricPoint

    at = datetime(2026, 11, 1, tzinfo=timezone.utc)

    def point(batch: str, check_id: int, value: float) -> MetricPoint:
        return MetricPoint(batch, at, check_id, "fare", "drift", "jensen_shannon", value, 0.1,
                           False)

    points = [point("a", 1, 0.5), point("b", 2, 0.2), point("a", 3, 0.1), point("z", 4, 9.0)]
    assert drift_series(points, ["a", "b"]) == {
        "a": {("fare", "jensen_shannon drift"): 0.1}, "b": {("fare", "jensen_shannon drift"): 0.2}}
    batches = [Batch("taxi", n, Role.TRAINING, 1, "", "", "") for n in ("c", "a", "b", "d", "B")]
    assert [b.name for b in history_batches(batches, "c", 2)] == ["a", "b"]
    assert [b.name for b in history_batches(batches, "c", 30)] == ["B", "a", "b"]  # byte order


def _artifacts(s: Settings, days: list[str]) -> list[Path]:
    from dataguard.store import open_store

    store = open_store(s.store_url)
    try:
        with store.read() as q:
            return [Path(q.get_batch("taxi", day).artifact_uri) for day in days]
    finally:
        store.dispose()


def _forget_profiles(s: Settings) -> None:
    """As a store migrated to 0005 leaves the batches recorded before it: no profile rows."""
    import sqlalchemy as sa

    from dataguard.store.engine import make_engine

    engine = make_engine(s.store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM batch_profiles"))
    engine.dispose()


def _profiled(s: Settings) -> list[str]:
    from dataguard.store import open_store

    store = open_store(s.store_url)
    try:
        with store.read() as q:
            return [p.batch for p in q.profile_history("taxi", feature="")]
    finally:
        store.dispose()


def test_a_trend_check_reads_its_history_from_the_store_not_the_artifacts(taxi_store) -> None:
    check_days(taxi_store, DAYS[:-1])
    for artifact in _artifacts(taxi_store, DAYS[:-1]):  # the 12 batches of its history
        artifact.unlink()
    shifted = check("taxi", DAYS[-1], baseline=None, hooks=False, settings=taxi_store)
    assert ("fare", "mean of fare") in trends(shifted)
    mean = next(a for a in shifted.anomalies if a.description.startswith("mean of fare"))
    assert "scaled MAD of the last 12 batches" in mean.description


def test_a_batch_without_a_profile_is_profiled_once_from_its_artifact(
    taxi_store, snapshot,
) -> None:
    check_days(taxi_store, DAYS[:-1])
    _forget_profiles(taxi_store)
    before = snapshot(taxi_store)
    dry = check("taxi", DAYS[-1], hooks=False, record=False, settings=taxi_store)
    assert ("fare", "mean of fare") in trends(dry)
    assert snapshot(taxi_store) == before  # a dry run computes them and stores nothing
    shifted = check("taxi", DAYS[-1], hooks=False, settings=taxi_store)
    assert trends(shifted) == trends(dry)
    assert _profiled(taxi_store) == DAYS[:-1]  # the history, stored for the next check
    for artifact in _artifacts(taxi_store, DAYS[:-1]):
        artifact.unlink()
    again = check("taxi", DAYS[-1], baseline=None, hooks=False, settings=taxi_store)
    assert ("fare", "mean of fare") in trends(again)


def test_admin_backfill_profiles_profiles_every_batch_without_one(taxi_store, capsys) -> None:
    args = ["--store", taxi_store.store_url, "--artifacts", taxi_store.artifacts]
    _forget_profiles(taxi_store)
    gone = _artifacts(taxi_store, [DAYS[3]])[0]
    gone.unlink()
    assert main([*args, "admin", "backfill-profiles"]) == 3
    out, err = capsys.readouterr()
    assert out.strip() == "profiles: 13 batches profiled now, 0 had one already, 1 failed"
    assert err.count("\n") == 1 and f"taxi/training/{DAYS[3]}: " in err and str(gone) in err
    assert _profiled(taxi_store) == [d for d in DAYS if d != DAYS[3]]
    assert main([*args, "admin", "backfill-profiles", "--dataset", "reference"]) == 0
    assert capsys.readouterr().out.strip() == (
        "profiles: 0 batches profiled now, 1 had one already")
    assert main([*args, "admin", "backfill-profiles", "--dataset", "nope"]) == 2
    assert "dataset 'nope'" in capsys.readouterr().err
