"""Parsed CSV columns → the list arrays TFDV's generators receive from its CSV decoder.

    to_tfdv_array(pa.array(["1", None, "3"]), "INT")    # [[1], null, [3]]: large_list<int64>
    block.decode()                                      # a ParsedBlock → a pa.RecordBatch

tfx_bsl's ``csv_decoder`` gives every present cell a one-value list and every empty cell a
null list: ``large_list<int64>`` for INT, ``large_list<float32>`` for FLOAT (parsed as float64,
then narrowed), ``large_list<large_binary>`` for STRING, a null column where a column never has
a value. pyarrow's parse leaves text or already typed columns; numbers Arrow reads differently
from Python (``+5``, `` 7``, ``0x1f``) go through Python's ``int``/``float`` (``csv_types``).
Decoding is kept apart from parsing so that it can run on another thread than the reader: the
local engine decodes ``ParsedBlock``s on its statistics workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataguard.io.csv_types import INT, STRING, UNKNOWN, arrow_parses, python_cast


@dataclass(frozen=True)
class ParsedBlock:
    """Rows as pyarrow parsed them (text or typed columns, one or more chunks each; empty cell
    = null), to be decoded into the arrays TFDV's CSV decoder makes."""

    columns: list[pa.Array | pa.ChunkedArray]
    names: tuple[str, ...]
    types: dict[str, str]
    path: str

    def decode(self) -> pa.RecordBatch:
        """The block as TFDV's record batch: one list array per column, in header order."""
        arrays = [
            to_tfdv_array(_contiguous(column), self.types.get(name, STRING), self.path, name)
            for name, column in zip(self.names, self.columns, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, list(self.names))


def _contiguous(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks()
    return column


def to_tfdv_array(column: pa.Array, column_type: str, path: str = "", name: str = "") -> pa.Array:
    """One parsed column (nulls = empty cells) → the list array TFDV's CSV decoder would make.

    ``column`` is text, or already int64 / float64 / binary when pyarrow parsed it that way.
    """
    n = len(column)
    if column_type == UNKNOWN:
        return pa.nulls(n)
    if column_type == STRING:
        flat: pa.Array = column.cast(pa.large_binary())
    elif column_type == INT:
        flat = _number_column(column, pa.int64(), int, path, name)
    else:
        flat = _number_column(column, pa.float64(), float, path, name)
        flat = flat.cast(pa.float32(), safe=False)
    if column.null_count:
        valid = column.is_valid()
        counts = valid.to_numpy(zero_copy_only=False).astype(np.int64)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return pa.LargeListArray.from_arrays(
            pa.array(offsets), flat.drop_null(), mask=pc.invert(valid)
        )
    return pa.LargeListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int64)), flat)


def _number_column(
    column: pa.Array, target: pa.DataType, convert: Any, path: str, name: str
) -> pa.Array:
    if column.type == target:
        return column
    if arrow_parses(column, target):
        return column.cast(target)
    return python_cast(column, target, convert, path, name)
