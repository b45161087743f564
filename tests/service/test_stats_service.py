"""``dataguard.stats``: an artifact plus a batch row, all or nothing, local or gs://."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dataguard.config import Settings, load_settings
from dataguard.core.models import Role
from dataguard.errors import BadInputError, UsageError
from dataguard.service.context import Context
from dataguard.service.stats import batch_profile, load_statistics, record_statistics, stats


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _batches(settings: Settings, dataset: str = "penguin") -> list[str]:
    with Context.create(settings).store.read() as q:
        return [b.name for b in q.list_batches(dataset)]


def test_stats_stores_the_artifact_and_the_batch_row(settings: Settings, penguin: Path) -> None:
    result = stats("penguin", "day1", [str(penguin / "train.csv")], settings=settings)
    batch = result.batch
    assert (batch.dataset, batch.name, batch.role) == ("penguin", "day1", Role.TRAINING)
    assert batch.num_examples == 334
    assert batch.source == str(penguin / "train.csv")
    artifact = Path(batch.artifact_uri)
    assert artifact.is_absolute()
    assert artifact.parent == Path(settings.artifacts).resolve() / "penguin" / "training" / "day1"
    assert artifact.name.startswith("stats-") and artifact.suffix == ".pb"
    assert result.to_dict()["num_examples"] == 334
    ctx = Context.create(settings)
    with ctx.store.read() as q:
        stored = q.get_batch("penguin", "day1")
    assert stored is not None and stored.sha256 == batch.sha256
    assert load_statistics(ctx, stored).datasets[0].num_examples == 334


def test_a_stored_batch_is_refused_before_computing_unless_replaced(
    settings: Settings, penguin: Path, tmp_path: Path
) -> None:
    first = stats("penguin", "day1", [str(penguin / "train.csv")], settings=settings)
    missing = str(tmp_path / "not-read.csv")  # never opened: the refusal comes first
    (tmp_path / "not-read.csv").write_text("")
    with pytest.raises(UsageError, match="already stored; pass --replace"):
        stats("penguin", "day1", [missing], settings=settings)
    second = stats("penguin", "day1", [str(penguin / "skewed.csv")], replace=True,
                   settings=settings)
    assert second.batch.id == first.batch.id
    with Context.create(settings).store.read() as q:  # the profile was replaced with the row
        profile = {(p.feature, p.stat): p.value for p in q.profile_history("penguin")}
    assert profile[("", "num_examples")] == second.batch.num_examples
    assert profile == batch_profile(load_statistics(Context.create(settings), second.batch))
    assert second.batch.artifact_uri != first.batch.artifact_uri
    assert not Path(first.batch.artifact_uri).exists()  # the replaced artifact is cleaned up
    assert _files(Path(settings.artifacts)) == [
        str(Path(second.batch.artifact_uri).relative_to(Path(settings.artifacts).resolve()))
    ]


def test_roles_keep_training_and_serving_batches_apart(settings: Settings, penguin: Path) -> None:
    stats("penguin", "day1", [str(penguin / "train.csv")], settings=settings)
    serving = stats("penguin", "day1", [str(penguin / "serving_unlabelled.csv")],
                    role="serving", settings=settings)
    assert serving.batch.role is Role.SERVING and serving.batch.num_examples == 10
    assert "/serving/day1/" in serving.batch.artifact_uri


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(dataset="../x"), "dataset name"),
        (dict(batch="a b"), "batch name"),
        (dict(role="prod"), "--role 'prod'"),
        (dict(engine="spark"), "--engine 'spark'"),
        (dict(pipeline_args=["--runner=DataflowRunner"]), "need --engine beam"),
    ],
)
def test_bad_arguments_are_usage_errors_and_write_nothing(
    settings: Settings, penguin: Path, kwargs: dict, message: str
) -> None:
    args = dict(dataset="penguin", batch="day1", inputs=[str(penguin / "train.csv")]) | kwargs
    with pytest.raises(UsageError, match=message):
        stats(args.pop("dataset"), args.pop("batch"), args.pop("inputs"), settings=settings,
              **args)
    assert not Path(settings.artifacts).exists()


def test_bad_input_leaves_store_and_artifacts_as_they_were(
    settings: Settings, penguin: Path, tmp_path: Path
) -> None:
    stats("penguin", "day1", [str(penguin / "train.csv")], settings=settings)
    before = _files(Path(settings.artifacts))
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(BadInputError, match=r"ragged\.csv: line 3"):
        stats("penguin", "day2", [str(bad)], settings=settings)
    assert _files(Path(settings.artifacts)) == before
    assert _batches(settings) == ["day1"]


def test_a_failed_store_transaction_deletes_the_new_artifact(
    settings: Settings, penguin: Path
) -> None:
    first = stats("penguin", "day1", [str(penguin / "train.csv")], settings=settings)
    ctx = Context.create(settings)
    statistics = load_statistics(ctx, first.batch)
    before = _files(Path(settings.artifacts))
    with pytest.raises(UsageError, match="--replace"):  # the row exists: the insert fails
        record_statistics(ctx, "penguin", "day1", "training", statistics, source="x",
                          engine="beam")
    assert _files(Path(settings.artifacts)) == before


def test_gs_inputs_and_artifacts_work_like_local_ones(
    workdir: Path, sqlite_url: str, fake_gcs: Path, penguin: Path
) -> None:
    (fake_gcs / "bucket" / "in").mkdir(parents=True)
    (fake_gcs / "bucket" / "in" / "train.csv").write_bytes((penguin / "train.csv").read_bytes())
    settings = load_settings(store_url=sqlite_url, artifacts="gs://bucket/artifacts", env={})
    result = stats("penguin", "day1", ["gs://bucket/in/*.csv"], settings=settings)
    assert result.batch.num_examples == 334
    assert result.batch.source == "gs://bucket/in/train.csv"
    assert result.batch.artifact_uri.startswith("gs://bucket/artifacts/penguin/training/day1/")
    local = fake_gcs / "bucket" / "artifacts" / "penguin" / "training" / "day1"
    assert len(os.listdir(local)) == 1
    ctx = Context.create(settings)
    assert load_statistics(ctx, result.batch).datasets[0].num_examples == 334
