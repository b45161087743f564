"""Which batch a check measures drift against (issue 14, item 2).

Batches are ordered by name (dates, as TFX orders spans), not by when they were stored; a batch
keeps the baseline of its first check; ``[datasets.<name>] baseline = "last-passing"`` never
measures against a batch that failed. On SQLite and PostgreSQL, with penguin data: ``train.csv``
passes against itself, ``skewed.csv`` fails against it (culmen_length_mm JSD 0.032 > 0.01).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.beamjobs.config import JobConfig
from dataguard.cli.main import main
from dataguard.core.models import Verdict
from dataguard.errors import UsageError
from dataguard.service.check import check
from dataguard.service.context import Context
from dataguard.service.schemas import infer_schema
from tests.service.conftest import STRICT, with_config

pytestmark = pytest.mark.slow

D1, D2, D3 = "2026-11-01", "2026-11-02", "2026-11-03"
TRAIN, SKEWED = "penguin/train.csv", "penguin/skewed.csv"


def penguin(settings, baseline: str | None = None):  # type: ignore[no-untyped-def]
    dataset: dict[str, object] = {"label": "species"}
    if baseline is not None:
        dataset["baseline"] = baseline
    return with_config(settings, thresholds=STRICT, datasets={"penguin": dataset})


def test_a_backfilled_batch_is_compared_with_the_batch_named_before_it(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings)
    add_batch(s, "penguin", D1, TRAIN)
    add_batch(s, "penguin", D3, TRAIN)
    infer_schema("penguin", settings=s)
    add_batch(s, "penguin", D2, TRAIN)  # backfilled: stored last, named in between
    assert check("penguin", D2, hooks=False, settings=s).baseline_batch == D1
    assert check("penguin", D1, hooks=False, settings=s).baseline_batch is None


def test_a_recheck_keeps_the_baseline_of_the_first_check(backend_settings, add_batch) -> None:
    s = penguin(backend_settings)
    add_batch(s, "penguin", D1, TRAIN)
    add_batch(s, "penguin", D3, TRAIN)
    infer_schema("penguin", settings=s)
    assert check("penguin", D3, hooks=False, settings=s).baseline_batch == D1
    add_batch(s, "penguin", D2, SKEWED)  # backfilled after D3 was checked
    again = check("penguin", D3, hooks=False, settings=s)
    assert (again.baseline_batch, again.verdict) == (D1, Verdict.PASS)  # no flip to D2
    explicit = check("penguin", D3, baseline=D2, hooks=False, settings=s)
    assert (explicit.baseline_batch, explicit.verdict) == (D2, Verdict.FAIL)
    assert check("penguin", D3, hooks=False, settings=s).baseline_batch == D1
    assert check("penguin", D3, baseline=None, hooks=False, settings=s).baseline_batch is None


def test_a_dry_run_does_not_fix_a_batch_baseline(backend_settings, add_batch) -> None:
    s = penguin(backend_settings)
    add_batch(s, "penguin", D1, TRAIN)
    add_batch(s, "penguin", D2, SKEWED)
    add_batch(s, "penguin", D3, TRAIN)
    infer_schema("penguin", settings=s)
    check("penguin", D3, baseline=D1, hooks=False, record=False, settings=s)
    assert check("penguin", D3, hooks=False, settings=s).baseline_batch == D2


def test_last_passing_never_measures_against_a_failed_batch(backend_settings, add_batch) -> None:
    s = penguin(backend_settings, baseline="last-passing")
    add_batch(s, "penguin", D1, TRAIN)
    add_batch(s, "penguin", D2, SKEWED)
    add_batch(s, "penguin", D3, TRAIN)
    infer_schema("penguin", batch=D1, settings=s)
    assert check("penguin", D1, hooks=False, settings=s).verdict == Verdict.PASS
    failed = check("penguin", D2, hooks=False, settings=s)
    assert (failed.baseline_batch, failed.verdict) == (D1, Verdict.FAIL)
    third = check("penguin", D3, hooks=False, settings=s)
    assert (third.baseline_batch, third.verdict) == (D1, Verdict.PASS)
    # measured against the failed D2 ("preceding"), D3 would fail
    assert check("penguin", D3, baseline=D2, hooks=False, settings=s).verdict == Verdict.FAIL


def test_last_passing_with_no_passing_batch_before_measures_no_drift(
    backend_settings, add_batch
) -> None:
    s = penguin(backend_settings, baseline="last-passing")
    add_batch(s, "penguin", D1, TRAIN)
    add_batch(s, "penguin", D2, TRAIN)
    infer_schema("penguin", settings=s)
    result = check("penguin", D2, hooks=False, settings=s)  # D1 was never checked
    assert result.baseline_batch is None
    assert not [m for m in result.metrics if m.comparison == "drift"]


def test_a_bad_baseline_rule_in_config_is_exit_2_in_one_line(
    workdir: Path, add_batch, capsys
) -> None:
    (workdir / "dataguard.toml").write_text('[datasets.penguin]\nbaseline = "previous"\n')
    code = main(["--store", f"sqlite:///{workdir / 'dg.db'}", "check", "penguin", D1])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [
        "dataguard: error: config [datasets.penguin] baseline: 'previous'; use \"preceding\", "
        "\"last-passing\", \"reference:NAME\" or \"window:N\""
    ]


def test_the_beam_job_resolves_the_baseline_with_the_same_rules(settings, add_batch) -> None:
    from dataguard.beamjobs.steps import require_schema_and_baseline

    s = penguin(settings, baseline="latest")
    add_batch(s, "penguin", D1, TRAIN)
    infer_schema("penguin", settings=penguin(settings))
    cfg = JobConfig(dataset="penguin", batch=D2, inputs=("x.csv",))
    with pytest.raises(UsageError, match=r"\[datasets.penguin\] baseline: 'latest'"):
        require_schema_and_baseline(Context.create(s), cfg)
    require_schema_and_baseline(Context.create(penguin(settings, "last-passing")), cfg)


def test_the_example_config_names_the_default_baseline_rule() -> None:
    from dataguard.config import load_settings
    from dataguard.core.models import BaselineRule
    from dataguard.core.schemas import ComparatorConfig
    from dataguard.service.baselines import baseline_rule
    example = Path(__file__).resolve().parents[2] / "dataguard.example.toml"
    document = load_settings(config_path=str(example), env={}).document
    assert baseline_rule(document, "taxi").rule is BaselineRule.PRECEDING
    assert baseline_rule(document, "penguin").rule is BaselineRule.PRECEDING  # not configured
    taxi = ComparatorConfig.from_config(document, "taxi")
    assert (taxi.min_examples("drift"), taxi.value_ranges) == (30, False)
