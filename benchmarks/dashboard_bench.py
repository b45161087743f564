"""Dashboard benchmark: every page on a store of 50 datasets × 365 batches × 50 features.

    .venv/bin/python benchmarks/dashboard_bench.py            # full size (~1 M metric rows)
    .venv/bin/python benchmarks/dashboard_bench.py --quick    # 10 × 60 × 20 smoke run
    .venv/bin/python benchmarks/dashboard_bench.py --url postgresql://postgres@127.0.0.1/bench

Fills the store in one transaction with SQLAlchemy core bulk inserts into the store's own tables
(the store migrates it first), writes a few synthetic statistics artifacts and one schema file per
dataset, then renders each page with Streamlit's AppTest twice — cold (empty caches) and warm —
and prints the times. Target (issue 5): every page < 2 s after the first load. ``trends`` is the
dataset page with one feature's drift series in its rolling control band (issue 13); the plain
``dataset`` row draws the row-count series in its band. Every batch has a profile (what
``dataguard stats`` records: ~2.3 M rows at full size), so ``trends-mean`` (a profile series on
the dataset page) and ``feature`` (the feature page: the row count, mean, std, missing share and
drift of one feature, each in its band) read the store only, as they do in production. Every
artifact is sliced (``All Examples`` + 4 slices, ``core.slices``) and the checks of every tenth
dataset (07, 17, …) carry per-slice metrics too; ``slice`` is the batch page showing one slice.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

START = datetime(2025, 11, 26, 6, 0, tzinfo=timezone.utc)
CHUNK = 20_000
SLICES = ("segment_A", "segment_B", "segment_C", "segment_D")


def synthetic_statistics(features: int, seed: int) -> bytes:
    """A DatasetFeatureStatisticsList with half numeric, half categorical features."""
    from tensorflow_metadata.proto.v0 import statistics_pb2 as pb

    rng = random.Random(seed)
    stats = pb.DatasetFeatureStatisticsList()
    ds = stats.datasets.add(num_examples=10_000)
    for i in range(features):
        f = ds.features.add()
        f.path.step.append(f"feature_{i:02d}")
        if i % 2 == 0:
            f.type = pb.FeatureNameStatistics.FLOAT
            n = f.num_stats
            n.common_stats.num_non_missing = 10_000 - i
            n.common_stats.num_missing = i
            shift = rng.uniform(-0.5, 0.5)
            n.mean, n.std_dev, n.min, n.median, n.max = 5 + shift, 2.0, 0.0, 5 + shift, 10.0
            for kind in (pb.Histogram.STANDARD, pb.Histogram.QUANTILES):
                h = n.histograms.add(type=kind)
                for b in range(10):
                    h.buckets.add(low_value=b, high_value=b + 1,
                                  sample_count=1000 * (1 + shift * (b - 4.5) / 10))
        else:
            f.type = pb.FeatureNameStatistics.STRING
            s = f.string_stats
            s.common_stats.num_non_missing = s.common_stats.tot_num_values = 10_000
            s.unique = 20
            counts = sorted((rng.randint(50, 1500) for _ in range(20)), reverse=True)
            for rank, count in enumerate(counts):
                s.top_values.add(value=f"value_{rank}", frequency=count)
                s.rank_histogram.buckets.add(low_rank=rank, high_rank=rank,
                                             label=f"value_{rank}", sample_count=count)
    ds.name = "All Examples"
    for name in SLICES:  # sliced as TFDV slices: the whole batch first, then each slice
        part = stats.datasets.add()
        part.CopyFrom(ds)
        part.name, part.num_examples = name, 10_000 // len(SLICES)
    return stats.SerializeToString()


def schema_text(features: int) -> str:
    lines = []
    for i in range(features):
        kind = "FLOAT" if i % 2 == 0 else "BYTES"
        comparator = ("jensen_shannon_divergence" if i % 2 == 0 else "infinity_norm")
        lines.append(f'feature {{ name: "feature_{i:02d}" type: {kind} '
                     f'drift_comparator {{ {comparator} {{ threshold: 0.05 }} }} }}')
    return "\n".join(lines) + "\n"


def profile_rows(batch_id: int, features: int, rng: random.Random) -> list[dict]:
    """A batch's profile as ``service.stats`` records it: num_examples; per numeric feature
    missing share, mean, std; per categorical one missing share and unique (1% of batches off)."""
    rows = [{"batch_id": batch_id, "feature": "", "stat": "num_examples", "value": 10_000.0}]
    for i in range(features):
        name = f"feature_{i:02d}"
        odd = rng.random() < 0.01
        values = ({"mean": 5 + rng.uniform(-0.5, 0.5) + (3 if odd else 0),
                   "std": 2 + rng.uniform(-0.1, 0.1)} if i % 2 == 0
                  else {"unique": 20.0 + (5 if odd else 0)})
        values["missing share"] = i / 10_000
        rows += [{"batch_id": batch_id, "feature": name, "stat": stat, "value": value}
                 for stat, value in values.items()]
    return rows


def fill(url: str, root: Path, datasets: int, batches: int, features: int) -> dict[str, int]:
    import sqlalchemy as sa

    from dataguard.store import open_store
    from dataguard.store import tables as t

    open_store(url).dispose()  # create + migrate through the store itself
    artifacts = []
    for k in range(8):
        data = synthetic_statistics(features, k)
        path = root / "artifacts" / f"stats-{k}.pb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        artifacts.append((str(path), hashlib.sha256(data).hexdigest()))
    schema = schema_text(features)
    rng = random.Random(7)
    rows: dict[str, list[dict]] = {name: [] for name in
                                   ("datasets", "batches", "profiles", "schemas", "checks",
                                    "anomalies", "metrics", "deliveries")}
    batch_id = check_id = 0
    for d in range(1, datasets + 1):
        name = f"dataset_{d:02d}"
        rows["datasets"].append({"id": d, "name": name, "created_at": START})
        schema_path = root / "schemas" / name / "v1.pbtxt"
        schema_path.parent.mkdir(parents=True, exist_ok=True)
        schema_path.write_text(schema)
        sha = hashlib.sha256(schema.encode()).hexdigest()
        rows["schemas"].append({"dataset_id": d, "version": 1, "path": str(schema_path),
                                "sha256": sha, "parent_version": None, "message": "bench",
                                "created_at": START})
        stale = timedelta(days=3) if d % 10 == 0 else timedelta(0)
        for b in range(batches):
            batch_id += 1
            when = START + timedelta(days=b) - stale
            uri, digest = artifacts[(d + b) % len(artifacts)]
            batch = f"{(when.date()).isoformat()}"
            rows["batches"].append({"id": batch_id, "dataset_id": d, "role": "training",
                                    "name": batch, "source": "bench", "num_examples": 10_000,
                                    "artifact_uri": uri, "sha256": digest, "created_at": when})
            rows["profiles"] += profile_rows(batch_id, features, rng)
            if b == 0:
                prev = batch
                continue
            check_id += 1
            exceeded = {f for f in range(features) if rng.random() < 0.02}
            verdict = "fail" if exceeded else ("warn" if rng.random() < 0.1 else "pass")
            rows["checks"].append({
                "id": check_id, "dataset_id": d, "batch_name": batch, "batch_role": "training",
                "verdict": verdict, "schema_version": 1, "baseline_batch": prev,
                "serving_batch": None, "num_examples": 10_000,
                "anomaly_count": len(exceeded), "created_at": when + timedelta(minutes=5)})
            for f in sorted(exceeded):
                rows["anomalies"].append({
                    "check_id": check_id, "feature": f"feature_{f:02d}", "kind": "drift",
                    "type": "COMPARATOR_L_INFTY_HIGH", "severity": "error",
                    "short_description": "High L-infinity distance",
                    "description": "The L-infinity distance between current and previous is "
                                   "above the threshold."})
            for slice_ in (None, *(SLICES if d % 10 == 7 else ())):
                for f in range(features):
                    value = rng.uniform(0.06, 0.2) if f in exceeded else rng.uniform(0, 0.04)
                    rows["metrics"].append({
                        "check_id": check_id, "feature": f"feature_{f:02d}",
                        "comparison": "drift",
                        "method": "jensen_shannon" if f % 2 == 0 else "l_infinity",
                        "value": value, "threshold": 0.05, "exceeded": f in exceeded,
                        "slice": slice_})
            if verdict == "fail":
                rows["deliveries"].append({
                    "hook": "ops", "dataset": name, "batch": batch, "verdict": verdict,
                    "status": "delivered" if rng.random() < 0.9 else "failed", "attempts": 1,
                    "last_error": None, "check_id": check_id, "delivered_at": when,
                    "created_at": when})
            prev = batch
    targets = {"datasets": t.DatasetRow, "batches": t.BatchRow,
               "profiles": t.BatchProfileRow, "schemas": t.SchemaVersionRow,
               "checks": t.CheckRow, "anomalies": t.AnomalyRow, "metrics": t.MetricRow,
               "deliveries": t.HookDeliveryRow}
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for key, row_class in targets.items():
            table = row_class.__table__
            data = rows[key]
            for i in range(0, len(data), CHUNK):
                conn.execute(table.insert(), data[i:i + CHUNK])
    engine.dispose()
    return {key: len(value) for key, value in rows.items()}


PAGES = [
    ("overview", None, {}),
    ("dataset", "views/dataset.py", {"dataset": "dataset_07"}),  # trends: rows per batch
    # the trends chart of one feature's drift: 364 points, each banded from the 30 before it
    ("trends", "views/dataset.py", {"dataset": "dataset_07", "trend_feature": "feature_03",
                                    "series": "l_infinity"}),
    # a profile series (fare's mean) on the dataset page, from the batch profiles
    ("trends-mean", "views/dataset.py", {"dataset": "dataset_07", "trend_feature": "feature_02",
                                         "series": "mean"}),
    # every series of one numeric feature: rows, mean, std, missing share, drift, each banded
    ("feature", "views/feature.py", {"dataset": "dataset_07", "feature": "feature_02"}),
    ("batch", "views/batch.py", {"dataset": "dataset_07"}),
    ("slice", "views/batch.py", {"dataset": "dataset_07", "slice": "segment_B"}),
    ("schemas", "views/schemas.py", {"dataset": "dataset_07"}),
    ("hooks", "views/hooks.py", {}),
]


def time_pages(timeout: float = 120) -> list[tuple[str, float, float]]:
    from streamlit.testing.v1 import AppTest

    from dataguard.dashboard_app import APP_PATH

    results = []
    for name, page, params in PAGES:
        times = []
        for _ in range(2):
            at = AppTest.from_file(str(APP_PATH), default_timeout=timeout)
            if page:
                at.switch_page(page)
            for key, value in params.items():
                at.query_params[key] = value
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"{name}: {at.exception[0].message}")
            if page in ("views/dataset.py", "views/feature.py") and not any(
                    "outside the band" in c.proto.spec for c in at.get("vega_lite_chart")):
                raise SystemExit(f"{name}: no trends chart on the page")
        results.append((name, times[0], times[1]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=50)
    parser.add_argument("--batches", type=int, default=365)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="10 datasets × 60 batches × 20")
    parser.add_argument("--url", help="an EMPTY store URL (default: SQLite in a temp folder)")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it")
    args = parser.parse_args(argv)
    if args.quick:
        args.datasets, args.batches, args.features = 10, 60, 20
    root = Path(args.keep or tempfile.mkdtemp(prefix="dataguard-dash-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    url = args.url or f"sqlite:///{root / 'bench.db'}"
    started = time.perf_counter()
    counts = fill(url, root, args.datasets, args.batches, args.features)
    print(f"filled {url.split('@')[-1]} in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    os.environ["DATAGUARD_STORE_URL"] = url
    os.environ["DATAGUARD_CONFIG"] = str(root / "none.toml")
    (root / "none.toml").write_text("")
    worst = 0.0
    print(f"{'page':<12} {'first load':>11} {'after':>8}")
    for name, cold, warm in time_pages():
        worst = max(worst, warm)
        print(f"{name:<12} {cold:>10.2f}s {warm:>7.2f}s")
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    verdict = "OK" if worst < 2.0 else "SLOW"
    print(f"{verdict}: slowest page after the first load {worst:.2f} s (target < 2 s)")
    return 0 if worst < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
