"""The validate_batch job takes ``--baseline window:N`` / ``reference:NAME`` and records the same
baseline as ``dataguard run`` (issue 13), on the DirectRunner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dataguard.config import Settings
from dataguard.core.models import Baseline, BaselineRule
from tests.jobs.conftest import DIRECT_ARGS
from tests.jobs.test_jobs_direct import comparable, first_batch_and_schema, store_args, stored_check

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_validate_batch_with_a_window_records_the_same_check_as_dataguard_run(
    settings: Settings, penguin: Path
) -> None:
    from dataguard.service.check import run as local_run
    from dataguard.service.stats import stats
    from jobs import validate_batch

    first_batch_and_schema(settings, "penguin", penguin / "train.csv")  # batch "first"
    stats("penguin", "second", [str(penguin / "skewed.csv")], settings=settings)
    job = validate_batch.launch([
        "--dataset=penguin", "--batch=zz-b", f"--input={penguin / 'train.csv'}",
        "--baseline=window:3", "--hooks=false", *store_args(settings), *DIRECT_ARGS,
    ])
    local = local_run("penguin", "zz-a", [str(penguin / "train.csv")], baseline="window:3",
                      hooks=False, settings=settings)
    recorded = stored_check(settings, "penguin", "zz-b")
    assert job.results[0] == recorded.to_dict()
    assert recorded.baseline == Baseline(BaselineRule.WINDOW, ("first", "second"), size=3)
    assert recorded.baseline_batch == "window:3 (2 of 3: first..second)"
    assert comparable(recorded) == comparable(local)  # zz-a sorts before zz-b: same window


def test_validate_batch_with_a_reference_measures_against_the_pinned_batch(
    settings: Settings, penguin: Path
) -> None:
    from jobs import validate_batch

    pinned = replace(settings, document={"datasets": {"penguin": {
        "references": {"training": "first"}}}})
    first_batch_and_schema(pinned, "penguin", penguin / "train.csv")
    config = Path(settings.artifacts).parent / "dataguard.toml"
    config.write_text('[datasets.penguin]\nreferences = { training = "first" }\n')
    validate_batch.launch([
        "--dataset=penguin", "--batch=job-r", f"--input={penguin / 'skewed.csv'}",
        "--baseline=reference:training", "--hooks=false", f"--config={config}",
        *store_args(settings), *DIRECT_ARGS,
    ])
    recorded = stored_check(settings, "penguin", "job-r")
    assert recorded.baseline == Baseline(BaselineRule.REFERENCE, ("first",), name="training")
    assert comparable(recorded)["baseline_batch"] == "first"
