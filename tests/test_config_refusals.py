"""Bad configuration and bad schema files are refused with one line and exit 2, and the store,
the artifacts and the schema files stay exactly as they were (issue 11, items 5-7).

- ``[thresholds]``: a threshold that is not a finite non-negative number, or example-count
  bounds that fail every batch; an unknown top-level key (a typo silently fell back to the
  default store);
- ``[[hooks]]``: the refusals of docs/hooks.md happen in ``check`` and ``run``, before anything
  is computed (they used to run on and print "hooks not run");
- ``schema import``: a feature twice, a presence fraction of 7, a negative threshold.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.store import open_store

GOOD_HOOK = '''
[[hooks]]
name = "retrain"
type = "command"
command = ["true"]
on = ["pass", "warn", "fail"]
'''


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", "sqlite:///store.db", "--artifacts", "artifacts",
                 "--config", "dataguard.toml", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _state(workdir: Path) -> tuple[object, ...]:
    """Everything a command could change: files under the work folder, and the store's rows."""
    files = sorted(
        (str(p.relative_to(workdir)), p.read_bytes() if p.suffix != ".db" else b"")
        for p in workdir.rglob("*")
        if p.is_file() and "store.db" not in p.name and p.name != "dataguard.toml"
    )
    store = open_store(f"sqlite:///{workdir / 'store.db'}")
    try:
        with store.read() as q:
            rows = [
                (d, [(b.name, b.role.value, b.sha256) for b in q.list_batches(d)],
                 [(v.version, v.sha256) for v in q.list_schema_versions(d)],
                 [(c.batch, c.verdict.value) for c in q.check_history(d)],
                 len(q.list_deliveries(d)))
                for d in q.list_datasets()
            ]
    finally:
        store.dispose()
    return tuple(files), tuple(rows)


def _refused(capsys: pytest.CaptureFixture[str], workdir: Path, *args: str) -> str:
    before = _state(workdir)
    code, out, err = _cli(capsys, *args)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("dataguard: error: "), err
    assert "hooks not run" not in err
    assert _state(workdir) == before
    return lines[0]


@pytest.fixture
def penguin_store(
    workdir: Path, penguin: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """penguin day1 (train.csv) with schema v1, config without hooks; returns the work folder."""
    (workdir / "dataguard.toml").write_text(f'schemas_dir = "{workdir / "schemas"}"\n')
    shutil.copy(penguin / "train.csv", workdir / "train.csv")
    for args in (("stats", "penguin", "day1", "--input", "train.csv"),
                 ("schema", "infer", "penguin")):
        code, _, err = _cli(capsys, *args)
        assert code == 0, err
    return workdir


def _config(workdir: Path, text: str) -> None:
    (workdir / "dataguard.toml").write_text(f'schemas_dir = "{workdir / "schemas"}"\n' + text)


# --- 5. thresholds and top-level keys ------------------------------------------------------------
@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[thresholds]\nl_infinity = nan\n",
         "[thresholds] l_infinity: must be a non-negative number, got nan; nan and inf are "
         "not thresholds"),
        ("[thresholds]\njensen_shannon = inf\n",
         "[thresholds] jensen_shannon: must be a non-negative number, got inf"),
        ("[thresholds.skew]\nl_infinity = -0.5\n", "[thresholds.skew] l_infinity: must be"),
        ("[datasets.penguin.features.species]\nl_infinity = nan\n",
         "[datasets.penguin.features.species] l_infinity: must be a non-negative"),
        ("[thresholds]\nnum_examples_min_fraction = 3.0\nnum_examples_max_fraction = 0.5\n",
         "num_examples min fraction 3 is above 1"),
        ("[datasets.penguin.thresholds]\nnum_examples_max_fraction = 0.5\n",
         "num_examples max fraction 0.5 is below 1"),
    ],
)
def test_schema_infer_refuses_thresholds_that_cannot_be_meant(
    penguin_store: Path, capsys: pytest.CaptureFixture[str], toml: str, message: str
) -> None:
    _config(penguin_store, toml)
    line = _refused(capsys, penguin_store, "schema", "infer", "penguin")
    assert message in line


def test_a_typo_in_a_top_level_key_is_refused_instead_of_using_the_default_store(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(workdir, 'storee = "sqlite:///elsewhere.db"\n')
    code, _, err = _cli(capsys, "schema", "list", "taxi")
    assert code == 2
    assert err.strip().splitlines() == [
        "dataguard: error: dataguard.toml: unknown top-level key 'storee'; did you mean 'store'?"
    ]
    assert not (workdir / "store.db").exists() and not (workdir / "elsewhere.db").exists()


def test_a_setting_that_is_not_text_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(workdir, "artifacts = 3\n")
    code, _, err = _cli(capsys, "schema", "list", "taxi")
    assert code == 2 and "'artifacts' must be a non-empty string, got 3" in err


def test_the_example_config_has_only_known_keys() -> None:
    from dataguard.config import load_settings

    example = Path(__file__).resolve().parents[1] / "dataguard.example.toml"
    load_settings(config_path=str(example), env={})


# --- 6. hooks ------------------------------------------------------------------------------------
BAD_HOOKS = {
    "plain secret": ('[[hooks]]\nname = "ops"\ntype = "webhook"\nurl = "https://x.test/h"\n'
                     'secret = "hunter2"\n', "hook 'ops': key 'secret' holds a secret"),
    "unknown type": ('[[hooks]]\nname = "ops"\ntype = "carrier-pigeon"\n',
                     "hook 'ops': unknown type 'carrier-pigeon'"),
    "unknown verdict": ('[[hooks]]\nname = "ops"\ntype = "command"\ncommand = ["true"]\n'
                        'on = ["explode"]\n', "hook 'ops': 'on' must be a non-empty list"),
    "negative retries": ('[[hooks]]\nname = "ops"\ntype = "command"\ncommand = ["true"]\n'
                         'retries = -1\n', "hook 'ops': 'retries' must be an integer >= 0"),
}


@pytest.mark.parametrize("case", sorted(BAD_HOOKS))
def test_check_refuses_a_bad_hooks_config_before_judging_anything(
    penguin_store: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    toml, message = BAD_HOOKS[case]
    _config(penguin_store, GOOD_HOOK + toml)
    line = _refused(capsys, penguin_store, "check", "penguin", "day1")
    assert message in line
    assert "hunter2" not in line


@pytest.mark.parametrize("case", ["plain secret", "unknown type"])
def test_run_refuses_a_bad_hooks_config_before_computing_statistics(
    penguin_store: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    toml, message = BAD_HOOKS[case]
    _config(penguin_store, toml)
    line = _refused(capsys, penguin_store, "run", "penguin", "day2", "--input", "train.csv")
    assert message in line


def test_no_hooks_lets_a_check_with_a_bad_hooks_config_run(
    penguin_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(penguin_store, BAD_HOOKS["unknown type"][0])
    code, _, err = _cli(capsys, "check", "penguin", "day1", "--no-hooks")
    assert code in (0, 1), err


# --- 7. schema import ----------------------------------------------------------------------------
def _edited(workdir: Path, edit: str, replacement: str, count: int = 1) -> Path:
    text = next((workdir / "schemas" / "penguin").glob("v1.pbtxt")).read_text()
    assert edit in text, text
    target = workdir / "edited.pbtxt"
    target.write_text(text.replace(edit, replacement, count))
    return target


def _first_feature_block(text: str) -> str:
    start = text.index("feature {")
    depth, i = 0, start
    while True:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
        if depth == 0 and text[i - 1] == "}":
            return text[start:i]


def test_schema_import_refuses_a_feature_defined_twice(
    penguin_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (penguin_store / "schemas" / "penguin" / "v1.pbtxt").read_text()
    block = _first_feature_block(text)
    (penguin_store / "edited.pbtxt").write_text(text + "\n" + block + "\n")
    line = _refused(capsys, penguin_store, "schema", "import", "penguin", "edited.pbtxt")
    assert "edited.pbtxt: feature" in line and "is defined twice" in line


def test_schema_import_refuses_a_presence_fraction_above_one(
    penguin_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edited(penguin_store, "min_fraction: 1.0", "min_fraction: 7.0")
    line = _refused(capsys, penguin_store, "schema", "import", "penguin", "edited.pbtxt")
    assert "presence min_fraction 7.0 must be between 0 and 1" in line


@pytest.mark.parametrize("threshold", ["-0.1", "nan"])
def test_schema_import_refuses_a_negative_or_nan_threshold(
    penguin_store: Path, capsys: pytest.CaptureFixture[str], threshold: str
) -> None:
    text = (penguin_store / "schemas" / "penguin" / "v1.pbtxt").read_text()
    at = text.index("threshold: ")
    end = text.index("\n", at)
    (penguin_store / "edited.pbtxt").write_text(
        text[:at] + f"threshold: {threshold}" + text[end:]
    )
    line = _refused(capsys, penguin_store, "schema", "import", "penguin", "edited.pbtxt")
    assert "threshold" in line and "must be a finite number >= 0" in line


def test_schema_import_refuses_example_count_bounds_that_fail_every_batch(
    penguin_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edited(penguin_store, "min_fraction_threshold: 0.5", "min_fraction_threshold: 3.0")
    line = _refused(capsys, penguin_store, "schema", "import", "penguin", "edited.pbtxt")
    assert "num_examples min fraction 3 is above 1" in line


def test_schema_import_still_takes_a_sound_edit(
    penguin_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edited(penguin_store, "min_fraction_threshold: 0.5", "min_fraction_threshold: 0.25")
    code, _, err = _cli(capsys, "schema", "import", "penguin", "edited.pbtxt")
    assert code == 0, err
