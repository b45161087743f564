"""The jobs' own pipeline options, next to Beam's standard ones (``--runner``, ``--project`` …).

    python -m jobs.validate_batch --dataset=taxi --batch={date} \\
        --input='gs://acme-ml-data/taxi/{date}/*.csv' --column_names=… \\
        --runner=DataflowRunner --project=acme-ml-prod --region=europe-west1 …

Every value is a plain string flag (``--name=value``), which is how a Flex Template passes its
parameters; ``deploy/dataflow/metadata.json`` lists the same names (tests/jobs checks both ways).
Lists are comma-separated; booleans accept ``--replace`` or ``--replace=true|false``.
``{date}`` and ``{yesterday}`` (UTC, YYYY-MM-DD) in batch names, inputs and the output are filled
in when the job starts, so a daily schedule can name the batch after the day it runs.
Nothing is ``required`` for argparse (Beam parses every options class for every pipeline in the
process): ``to_config`` checks what each job needs, with a one-line ``UsageError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from dataguard.beamjobs import COMPUTE_STATS, CSV_TO_TFRECORD, JOBS, VALIDATE_BATCH
from dataguard.beamjobs.config import JobConfig
from dataguard.beamjobs.steps import parse_secret_env
from dataguard.errors import UsageError

# Which options each job reads, and which of them it cannot run without.
JOB_OPTIONS: dict[str, tuple[str, ...]] = {
    VALIDATE_BATCH: (
        "dataset", "batch", "input", "input_format", "delimiter", "column_names", "serving_input",
        "serving_batch", "serving_column_names", "schema_version", "baseline", "no_baseline",
        "replace", "hooks", "slice_by", "store_url", "artifacts", "schemas_dir", "config",
        "secret_env",
    ),
    COMPUTE_STATS: (
        "dataset", "batch", "input", "input_format", "delimiter", "column_names", "role",
        "replace", "slice_by", "store_url", "artifacts", "schemas_dir", "config", "secret_env",
    ),
    CSV_TO_TFRECORD: (
        "input", "output", "delimiter", "column_names", "schema", "compression", "shards",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    VALIDATE_BATCH: ("dataset", "batch", "input"),
    COMPUTE_STATS: ("dataset", "batch", "input"),
    CSV_TO_TFRECORD: ("input", "output"),
}
assert set(JOB_OPTIONS) == set(REQUIRED) == set(JOBS), "one entry per job of dataguard.beamjobs"


def parse_bool(text: str | bool) -> bool:
    if isinstance(text, bool):
        return text
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def split_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


class DataguardJobOptions(PipelineOptions):
    """dataguard's job options. Names use underscores like Beam's (and Flex Template params)."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:  # type: ignore[no-untyped-def]
        add = parser.add_argument
        flag = {"type": parse_bool, "nargs": "?", "const": True}
        add("--job", choices=JOBS, help="which job the Flex Template launcher runs")
        add("--dataset", help="dataset name, e.g. taxi")
        add("--batch", help="batch name; {date}/{yesterday} are filled in (UTC) at launch")
        add("--input", help="comma-separated paths or globs, local or gs:// ({date} allowed)")
        add("--input_format", choices=("csv", "tfrecord", "parquet"),
            help="default: from the file name")
        add("--delimiter", default=",", help="CSV delimiter")
        add("--column_names", help="comma-separated CSV column names (required on Dataflow)")
        add("--role", default="training", choices=("training", "serving"),
            help="compute_stats: role of the batch")
        add("--serving_input", help="validate_batch: serving paths or globs (skew check)")
        add("--serving_batch", help="name of the serving batch (default: the batch name)")
        add("--serving_column_names", help="CSV column names of the serving input")
        add("--schema_version", type=int, help="schema version to check against (default latest)")
        add("--baseline",
            help="baseline for drift: BATCH, reference:NAME or window:N (default: as "
                 "`dataguard check` chooses it, see docs/checks.md#baselines)")
        add("--no_baseline", default=False, help="check without a drift baseline", **flag)
        add("--replace", default=False, help="replace an existing batch of that name", **flag)
        add("--hooks", default=True, help="run the alert hooks after the check", **flag)
        add("--slice_by", help="comma-separated columns to slice the statistics by (default: "
                                "the config's [datasets.<name>] slice_by)")
        add("--store_url", help="store URL (default: env DATAGUARD_STORE_URL on the workers)")
        add("--artifacts", help="artifact root, e.g. gs://bucket/dataguard/artifacts")
        add("--schemas_dir", help="folder of schemas/<dataset>/v<N>.pbtxt")
        add("--config", help="dataguard.toml (local or gs://) for thresholds, policy, hooks")
        add("--secret_env",
            help="NAME=projects/P/secrets/S/versions/V,… read on the workers into env NAME")
        add("--output", help="csv_to_tfrecord: output path prefix ({date} allowed)")
        add("--schema", help="csv_to_tfrecord: TFDV schema text proto giving the column types")
        add("--compression", choices=("gzip", "none"), help="csv_to_tfrecord: output compression")
        add("--shards", type=int, default=1, help="csv_to_tfrecord: number of output files")
        add("--wait", default=False, help="wait for a remote job to finish", **flag)

    def to_config(self, job: str, *, now: dt.datetime | None = None) -> JobConfig:
        """The job's ``JobConfig``: required options checked, lists split, dates filled in."""
        values = self.get_all_options()
        for name in REQUIRED[job]:
            if not values.get(name):
                raise UsageError(f"--{name}: required by the {job} job")
        fill = _date_filler(now)
        _check_names(job, values, fill)
        column_names = split_list(values["column_names"]) or None
        serving_columns = split_list(values["serving_column_names"]) or None
        return JobConfig(
            dataset=values["dataset"] or "",
            batch=fill(values["batch"] or ""),
            inputs=tuple(fill(p) for p in split_list(values["input"])),
            input_format=values["input_format"],
            delimiter=values["delimiter"] or ",",
            column_names=column_names,
            role=values["role"] or "training",
            serving_inputs=tuple(fill(p) for p in split_list(values["serving_input"])),
            serving_batch=fill(values["serving_batch"]) if values["serving_batch"] else None,
            serving_column_names=serving_columns,
            schema_version=values["schema_version"],
            baseline=fill(values["baseline"]) if values["baseline"] else None,
            no_baseline=bool(values["no_baseline"]),
            replace=bool(values["replace"]),
            hooks=bool(values["hooks"]),
            slice_by=split_list(values["slice_by"]),
            store_url=values["store_url"],
            artifacts=values["artifacts"],
            schemas_dir=values["schemas_dir"],
            config=values["config"],
            secret_env=parse_secret_env(values["secret_env"]),
            output=fill(values["output"]) if values["output"] else None,
            schema=values["schema"],
            compression=values["compression"],
            shards=values["shards"] if values["shards"] is not None else 1,
        )


def _check_names(job: str, values: Mapping[str, Any], fill: Callable[[str], str]) -> None:
    """Dataset and batch names are checked at launch, not after the statistics on a worker."""
    from dataguard.core.names import valid_name

    if job == CSV_TO_TFRECORD:
        return
    valid_name("dataset", values["dataset"])
    from dataguard.core.baselines import BaselineSpec

    for option in ("batch", "serving_batch"):
        if values.get(option):
            valid_name("batch", fill(values[option]))
    if values.get("baseline"):  # BATCH, reference:NAME or window:N, as `dataguard check` takes
        BaselineSpec.from_option(fill(values["baseline"]))


def _date_filler(now: dt.datetime | None) -> Callable[[str], str]:
    today = (now or dt.datetime.now(dt.timezone.utc)).date()
    values = {"date": today.isoformat(), "yesterday": (today - dt.timedelta(days=1)).isoformat()}

    def fill(text: str) -> str:
        try:
            return text.format_map(values)
        except (KeyError, ValueError, IndexError) as exc:
            raise UsageError(
                f"{text!r}: only {{date}} and {{yesterday}} may appear in braces ({exc})"
            ) from None

    return fill


def parse(argv: Sequence[str] | None) -> tuple[PipelineOptions, DataguardJobOptions]:
    """Beam options from argv (``sys.argv`` when None); Beam itself warns about unknown flags."""
    options = PipelineOptions(list(argv) if argv is not None else None)
    return options, options.view_as(DataguardJobOptions)
