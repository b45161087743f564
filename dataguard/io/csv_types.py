"""TFDV's CSV column typing, cell by cell as tfx_bsl does it, column by column as Arrow can.

    widen("INT", pa.array(["1", "2.5", None]))   # -> ("FLOAT", True, <float64 array>)

tfx_bsl's ``_InferValueType``: a non-empty cell is INT if Python's ``int()`` reads it within
int64, else STRING if ``int()`` reads it (too big), FLOAT if ``float()`` reads it, else STRING.
A column takes the widest type of its cells (INT → FLOAT → STRING). Arrow's casts decide whole
columns at C++ speed; where Arrow's number syntax differs from Python's (hexadecimal, ``+5``,
`` 7``, ``1_000``, integers past int64) the distinct values go through Python instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataguard.errors import BadInputError

UNKNOWN, INT, FLOAT, STRING = "UNKNOWN", "INT", "FLOAT", "STRING"
RANK = {UNKNOWN: 0, INT: 1, FLOAT: 2, STRING: 3}
_LONG_INT = r"^\s*[+-]?[0-9_]{19,}\s*$"
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def infer_value_type(value: str) -> str:
    """tfx_bsl ``_InferValueType`` for one non-empty cell."""
    try:
        return INT if _INT64_MIN <= int(value) <= _INT64_MAX else STRING
    except ValueError:
        try:
            float(value)
        except ValueError:
            return STRING
        return FLOAT


def widen(current: str, column: pa.Array) -> tuple[str, bool, pa.Array | None]:
    """(type of ``column`` joined with ``current``, whether Arrow parsed it as Python would,
    the column cast to that type by Arrow when it did).

    INT → FLOAT → STRING never narrows. Arrow's casts decide the common case; the distinct
    values go through Python's ``int``/``float`` only where Arrow refuses a value.
    """
    if RANK[current] <= RANK[INT]:
        cast = arrow_cast(column, pa.int64())
        if cast is not None:
            return INT, True, cast
    if RANK[current] <= RANK[FLOAT]:
        cast = arrow_cast(column, pa.float64())
        if cast is not None:
            return FLOAT, True, cast
    found = current
    for value in pc.unique(column).to_pylist():
        if value is None:
            continue
        value_type = infer_value_type(value)
        if RANK[value_type] > RANK[found]:
            found = value_type
            if found == STRING:
                return STRING, True, None
    return found, False, None


def arrow_parses(column: pa.Array, target: pa.DataType) -> bool:
    return arrow_cast(column, target) is not None


def arrow_cast(column: pa.Array, target: pa.DataType) -> pa.Array | None:
    """``column`` cast by Arrow, or None unless every value casts as Python would read it."""
    try:
        cast = column.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if target == pa.int64() and (
        pc.any(pc.starts_with(column, "0x")).as_py() or pc.any(pc.starts_with(column, "0X")).as_py()
    ):
        return None  # Arrow reads "0x1f" as an integer; Python's int() (so TFDV) does not
    if (
        target == pa.float64()
        and (pc.max(pc.binary_length(column)).as_py() or 0) >= 19  # cheap: lengths only
        and pc.any(pc.match_substring_regex(column, _LONG_INT)).as_py()
    ):
        return None  # an integer past int64 makes tfx_bsl say STRING, not FLOAT
    return cast


def python_cast(
    column: pa.Array, target: pa.DataType, convert: Any, path: str, name: str
) -> pa.Array:
    try:
        return pa.array(
            [None if v is None else convert(v) for v in column.to_pylist()], type=target
        )
    except (ValueError, OverflowError):
        raise BadInputError(
            f"{path}: column {name!r}: a value does not match the column type inferred "
            "over the input"
        ) from None
