"""``reference:NAME`` and ``window:N`` baselines (issue 13), on SQLite and PostgreSQL.

Penguin data: ``train.csv`` passes against itself, ``skewed.csv`` fails against it
(culmen_length_mm JSD 0.032 > 0.01). A reference is a batch pinned in config,
``[datasets.penguin] references = {training = "2026-11-01"}``; a window is the last N training
batches named before the checked one, their stored statistics merged.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dataguard.core.models import Baseline, BaselineRule, Verdict
from dataguard.errors import UsageError
from dataguard.service.check import check, gate
from dataguard.service.schemas import infer_schema
from dataguard.store.engine import make_engine
from tests.service.conftest import STRICT, with_config

pytestmark = pytest.mark.slow

D1, D2, D3, D4 = "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"
TRAIN, SKEWED = "penguin/train.csv", "penguin/skewed.csv"


def penguin(settings, **dataset: object):  # type: ignore[no-untyped-def]
    return with_config(settings, thresholds=STRICT,
                       datasets={"penguin": {"label": "species", **dataset}})


def test_reference_measures_against_the_pinned_batch_and_says_so(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings, references={"training": D1})
    for name, data in ((D1, TRAIN), (D2, SKEWED), (D3, TRAIN)):
        add_batch(s, "penguin", name, data)
    infer_schema("penguin", batch=D1, settings=s)
    result = check("penguin", D3, baseline="reference:training", hooks=False, settings=s)
    assert (result.baseline_batch, result.verdict) == (D1, Verdict.PASS)  # not D2, the skewed
    assert result.to_dict()["baseline"] == {
        "rule": "reference", "batches": [D1], "name": "training", "size": None}
    assert gate("penguin", D3, settings=s).baseline == result.baseline  # as stored


def test_a_reference_rule_keeps_its_batch_when_the_pin_moves_later(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings, baseline="reference:training", references={"training": D1})
    for name, data in ((D1, TRAIN), (D2, SKEWED), (D3, TRAIN)):
        add_batch(s, "penguin", name, data)
    infer_schema("penguin", batch=D1, settings=s)
    assert check("penguin", D3, hooks=False, settings=s).baseline_batch == D1
    moved = penguin(backend_settings, baseline="reference:training", references={"training": D2})
    again = check("penguin", D3, hooks=False, settings=moved)
    assert (again.baseline_batch, again.verdict) == (D1, Verdict.PASS)  # a re-check keeps D1
    assert check("penguin", D3, baseline="reference:training", hooks=False,
                 settings=moved).baseline_batch == D2  # asked for explicitly: the new pin


def test_a_window_merges_the_last_n_training_batches_named_before(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings)
    for name, data in ((D1, SKEWED), (D2, TRAIN), (D3, TRAIN), (D4, TRAIN)):
        add_batch(s, "penguin", name, data)
    infer_schema("penguin", batch=D2, settings=s)
    result = check("penguin", D4, baseline="window:2", hooks=False, settings=s)
    assert result.baseline == Baseline(BaselineRule.WINDOW, (D2, D3), size=2)
    assert result.baseline_batch == f"window:2 ({D2}..{D3})"
    assert result.verdict == Verdict.PASS  # the skewed D1 is outside the window
    assert [m for m in result.metrics if m.comparison == "drift"]
    wide = check("penguin", D4, baseline="window:3", hooks=False, settings=s)
    assert wide.verdict == Verdict.FAIL  # a third of the window is skewed: drift past 0.01
    stored = gate("penguin", D4, settings=s)
    assert stored.to_dict()["baseline"] == {
        "rule": "window", "batches": [D1, D2, D3], "name": None, "size": 3}


def test_a_window_with_fewer_batches_uses_what_there_is_and_says_so(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings, baseline="window:7")
    for name in (D1, D2, D3):
        add_batch(s, "penguin", name, TRAIN)
    infer_schema("penguin", batch=D1, settings=s)
    first = check("penguin", D1, hooks=False, settings=s)
    assert (first.baseline_batch, first.baseline) == (None, None)  # nothing before: no drift
    result = check("penguin", D3, hooks=False, settings=s)
    assert result.baseline_batch == f"window:7 (2 of 7: {D1}..{D2})"
    assert result.to_dict()["baseline"]["batches"] == [D1, D2]
    with pytest.raises(UsageError, match="no training batch named before"):
        check("penguin", D1, baseline="window:3", hooks=False, settings=s)  # asked explicitly


def test_a_recheck_keeps_the_window_it_was_first_checked_against(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings, baseline="window:2")
    add_batch(s, "penguin", D1, TRAIN)
    add_batch(s, "penguin", D4, TRAIN)
    infer_schema("penguin", batch=D1, settings=s)
    assert check("penguin", D4, hooks=False, settings=s).baseline.batches == (D1,)
    add_batch(s, "penguin", D2, SKEWED)  # backfilled into the window's span
    add_batch(s, "penguin", D3, SKEWED)
    again = check("penguin", D4, hooks=False, settings=s)
    assert (again.baseline.batches, again.verdict) == ((D1,), Verdict.PASS)
    assert again.baseline_batch == f"window:2 (1 of 2: {D1})"


def test_a_check_stored_before_0003_keeps_its_one_baseline_batch(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings, baseline="window:3")
    for name in (D1, D2, D3):
        add_batch(s, "penguin", name, TRAIN)
    infer_schema("penguin", batch=D1, settings=s)
    check("penguin", D3, baseline=D1, hooks=False, settings=s)
    engine = make_engine(s.store_url)
    with engine.begin() as conn:  # as 0003 leaves checks recorded before it
        conn.execute(sa.text("UPDATE checks SET baseline_rule = NULL, baseline_batches = NULL, "
                             "baseline_name = NULL, baseline_size = NULL"))
    engine.dispose()
    old = gate("penguin", D3, settings=s)
    assert old.to_dict()["baseline"] == {"rule": None, "batches": [D1], "name": None,
                                         "size": None}
    again = check("penguin", D3, hooks=False, settings=s)
    assert (again.baseline_batch, again.baseline) == (D1, Baseline(None, (D1,)))


@pytest.mark.parametrize(("config", "request_", "message"), [
    ({}, "window:0", r"--baseline 'window:0': N in window:N is a whole number from 1 to 1000"),
    ({}, "window:x", r"--baseline 'window:x': N in window:N"),
    ({}, "reference:unknown", r"--baseline 'reference:unknown': \[datasets.penguin\] "
     r"references has no 'unknown' \(known: none\)"),
    ({"references": {"training": "2026-12-31"}}, "reference:training",
     r"has no training batch '2026-12-31' \(reference 'training'\)"),
    ({"baseline": "window:-1"}, None, r"config \[datasets.penguin\] baseline 'window:-1'"),
    ({"baseline": "reference:gone"}, None,
     r"config \[datasets.penguin\] baseline 'reference:gone': \[datasets.penguin\] references "
     r"has no 'gone'"),
    ({"references": ["2026-11-01"]}, None, r"config \[datasets.penguin\] references: use a table"),
])
def test_bad_baselines_are_usage_errors_before_anything_is_stored(
    settings, add_batch, snapshot, config, request_, message
) -> None:
    s = penguin(settings, **config)
    add_batch(penguin(settings), "penguin", D1, TRAIN)
    add_batch(penguin(settings), "penguin", D2, TRAIN)
    infer_schema("penguin", batch=D1, settings=penguin(settings))
    before = snapshot(s)
    kwargs = {} if request_ is None else {"baseline": request_}
    with pytest.raises(UsageError, match=message):
        check("penguin", D2, hooks=False, settings=s, **kwargs)
    assert snapshot(s) == before


def test_a_dry_run_with_a_window_records_nothing(settings, add_batch, snapshot) -> None:
    s = penguin(settings)
    for name in (D1, D2, D3):
        add_batch(s, "penguin", name, TRAIN)
    infer_schema("penguin", batch=D1, settings=s)
    before = snapshot(s)
    result = check("penguin", D3, baseline="window:2", record=False, hooks=False, settings=s)
    assert result.baseline == Baseline(BaselineRule.WINDOW, (D1, D2), size=2)
    assert snapshot(s) == before
