"""Check use cases: judge a stored batch, compute-and-judge in one go, and answer the gate.

    result = check("taxi", "2026-11-25")                      # schema + its baseline (drift)
    result = check("taxi", "2026-11-25", serving="2026-11-25")  # + training/serving skew
    result = check("taxi", "2026-11-25", record=False)        # a dry run: nothing written
    result = run("taxi", "2026-11-26", ["gs://acme/taxi/2026-11-26/*.csv"])  # stats, then check
    gate("taxi").verdict                                      # the latest check, from the store

``check`` resolves everything it needs first (the ``[[hooks]]`` config, batch, baseline, serving
batch, schema version, policy), so bad input fails with ``UsageError`` before anything is
written (``run`` checks the hooks before computing statistics too); then it validates
(``core.validate``), records the check with all its anomalies and metrics in ONE transaction,
and only after that commit runs the hooks (``service.alerts.notify``), which never change the
verdict. ``gate`` reads the store only: no TensorFlow, fast enough for orchestrators that poll.

The baseline (drift) is chosen in one place, ``resolve_baseline``, for the CLI, the library and
the Beam jobs. Batches are ordered by *name* (byte order: ``2026-11-24`` < ``2026-11-25``, as TFX
orders spans), not by when they were stored. By default a batch's baseline follows the dataset's
rule (``[datasets.<name>] baseline``):

    baseline = "preceding"       # default: the training batch named just before
    baseline = "last-passing"    # the latest one before it whose latest check passed or warned

and once a batch has been checked, the baseline of its first check stays its baseline: a re-check
measures drift against the same batch whatever was stored or checked since (``--baseline``
chooses another explicitly).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from dataguard.config import Settings
from dataguard.core.models import Batch, CheckResult, Role, Word
from dataguard.core.names import valid_name
from dataguard.engines import StatsEngine, stats_engine
from dataguard.errors import DataguardError, UsageError
from dataguard.service.context import Context

if TYPE_CHECKING:
    from dataguard.store import StoreReader


class _DefaultBaseline:
    def __repr__(self) -> str:
        return "DEFAULT_BASELINE"


DEFAULT_BASELINE: Final = _DefaultBaseline()
"""The configured default baseline: the baseline of the batch's first check if it was checked
before, else the dataset's rule (``BaselineRule``); none when no batch qualifies."""


class BaselineRule(Word):
    """``[datasets.<name>] baseline``: how the default baseline of a batch is chosen."""

    PRECEDING = "preceding"  # the training batch whose name sorts just before
    LAST_PASSING = "last-passing"  # the latest of those whose latest check passed or warned


def baseline_rule(document: Mapping[str, Any], dataset: str) -> BaselineRule:
    """The dataset's rule from the config document; ``UsageError`` (one line) for a bad value."""
    datasets = document.get("datasets")
    table = datasets.get(dataset) if isinstance(datasets, Mapping) else None
    value = table.get("baseline", "preceding") if isinstance(table, Mapping) else "preceding"
    try:
        return BaselineRule(value)
    except ValueError:
        choices = " or ".join(f'"{r.value}"' for r in BaselineRule)
        raise UsageError(
            f"config [datasets.{dataset}] baseline: {value!r}; use {choices}"
        ) from None


def resolve_baseline(
    q: StoreReader, dataset: str, batch: str, baseline: str | None | _DefaultBaseline,
    rule: BaselineRule,
) -> Batch | None:
    """The training batch ``batch`` is measured against for drift (None: no drift).

    A name is that training batch (``UsageError`` if absent); None is no baseline;
    ``DEFAULT_BASELINE`` is the baseline of the batch's first check when it has one (so a
    re-check never switches baselines), else the batch ``rule`` picks."""
    if baseline is None:
        return None
    if isinstance(baseline, str):
        found = q.get_batch(dataset, baseline, Role.TRAINING)
        if found is None:
            raise UsageError(
                f"--baseline {baseline!r}: dataset {dataset!r} has no training batch by that name"
            )
        return found
    first = q.first_check(dataset, batch)
    if first is not None:
        if first.baseline_batch is None:
            return None
        pinned = q.get_batch(dataset, first.baseline_batch, Role.TRAINING)
        if pinned is None:
            raise UsageError(
                f"batch {batch!r} was first checked against baseline {first.baseline_batch!r}, "
                "which is no longer stored; pass --baseline BATCH or --no-baseline"
            )
        return pinned
    if rule is BaselineRule.LAST_PASSING:
        return q.last_passing_batch(dataset, batch)
    return q.preceding_batch(dataset, batch, Role.TRAINING)


def check(
    dataset: str,
    batch: str,
    *,
    schema_version: int | None = None,
    baseline: str | None | _DefaultBaseline = DEFAULT_BASELINE,
    serving: str | None = None,
    hooks: bool = True,
    refire: bool = False,
    record: bool = True,
    settings: Settings | None = None,
) -> CheckResult:
    """Validate a training batch against a schema version, a baseline and a serving batch.

    ``record=False`` is a dry run: the same result (without id or created_at), but nothing is
    written to the store (opened read-only) and no hook runs."""
    from dataguard.core.policy import Policy
    from dataguard.core.schemas import COMPARISONS, ComparatorConfig
    from dataguard.core.validate import validate
    from dataguard.service.schemas import get_version, load_schema
    from dataguard.service.stats import load_statistics

    ctx = Context.create(settings, read_only=not record)
    if hooks and record:
        refuse_bad_hooks(ctx)
    current, base, serving_batch = _resolve_batches(ctx, dataset, batch, baseline, serving)
    version = get_version(ctx, dataset, schema_version)
    schema = load_schema(ctx, version)
    policy = Policy.from_config(ctx.settings.document, dataset)
    limits = ComparatorConfig.from_config(ctx.settings.document, dataset)
    anomalies, metrics, verdict = validate(
        load_statistics(ctx, current),
        schema,
        baseline=load_statistics(ctx, base) if base else None,
        serving=load_statistics(ctx, serving_batch) if serving_batch else None,
        policy=policy,
        min_examples={c: limits.min_examples(c) for c in COMPARISONS},
        methods=limits,  # PSI, Hellinger, Wasserstein, KS next to TFDV's comparator
    )
    result = CheckResult(
        dataset=dataset,
        batch=batch,
        verdict=verdict,
        schema_version=version.version,
        baseline_batch=base.name if base else None,
        serving_batch=serving_batch.name if serving_batch else None,
        num_examples=current.num_examples,
        anomalies=anomalies,
        metrics=metrics,
    )
    if not record:
        return result
    with ctx.store.transaction() as tx:
        stored = tx.add_check(result)
    if hooks:
        notify_after_commit(ctx, stored, refire)
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
    baseline: str | None | _DefaultBaseline = DEFAULT_BASELINE,
    hooks: bool = True,
    refire: bool = False,
    settings: Settings | None = None,
) -> CheckResult:
    """The scheduled job: statistics of the batch (and of serving data) with ``engine``, then
    ``check``. The whole job on remote workers is ``dataguard.api.run``'s choice."""
    from dataguard.service.schemas import get_version
    from dataguard.service.stats import stats

    ctx = Context.create(settings)
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    serving_name = valid_name("batch", serving_batch or batch) if serving_inputs else None
    engine_ = stats_engine(engine, pipeline_args)
    if hooks:
        refuse_bad_hooks(ctx)
    get_version(ctx, dataset, schema_version)  # no schema → fail before computing anything
    with ctx.store.read() as q:  # an unknown --baseline or a bad rule too
        resolve_baseline(q, dataset, batch, baseline, baseline_rule(ctx.settings.document, dataset))
    _preflight(ctx, dataset, [(batch, Role.TRAINING, inputs)]
               + ([(serving_name, Role.SERVING, serving_inputs)] if serving_name else []),
               input_format=input_format, delimiter=delimiter, column_names=column_names,
               replace=replace)
    refuse_bad_thresholds(ctx, dataset)
    options: dict[str, Any] = dict(
        engine=engine_, input_format=input_format, delimiter=delimiter,
        column_names=column_names, replace=replace, settings=ctx.settings,
    )
    stats(dataset, batch, inputs, role=Role.TRAINING.value, **options)
    if serving_inputs and serving_name:
        stats(dataset, serving_name, serving_inputs, role=Role.SERVING.value, **options)
    return check(
        dataset, batch, schema_version=schema_version, baseline=baseline, serving=serving_name,
        hooks=hooks, refire=refire, settings=ctx.settings,
    )


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


def refuse_bad_hooks(ctx: Context) -> None:
    """A bad ``[[hooks]]`` config (plain-text secret, unknown type, bad ``on`` or ``retries``)
    is a ``UsageError`` before anything is computed or stored: docs/hooks.md's exit 2."""
    from dataguard.service.alerts import configured_hooks

    configured_hooks(ctx)


def refuse_bad_thresholds(ctx: Context, dataset: str) -> None:
    """Bad thresholds or drift/skew ``methods`` in the config are a ``UsageError`` (exit 2, one
    line) before any statistics are computed: for ``run`` and the Beam jobs."""
    from dataguard.core.schemas import ComparatorConfig

    ComparatorConfig.from_config(ctx.settings.document, dataset)


# --- internals ------------------------------------------------------------------------------
def _preflight(ctx: Context, dataset: str, batches: list[tuple[str, Role, Sequence[str] | None]],
               *, input_format: str | None, delimiter: str,
               column_names: Sequence[str] | None, replace: bool) -> None:
    """Bad inputs or an existing batch fail ``run`` before any statistics are recorded."""
    from dataguard.io.sources import is_remote, resolve_inputs
    from dataguard.service.stats import refuse_existing

    for _, _, patterns in batches:
        if not patterns:
            raise UsageError("--input: give at least one file or glob")
        if not any(is_remote(p) for p in patterns):  # remote globs are resolved by the engine
            resolve_inputs(patterns, input_format, delimiter, column_names)
    if not replace:
        for name, role, _ in batches:
            refuse_existing(ctx, dataset, name, role)


def _resolve_batches(
    ctx: Context, dataset: str, batch: str, baseline: str | None | _DefaultBaseline,
    serving: str | None,
) -> tuple[Batch, Batch | None, Batch | None]:
    valid_name("dataset", dataset)
    valid_name("batch", batch)
    for name in (baseline, serving):
        if isinstance(name, str):
            valid_name("batch", name)
    rule = baseline_rule(ctx.settings.document, dataset)
    with ctx.store.read() as q:
        current = q.get_batch(dataset, batch, Role.TRAINING)
        if current is None:
            only_serving = q.get_batch(dataset, batch, Role.SERVING) is not None
            known = dataset in q.list_datasets()
        else:
            base = resolve_baseline(q, dataset, batch, baseline, rule)
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


def notify_after_commit(ctx: Context, result: CheckResult, refire: bool = False) -> None:
    """Hooks run after the check is committed; they never change the verdict or the exit code."""
    try:
        from dataguard.service.alerts import notify

        notify(ctx, result, refire=refire)
    except DataguardError as exc:
        print(f"dataguard: hooks not run: {exc}", file=sys.stderr)
    except Exception as exc:  # a hook bug must not hide a committed check or change the exit
        print(f"dataguard: hooks failed unexpectedly: {type(exc).__name__}: {exc}",
              file=sys.stderr)
