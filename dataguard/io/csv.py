"""CSV → Arrow record batches decoded exactly as TFDV's CSV path (tfx_bsl ``csv_decoder``) does.

    types = infer_column_types(spec)                 # {"fare": "FLOAT", "company": "STRING", …}
    for batch in read_record_batches(spec, types):   # streaming, bounded memory
        ...                                          # list<int64> / list<float32> / list<binary>

TFDV's rules, reproduced: the first line is the header (unless column names are given); a column
is INT if every non-empty value is an int64 (Python ``int()``), FLOAT if every one parses with
``float()``, else STRING, judged over the WHOLE input; an empty field is missing (null), a column
with no value at all is a null column; blank lines are skipped. Arrays are
``large_list<int64>`` / ``large_list<float32>`` / ``large_list<large_binary>`` with one value per
present cell, which is what TFDV's generators receive from ``generate_statistics_from_csv``.

Whole-input typing normally costs a first pass; ``speculative=True`` (the local engine) makes it
one pass: the types of the first 256 KiB are used and checked on every block, a column first
seen empty may get values (its earlier batches hold a null column, which TFDV counts as
missing, the same statistics), and only a real widening (INT meets ``2.5``) yields
``RESTART`` and starts over. pyarrow parses in blocks of at most 2 MiB, joined here into
batches of the requested size.

This module is the public face and the reading strategy; the pieces live beside it:

- ``csv_parse``: headers, pyarrow's streaming parse of a file, whole-input type inference;
- ``csv_scan``: the raw-byte scan (unterminated quotes, ``0x``) and the line at fault;
- ``csv_arrays``: parsed blocks → the list arrays TFDV's generators consume;
- ``csv_types``: TFDV's typing of cells and columns (Python's ``int``/``float`` vs Arrow's).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from dataguard.io.csv_arrays import ParsedBlock, to_tfdv_array
from dataguard.io.csv_parse import (
    DEFAULT_BLOCK_SIZE,
    Inference,
    Widened,
    common_header,
    first_block_types,
    infer,
    parsed_batches,
    read_header,
)
from dataguard.io.csv_scan import RawScan
from dataguard.io.csv_types import FLOAT, INT, STRING, UNKNOWN, widen
from dataguard.io.sources import InputSpec

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "RESTART",
    "ParsedBlock",
    "checked_columns",
    "infer_column_types",
    "parse_types",
    "read_header",
    "read_record_batches",
    "speculative_types",
    "to_tfdv_array",
]

RESTART = object()
"""Yielded by ``read_record_batches(..., speculative=True)``: drop every batch yielded so far."""

_PARSE_TYPES = {INT: pa.int64(), FLOAT: pa.float64(), STRING: pa.large_binary(),
                UNKNOWN: pa.string()}
_INT64_LIMIT = 2.0**63

# pyarrow parses in blocks of this size at most; ``_grouped`` joins them into batches of the
# requested size. Small blocks parse as fast (1M taxi rows, typed: 2 MiB 0.78 CPU s, 8 MiB
# 0.86) and the first one is out sooner (0.03 s instead of 0.12 s), so consumers start early.
_READ_BLOCK = 2 << 20


def infer_column_types(spec: InputSpec) -> dict[str, str]:
    """Column name → "INT" | "FLOAT" | "STRING" ("UNKNOWN" if never present) over all files."""
    return infer(spec).types


def read_record_batches(
    spec: InputSpec,
    column_types: dict[str, str] | None = None,
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
    speculative: bool = False,
    decode: bool = True,
) -> Iterator[pa.RecordBatch | ParsedBlock]:
    """Stream TFDV-compatible record batches; infers the column types first when not given.

    Inferred types cost a first pass over the input; then numbers are parsed by pyarrow
    directly. With ``speculative=True`` there is one pass in the common case: the types of
    the first block are used and checked, and if a later block widens a column (an INT
    column meets ``1.5``) the generator yields ``RESTART`` and starts over with the types of
    the whole input — the consumer drops what it has and keeps reading.
    Types given by the caller are applied to text columns, checking every cell.
    With ``decode=False`` it yields ``ParsedBlock``s instead, for the consumer to ``decode()``
    on its own thread (the local engine decodes on its statistics workers).
    """
    names = common_header(spec)
    if column_types is None and speculative:
        if (yield from _speculative_batches(spec, names, block_size, decode)):
            return
        yield RESTART
        inference = infer(spec)
        column_types, python_columns = inference.types, inference.python_columns
    elif column_types is None:
        inference = infer(spec)
        column_types, python_columns = inference.types, inference.python_columns
    else:
        python_columns = set(names)
    arrow_types = parse_types(names, column_types, python_columns)
    for path in spec.paths:
        batches = parsed_batches(spec, path, arrow_types, block_size=_read_size(block_size))
        blocks = (ParsedBlock(batch.columns, names, column_types, path) for batch in batches)
        for block in _grouped(blocks, block_size):
            yield block.decode() if decode else block


def parse_types(
    names: tuple[str, ...], column_types: dict[str, str], python_columns: set[str]
) -> dict[str, pa.DataType]:
    """The Arrow types a CSV is parsed with once its column types are known: numbers straight
    from Arrow where it reads them as Python does, text where only Python does."""
    return {
        name: _PARSE_TYPES[column_types.get(name, STRING)]
        if name not in python_columns else pa.string()
        for name in names
    }


def speculative_types(first: Inference) -> dict[str, pa.DataType]:
    """The Arrow types of a one-pass read typed from its first block: INT/FLOAT columns as
    numbers (where Arrow reads them as Python does), all else as text, checked per block
    (``checked_columns``)."""
    return {
        name: _PARSE_TYPES[column_type]
        if column_type in (INT, FLOAT) and name not in first.python_columns else pa.string()
        for name, column_type in first.types.items()
    }


# --- one pass, typed from the first block -----------------------------------------------------
def _speculative_batches(
    spec: InputSpec, names: tuple[str, ...], block_size: int, decode: bool
) -> Generator[pa.RecordBatch | ParsedBlock, None, bool]:
    """Yield batches typed from the first block, parsed by pyarrow as numbers directly.

    Returns True if those types held for the whole input, False (having yielded part of it)
    if a column widened: the caller then yields ``RESTART`` and reads exactly. Numbers are
    trusted to Arrow only where it reads them as Python does: a conversion error (``2.5``
    in an INT column, ``+5``, `` 7``), a float past int64 in a FLOAT column (tfx_bsl says
    STRING) or a ``0x`` anywhere in the file (Arrow reads hexadecimal integers) means widen.
    Columns empty or Python-typed in the first block are read as text and checked per block.
    """
    first = first_block_types(spec, names, block_size)
    used = dict(first.types)
    typed = speculative_types(first)
    try:
        for path in spec.paths:
            scan = RawScan()
            checked = _checked_blocks(spec, path, names, typed, used, scan, block_size)
            for block in _grouped(checked, block_size):
                yield block.decode() if decode else block
            if scan.hex and any(column_type == INT for column_type in used.values()):
                raise Widened("0x")
    except Widened:
        return False
    return True


def _checked_blocks(
    spec: InputSpec,
    path: str,
    names: tuple[str, ...],
    typed: dict[str, pa.DataType],
    used: dict[str, str],
    scan: RawScan,
    block_size: int,
) -> Iterator[ParsedBlock]:
    """One file's blocks parsed with the first block's types; raises ``Widened`` where they
    do not hold. ``used`` gains the types of columns first seen empty."""
    for batch in parsed_batches(spec, path, typed, block_size=_read_size(block_size),
                                scan=scan, conversion_errors=True, threads=False):
        columns = checked_columns(names, batch, typed, used)
        yield ParsedBlock(columns, names, dict(used), path)


def checked_columns(
    names: tuple[str, ...], batch: pa.RecordBatch, typed: dict[str, pa.DataType],
    used: dict[str, str],
) -> list[pa.Array]:
    """One parsed block's columns under the types in use; ``Widened`` where they do not hold.
    A column so far empty takes the type of its first values (``used`` gains it): its earlier
    blocks held nulls, which TFDV counts as missing, so the statistics are the same. Shared by
    the local reader and the Beam engine's chunks (``stats.chunks``)."""
    columns = []
    for name, column in zip(names, batch.columns, strict=True):
        column_type = used[name]
        present = column.null_count < len(column)
        if typed[name] == pa.string() and column_type != STRING and present:
            widened, _, cast = widen(column_type, column)
            if column_type != UNKNOWN and widened != column_type:
                raise Widened(name)
            used[name] = widened
            column = column if cast is None else cast
        elif column_type == FLOAT and present and _reaches_int64_limit(column):
            raise Widened(name)  # maybe an integer past int64 (tfx_bsl: STRING)
        columns.append(column)
    return columns


def _reaches_int64_limit(column: pa.Array) -> bool:
    low, high = pc.min_max(column).values()
    return max(abs(low.as_py() or 0.0), abs(high.as_py() or 0.0)) >= _INT64_LIMIT


# --- parsed blocks joined into batches --------------------------------------------------------
def _read_size(block_size: int) -> int:
    return min(block_size, _READ_BLOCK)


def _grouped(blocks: Iterator[ParsedBlock], block_size: int) -> Iterator[ParsedBlock]:
    """Join consecutive blocks into ones of about ``block_size`` bytes (chunked columns, no
    copy: ``decode`` joins them, on the consumer's thread). The first block goes out alone:
    consumers start on it while the next ones are parsed."""
    per_group = max(1, block_size // _READ_BLOCK)
    pending: list[ParsedBlock] = []
    first = True
    for block in blocks:
        if pending and not _joinable(pending[0], block):
            yield _joined(pending)
            pending = []
        pending.append(block)
        if first or len(pending) >= per_group:
            yield _joined(pending)
            pending, first = [], False
    if pending:
        yield _joined(pending)


def _joinable(a: ParsedBlock, b: ParsedBlock) -> bool:
    """Same file, same inferred types, same Arrow types (a column's first values change them)."""
    return (a.path, a.types) == (b.path, b.types) and all(
        x.type == y.type for x, y in zip(a.columns, b.columns, strict=True)
    )


def _joined(blocks: list[ParsedBlock]) -> ParsedBlock:
    if len(blocks) == 1:
        return blocks[0]
    chunks = zip(*(block.columns for block in blocks), strict=True)
    columns = [pa.chunked_array(column_chunks) for column_chunks in chunks]
    return ParsedBlock(columns, blocks[0].names, blocks[0].types, blocks[0].path)
