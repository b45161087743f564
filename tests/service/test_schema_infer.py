"""`schema infer` (issue 14, item 5): nothing changed → nothing written; inferred value ranges
make penguin ``skewed.csv`` (culmen_length_mm = -1) fail against a schema of ``train.csv``."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.cli.main import main
from dataguard.core import schemas as sch
from dataguard.core.models import Verdict
from dataguard.service.check import check
from dataguard.service.schemas import infer_schema, list_schemas
from tests.service.conftest import with_config

pytestmark = pytest.mark.slow

D1, D2 = "2026-11-01", "2026-11-02"
PENGUIN = {"datasets": {"penguin": {"label": "species"}}}


def version_files(settings) -> list[str]:  # type: ignore[no-untyped-def]
    folder = Path(settings.schemas_dir) / "penguin"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_infer_with_nothing_changed_writes_nothing_and_says_so(
    backend_settings, add_batch, snapshot
) -> None:
    s = with_config(backend_settings, **PENGUIN)
    add_batch(s, "penguin", D1, "penguin/train.csv")
    first = infer_schema("penguin", settings=s)
    assert (first.version, first.written) == (1, True)
    rows = snapshot(s)
    again = infer_schema("penguin", message="nightly", settings=s)
    assert (again.version, again.written, again.sha256) == (1, False, first.sha256)
    assert again.message == first.message  # the recorded version, not this call's message
    assert snapshot(s) == rows
    assert version_files(s) == ["v1.pbtxt"]
    changed = with_config(s, datasets={"penguin": {"label": "species"}},
                          thresholds={"jensen_shannon": 0.05})
    assert (infer_schema("penguin", settings=changed).version, version_files(s)) == (
        2, ["v1.pbtxt", "v2.pbtxt"])


def test_cli_infer_with_nothing_changed_prints_the_version_and_exit_0(
    workdir, add_batch, capsys
) -> None:
    (workdir / "dataguard.toml").write_text('[datasets.penguin]\nlabel = "species"\n')
    from dataguard.config import load_settings

    add_batch(load_settings(env={}), "penguin", D1, "penguin/train.csv")
    assert main(["schema", "infer", "penguin"]) == 0
    capsys.readouterr()
    assert main(["schema", "infer", "penguin", "-m", "again"]) == 0
    out, err = capsys.readouterr()
    assert out == "1\n"
    assert err == "schema unchanged: v1 (nothing written)\n"
    assert sorted(p.name for p in (workdir / "schemas" / "penguin").iterdir()) == ["v1.pbtxt"]
    assert [v.version for v in list_schemas("penguin", settings=load_settings(env={}))] == [1]


def test_skewed_penguins_fail_against_inferred_value_ranges(settings, add_batch) -> None:
    s = with_config(settings, **PENGUIN)
    add_batch(s, "penguin", D1, "penguin/train.csv")
    add_batch(s, "penguin", D2, "penguin/skewed.csv")
    infer_schema("penguin", batch=D1, settings=s)
    assert check("penguin", D2, hooks=False, settings=s).verdict == Verdict.PASS  # unbounded

    v2 = infer_schema("penguin", batch=D1, value_ranges=True, settings=s)
    schema = sch.parse_schema(Path(v2.path).read_text(), v2.path)
    culmen = next(f for f in schema.feature if f.name == "culmen_length_mm")
    assert culmen.float_domain.min == pytest.approx(-0.1)  # seen in [0, 1], 10% margin
    assert culmen.float_domain.max == pytest.approx(1.1)
    result = check("penguin", D2, hooks=False, settings=s)
    assert result.verdict == Verdict.FAIL
    schema_findings = {(a.feature, a.type) for a in result.anomalies if a.kind == "schema"}
    assert ("culmen_length_mm", "FLOAT_TYPE_SMALL_FLOAT") in schema_findings
    assert check("penguin", D1, hooks=False, settings=s).verdict == Verdict.PASS


def test_value_ranges_from_config_with_a_margin(settings, add_batch) -> None:
    s = with_config(settings, datasets={"penguin": {
        "label": "species", "infer_value_ranges": True, "value_range_margin": 0}})
    add_batch(s, "penguin", D1, "penguin/train.csv")
    v1 = infer_schema("penguin", settings=s)
    schema = sch.parse_schema(Path(v1.path).read_text(), v1.path)
    ranges = {f.name: (f.WhichOneof("domain_info"), f) for f in schema.feature}
    kind, culmen = ranges["culmen_length_mm"]
    assert (kind, culmen.float_domain.min, culmen.float_domain.max) == ("float_domain", 0.0, 1.0)
    kind, species = ranges["species"]
    assert (kind, species.int_domain.min, species.int_domain.max) == ("int_domain", 0, 2)


def test_concurrent_identical_infers_write_one_version(store_url, tmp_path, add_batch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dataguard.config import load_settings

    s = load_settings(store_url=store_url, artifacts=str(tmp_path / "a"),
                      schemas_dir=str(tmp_path / "s"), env={})
    add_batch(s, "penguin", D1, "penguin/train.csv")
    with ThreadPoolExecutor(3) as pool:
        versions = list(pool.map(lambda _: infer_schema("penguin", settings=s), range(3)))
    assert sorted((v.version, v.written) for v in versions) == [
        (1, False), (1, False), (1, True)]
    assert [p.name for p in (tmp_path / "s" / "penguin").iterdir()] == ["v1.pbtxt"]
