"""`--baseline BATCH|reference:NAME|window:N` on the command line and in the Beam jobs (issue 13):
the JSON says which baseline was used; bad values are exit 2 in one line before anything is
computed or stored, with the same resolver everywhere."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dataguard.beamjobs.config import JobConfig
from dataguard.cli.main import main
from dataguard.config import load_settings
from dataguard.errors import UsageError
from dataguard.service.context import Context
from jobs.options import parse

pytestmark = pytest.mark.slow

D1, D2, D3 = "2026-11-01", "2026-11-02", "2026-11-03"
CONFIG = """
[thresholds]
l_infinity = 0.01
jensen_shannon = 0.01

[datasets.penguin]
label = "species"
references = { training = "2026-11-01" }
"""


@pytest.fixture
def cli(workdir: Path, record_batch):  # type: ignore[no-untyped-def]
    """penguin: D1 train (pinned as `training`), D2 skewed, D3 train; schema v1 from D1."""
    from dataguard.service.schemas import infer_schema

    (workdir / "dataguard.toml").write_text(CONFIG)
    settings = load_settings(env={})
    record_batch(settings, "penguin", D1, "penguin/train.csv")
    record_batch(settings, "penguin", D2, "penguin/skewed.csv")
    record_batch(settings, "penguin", D3, "penguin/train.csv")
    infer_schema("penguin", batch=D1, settings=settings)
    return workdir


def dg(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_json_says_which_reference_was_used(cli, capsys) -> None:
    code, out, _ = dg(capsys, "check", "penguin", D3, "--baseline", "reference:training",
                      "--format", "json", "--no-hooks")
    body = json.loads(out)
    assert (code, body["format_version"], body["baseline_batch"]) == (0, 1, D1)
    assert body["baseline"] == {"rule": "reference", "batches": [D1], "name": "training",
                                "size": None}


def test_the_json_and_text_say_which_window_was_used(cli, capsys) -> None:
    code, out, _ = dg(capsys, "check", "penguin", D3, "--baseline", "window:2", "--format",
                      "json", "--no-hooks", "--dry-run")
    body = json.loads(out)
    assert code == 1  # half the window is the skewed D2
    assert body["baseline_batch"] == f"window:2 ({D1}..{D2})"
    assert body["baseline"] == {"rule": "window", "batches": [D1, D2], "name": None, "size": 2}
    code, out, _ = dg(capsys, "check", "penguin", D3, "--baseline", "window:2", "--no-hooks")
    assert f"baseline window:2 ({D1}..{D2})" in out
    code, out, _ = dg(capsys, "gate", "penguin", "--batch", D3, "--format", "json")
    assert json.loads(out)["baseline"]["batches"] == [D1, D2]  # recorded


def test_the_default_preceding_rule_is_recorded_as_such(cli, capsys) -> None:
    _, out, _ = dg(capsys, "check", "penguin", D2, "--format", "json", "--no-hooks")
    assert json.loads(out)["baseline"] == {"rule": "preceding", "batches": [D1], "name": None,
                                           "size": None}


@pytest.mark.parametrize(("value", "message"), [
    ("window:0", "dataguard: error: --baseline 'window:0': N in window:N is a whole number "
                 "from 1 to 1000"),
    ("window:x", "dataguard: error: --baseline 'window:x': N in window:N is a whole number "
                 "from 1 to 1000"),
    ("reference:unknown", "dataguard: error: --baseline 'reference:unknown': "
                          "[datasets.penguin] references has no 'unknown' (known: training); "
                          "add unknown = \"BATCH\" there"),
    ("reference:", "dataguard: error: --baseline 'reference:': NAME in reference:NAME is 1-128 "
                   "letters, digits, '.', '_' or '-', starting with a letter or digit"),
])
def test_a_bad_baseline_is_exit_2_in_one_line_and_records_nothing(
    cli, capsys, value: str, message: str
) -> None:
    for command in (["check", "penguin", D3], ["run", "penguin", "2026-11-09", "--input",
                                                 str(cli / "missing.csv")]):
        code, out, err = dg(capsys, *command, "--baseline", value, "--no-hooks")
        assert (code, out, err.strip().splitlines()) == (2, "", [message])
    code, _, _ = dg(capsys, "gate", "penguin")
    assert code == 2  # no check was recorded


def test_an_unknown_rule_in_config_is_exit_2_in_one_line(cli, capsys) -> None:
    (cli / "dataguard.toml").write_text(CONFIG + 'baseline = "window:many"\n')
    code, out, err = dg(capsys, "check", "penguin", D3, "--no-hooks")
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "dataguard: error: config [datasets.penguin] baseline 'window:many': N in window:N is a "
        "whole number from 1 to 1000"]


def test_the_beam_jobs_take_the_same_syntax_through_the_same_resolver(cli) -> None:
    from dataguard.beamjobs.steps import require_schema_and_baseline

    ctx = Context.create(load_settings(env={}))
    for value in ("window:2", "reference:training", D1):
        require_schema_and_baseline(ctx, JobConfig(dataset="penguin", batch=D3,
                                                   inputs=("x.csv",), baseline=value))
    for value, match in (("window:0", "window:N"), ("reference:nope", "references has no")):
        with pytest.raises(UsageError, match=match):
            require_schema_and_baseline(ctx, JobConfig(dataset="penguin", batch=D3,
                                                       inputs=("x.csv",), baseline=value))


def test_the_job_options_check_the_baseline_at_launch() -> None:
    now = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)

    def to_config(baseline: str) -> JobConfig:
        _, options = parse(["--dataset=taxi", "--batch={date}", "--input=a.csv",
                            f"--baseline={baseline}"])
        return options.to_config("validate_batch", now=now)

    assert to_config("window:7").baseline == "window:7"
    assert to_config("reference:training").baseline == "reference:training"
    assert to_config("{yesterday}").baseline == "2026-11-24"
    with pytest.raises(UsageError, match="window:N"):
        to_config("window:0")
