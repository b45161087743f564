"""`make bench`: run every benchmark module, each in its own process, in one go.

    python benchmarks/run.py             # full sizes
    python benchmarks/run.py --quick     # smoke run of each
    python benchmarks/run.py stats       # only some (names from BENCHMARKS)

A benchmark is a module runnable as ``python -m benchmarks.<name> [--quick]`` that prints its
own report; add yours to ``BENCHMARKS``. Generated data lives in temp folders, never the repo.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BENCHMARKS = {
    "stats": "benchmarks.stats_bench",  # local/Beam engines vs TFDV vs pyarrow (issue 2)
    "beam": "benchmarks.beam_bench",  # Beam engine CPU-s per 1M rows vs local and TFDV (issue 12)
    "convert": "benchmarks.convert_bench",  # CSV → TFRecord converter
    "dashboard": "benchmarks.dashboard_bench",  # dashboard pages on a big store
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run dataguard's benchmarks.")
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    failed = []
    for name in names:
        module = BENCHMARKS[name]
        if not (REPO / (module.replace(".", "/") + ".py")).is_file():
            print(f"== {name}: {module} not present, skipped")
            continue
        print(f"== {name} ({module})", flush=True)
        started = time.perf_counter()
        cmd = [sys.executable, "-m", module, *(["--quick"] if args.quick else [])]
        code = subprocess.call(cmd, cwd=REPO, env=env)
        print(f"== {name}: exit {code} in {time.perf_counter() - started:.0f}s\n", flush=True)
        if code:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
