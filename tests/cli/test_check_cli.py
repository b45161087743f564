"""`dataguard schema …`, `check`, `gate` through the command line (in process, and one
subprocess for gate's promise not to load TensorFlow)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.config import load_settings

pytestmark = pytest.mark.slow

DAY1, DAY2 = "2026-11-24", "2026-11-25"
CONFIG = """
[thresholds]
l_infinity = 0.01
jensen_shannon = 0.01

[datasets.taxi]
label = "tips"
"""


@pytest.fixture
def cli(workdir: Path, record_batch):  # type: ignore[no-untyped-def]
    """A working folder with dataguard.toml and two taxi days in its default store."""
    (workdir / "dataguard.toml").write_text(CONFIG)
    settings = load_settings(env={})
    record_batch(settings, "taxi", DAY1, "taxi/train.csv")
    record_batch(settings, "taxi", DAY2, "taxi/batch_a.csv")
    return workdir


def dg(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_schema_infer_prints_the_version_and_check_fails_batch_a(cli, capsys) -> None:
    code, out, err = dg(capsys, "schema", "infer", "taxi", "--batch", DAY1, "-m", "day 1")
    assert (code, out) == (0, "1\n")
    assert "schemas/taxi/v1.pbtxt" in err
    code, out, _ = dg(capsys, "check", "taxi", DAY2, "--no-hooks")
    assert code == 1
    assert out.splitlines()[0] == f"taxi / {DAY2}: FAIL"
    assert "COMPARATOR_L_INFTY_HIGH" in out and "Credit Card" in out
    assert "\033[" not in out  # no colour when stdout is not a terminal


def test_json_is_the_design_contract(cli, capsys) -> None:
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    code, out, _ = dg(capsys, "check", "taxi", DAY2, "--format", "json", "--no-hooks")
    body = json.loads(out)
    assert code == 1
    assert list(body) == ["format_version", "dataset", "batch", "verdict", "schema_version",
                          "baseline_batch", "baseline", "serving_batch", "num_examples",
                          "check_id", "checked_at", "dashboard_url",  # added by issue 14
                          "anomalies", "metrics"]
    assert (body["format_version"], body["dataset"], body["batch"], body["verdict"],
            body["baseline_batch"]) == (1, "taxi", DAY2, "fail", DAY1)
    assert set(body["anomalies"][0]) == {"feature", "kind", "type", "severity",
                                         "short_description", "description", "outcome",
                                         "slice"}  # slice: added by issue 13 (null: whole)
    payment = next(m for m in body["metrics"] if m["feature"] == "payment_type")
    assert set(payment) == {"feature", "comparison", "method", "value", "threshold", "exceeded",
                            "outcome", "slice"}
    assert (payment["comparison"], payment["method"], payment["exceeded"]) == (
        "drift", "l_infinity", True)


def test_junit_report_is_valid_xml_with_a_case_per_feature_and_comparison(cli, capsys) -> None:
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    code, out, _ = dg(capsys, "check", "taxi", DAY2, "--format", "junit", "--output",
                      "reports/check.xml", "--no-hooks")
    assert code == 1
    assert out.startswith(f"taxi/{DAY2}: fail — ") and out.strip().endswith("reports/check.xml")
    root = ET.fromstring((cli / "reports" / "check.xml").read_text())
    (suite,) = root.findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == sum(
        1 for c in cases.values() if c.find("failure") is not None)
    assert cases["drift: payment_type"].find("failure") is not None
    assert cases["schema: trip_seconds"].find("failure").get("type") == "UNEXPECTED_DATA_TYPE"
    assert cases["drift: trip_miles"].find("failure") is None
    assert "schema: company" in cases and "drift: (dataset)" in cases


def test_markdown_report_for_a_pull_request(cli, capsys) -> None:
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    _, out, _ = dg(capsys, "check", "taxi", DAY2, "--format", "markdown", "--no-hooks")
    assert out.startswith(f"### ❌ dataguard check `taxi` / `{DAY2}`: **fail**")
    assert "| drift | `payment_type` | COMPARATOR_L_INFTY_HIGH | error |" in out


def test_gate_after_fail_and_pass(cli, capsys) -> None:
    code, _, err = dg(capsys, "gate", "taxi")
    assert code == 2 and "has no check yet" in err
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    assert dg(capsys, "check", "taxi", DAY2, "--no-hooks")[0] == 1
    code, out, _ = dg(capsys, "gate", "taxi")
    assert code == 1 and out.startswith(f"taxi/{DAY2}: fail (check ")
    assert dg(capsys, "check", "taxi", DAY1, "--baseline", DAY1, "--no-hooks")[0] == 0
    assert dg(capsys, "gate", "taxi")[0] == 0
    assert dg(capsys, "gate", "taxi", "--batch", DAY2)[0] == 1
    assert dg(capsys, "gate", "taxi", "--batch", "2027-01-01")[0] == 2
    code, out, _ = dg(capsys, "gate", "taxi", "--batch", DAY2, "--format", "json")
    body = json.loads(out)
    assert (code, body["verdict"], body["batch"]) == (1, "fail", DAY2)
    assert isinstance(body["check_id"], int) and body["created_at"]


def test_bad_schema_version_exits_2_and_records_nothing(cli, capsys) -> None:
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    code, out, err = dg(capsys, "check", "taxi", DAY2, "--schema-version", "9", "--no-hooks")
    assert (code, out) == (2, "")
    assert err == "dataguard: error: dataset 'taxi' has no schema version 9; versions: 1\n"
    assert dg(capsys, "gate", "taxi")[0] == 2  # still no check


def test_schema_list_show_diff_import(cli, capsys, taxi) -> None:
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    code, out, err = dg(capsys, "schema", "import", "taxi", str(taxi / "user_schema.pbtxt"))
    assert (code, out) == (0, "2\n")
    assert "(parent v1)" in err and "sets no drift or skew comparators" in err
    _, out, _ = dg(capsys, "schema", "list", "taxi")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["v1", "v2"]
    _, out, _ = dg(capsys, "schema", "show", "taxi", "--version", "2")
    assert 'name: "company"' in out
    _, out, _ = dg(capsys, "schema", "diff", "taxi", "1", "2")
    assert out.splitlines()[0] == "schema v1 → v2"
    assert "  ~ payment_type  drift: l_infinity 0.01 → none" in out
    code, _, err = dg(capsys, "schema", "diff", "taxi", "1", "3")
    assert code == 2 and "no schema version 3" in err
    code, _, err = dg(capsys, "schema", "list", "cabs")
    assert code == 2 and "unknown dataset 'cabs'" in err


def test_gate_never_loads_tensorflow(cli, capsys) -> None:
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    dg(capsys, "check", "taxi", DAY2, "--no-hooks")
    code = (
        "import sys\nfrom dataguard.cli.main import main\n"
        "rc = main(['gate', 'taxi'])\n"
        "heavy = [m for m in ('tensorflow', 'tensorflow_data_validation', 'apache_beam')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\nsys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=cli, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(f"taxi/{DAY2}: fail")


def test_a_failing_hook_changes_neither_the_exit_code_nor_the_stored_check(
    cli, capsys, monkeypatch
) -> None:
    (cli / "dataguard.toml").write_text(
        CONFIG + '\n[[hooks]]\nname = "broken"\ntype = "command"\ncommand = ["false"]\n'
        'on = ["fail"]\n'
    )
    dg(capsys, "schema", "infer", "taxi", "--batch", DAY1)
    code, out, err = dg(capsys, "check", "taxi", DAY2)
    assert code == 1 and out.startswith(f"taxi / {DAY2}: FAIL")
    assert "hook 'broken' failed" in err
    assert dg(capsys, "gate", "taxi")[0] == 1


def test_the_use_cases_are_the_public_api() -> None:
    import dataguard
    from dataguard import api
    from dataguard.service import check as check_module
    from dataguard.service import schemas as schema_module

    assert dataguard.check is check_module.check
    assert dataguard.run is api.run and dataguard.gate is check_module.gate
    assert dataguard.infer_schema is schema_module.infer_schema
    assert dataguard.import_schema is schema_module.import_schema
    assert dataguard.diff_schemas is schema_module.diff_schemas
