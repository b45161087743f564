"""Which columns a batch is sliced by, refused early when a column is unknown.

    slicing = SliceConfig.from_config(document, "taxi", ("payment_type",))  # flag > slice_by
    refuse_off_schema(slicing, schema, "the schema")             # check: before judging
    refuse_unknown_columns(slicing, spec)                        # before computing anything
    refuse_columns_not_in(statistics, slicing)                   # after computing, before storing
    columns_to_check(slicing, flag, schema, statistics, batch)   # check: which slices to judge

A slice column must be a column of the data's header (CSV) or file schema (Parquet), and a
feature of the schema where one is used (``run``, ``check`` and the jobs, which need one); TFRecord
has no header, so there (and for remote inputs) the computed statistics are the check, still
before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dataguard.core.slices import SliceConfig, whole
from dataguard.errors import UsageError
from dataguard.io.sources import is_remote

if TYPE_CHECKING:
    from dataguard.io.sources import InputSpec


def refuse_unknown_columns(slicing: SliceConfig, spec: InputSpec) -> None:
    """``UsageError`` naming a slice column that is not in the data's header (local CSV or
    Parquet: read before any statistics are computed)."""
    header = _header(spec) if slicing else None
    if header is not None:
        slicing.refuse_unknown(header, f"the columns of {spec.paths[0]}")


def refuse_off_schema(slicing: SliceConfig, schema: Any, where: str) -> None:
    """``UsageError`` naming a slice column that is not a feature of ``schema``."""
    if slicing:
        from dataguard.core.schemas import feature_names

        slicing.refuse_unknown(feature_names(schema), where)


def refuse_columns_not_in(statistics: Any, slicing: SliceConfig) -> None:
    """After computing: every slice column is a feature of the batch (TFRecord, remote data)."""
    if slicing:
        from dataguard.core.stats_view import feature_name

        slicing.refuse_unknown([feature_name(f) for f in whole(statistics).features],
                               "the batch's features")


def columns_to_check(slicing: SliceConfig, flag: Sequence[str] | None, schema: Any,
                     statistics: Any, batch: str) -> tuple[str, ...] | None:
    """The slice columns a check judges: ``--slice-by`` > ``slice_by`` > None (every slice the
    batch has). A column off the schema is a ``UsageError``; so is one given with ``--slice-by``
    that the batch was not sliced by (the config's may name columns older batches lack)."""
    if not slicing:
        return None
    from dataguard.core.slices import column_of, slice_names

    refuse_off_schema(slicing, schema, "the schema")
    for column in slicing.columns if flag else ():
        if not any(column_of(name, [column]) for name in slice_names(statistics)):
            raise UsageError(
                f"--slice-by {column}: batch {batch!r} has no slices of {column!r}; record its "
                f"statistics with `dataguard stats ... --slice-by {column}`"
            )
    return slicing.columns


def _header(spec: InputSpec) -> tuple[str, ...] | None:
    """The column names of a local CSV or Parquet input; None where reading them is not cheap."""
    if is_remote(spec.paths[0]):
        return None
    if spec.format == "csv":
        from dataguard.io.csv_parse import read_header

        return read_header(spec, spec.paths[0])
    if spec.format == "parquet":
        from dataguard.io.parquet import open_file

        return tuple(open_file(spec, spec.paths[0]).schema_arrow.names)
    return None
