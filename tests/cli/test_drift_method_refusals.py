"""A bad drift/skew method config (unknown method, negative or NaN threshold) is exit 2 with one
line, before anything is computed or stored: for `check` and for `run` (issue 13)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.store import open_store

BAD = [
    ('[thresholds]\nmethods = ["psi", "kl"]\n',
     "dataguard: error: config [thresholds] methods: unknown method 'kl'; use \"psi\", "
     "\"hellinger\", \"wasserstein\", \"ks\""),
    ("[thresholds.drift]\npsi = -0.2\n",
     "dataguard: error: config [thresholds.drift] psi: must be a non-negative number, got -0.2; "
     "nan and inf are not thresholds"),
    ("[datasets.penguin.features.body_mass_g]\nks = nan\n",
     "dataguard: error: config [datasets.penguin.features.body_mass_g] ks: must be a "
     "non-negative number, got nan; nan and inf are not thresholds"),
    ('[datasets.penguin.features.body_mass_g]\nmethod = "wasserstein"\n',
     "dataguard: error: config [datasets.penguin.features.body_mass_g] method: 'wasserstein'; "
     "use l_infinity or jensen_shannon"),
]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", "sqlite:///store.db", "--artifacts", "artifacts",
                 "--config", "dataguard.toml", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _config(workdir: Path, text: str = "") -> None:
    (workdir / "dataguard.toml").write_text(f'schemas_dir = "{workdir / "schemas"}"\n' + text)


def _state(workdir: Path) -> tuple[object, ...]:
    files = sorted(str(p.relative_to(workdir)) for p in workdir.rglob("*")
                   if p.is_file() and "store.db" not in p.name)
    store = open_store(f"sqlite:///{workdir / 'store.db'}")
    try:
        with store.read() as q:
            rows = [([b.name for b in q.list_batches(d)], [c.batch for c in q.check_history(d)])
                    for d in q.list_datasets()]
    finally:
        store.dispose()
    return tuple(files), tuple(rows)


@pytest.fixture
def penguin_days(workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """penguin day1 and day2 (both train.csv) with schema v1; day2 not checked yet."""
    _config(workdir)
    shutil.copy(penguin / "train.csv", workdir / "train.csv")
    for args in (("stats", "penguin", "day1", "--input", "train.csv"),
                 ("schema", "infer", "penguin"),
                 ("stats", "penguin", "day2", "--input", "train.csv")):
        code, _, err = _cli(capsys, *args)
        assert code == 0, err
    return workdir


@pytest.mark.parametrize(("toml", "line"), BAD)
def test_check_refuses_a_bad_method_config_in_one_line_and_records_nothing(
    penguin_days: Path, capsys: pytest.CaptureFixture[str], toml: str, line: str
) -> None:
    _config(penguin_days, toml)
    before = _state(penguin_days)
    code, _, err = _cli(capsys, "check", "penguin", "day2", "--no-hooks")
    assert (code, err.strip().splitlines()) == (2, [line])
    assert _state(penguin_days) == before


@pytest.mark.parametrize(("toml", "line"), BAD[:1])
def test_run_refuses_a_bad_method_config_before_computing_statistics(
    penguin_days: Path, capsys: pytest.CaptureFixture[str], toml: str, line: str
) -> None:
    _config(penguin_days, toml)
    before = _state(penguin_days)
    code, _, err = _cli(capsys, "run", "penguin", "day3", "--input", "train.csv", "--no-hooks")
    assert (code, err.strip().splitlines()) == (2, [line])
    assert _state(penguin_days) == before  # no day3 batch, no artifact, no check


def test_a_good_method_config_checks_and_records_the_methods(
    penguin_days: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(penguin_days, '[thresholds]\nmethods = ["psi", "ks"]\nks = 0.5\n')
    code, out, err = _cli(capsys, "check", "penguin", "day2", "--no-hooks", "--format", "json")
    assert code == 0, err
    methods = {(m["method"], m["threshold"]) for m in json.loads(out)["metrics"]}
    assert {("psi", None), ("ks", 0.5)} <= methods
    assert not {m for m, _ in methods} & {"hellinger", "wasserstein"}
