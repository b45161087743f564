"""Parquet files → the Arrow record batches TFDV's decoders make from the same rows.

    for batch in read_record_batches(spec):          # every row group of every file
        ...                                          # large_list<int64|float32|large_binary>
    for batch in read_row_groups(spec, path, [0, 1]):   # some row groups (a Beam chunk)

Types follow the Parquet schema, mapped the way tfx_bsl decodes the same rows as tf.Example
or CSV: integers and booleans → INT (``large_list<int64>``), floats and decimals → FLOAT
(``large_list<float32>``), strings and binaries → BYTES (``large_list<large_binary>``);
dates, times and timestamps → BYTES of their ISO text, as a CSV would hold them. A null is
a missing value (a null list), a column of nulls only is a null column. A list column is a
multivalent feature (one value list per row, as in a tf.Example); nested lists or structs are
not features TFDV can take from a flat file: ``BadInputError``, naming the file and column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataguard.errors import BadInputError
from dataguard.io.sources import InputSpec, one_line, open_binary

BATCH_ROWS = 65_536  # rows per record batch: fewer batches, less per-batch TFDV work

_INT, _FLOAT, _BYTES = pa.int64(), pa.float32(), pa.large_binary()


def open_file(spec: InputSpec, path: str) -> pq.ParquetFile:
    """A Parquet file (local or any Beam FileSystems URI); ``BadInputError`` if it is not one."""
    try:
        return pq.ParquetFile(open_binary(spec, path))
    except (pa.ArrowException, OSError) as exc:
        raise BadInputError(f"{path}: not a readable Parquet file: {one_line(exc)}") from None


def read_record_batches(spec: InputSpec) -> Iterator[pa.RecordBatch]:
    """Every row of every file of ``spec``, as TFDV record batches."""
    for path in spec.paths:
        yield from read_row_groups(spec, path)


def read_row_groups(
    spec: InputSpec, path: str, row_groups: Sequence[int] | None = None
) -> Iterator[pa.RecordBatch]:
    """The rows of some row groups of one file (all if None), as TFDV record batches."""
    parquet = open_file(spec, path)
    try:
        names = parquet.schema_arrow.names
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise BadInputError(f"{path}: duplicate column names {dupes}")
        kinds = {field.name: feature_type(path, field) for field in parquet.schema_arrow}
        groups = list(range(parquet.num_row_groups)) if row_groups is None else list(row_groups)
        if not groups:
            return
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=groups):
            yield to_tfdv_batch(batch, kinds)
    except (pa.ArrowException, OSError) as exc:
        raise BadInputError(f"{path}: cannot read Parquet: {one_line(exc)}") from None
    finally:
        parquet.close()


def row_group_sizes(spec: InputSpec, path: str) -> list[tuple[int, int]]:
    """(rows, bytes) of each row group of one file: how a Beam job splits it."""
    parquet = open_file(spec, path)
    try:
        meta = parquet.metadata
        return [(meta.row_group(i).num_rows, meta.row_group(i).total_byte_size)
                for i in range(meta.num_row_groups)]
    finally:
        parquet.close()


def feature_type(path: str, field: pa.Field) -> pa.DataType | None:
    """The value type TFDV gets for a Parquet column (None: a column of nulls only)."""
    value = field.type
    if pa.types.is_dictionary(value):
        value = value.value_type
    if pa.types.is_list(value) or pa.types.is_large_list(value) or \
            pa.types.is_fixed_size_list(value):
        value = value.value_type
        if pa.types.is_dictionary(value):
            value = value.value_type
        if _is_nested(value):
            raise BadInputError(f"{path}: column {field.name!r}: nested lists are not supported")
    elif _is_nested(value):
        raise BadInputError(f"{path}: column {field.name!r}: {value} columns are not supported")
    if pa.types.is_null(value):
        return None
    if pa.types.is_integer(value) or pa.types.is_boolean(value):
        return _INT
    if pa.types.is_floating(value) or pa.types.is_decimal(value):
        return _FLOAT
    return _BYTES  # strings, binaries; dates and times as their ISO text


def _is_nested(value: pa.DataType) -> bool:
    return any(check(value) for check in (pa.types.is_list, pa.types.is_large_list,
                                          pa.types.is_fixed_size_list, pa.types.is_struct,
                                          pa.types.is_map, pa.types.is_union))


def to_tfdv_batch(batch: pa.RecordBatch, kinds: dict[str, pa.DataType | None]) -> pa.RecordBatch:
    arrays = [to_tfdv_array(column, kinds[name])
              for name, column in zip(batch.schema.names, batch.columns, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, batch.schema.names)


def to_tfdv_array(column: pa.Array, value_type: pa.DataType | None) -> pa.Array:
    """One Parquet column → ``large_list<value_type>``: a present value is a one-value list, a null
    a null list; list columns keep their lists (their null items dropped, as tf.Example can't
    hold them)."""
    if value_type is None or column.null_count == len(column):
        return pa.nulls(len(column))
    if isinstance(column, pa.DictionaryArray):
        column = column.dictionary_decode()
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type) or \
            pa.types.is_fixed_size_list(column.type):
        return _lists(column, value_type)
    values = _values(column.drop_null(), value_type)
    valid = column.is_valid()
    counts = pc.cast(valid, pa.int64())
    offsets = pa.concat_arrays([pa.array([0], pa.int64()), pc.cumulative_sum(counts)])
    mask = pc.invert(valid) if column.null_count else None
    return pa.LargeListArray.from_arrays(offsets, values, mask=mask)


def _lists(column: pa.Array, value_type: pa.DataType) -> pa.Array:
    lists = column.cast(pa.large_list(column.type.value_type))
    flat = lists.flatten()
    if isinstance(flat, pa.DictionaryArray):
        flat = flat.dictionary_decode()
    if flat.null_count:  # a null item: dropped (tf.Example has no place for it)
        keep = pc.cast(flat.is_valid(), pa.int64())
        parents = pc.list_parent_indices(lists)
        per_row = pc.fill_null(_sum_by(parents, keep, len(lists)), 0)
        flat = flat.drop_null()
        offsets = pa.concat_arrays([pa.array([0], pa.int64()), pc.cumulative_sum(per_row)])
    else:
        offsets = pc.subtract(lists.offsets, lists.offsets[0])
    mask = pc.invert(lists.is_valid()) if lists.null_count else None
    return pa.LargeListArray.from_arrays(offsets, _values(flat, value_type), mask=mask)


def _sum_by(parents: pa.Array, keep: pa.Array, rows: int) -> pa.Array:
    table = pa.table({"row": parents, "keep": keep}).group_by("row").aggregate([("keep", "sum")])
    out = [0] * rows
    for row, count in zip(table.column("row").to_pylist(), table.column("keep_sum").to_pylist(),
                          strict=True):
        out[row] = count
    return pa.array(out, pa.int64())


def _values(values: pa.Array, value_type: pa.DataType) -> Any:
    if value_type == _BYTES:
        if not (pa.types.is_string(values.type) or pa.types.is_binary(values.type)
                or pa.types.is_large_string(values.type) or pa.types.is_large_binary(values.type)):
            values = values.cast(pa.string())  # dates, times: their ISO text
        return values.cast(_BYTES)
    if value_type == _FLOAT:
        return values.cast(pa.float64()).cast(_FLOAT, safe=False)  # as TFDV: float32
    return values.cast(_INT)
