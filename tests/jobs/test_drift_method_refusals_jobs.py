"""The validate_batch job refuses a bad drift/skew method config before computing anything, as
`dataguard run` does (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.config import Settings
from dataguard.errors import UsageError
from dataguard.service.context import Context
from tests.jobs.test_jobs_direct import DIRECT_ARGS, first_batch_and_schema, store_args


def test_validate_batch_refuses_an_unknown_method_before_computing(
    settings: Settings, penguin: Path, tmp_path: Path
) -> None:
    from jobs import validate_batch

    first_batch_and_schema(settings, "penguin", penguin / "train.csv")
    config = tmp_path / "dataguard.toml"
    config.write_text('[thresholds]\nmethods = ["psi", "chi2"]\n', encoding="utf-8")
    with pytest.raises(UsageError, match="methods: unknown method 'chi2'"):
        validate_batch.launch([
            "--dataset=penguin", "--batch=b2", f"--input={penguin / 'train.csv'}",
            f"--config={config}", "--hooks=false", *store_args(settings), *DIRECT_ARGS,
        ])
    with Context.create(settings).store.read() as q:
        assert [b.name for b in q.list_batches("penguin")] == ["first"]  # nothing recorded
