"""The compute_stats job reports the rows it read per input file, reconciled with the
statistics it recorded (the Beam engine's fast path: ``stats.beam_fast``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.config import Settings
from tests.jobs.conftest import DIRECT_ARGS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_compute_stats_results_name_the_rows_read_per_file(
    settings: Settings, tmp_path: Path
) -> None:
    from jobs import compute_stats

    (tmp_path / "a.csv").write_text("x,y\n" + "".join(f"{i},{i % 3}\n" for i in range(120)))
    (tmp_path / "b.csv").write_text("x,y\n1,2\n3,4\n")
    job = compute_stats.launch([
        "--dataset=rows", "--batch=b1", f"--input={tmp_path / '*.csv'}",
        f"--store_url={settings.store_url}", f"--artifacts={settings.artifacts}",
        f"--schemas_dir={settings.schemas_dir}", *DIRECT_ARGS,
    ])
    (element,) = job.results
    assert element["num_examples"] == 122
    assert element["rows_per_file"] == {str(tmp_path / "a.csv"): 120, str(tmp_path / "b.csv"): 2}
