"""Arrow record batches (TFDV CSV arrays) → serialized tf.Example, no Python object per row.

    records = encode_record_batch(batch)   # list[bytes], one tf.Example per row, in row order

INT columns become ``int64_list``, FLOAT ``float_list``, STRING ``bytes_list`` (the arrays are the
``large_list<int64|float32|large_binary>`` that ``dataguard.io.csv`` and tfx_bsl's CSV decoder
make). A missing value (a null list) is an *absent* feature, not an empty one: tfx_bsl's
``RecordBatchToExamples`` (C++) would write an empty ``Feature {}`` for a null, so rows are grouped
by which columns are present and each group is encoded with only its present columns, then put
back in order. Real data has few such patterns, so this stays at C++ speed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa


def encode_record_batch(batch: pa.RecordBatch) -> list[bytes]:
    """One serialized tf.Example per row; null cells and null-typed columns are absent."""
    from tfx_bsl.coders import example_coder

    n = batch.num_rows
    if n == 0:
        return []
    columns = [i for i, c in enumerate(batch.columns) if not pa.types.is_null(c.type)]
    nullable = [i for i in columns if batch.column(i).null_count > 0]
    if not columns:
        return [b""] * n
    if not nullable:
        return _encode(example_coder, batch, columns)
    present = np.column_stack(
        [batch.column(i).is_valid().to_numpy(zero_copy_only=False) for i in nullable]
    )
    out = np.empty(n, dtype=object)
    for pattern, rows in _group_rows(present):
        keep = [i for i in columns if i not in nullable] + [
            i for i, valid in zip(nullable, pattern, strict=True) if valid
        ]
        keep.sort()
        if not keep:  # a row with no value at all: an Example without features
            out[rows] = b""
            continue
        subset = pa.RecordBatch.from_arrays(
            [batch.column(i).take(pa.array(rows)) for i in keep],
            [batch.schema.field(i).name for i in keep],
        )
        encoded = _encode(example_coder, subset, list(range(len(keep))))
        holder = np.empty(len(encoded), dtype=object)
        holder[:] = encoded
        out[rows] = holder
    return out.tolist()


def _group_rows(present: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(presence pattern, row indices in order) per distinct row of a boolean matrix."""
    if present.shape[1] <= 62:  # one int64 key per row: a single cheap sort
        keys = present.astype(np.int64) @ (
            np.int64(1) << np.arange(present.shape[1], dtype=np.int64)
        )
    else:
        keys = np.unique(present, axis=0, return_inverse=True)[1].reshape(-1)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
    for rows in np.split(order, bounds):
        yield present[rows[0]], rows


def _encode(example_coder: Any, batch: pa.RecordBatch, columns: list[int]) -> list[bytes]:
    if len(columns) != batch.num_columns:
        batch = pa.RecordBatch.from_arrays(
            [batch.column(i) for i in columns], [batch.schema.field(i).name for i in columns]
        )
    return example_coder.RecordBatchToExamples(batch)


def column_types_from_schema(schema: Any) -> dict[str, str]:
    """Feature name → "INT" | "FLOAT" | "STRING" from a TFDV ``Schema`` (other types skipped)."""
    from tensorflow_metadata.proto.v0 import schema_pb2

    names = {schema_pb2.INT: "INT", schema_pb2.FLOAT: "FLOAT", schema_pb2.BYTES: "STRING"}
    return {f.name: names[f.type] for f in schema.feature if f.type in names}


def schema_column_types(uri: str) -> dict[str, str]:
    """Column types from a TFDV schema text proto file (local or any Beam FileSystems URI)."""
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2

    from dataguard.errors import UsageError

    try:
        if "://" in uri and not uri.startswith("file://"):
            from apache_beam.io.filesystems import FileSystems

            with FileSystems.open(uri) as handle:
                text = handle.read().decode("utf-8")
        else:
            with open(uri.removeprefix("file://"), encoding="utf-8") as handle:
                text = handle.read()
        schema = text_format.Parse(text, schema_pb2.Schema())
    except text_format.ParseError as exc:
        raise UsageError(f"--schema {uri}: not a TFDV schema text proto: {exc}") from None
    except Exception as exc:  # OSError locally, Beam's many types for remote files
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise UsageError(f"--schema {uri}: cannot read: {reason}") from None
    types = column_types_from_schema(schema)
    if not types:
        raise UsageError(f"--schema {uri}: no INT, FLOAT or BYTES feature in it")
    return types


def merge_types(inferred: Mapping[str, str], forced: Mapping[str, str]) -> dict[str, str]:
    """Schema types win; columns the schema doesn't name keep their inferred type."""
    return {name: forced.get(name, column_type) for name, column_type in inferred.items()}
