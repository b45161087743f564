"""Custom rules in ``dataguard check`` and ``dataguard run`` (issue 13): evaluated on the stored
statistics of the real taxi data, judged by the policy, recorded with the check, shown in every
report; a bad rule is exit 2 with one line before anything is computed or stored.

The taxi numbers the rules below rely on (pandas agrees): ``fare`` has a mean of 11.77 in
``train.csv`` and 12.62 in ``batch_a.csv``; ``train.csv`` has 15002 examples, ``batch_a.csv``
10000. Against the schema of ``train.csv``, ``batch_a.csv`` also has schema errors (three INT
columns read as FLOAT, an empty ``pickup_census_tract``); the policy below makes them warn, so the
rule alone decides between ``warn`` and ``fail``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataguard.cli.main import main
from tests.service.conftest import store_rows

pytestmark = pytest.mark.slow

TRAIN, BATCH_A = "2026-11-01", "2026-11-02"
SCHEMA_WARNS = '''
[policy]
warn_types = ["UNEXPECTED_DATA_TYPE", "FEATURE_TYPE_NOT_PRESENT"]
'''
FARE_RULE = '''
[[datasets.taxi.rules]]
name = "fares stay cheap"
feature = "fare"
stat = "mean"
op = "<"
value = 12.0
'''
SIZE_RULE = '''
[[rules]]
name = "enough examples"
stat = "num_examples"
op = ">"
value = 1000
'''


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", "sqlite:///store.db", "--artifacts", "artifacts",
                 "--config", "dataguard.toml", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _config(workdir: Path, text: str = "") -> None:
    (workdir / "dataguard.toml").write_text(f'schemas_dir = "{workdir / "schemas"}"\n' + text)


def _state(workdir: Path) -> tuple[object, ...]:
    files = sorted((str(p.relative_to(workdir)), p.read_bytes()) for p in workdir.rglob("*")
                   if p.is_file() and "store.db" not in p.name and p.name != "dataguard.toml")
    from dataclasses import replace

    from dataguard.config import Settings

    rows = store_rows(replace(Settings(), store_url=f"sqlite:///{workdir / 'store.db'}"))
    return tuple(files), tuple(sorted(rows.items()))


@pytest.fixture
def taxi_store(workdir: Path, taxi: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """taxi: train.csv as 2026-11-01 (schema v1 from it), batch_a.csv as 2026-11-02."""
    _config(workdir)
    for name, csv in ((TRAIN, "train.csv"), (BATCH_A, "batch_a.csv")):
        shutil.copy(taxi / csv, workdir / csv)
        code, _, err = _cli(capsys, "stats", "taxi", name, "--input", csv)
        assert code == 0, err
    code, _, err = _cli(capsys, "schema", "infer", "taxi", "--batch", TRAIN, "--label", "tips")
    assert code == 0, err
    return workdir


def _check(capsys: pytest.CaptureFixture[str], batch: str, *more: str) -> tuple[int, dict]:
    code, out, err = _cli(capsys, "check", "taxi", batch, "--no-baseline", "--no-hooks",
                          "--format", "json", *more)
    assert code in (0, 1), err
    return code, json.loads(out)


def _rule_findings(document: dict) -> tuple[list[dict], list[dict]]:
    return ([a for a in document["anomalies"] if a["kind"] == "rule"],
            [m for m in document["metrics"] if m["comparison"] == "rule"])


def test_a_rule_fails_batch_a_and_passes_train(
    taxi_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(taxi_store, SCHEMA_WARNS)
    assert _check(capsys, BATCH_A, "--dry-run")[1]["verdict"] == "warn"  # without the rule
    _config(taxi_store, SCHEMA_WARNS + FARE_RULE + SIZE_RULE)
    code, passed = _check(capsys, TRAIN)
    assert (code, passed["verdict"]) == (0, "pass")
    anomalies, metrics = _rule_findings(passed)
    assert anomalies == []
    assert {(m["feature"], m["method"], m["exceeded"], m["outcome"]) for m in metrics} == {
        ("fare", "mean", False, None), ("", "num_examples", False, None)}

    code, failed = _check(capsys, BATCH_A)
    assert (code, failed["verdict"]) == (1, "fail")
    (anomaly,) = _rule_findings(failed)[0]
    assert anomaly == {
        "feature": "fare", "kind": "rule", "type": "CUSTOM_RULE_FAILED", "severity": "error",
        "short_description": "fares stay cheap", "outcome": "fail",
        "description": "fare: mean is 12.6155, expected < 12", "slice": None,
    }
    fare = next(m for m in _rule_findings(failed)[1] if m["feature"] == "fare")
    assert fare["value"] == pytest.approx(12.615511) and fare["threshold"] == 12.0
    assert (fare["exceeded"], fare["outcome"]) == (True, "fail")

    code, out, _ = _cli(capsys, "gate", "taxi", "--batch", BATCH_A, "--format", "json")
    stored = json.loads(out)  # recorded with the check, read back from the store
    assert code == 1 and _rule_findings(stored) == _rule_findings(failed)


def test_a_warning_rule_only_warns_and_every_report_shows_it(
    taxi_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(taxi_store, SCHEMA_WARNS + FARE_RULE + 'severity = "warning"\n')
    code, document = _check(capsys, BATCH_A, "--dry-run")
    assert (code, document["verdict"]) == (0, "warn")
    assert _rule_findings(document)[0][0]["outcome"] == "warn"
    code, text, _ = _cli(capsys, "check", "taxi", BATCH_A, "--no-baseline", "--no-hooks",
                         "--dry-run")
    assert "! warn    rule   fare                       CUSTOM_RULE_FAILED (rule warning)" in text
    assert "rule       fare                       mean                 12.6155         12  " \
        "FAILED ! warn" in text
    assert "fare: mean is 12.6155, expected < 12" in text
    code, markdown, _ = _cli(capsys, "check", "taxi", BATCH_A, "--no-baseline", "--no-hooks",
                             "--dry-run", "--format", "markdown")
    assert "| ⚠️ warn | rule | `fare` | CUSTOM_RULE_FAILED |" in markdown
    code, junit, _ = _cli(capsys, "check", "taxi", BATCH_A, "--no-baseline", "--no-hooks",
                          "--dry-run", "--format", "junit")
    assert 'name="rule: fare"' in junit


def test_kind_rule_left_out_of_policy_fail_only_warns(
    taxi_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(taxi_store, SCHEMA_WARNS + 'fail = ["schema", "drift", "skew"]\n' + FARE_RULE)
    code, document = _check(capsys, BATCH_A, "--dry-run")
    assert (code, document["verdict"]) == (0, "warn")


# --- bad rules: exit 2, one line, nothing computed or stored ------------------------------------
@pytest.mark.parametrize(("toml", "message"), [
    (FARE_RULE.replace('"mean"', '"average"'),
     "config [[datasets.taxi.rules]] 'fares stay cheap': unknown stat 'average'; use one of"),
    (FARE_RULE.replace('"<"', '"=>"'), "'fares stay cheap': unknown op '=>'"),
    (FARE_RULE.replace("12.0", '"twelve"'), "'value' must be a finite number, got 'twelve'"),
    (FARE_RULE + FARE_RULE, "rule name 'fares stay cheap' is used twice"),
    (FARE_RULE.replace('"fare"', '"fair"'),
     "'fares stay cheap': no feature 'fair' in the statistics of training batch '2026-11-02'; "
     "did you mean 'fare'?"),
    (FARE_RULE.replace('"fare"', '"payment_type"'),
     "'fares stay cheap': mean needs a numeric feature; 'payment_type' is categorical"),
])
def test_a_bad_rule_is_exit_2_in_one_line_and_the_store_is_untouched(
    taxi_store: Path, capsys: pytest.CaptureFixture[str], toml: str, message: str
) -> None:
    _config(taxi_store, toml)
    before = _state(taxi_store)
    code, _, err = _cli(capsys, "check", "taxi", BATCH_A)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("dataguard: error: "), err
    assert message in lines[0]
    assert _state(taxi_store) == before


def test_run_refuses_a_rule_off_the_schema_before_computing_statistics(
    taxi_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(taxi_store, FARE_RULE.replace('"fare"', '"fair"'))
    before = _state(taxi_store)
    code, _, err = _cli(capsys, "run", "taxi", "2026-11-03", "--input", "batch_a.csv",
                        "--no-hooks")
    assert code == 2, err
    assert "'fares stay cheap': no feature 'fair' in schema v1 of 'taxi'" in err
    assert _state(taxi_store) == before


def test_a_malformed_rule_is_refused_by_any_command_reading_the_config(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(workdir, SIZE_RULE.replace('"num_examples"', '"rows"'))
    code, _, err = _cli(capsys, "schema", "list", "taxi")
    assert code == 2
    assert err.strip() == ("dataguard: error: config [[rules]] 'enough examples': unknown stat "
                           "'rows'; use one of num_examples, count, missing_share, zeros_share, "
                           "mean, std, min, median, max, unique, top_value_share, avg_length")


def test_a_serving_rule_judges_the_serving_batch_of_the_check(
    taxi_store: Path, taxi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(taxi / "batch_b.csv", taxi_store / "batch_b.csv")  # fare mean 10.07
    code, _, err = _cli(capsys, "stats", "taxi", BATCH_A, "--role", "serving",
                        "--input", "batch_b.csv")
    assert code == 0, err
    rule = FARE_RULE.replace("value = 12.0", 'value = 10.0\nrole = "serving"')
    _config(taxi_store, SCHEMA_WARNS + rule)
    _, without = _check(capsys, BATCH_A, "--dry-run")
    assert _rule_findings(without) == ([], [])  # no serving batch, nothing to judge
    _, document = _check(capsys, BATCH_A, "--dry-run", "--serving", BATCH_A)
    (anomaly,), (metric,) = _rule_findings(document)
    assert anomaly["description"] == "Serving batch: fare: mean is 10.0716, expected < 10"
    assert metric["value"] == pytest.approx(10.071564)


def test_the_beam_jobs_refuse_a_rule_off_the_schema_before_launching(
    taxi_store: Path,
) -> None:
    from dataguard.beamjobs.config import JobConfig
    from dataguard.beamjobs.steps import require_schema_and_baseline
    from dataguard.config import load_settings
    from dataguard.errors import UsageError
    from dataguard.service.context import Context

    _config(taxi_store, FARE_RULE.replace('"fare"', '"fair"'))
    ctx = Context.create(load_settings(store_url="sqlite:///store.db", artifacts="artifacts",
                                       config_path="dataguard.toml", env={}))
    cfg = JobConfig(dataset="taxi", batch="2026-11-03", inputs=("batch_a.csv",))
    with pytest.raises(UsageError, match="'fares stay cheap': no feature 'fair' in schema v1"):
        require_schema_and_baseline(ctx, cfg)
