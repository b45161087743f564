"""Beam engine benchmark: CPU-seconds of the whole process tree per 1M rows, side by side.

    python -m benchmarks.beam_bench                  # 1M rows
    python -m benchmarks.beam_bench --quick          # 50k rows (about a minute)
    python -m benchmarks.beam_bench --rows 10000000 --tools beam-mp-1-file   # memory at 10M
    python -m benchmarks.beam_bench --repeat 3       # each tool 3 times, interleaved: medians

The same generated taxi rows (``benchmarks.datagen``) as one CSV and as 4 shards; each tool runs
as its own process, the real command line where there is one:

- ``local``: ``dataguard stats`` (local engine);
- ``beam-mp-4-shards`` / ``beam-mp-1-file``: ``dataguard stats --engine beam`` on DirectRunner,
  ``--direct_running_mode=multi_processing --direct_num_workers=2``;
- ``beam-in-memory-1-file``: the same, in_memory (one process);
- ``tfdv``: ``tfdv.generate_statistics_from_csv`` (DirectRunner, in_memory), what TFDV users run;
- not run by default: ``local-sliced`` and ``beam-mp-1-file-sliced``, the same with
  ``--slice-by payment_type`` (what slicing costs on each engine).

CPU-seconds are user + system of the whole process tree: this process is made the child
subreaper, so Beam's worker processes are reaped here and counted even when their parent
did not wait for them. What Dataflow bills is CPU, and a shared 2-core machine makes wall time
noisy: compare the ratios of one run. ``workers`` is the CPU of all processes but the launcher
(Beam's workers: what Dataflow bills; the launcher runs where the command runs). Peak RSS is
the biggest single process (a worker).
Targets (issue 12): Beam ≤ 2x the local engine's CPU-seconds; wall on 1 file within 2x of 4
shards; peak memory per worker < 1 GB at 10M rows.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MULTI = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
IN_MEMORY = ["--direct_running_mode=in_memory"]
TOOLS = ("local", "beam-mp-4-shards", "beam-mp-1-file", "beam-in-memory-1-file", "tfdv")
SLICED = ("local-sliced", "beam-mp-1-file-sliced")  # --tools only
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Run:
    tool: str
    rows: int
    wall: float
    cpu: float
    rss_mb: float
    ok: bool
    note: str = ""
    workers_cpu: float = 0.0

    @property
    def cpu_per_million(self) -> float:
        return self.cpu * 1_000_000 / self.rows


def become_subreaper() -> None:
    """Orphaned descendants (Beam workers) are re-parented to this process, so reaping them
    here adds their CPU time to ``RUSAGE_CHILDREN``."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, float, int, str, float]:
    """(wall s, CPU s of the process tree, peak RSS MB of one process, exit code, stderr,
    CPU s of all but the launcher process: Beam's workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=_env())
        own = _OwnCpu(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak = max([usage.ru_maxrss, *_reap_descendants()])
        err.seek(0)
        stderr = err.read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024, proc.returncode, stderr, max(0.0, cpu - own.stop())


class _OwnCpu:
    """The CPU-s of one process alone (not its children), sampled from /proc until it exits:
    what the launcher spends, apart from the workers it starts (last 0.1 s not seen)."""

    def __init__(self, pid: int) -> None:
        self._path = f"/proc/{pid}/stat"
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._seen = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._done.is_set():
            try:
                with open(self._path) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                self._seen = (int(fields[11]) + int(fields[12])) / self._tick
            except (OSError, IndexError, ValueError):
                return
            self._done.wait(0.1)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self._seen


def _reap_descendants(timeout: float = 30.0) -> list[int]:
    """Reap the orphaned workers; their peak RSS (KB) each."""
    peaks: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break  # none left
        if pid == 0:
            time.sleep(0.1)  # a worker still shutting down
        else:
            peaks.append(usage.ru_maxrss)
    return peaks


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAGUARD_")}
    env["PYTHONPATH"] = str(REPO)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def command(tool: str, one_file: Path, shards: list[Path], work: Path) -> list[str]:
    py = sys.executable
    if tool == "tfdv":
        return [py, "-m", "benchmarks.beam_bench", "--tfdv-worker", str(one_file)]
    sliced = tool in SLICED
    tool = tool.removesuffix("-sliced")
    inputs = [str(p) for p in shards] if tool == "beam-mp-4-shards" else [str(one_file)]
    cmd = [py, "-m", "dataguard", "--store", f"sqlite:///{work / 'bench.db'}", "--artifacts",
           str(work / "artifacts"), "stats", "bench", f"{tool}-{time.time_ns()}"]
    for path in inputs:
        cmd += ["--input", path]
    if sliced:
        cmd += ["--slice-by", "payment_type"]
    if tool.startswith("beam-mp"):
        cmd += ["--engine", "beam", *MULTI]
    elif tool.startswith("beam-in-memory"):
        cmd += ["--engine", "beam", *IN_MEMORY]
    return cmd


def tfdv_worker(path: str) -> None:
    import tensorflow_data_validation as tfdv
    from apache_beam.options.pipeline_options import PipelineOptions

    options = PipelineOptions(["--runner=DirectRunner", *IN_MEMORY])
    stats = tfdv.generate_statistics_from_csv(path, pipeline_options=options)
    print(stats.datasets[0].num_examples)


def build_inputs(work: Path, rows: int) -> tuple[Path, list[Path]]:
    """One CSV of ``rows`` taxi rows and the same rows as 4 shards (header in each)."""
    from benchmarks.datagen import build_taxi_csv

    one = work / f"taxi_{rows}.csv"
    if not one.exists():
        started = time.perf_counter()
        build_taxi_csv(one, rows)
        print(f"built {one.name}: {one.stat().st_size / 2**20:.0f} MB in "
              f"{time.perf_counter() - started:.1f}s", flush=True)
    shards = [work / f"taxi_{rows}_shard{i}.csv" for i in range(4)]
    if not all(s.exists() for s in shards):
        _shard(one, shards, rows)
    return one, shards


def _shard(source: Path, shards: list[Path], rows: int) -> None:
    per = -(-rows // len(shards))
    with source.open("rb") as f:
        header = f.readline()
        for shard in shards:
            with shard.open("wb") as out:
                out.write(header)
                for _ in range(per):
                    line = f.readline()
                    if not line:
                        break
                    out.write(line)


def median_run(runs: list[Run]) -> Run:
    """One tool's runs → their medians (CPU, wall, workers; the highest peak RSS)."""
    if len(runs) == 1:
        return runs[0]
    ok = [r for r in runs if r.ok] or runs
    return Run(ok[0].tool, ok[0].rows, statistics.median(r.wall for r in ok),
               statistics.median(r.cpu for r in ok), max(r.rss_mb for r in ok),
               all(r.ok for r in runs), "; ".join(sorted({r.note for r in runs if r.note})),
               statistics.median(r.workers_cpu for r in ok))


def report(runs: list[Run]) -> None:
    local = next((r for r in runs if r.tool == "local" and r.ok), None)
    print(f"\n{'tool':<24}{'rows':>11}{'wall s':>9}{'CPU s':>8}{'CPU s/1M':>10}{'x local':>9}"
          f"{'workers':>9}{'peak MB':>9}  note")
    for r in runs:
        ratio = f"{r.cpu / local.cpu:.1f}" if local and r.ok else "-"
        print(f"{r.tool:<24}{r.rows:>11,}{r.wall:>9.1f}{r.cpu:>8.1f}{r.cpu_per_million:>10.1f}"
              f"{ratio:>9}{r.workers_cpu:>9.1f}{r.rss_mb:>9.0f}  {r.note}")
    by = {r.tool: r for r in runs if r.ok}
    lines = []
    for tool in ("beam-mp-4-shards", "beam-mp-1-file"):
        if local and tool in by:
            lines.append(f"{tool}: {by[tool].cpu / local.cpu:.1f}x the local engine's CPU-s "
                         "(target ≤ 2)")
    if "beam-mp-1-file" in by and "beam-mp-4-shards" in by:
        lines.append(f"wall, 1 file / 4 shards: "
                     f"{by['beam-mp-1-file'].wall / by['beam-mp-4-shards'].wall:.2f} (target ≤ 2)")
    for sliced in SLICED:
        plain = sliced.removesuffix("-sliced")
        if sliced in by and plain in by:
            lines.append(f"{sliced}: {by[sliced].cpu / by[plain].cpu:.1f}x {plain}'s CPU-s")
    if "beam-mp-1-file-sliced" in by and "local-sliced" in by:
        ratio = by["beam-mp-1-file-sliced"].cpu / by["local-sliced"].cpu
        lines.append(f"sliced, beam-mp-1-file / local CPU-s: {ratio:.1f}x")
    if "tfdv" in by and "beam-mp-1-file" in by:
        tfdv_ratio = by["tfdv"].cpu / by["beam-mp-1-file"].cpu
        lines.append(f"TFDV / beam-mp-1-file CPU-s: {tfdv_ratio:.1f}x")
    print("\n" + "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50k rows")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"some of {', '.join(TOOLS + SLICED)}")
    parser.add_argument("--workdir", help="keep generated files here (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the tools this many times, interleaved; report the medians "
                             "(a shared machine's load drifts: one run's ratios can mislead)")
    parser.add_argument("--tfdv-worker", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tfdv_worker:
        tfdv_worker(args.tfdv_worker)
        return 0
    rows = 50_000 if args.quick else args.rows
    tools = [t for t in args.tools.split(",") if t]
    if args.quick and args.tools == parser.get_default("tools"):
        tools.remove("beam-in-memory-1-file")
    unknown = sorted(set(tools) - set(TOOLS + SLICED))
    if unknown:
        parser.error(f"unknown tools {unknown}")
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="dataguard-beam-bench-") as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        one, shards = build_inputs(work, rows)
        runs: list[Run] = []
        for _ in range(max(args.repeat, 1)):
            for tool in tools:
                wall, cpu, rss, code, err, workers = measure(command(tool, one, shards, work),
                                                             work)
                last = (err.strip().splitlines() or ["?"])[-1][:80]
                note = "" if code == 0 else f"exit {code}: {last}"
                run = Run(tool, rows, wall, cpu, rss, code == 0, note, workers)
                print(f"  {tool:<24} wall {wall:7.1f}s  cpu {cpu:7.1f}s  (workers "
                      f"{workers:5.1f}s)  peak {rss:6.0f} MB  {note}", flush=True)
                runs.append(run)
        runs = [median_run([r for r in runs if r.tool == tool]) for tool in tools]
        report(runs)
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
