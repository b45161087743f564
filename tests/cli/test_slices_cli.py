"""`--slice-by` and `[datasets.X] slice_by` end to end on the real taxi trips: `stats` stores the
slices, `check` and `run` judge each slice against the same slice, every report and the store
carry the slice; a bad slice config is exit 2 in one line with the store unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import load_settings
from dataguard.core.slices import slice_names
from dataguard.service.context import Context
from dataguard.service.stats import load_statistics

pytestmark = pytest.mark.slow

D1, D2, D3 = "2026-11-24", "2026-11-25", "2026-11-26"


def dg(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored(workdir: Path) -> tuple[list[tuple[str, str]], int]:
    """(batches, checks) in the store: what must not change when a command is refused."""
    ctx = Context.create(load_settings(env={}))
    with ctx.store.read() as q:
        batches = [(b.name, b.role.value) for b in q.list_batches("taxi")]
        checks = len(q.check_history("taxi"))
    return batches, checks


@pytest.fixture
def sliced(workdir: Path, taxi: Path, capsys):  # type: ignore[no-untyped-def]
    """taxi: D1 = train.csv sliced by payment_type (from the config), schema v1 from it."""
    (workdir / "dataguard.toml").write_text('[datasets.taxi]\nslice_by = "payment_type"\n')
    assert dg(capsys, "stats", "taxi", D1, "--input", str(taxi / "train.csv"))[0] == 0
    assert dg(capsys, "schema", "infer", "taxi", "--label", "tips")[0] == 0
    return workdir


def test_stats_stores_the_slices_and_check_judges_each_one(sliced: Path, taxi: Path,
                                                           capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = dg(capsys, "stats", "taxi", D2, "--input", str(taxi / "batch_a.csv"),
                      "--format", "json")
    assert code == 0
    ctx = Context.create(load_settings(env={}))
    with ctx.store.read() as q:
        batch = q.get_batch("taxi", D2, "training")
    assert batch is not None and batch.num_examples == 10_000  # the whole batch's count
    assert "payment_type_Cash" in slice_names(load_statistics(ctx, batch))
    code, out, _ = dg(capsys, "check", "taxi", D2, "--format", "json", "--no-hooks")
    body = json.loads(out)
    assert body["format_version"] == 1
    whole = [m for m in body["metrics"] if m["slice"] is None]
    cash = [m for m in body["metrics"] if m["slice"] == "payment_type_Cash"]
    assert whole and cash and all("slice" in a for a in body["anomalies"])
    assert {m["comparison"] for m in cash} == {"drift"}
    with ctx.store.read() as q:  # the store keeps the slice of each anomaly and metric
        again = q.latest_check("taxi", D2)
    assert again is not None
    assert {m.slice for m in again.metrics} == {m["slice"] for m in body["metrics"]}
    assert {a.slice for a in again.anomalies} == {a["slice"] for a in body["anomalies"]}
    code, out, _ = dg(capsys, "check", "taxi", D2, "--format", "markdown", "--no-hooks",
                      "--dry-run")
    assert "[payment_type_Cash]" in out and "slice measurements within threshold" in out
    code, out, _ = dg(capsys, "check", "taxi", D2, "--format", "junit", "--no-hooks", "--dry-run")
    assert 'name="drift: fare [payment_type_Cash]"' in out


def test_run_slices_the_batch_and_its_serving_batch_for_skew(sliced: Path, taxi: Path,
                                                             capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = dg(capsys, "run", "taxi", D2, "--input", str(taxi / "batch_a.csv"),
                      "--serving-input", str(taxi / "batch_b.csv"), "--slice-by", "payment_type",
                      "--format", "json", "--no-hooks")
    body = json.loads(out)
    assert code in (0, 1) and body["serving_batch"] == D2
    skew = {m["slice"] for m in body["metrics"] if m["comparison"] == "skew"}
    assert None in skew and "payment_type_Cash" in skew


@pytest.mark.parametrize("argv", [
    ["stats", "taxi", D2, "--input", "{taxi}/batch_a.csv", "--slice-by", "payment_typ"],
    ["run", "taxi", D2, "--input", "{taxi}/batch_a.csv", "--slice-by", "payment_typ"],
    ["check", "taxi", D1, "--slice-by", "payment_typ", "--no-hooks"],
    ["check", "taxi", D1, "--slice-by", "company", "--no-hooks"],  # D1 not sliced by it
])
def test_an_unknown_slice_column_is_exit_2_in_one_line_store_unchanged(
    sliced: Path, taxi: Path, capsys, argv: list[str]  # type: ignore[no-untyped-def]
) -> None:
    before = stored(sliced)
    code, out, err = dg(capsys, *[a.format(taxi=taxi) for a in argv])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert ("payment_typ'" in err and "did you mean 'payment_type'" in err) or "company" in err
    assert stored(sliced) == before


def test_bad_slice_config_is_exit_2_before_anything_is_computed(workdir: Path, taxi: Path,
                                                                capsys) -> None:  # type: ignore[no-untyped-def]
    (workdir / "dataguard.toml").write_text("[datasets.taxi]\nslice_by = 'payment_type'\n"
                                            "max_slices = -1\n")
    code, _, err = dg(capsys, "stats", "taxi", D1, "--input", str(taxi / "train.csv"))
    assert code == 2 and "max_slices" in err and len(err.strip().splitlines()) == 1
    (workdir / "dataguard.toml").write_text("[datasets.taxi]\nslice_by = 'company'\n"
                                            "max_slices = 10\n")
    code, _, err = dg(capsys, "stats", "taxi", D1, "--input", str(taxi / "train.csv"))
    assert code == 2 and "slice column 'company'" in err and "max_slices = 10" in err
    assert stored(workdir) == ([], 0)


def test_a_tfrecord_batch_without_the_column_is_refused_before_it_is_stored(
    workdir: Path, taxi: Path, capsys  # type: ignore[no-untyped-def]
) -> None:
    code, _, err = dg(capsys, "stats", "taxi", D3, "--input", str(taxi / "tfrecord" / "*.gz"),
                      "--slice-by", "no_such_feature")
    assert code == 2 and "slice column 'no_such_feature' is not in the batch's features" in err
    assert stored(workdir) == ([], 0)
