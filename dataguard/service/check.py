"""Check use cases: judge a stored batch, compute-and-judge in one go, and answer the gate.

    result = check("taxi", "2026-11-25")                      # schema + its baseline (drift)
    result = check("taxi", "2026-11-25", serving="2026-11-25")  # + training/serving skew
    result = check("taxi", "2026-11-25", record=False)        # a dry run: nothing written
    result = run("taxi", "2026-11-26", ["gs://acme/taxi/2026-11-26/*.csv"])  # stats, then check
    gate("taxi").verdict                                      # the latest check, from the store

``check`` resolves everything it needs first (the ``[[hooks]]`` config; the dataset's settings,
parsed once into ``service.check_config.CheckConfig``; batch, baseline, serving batch, schema
version, the features of the custom rules), so bad input fails with ``UsageError`` before anything
is written (``run`` parses the same once, checks the hooks and the rules' features against the
schema before computing statistics, then judges with what it parsed); then it validates
(``core.validate``), evaluates the custom rules (``core.rules``, kind ``rule``), judges the
batch's stored series against their history (``service.trends``: ``trend`` anomalies, none with
fewer than 10 earlier batches), records the check with all its anomalies and metrics in ONE
transaction, and only after that commit runs the hooks (``service.alerts.notify``), which never
change the verdict. ``gate`` reads the store only: no TensorFlow, fast enough for orchestrators
that poll.

The baseline (drift) is chosen in one place, ``service.baselines.resolve_baseline``, for the
CLI, the library and the Beam jobs. Batches are ordered by *name* (byte order: ``2026-11-24`` <
``2026-11-25``, as TFX orders spans), not by when they were stored. By default a batch's
baseline follows the dataset's rule (``[datasets.<name>] baseline``):

    baseline = "preceding"           # default: the training batch named just before
    baseline = "last-passing"        # the latest one before it whose latest check passed or warned
    baseline = "reference:training"  # the batch pinned as references = {training = "2026-11-01"}
    baseline = "window:7"            # the last 7 training batches before it, statistics merged

and once a batch has been checked, the baseline of its first check stays its baseline: a re-check
measures drift against the same batch (or the same window of batches) whatever was stored,
checked or configured since (``--baseline BATCH|reference:NAME|window:N`` chooses explicitly).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dataguard.config import Settings
from dataguard.core.baselines import BaselineSpec
from dataguard.core.models import Batch, CheckResult, Role, SchemaVersion
from dataguard.core.names import valid_name
from dataguard.engines import StatsEngine, stats_engine
from dataguard.errors import DataguardError, UsageError
from dataguard.service.baselines import (
    DEFAULT_BASELINE,
    BaselineRequest,
    ResolvedBaseline,
    baseline_statistics,
    resolve_baseline,
)
from dataguard.service.check_config import CheckConfig
from dataguard.service.context import Context

if TYPE_CHECKING:
    from tensorflow_metadata.proto.v0.statistics_pb2 import DatasetFeatureStatisticsList as Stats

    from dataguard.core.rules import Rule
    from dataguard.hooks.base import Hook


def check(
    dataset: str,
    batch: str,
    *,
    schema_version: int | None = None,
    baseline: BaselineRequest = DEFAULT_BASELINE,
    serving: str | None = None,
    hooks: bool = True,
    refire: bool = False,
    record: bool = True,
    slice_by: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> CheckResult:
    """Validate a training batch against a schema version, a baseline and a serving batch;
    each stored slice (``slice_by``, else the config's, else all) against the same slices.

    ``record=False`` is a dry run: the same result (without id or created_at), but nothing is
    written to the store (opened read-only) and no hook runs."""
    from dataguard.service.alerts import configured_hooks

    ctx = Context.create(settings, read_only=not record)
    fired = configured_hooks(ctx) if hooks and record else None  # bad [[hooks]]: exit 2 first
    config = CheckConfig.parse(ctx.settings.document, dataset, slice_by)
    return _check(ctx, config, dataset, batch, schema_version=schema_version, baseline=baseline,
                  serving=serving, hooks=fired, refire=refire, record=record, slice_by=slice_by)


def _check(
    ctx: Context, config: CheckConfig, dataset: str, batch: str, *,
    schema_version: int | None, baseline: BaselineRequest, serving: str | None,
    hooks: Sequence[Hook] | None, refire: bool, record: bool, slice_by: Sequence[str] | None,
) -> CheckResult:
    """``check`` with its config parsed (once, by ``check`` or ``run``) and its hooks (None:
    none run)."""
    from dataguard.core.rules import evaluate as evaluate_rules
    from dataguard.core.slice_checks import check_slices
    from dataguard.core.thresholds import COMPARISONS
    from dataguard.core.validate import validate
    from dataguard.service.schemas import get_version, load_schema
    from dataguard.service.slicing import columns_to_check
    from dataguard.service.stats import load_statistics
    from dataguard.service.trends import trend_anomalies

    current, base, serving_batch = _resolve_batches(ctx, config, dataset, batch, baseline,
                                                    serving)
    version = get_version(ctx, dataset, schema_version)
    schema = load_schema(ctx, version)
    policy, limits, rules = config.policy, config.limits, config.rules
    statistics = load_statistics(ctx, current)
    serving_stats = load_statistics(ctx, serving_batch) if serving_batch else None
    _refuse_rule_features(rules, statistics, current, serving_stats, serving_batch)
    columns = columns_to_check(config.slicing, slice_by, schema, statistics, batch)
    baseline_stats = baseline_statistics(ctx, base) if base else None
    min_examples = {c: limits.min_examples(c) for c in COMPARISONS}
    anomalies, metrics, verdict = validate(
        statistics,
        schema,
        baseline=baseline_stats,
        serving=serving_stats,
        policy=policy,
        min_examples=min_examples,
        methods=limits,  # PSI, Hellinger, Wasserstein, KS next to TFDV's comparator
    )
    # custom rules (core.rules, kind "rule") and trends (service.trends, kind "trend"): all the
    # anomalies and metrics are judged once, by the same policy
    found, measured = (evaluate_rules(rules, statistics, serving=serving_stats, policy=policy)
                       if rules else ((), ()))
    out_of_control = trend_anomalies(ctx, current, statistics, metrics, config.trends)
    in_slices, sliced = check_slices(  # core.slice_checks: each slice vs the same slice
        statistics, schema, baseline=baseline_stats, serving=serving_stats, policy=policy,
        min_examples=min_examples, methods=limits, columns=columns)
    anomalies, metrics, verdict = policy.apply((*anomalies, *found, *out_of_control, *in_slices),
                                               (*metrics, *measured, *sliced))
    result = CheckResult(
        dataset=dataset,
        batch=batch,
        verdict=verdict,
        schema_version=version.version,
        baseline_batch=base.baseline.label if base else None,
        serving_batch=serving_batch.name if serving_batch else None,
        num_examples=current.num_examples,
        anomalies=anomalies,
        metrics=metrics,
        baseline=base.baseline if base else None,
    )
    if not record:
        return result
    with ctx.store.transaction() as tx:
        stored = tx.add_check(result)
    if hooks is not None:
        notify_after_commit(ctx, stored, refire, hooks)
    return stored


def run(
    dataset: str,
    batch: str,
    inputs: Sequence[str],
    *,
    serving_inputs: Sequence[str] | None = None,
    serving_batch: str | None = None,
    engine: str | StatsEngine = "local",
    input_format: str | None = None,
    delimiter: str = ",",
    column_names: Sequence[str] | None = None,
    replace: bool = False,
    pipeline_args: Sequence[str] = (),
    schema_version: int | None = None,
    baseline: BaselineRequest = DEFAULT_BASELINE,
    hooks: bool = True,
    refire: bool = False,
    slice_by: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> CheckResult:
    """The scheduled job: statistics of the batch (and of serving data) with ``engine``, sliced
    by ``slice_by`` (else the config's), then ``check``. The whole job on remote workers is
    ``dataguard.api.run``'s choice."""
    from dataguard.service.alerts import configured_hooks
    from dataguard.service.schemas import get_version
    from dataguard.service.stats import stats

    ctx = Context.create(settings)
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    serving_name = valid_name("batch", serving_batch or batch) if serving_inputs else None
    engine_ = stats_engine(engine, pipeline_args)
    fired = configured_hooks(ctx) if hooks else None  # bad [[hooks]]: exit 2 first
    config = CheckConfig.parse(ctx.settings.document, dataset, slice_by)  # bad config: exit 2
    version = get_version(ctx, dataset, schema_version)  # no schema → fail before computing
    refuse_config_off_schema(ctx, config, dataset, version)  # rules' features, slice columns
    with ctx.store.read() as q:  # an unknown --baseline too
        resolve_baseline(q, dataset, batch, baseline, config.baseline)
    _preflight(ctx, config, dataset, [(batch, Role.TRAINING, inputs)]
               + ([(serving_name, Role.SERVING, serving_inputs)] if serving_name else []),
               input_format=input_format, delimiter=delimiter, column_names=column_names,
               replace=replace)
    options: dict[str, Any] = dict(
        engine=engine_, input_format=input_format, delimiter=delimiter,
        column_names=column_names, replace=replace, slice_by=slice_by, settings=ctx.settings,
    )
    stats(dataset, batch, inputs, role=Role.TRAINING.value, **options)
    if serving_inputs and serving_name:
        stats(dataset, serving_name, serving_inputs, role=Role.SERVING.value, **options)
    return _check(ctx, config, dataset, batch, schema_version=schema_version, baseline=baseline,
                  serving=serving_name, hooks=fired, refire=refire, record=True,
                  slice_by=slice_by)


def gate(dataset: str, batch: str | None = None, settings: Settings | None = None) -> CheckResult:
    """The latest check of the dataset (or of that batch); ``UsageError`` if there is none."""
    from dataguard.store import open_store

    ctx = Context.create(settings)
    valid_name("dataset", dataset)
    if batch is not None:
        valid_name("batch", batch)
    store = open_store(ctx.settings.store_url, read_only=True)
    try:
        with store.read() as q:
            found = q.latest_check(dataset, batch)
            known = found is not None or dataset in q.list_datasets()
    finally:
        store.dispose()
    if found is not None:
        return found
    if not known:
        raise UsageError(f"unknown dataset {dataset!r}; see `dataguard stats` to start one")
    if batch is not None:
        raise UsageError(
            f"batch {batch!r} of dataset {dataset!r} has no check; run `dataguard check "
            f"{dataset} {batch}`"
        )
    raise UsageError(f"dataset {dataset!r} has no check yet; run `dataguard check {dataset} BATCH`")


def refuse_config_off_schema(ctx: Context, config: CheckConfig, dataset: str,
                             version: SchemaVersion) -> None:
    """``run`` and the Beam jobs, before any statistics are computed: the feature of every custom
    rule, then every slice column (``--slice-by`` or the config's), must be in the schema version
    (``UsageError`` naming the rule or the column). The schema is loaded once, if needed."""
    from dataguard.core.rules import refuse_features_not_in
    from dataguard.core.schemas import feature_names
    from dataguard.service.schemas import load_schema

    if not (config.slicing or any(rule.feature for rule in config.rules)):
        return
    names = feature_names(load_schema(ctx, version))
    where = f"schema v{version.version} of {dataset!r}"
    refuse_features_not_in(config.rules, names, where)
    config.slicing.refuse_unknown(names, where)


# --- internals ------------------------------------------------------------------------------
def _refuse_rule_features(rules: Sequence[Rule], statistics: Stats, current: Batch,
                          serving_stats: Stats | None, serving: Batch | None) -> None:
    """A custom rule naming a feature the batch lacks (or a stat its feature has not) is bad
    config: ``UsageError`` naming the rule, before anything is validated or stored."""
    from dataguard.core.rules import refuse_unknown_features

    refuse_unknown_features(rules, statistics, batch=current.name)
    if serving_stats is not None and serving is not None:
        refuse_unknown_features(rules, serving_stats, batch=serving.name, role="serving")


def _preflight(ctx: Context, config: CheckConfig, dataset: str,
               batches: list[tuple[str, Role, Sequence[str] | None]],
               *, input_format: str | None, delimiter: str,
               column_names: Sequence[str] | None, replace: bool) -> None:
    """Bad inputs, unknown slice columns or an existing batch fail ``run`` before any
    statistics are recorded."""
    from dataguard.io.sources import is_remote, resolve_inputs
    from dataguard.service.slicing import refuse_unknown_columns
    from dataguard.service.stats import refuse_existing

    for _, _, patterns in batches:
        if not patterns:
            raise UsageError("--input: give at least one file or glob")
        if not any(is_remote(p) for p in patterns):  # remote globs are resolved by the engine
            spec = resolve_inputs(patterns, input_format, delimiter, column_names)
            refuse_unknown_columns(config.slicing, spec)
    if not replace:
        for name, role, _ in batches:
            refuse_existing(ctx, dataset, name, role)


def _resolve_batches(
    ctx: Context, config: CheckConfig, dataset: str, batch: str, baseline: BaselineRequest,
    serving: str | None,
) -> tuple[Batch, ResolvedBaseline | None, Batch | None]:
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    if isinstance(baseline, str):
        baseline = BaselineSpec.from_option(baseline)
    if isinstance(serving, str):
        valid_name("batch", serving)
    with ctx.store.read() as q:
        current = q.get_batch(dataset, batch, Role.TRAINING)
        if current is None:
            only_serving = q.get_batch(dataset, batch, Role.SERVING) is not None
            known = dataset in q.list_datasets()
        else:
            base = resolve_baseline(q, dataset, batch, baseline, config.baseline)
        serving_batch = q.get_batch(dataset, serving, Role.SERVING) if serving else None
    if current is None:
        if not known:
            raise UsageError(f"unknown dataset {dataset!r}; run `dataguard stats {dataset} ...`")
        hint = (
            f"; {batch!r} is a serving batch: check a training batch with --serving {batch}"
            if only_serving else f"; run `dataguard stats {dataset} {batch} --input FILE`"
        )
        raise UsageError(f"dataset {dataset!r} has no training batch {batch!r}{hint}")
    if serving and serving_batch is None:
        raise UsageError(
            f"--serving {serving!r}: dataset {dataset!r} has no serving batch by that name; "
            f"record one with `dataguard stats {dataset} {serving} --role serving --input FILE`"
        )
    return current, base, serving_batch


def notify_after_commit(ctx: Context, result: CheckResult, refire: bool = False,
                        hooks: Sequence[Hook] | None = None) -> None:
    """Hooks run after the check is committed; they never change the verdict or the exit code."""
    try:
        from dataguard.service.alerts import notify

        notify(ctx, result, refire=refire, hooks=hooks)
    except DataguardError as exc:
        print(f"dataguard: hooks not run: {exc}", file=sys.stderr)
    except Exception as exc:  # a hook bug must not hide a committed check or change the exit
        print(f"dataguard: hooks failed unexpectedly: {type(exc).__name__}: {exc}",
              file=sys.stderr)
