"""`dataguard demo`: the whole story on the TFX taxi data, told in the terminal like a tutorial.

Day 1 is trained on, a schema is inferred from it, day 2 arrives with problems and is checked
against the schema and day 1 (drift) and against serving requests (skew). Everything goes to a
store of its own under ``.dataguard/demo`` so the demo never touches your real store.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from dataguard.config import Settings
from dataguard.errors import ExitCode, UsageError

DEMO_MARKER = ".dataguard-demo"
DAY1, DAY2 = "2026-11-24", "2026-11-25"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="run the whole flow on the TFX taxi data (own store under .dataguard/demo)",
        description="Run the whole story on the TFX taxi data, told like a tutorial.",
    )
    parser.add_argument("--data", metavar="DIR",
                        help="taxi data (default ../shared/data/taxi, else the bundled copy)")
    parser.add_argument("--dir", default=".dataguard/demo", help="where the demo keeps its store")
    parser.set_defaults(handler=handle)


BUNDLED_TAXI = Path(__file__).resolve().parents[1] / "demo_data" / "taxi"
"""The same TFX taxi files, gzipped, shipped in the package (provenance: demo_data/README.md),
so `make demo` and `dataguard demo` work from a clone or a wheel without ../shared."""


def find_taxi_data(explicit: str | None) -> Path:
    """The TFX taxi sample: --data, DATAGUARD_DEMO_DATA, ../shared/data/taxi near here, or the
    copy bundled in the package."""
    candidates: list[str | None] = [explicit, os.environ.get("DATAGUARD_DEMO_DATA")]
    for start in (Path.cwd().resolve(), Path(__file__).resolve()):
        candidates += [str(p / "shared" / "data" / "taxi") for p in (start, *start.parents)]
    candidates.append(str(BUNDLED_TAXI))
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if all(taxi_file(path, name).is_file() for name in ("train", "batch_a")):
            return path
        if explicit:
            break
    raise UsageError(
        f"taxi data not found{f' in {explicit}' if explicit else ''}: expected train.csv and "
        "batch_a.csv; pass --data DIR (the folder ../shared/data/taxi of the TFX example data)"
    )


def taxi_file(folder: Path, name: str) -> Path:
    """``<name>.csv`` in ``folder``, or the gzipped ``<name>.csv.gz`` (the bundled copy)."""
    plain = folder / f"{name}.csv"
    return plain if plain.is_file() else folder / f"{name}.csv.gz"


class Narrator:
    """Prints the tutorial: headings, the equivalent command, and what to notice."""

    def __init__(self, store_flag: str) -> None:
        self.store_flag = store_flag
        self.bold = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None

    def step(self, number: int, title: str) -> None:
        text = f"\n── Step {number}. {title} "
        text += "─" * max(0, 78 - len(text))
        print(f"\033[1m{text}\033[0m" if self.bold else text)

    def command(self, *argv: str) -> None:
        print(f"  $ dataguard {self.store_flag}{' '.join(shlex.quote(a) for a in argv)}")

    def say(self, text: str) -> None:
        for line in text.strip("\n").splitlines():
            print(f"  {line}")


def write_serving_requests(source: Path, target: Path, drop: str = "tips") -> None:
    """Serving requests carry the features but not the label: day 2's rows without ``tips``."""
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", newline="", encoding="utf-8") as src, \
            target.open("w", newline="") as dst:
        reader = csv.DictReader(src)
        fields = [f for f in reader.fieldnames or [] if f != drop]
        writer = csv.DictWriter(dst, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)


def prepare_folder(folder: Path) -> None:
    """Start from an empty demo folder; never delete a folder the demo did not create."""
    if folder.exists():
        if not (folder / DEMO_MARKER).exists():
            raise UsageError(f"{folder} exists and is not a dataguard demo folder; pass --dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text("created by `dataguard demo`; safe to delete\n")


def handle(args: argparse.Namespace, settings: Settings) -> ExitCode:
    import dataguard
    from dataguard.cli.report import render_check
    from dataguard.config import load_settings

    data = find_taxi_data(args.data)
    folder = Path(args.dir).resolve()
    prepare_folder(folder)
    config = folder / "dataguard.toml"
    config.write_text(
        "# written by `dataguard demo`: the demo's own store, artifacts and schemas\n"
        f'store = "sqlite:///{folder / "dataguard.db"}"\n'
        f'artifacts = "{folder / "artifacts"}"\n'
        f'schemas_dir = "{folder / "schemas"}"\n'
        "\n[datasets.taxi]\n"
        'slice_by = "payment_type"   # statistics per payment type, each checked on its own\n',
        encoding="utf-8",
    )
    demo = load_settings(config_path=str(config), env={})
    store_flag = f"--config {os.path.relpath(config)} "
    say = Narrator(store_flag)
    started = time.perf_counter()

    say.step(1, "Day 1: statistics of the first training batch")
    say.command("stats", "taxi", DAY1, "--input", str(taxi_file(data, "train")))
    day1 = dataguard.compute_stats("taxi", DAY1, [str(taxi_file(data, "train"))], settings=demo)
    say.say(
        f"{day1.batch.num_examples:,} taxi trips summarized in {day1.seconds:.1f} s by the "
        f"{day1.engine} engine,\nfor the whole batch and for each payment type (the demo's "
        "config slices by payment_type).\nStatistics artifact (a TFDV "
        f"DatasetFeatureStatisticsList that tfdv.load_statistics reads):\n  "
        f"{day1.batch.artifact_uri}"
    )

    say.step(2, "Infer a schema from day 1 and review it")
    say.command("schema", "infer", "taxi", "--label", "tips")
    schema = dataguard.infer_schema("taxi", label="tips", message="demo: from day 1", settings=demo)
    say.say(
        f"Schema version {schema.version} written to {schema.path}.\n"
        "Every feature got a drift and a skew comparator (L-infinity for categorical features,\n"
        "Jensen-Shannon divergence for numeric ones); `tips` is the label, so it is expected in\n"
        "training data only. Review the file like code; change it with `schema import`."
    )

    say.step(3, "Day 2 arrives: check it against schema v1 and against day 1 (drift)")
    say.command("stats", "taxi", DAY2, "--input", str(taxi_file(data, "batch_a")))
    dataguard.compute_stats("taxi", DAY2, [str(taxi_file(data, "batch_a"))], settings=demo)
    say.command("check", "taxi", DAY2)
    result = dataguard.check("taxi", DAY2, settings=demo)
    print(render_check(result, "text", color=say.bold))
    say.say(
        "Three numeric columns now hold fractions where day 1 had integers (a type change\n"
        "that breaks a model expecting INT), a column disappeared, and the share of payment\n"
        "types moved past its L-infinity threshold. Exit code 1: an orchestrator stops here."
    )
    in_slices = sorted({a.slice for a in result.anomalies if a.slice})
    if in_slices:
        say.say(
            f"Each payment type was also checked against the same payment type on day 1:\n"
            f"findings in {len(in_slices)} slices ({', '.join(in_slices[:3])}"
            f"{', …' if len(in_slices) > 3 else ''}), marked [slice] above."
        )

    say.step(4, "Serving requests: check training/serving skew")
    serving_csv = folder / f"serving-{DAY2}.csv"
    serving_source = taxi_file(data, "batch_b")
    write_serving_requests(serving_source if serving_source.is_file()
                           else taxi_file(data, "batch_a"), serving_csv)
    say.command("stats", "taxi", DAY2, "--role", "serving", "--input", str(serving_csv))
    dataguard.compute_stats("taxi", DAY2, [str(serving_csv)], role="serving", settings=demo)
    say.command("check", "taxi", DAY2, "--serving", DAY2)
    skew = dataguard.check("taxi", DAY2, serving=DAY2, settings=demo)
    skew_metrics = [m for m in skew.metrics if m.comparison == "skew"]
    judged = [m for m in skew_metrics if m.slice is None and m.threshold is not None]
    worst = sorted(judged, key=lambda m: m.value / m.threshold if m.threshold else m.value,
                   reverse=True)[:5]
    say.say(
        f"{len(skew_metrics)} skew measurements recorded (every feature and slice, not only the "
        "ones that\nexceeded). Whole batch, highest value over threshold first:"
    )
    for m in worst:
        mark = "EXCEEDED" if m.exceeded else "ok"
        say.say(f"  {m.feature:<24} {m.method:<16} {m.value:.4f} (threshold {m.threshold}) {mark}")
    say.say("The label `tips` is absent from serving data, as the SERVING environment expects.")

    say.step(5, "The pipeline gate and where to look")
    say.command("gate", "taxi")
    gated = dataguard.gate("taxi", settings=demo)
    say.say(f"Latest check of taxi: {gated.verdict.value} (batch {gated.batch}).")
    say.say(
        f"""
Done in {time.perf_counter() - started:.0f} s. Everything is in {os.path.relpath(folder)}/:
  config     {os.path.relpath(config)}
  store      {demo.store_url}
  artifacts  {demo.artifacts}/
  schemas    {demo.schemas_dir}/taxi/v1.pbtxt
Open the dashboard on this store:
  .venv/bin/dataguard {store_flag}dashboard
Machine-readable results, for CI and scripts:
  .venv/bin/dataguard {store_flag}check taxi {DAY2} --no-hooks --format json
  .venv/bin/dataguard {store_flag}check taxi {DAY2} --no-hooks --format markdown
Next: README.md ("A five-minute tour", "Gate your retraining")."""
    )
    return ExitCode.OK
