"""Statistics benchmark: dataguard's local and Beam engines vs TFDV vs a bare pyarrow parse.

    python -m benchmarks.stats_bench                  # 1M and 4M rows (Beam and TFDV on 1M)
    python -m benchmarks.stats_bench --quick          # 100k rows, everything
    python -m benchmarks.stats_bench --sizes 1000000 --beam-sizes 0 --tfdv-sizes 1000000

Each tool runs as its own process on the same generated taxi CSVs (``benchmarks.datagen``, in a
temp folder); the parent measures each process's wall time and peak RSS (``os.wait4``). Workers
also report their time after imports ("compute"), so import costs and work are separate:

- ``pyarrow``: ``pyarrow.csv.read_csv`` of the file — the floor for any CSV reader;
- ``dataguard``: the real CLI, ``dataguard stats … --format json`` (local engine, whole process),
  plus a worker timing ``compute_statistics`` after its imports, and one timing it sliced by
  ``payment_type`` (``local-sliced``: ``All Examples`` + one dataset per payment type, issue 13);
- ``dataguard-beam``: the CLI with ``--engine beam`` (B1's engine, local runner);
- ``tfdv``: ``tfdv.generate_statistics_from_csv`` (DirectRunner, in-memory mode).

The quick tools (pyarrow, dataguard, local-compute) run ``--repeat`` times (default 3),
interleaved, and report the median (peak RSS: the maximum): on a shared 2-core VM one run
can be 20 % off either way. Beam and TFDV take about a minute a run and run once.

Targets (issue 2, 1M rows): dataguard whole process ≥ 6x faster than TFDV's whole process;
computation ≥ 30x faster than TFDV's and within 3x of pyarrow's parse; peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TFDV_ARGS = ["--runner=DirectRunner", "--direct_running_mode=in_memory"]


@dataclass(frozen=True)
class Run:
    tool: str
    rows: int
    wall: float
    cpu: float
    rss_mb: float
    compute: float | None
    ok: bool
    note: str = ""


_REPEATED = ("pyarrow", "dataguard", "local-compute", "local-sliced")


def median_run(runs: list[Run]) -> Run:
    """One ``Run`` for several of the same tool: medians of the times, the peak of peaks."""
    if len(runs) == 1 or not all(r.ok for r in runs):
        return next((r for r in runs if not r.ok), runs[0])
    walls = sorted(r.wall for r in runs)
    computes = [r.compute for r in runs if r.compute is not None]
    return Run(
        runs[0].tool, runs[0].rows, statistics.median(walls),
        statistics.median(r.cpu for r in runs), max(r.rss_mb for r in runs),
        statistics.median(computes) if computes else None, True,
        f"median of {len(runs)} (wall {walls[0]:.2f}-{walls[-1]:.2f})",
    )


# --- workers (run in their own process) --------------------------------------------------------
def worker(kind: str, path: str) -> None:
    started = time.perf_counter()
    if kind == "pyarrow":
        import pyarrow.csv as pacsv

        imported = time.perf_counter()
        rows = pacsv.read_csv(path).num_rows
    elif kind in ("local", "local-sliced"):
        from dataguard.core.slices import SliceConfig
        from dataguard.io.sources import resolve_inputs
        from dataguard.stats import local, tfdv_modules

        tfdv_modules.load(stub_beam=True)  # as the engine loads them for local files
        slicing = SliceConfig(("payment_type",)) if kind == "local-sliced" else None
        imported = time.perf_counter()
        rows = local.compute_statistics(resolve_inputs([path]),
                                        slicing=slicing).datasets[0].num_examples
    elif kind == "tfdv":
        import tensorflow_data_validation as tfdv
        from apache_beam.options.pipeline_options import PipelineOptions

        imported = time.perf_counter()
        stats = tfdv.generate_statistics_from_csv(path, pipeline_options=PipelineOptions(TFDV_ARGS))
        rows = stats.datasets[0].num_examples
    else:
        raise SystemExit(f"unknown worker {kind}")
    done = time.perf_counter()
    print(json.dumps({"import": imported - started, "compute": done - imported, "rows": rows}))


# --- the parent -------------------------------------------------------------------------------
def measure(cmd: list[str], cwd: Path) -> tuple[float, float, float, int, str, str]:
    """(wall s, CPU s, peak RSS MB, exit code, stdout, stderr) of one child process.

    CPU time (user + system, all threads) is the steadier figure on a shared machine."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=_env())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return wall, cpu, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAGUARD_")}
    env["PYTHONPATH"] = str(REPO)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def run_tool(tool: str, path: Path, rows: int, work: Path) -> Run:
    py = sys.executable
    if tool in ("pyarrow", "tfdv", "local-compute", "local-sliced"):
        kind = "local" if tool == "local-compute" else tool
        cmd = [py, "-m", "benchmarks.stats_bench", "--worker", kind, str(path)]
    else:
        engine = ["--engine", "beam"] if tool == "dataguard-beam" else []
        cmd = [py, "-m", "dataguard", "--store", f"sqlite:///{work / 'bench.db'}",
               "--artifacts", str(work / "artifacts"), "stats", "bench",
               f"{tool}-{rows}-{time.time_ns()}", "--input", str(path), "--format", "json",
               *engine]
    wall, cpu, rss, code, out, err = measure(cmd, work)
    if code != 0:
        last = (err.strip().splitlines() or ["?"])[-1]
        return Run(tool, rows, wall, cpu, rss, None, False, f"exit {code}: {last[:80]}")
    result = json.loads(out.strip().splitlines()[-1])
    compute = result.get("compute", result.get("seconds"))
    return Run(tool, rows, wall, cpu, rss, compute, True)


def report(runs: list[Run]) -> None:
    print(f"\n{'tool':<16}{'rows':>10}{'wall s':>9}{'CPU s':>8}{'peak MB':>9}{'compute s':>11}"
          "  note")
    for r in runs:
        compute = f"{r.compute:.2f}" if r.compute is not None else "-"
        print(f"{r.tool:<16}{r.rows:>10,}{r.wall:>9.2f}{r.cpu:>8.2f}{r.rss_mb:>9.0f}{compute:>11}"
              f"  {r.note}")
    for rows in sorted({r.rows for r in runs}):
        by = {r.tool: r for r in runs if r.rows == rows and r.ok}
        lines = []
        dg, comp, tf, pa_ = (by.get(k) for k in ("dataguard", "local-compute", "tfdv", "pyarrow"))
        if dg and tf:
            lines.append(f"whole process: TFDV / dataguard = {tf.wall / dg.wall:.1f}x wall, "
                         f"{tf.cpu / dg.cpu:.1f}x CPU (target ≥ 6)")
        if comp and tf and comp.compute and tf.compute:
            lines.append(f"computation: TFDV / dataguard = {tf.compute / comp.compute:.1f}x "
                         "(target ≥ 30)")
        if comp and pa_ and comp.compute and pa_.compute:
            lines.append(f"computation: dataguard / pyarrow parse = "
                         f"{comp.compute / pa_.compute:.1f}x (target ≤ 3)")
        if dg:
            lines.append(f"dataguard peak RSS {dg.rss_mb:.0f} MB (target < 1024)")
        sliced = by.get("local-sliced")
        if comp and sliced and comp.compute and sliced.compute:
            lines.append(f"sliced by payment_type: {sliced.compute / comp.compute:.1f}x the "
                         f"unsliced computation, peak RSS {sliced.rss_mb:.0f} MB")
        if "dataguard-beam" in by and tf:
            lines.append(f"beam engine whole process: TFDV / beam = "
                         f"{tf.wall / by['dataguard-beam'].wall:.1f}x")
        print(f"\n{rows:,} rows:\n  " + "\n  ".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows, every tool")
    parser.add_argument("--sizes", default="1000000,4000000")
    parser.add_argument("--beam-sizes", default="1000000", help="0 to skip the Beam engine")
    parser.add_argument("--tfdv-sizes", default="1000000", help="0 to skip TFDV")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each quick tool (median reported)")
    parser.add_argument("--workdir", help="keep generated files here (default: a temp folder)")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return 0
    sizes = [100_000] if args.quick else _ints(args.sizes)
    beam = sizes if args.quick else _ints(args.beam_sizes)
    tfdv = sizes if args.quick else _ints(args.tfdv_sizes)
    from benchmarks.datagen import build_taxi_csv

    with tempfile.TemporaryDirectory(prefix="dataguard-bench-") as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        runs: list[Run] = []
        for rows in sizes:
            path = work / f"taxi_{rows}.csv"
            if not path.exists():
                started = time.perf_counter()
                build_taxi_csv(path, rows)
                size_mb = path.stat().st_size / 2**20
                took = time.perf_counter() - started
                print(f"built {path.name}: {size_mb:.0f} MB in {took:.1f}s", flush=True)
            repeated: dict[str, list[Run]] = {tool: [] for tool in _REPEATED}
            for _ in range(1 if args.quick else max(1, args.repeat)):
                for tool in _REPEATED:  # interleaved: a slow spell hits every tool alike
                    repeated[tool].append(run_tool(tool, path, rows, work))
            once = (["dataguard-beam"] if rows in beam else []) + (["tfdv"] if rows in tfdv else [])
            for run in [median_run(r) for r in repeated.values()] + [
                run_tool(tool, path, rows, work) for tool in once
            ]:
                print(f"  {run.tool:<16} {rows:>10,} rows  wall {run.wall:7.2f}s  cpu "
                      f"{run.cpu:7.2f}s  peak {run.rss_mb:6.0f} MB  {run.note}", flush=True)
                runs.append(run)
        report(runs)
    return 0


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip() and int(x) > 0]


if __name__ == "__main__":
    sys.exit(main())
