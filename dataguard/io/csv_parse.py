"""CSV files → pyarrow record batches, streamed, with TFDV's header rules and column typing.

    names = common_header(spec)                            # ("fare", "company", …)
    found = infer(spec)                                    # Inference(types={"fare": "FLOAT", …})
    for batch in parsed_batches(spec, path, {"fare": pa.float64(), …}):
        ...                                                # empty cell = null

The first line of each file is its header (unless column names are given) and every file of a
batch has the same one. pyarrow's streaming reader parses a file in blocks, as text or straight
into the Arrow types given; a failure becomes a ``BadInputError`` naming the file and line, and
an unterminated quote, which pyarrow accepts at the end of a file, is caught by the raw-byte
scan beside the parse (``csv_scan``). Whole-input typing (``infer``) reads every block as text
and widens each column's type with ``csv_types``; ``first_block_types`` does the same with the
first 256 KiB only, for the one-pass read of ``csv.read_record_batches(speculative=True)``.
"""

from __future__ import annotations

import contextlib
import csv as pycsv
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from dataguard.errors import BadInputError
from dataguard.io.csv_scan import RawScan, ScanBeside, diagnose, locate_error
from dataguard.io.csv_types import STRING, UNKNOWN, widen
from dataguard.io.sources import InputSpec, one_line, open_binary

# ~33k taxi rows per batch (the local engine asks for 8 MiB: TFDV's per-batch work is less).
DEFAULT_BLOCK_SIZE = 4 << 20


class Widened(Exception):
    """A later block does not fit the types of the first one: start over, exactly."""


# --- header -----------------------------------------------------------------------------------
def read_header(spec: InputSpec, path: str) -> tuple[str, ...]:
    """The column names of one file: ``spec.column_names`` (then its first line is data,
    ``header_or_given``) or its first CSV record."""
    if spec.column_names:
        return header_or_given(path, (), spec.column_names)[0]
    with open_binary(spec, path) as raw:
        lines = _text_lines(raw)  # line by line: later lines may be bad
        try:
            row = next(pycsv.reader(lines, delimiter=spec.delimiter, strict=True), None)
        except UnicodeDecodeError:
            raise BadInputError(f"{path}: line 1: header is not UTF-8 text") from None
        except (pycsv.Error, OSError, EOFError) as exc:
            raise BadInputError(f"{path}: line 1: cannot read header: {one_line(exc)}") from None
    if not row:
        raise BadInputError(f"{path}: empty file (no header line); a CSV batch needs a header")
    refuse_nameless_header(path, row)
    return tuple(row)


def header_or_given(
    path: str, first_row: Sequence[str], given: Sequence[str] | None
) -> tuple[tuple[str, ...], bool]:
    """(column names, whether the first row is a header): TFDV's rule, for every reader (both
    engines). Given names name the columns and the first row is data, whatever it holds (TFDV
    reads with ``skip_header_lines`` 0 when ``column_names`` are given); else the first row is
    the header. Raises ``BadInputError`` for a nameless header or duplicate names."""
    if given:
        names = tuple(given)
    else:
        names = tuple(first_row)
        refuse_nameless_header(path, names)
    refuse_duplicate_names(path, names)
    return names, not given


def refuse_nameless_header(path: str, names: Sequence[str]) -> None:
    """A header of empty names (``,,,,``) is no header: say that, not "duplicate names" (every
    reader of CSV headers, local and Beam, asks this)."""
    if all(not name.strip() for name in names):
        raise BadInputError(
            f"{path}: line 1: the header names no column ({len(names)} empty fields); "
            "the first line of a CSV batch names its columns"
        )


def refuse_duplicate_names(path: str, names: Sequence[str]) -> None:
    """Column names of a header must differ (every reader of CSV headers asks this)."""
    if len(set(names)) != len(names):
        dupes = sorted({name for name in names if names.count(name) > 1})
        raise BadInputError(f"{path}: line 1: duplicate column names {dupes}")


UTF8_BOM = b"\xef\xbb\xbf"


def _text_lines(raw: Iterator[bytes]) -> Iterator[str]:
    """Lines as text, without the UTF-8 byte order mark spreadsheets put first (pyarrow skips it
    too, so the names agree with the columns it parses)."""
    for number, line in enumerate(raw, start=1):
        yield (line[len(UTF8_BOM):] if number == 1 and line.startswith(UTF8_BOM) else line).decode(
            "utf-8"
        )


def common_header(spec: InputSpec) -> tuple[str, ...]:
    """The column names all files of a CSV batch share; ``BadInputError`` where they differ."""
    if spec.format != "csv":
        raise BadInputError(f"{spec.source}: not CSV input (format {spec.format!r})")
    names = read_header(spec, spec.paths[0])
    for path in spec.paths[1:]:
        other = read_header(spec, path)
        if other != names:
            raise BadInputError(
                f"{path}: line 1: header differs from {spec.paths[0]}; "
                "files of a batch share columns"
            )
    refuse_duplicate_names(spec.paths[0], names)
    return names


# --- type inference ---------------------------------------------------------------------------
@dataclass
class Inference:
    """Column name → inferred type, and the columns whose numbers only Python reads right."""

    types: dict[str, str]
    python_columns: set[str] = field(default_factory=set)  # Arrow's number syntax disagreed


def infer(spec: InputSpec) -> Inference:
    """Each column's type over the whole input (a first pass over every file)."""
    names = common_header(spec)
    result = Inference(dict.fromkeys(names, UNKNOWN))
    arrow_types = dict.fromkeys(names, pa.string())
    for path in spec.paths:
        for batch in parsed_batches(spec, path, arrow_types, count_quotes=True):
            widen_all(result, names, batch)
    return result


def first_block_types(spec: InputSpec, names: tuple[str, ...], block_size: int) -> Inference:
    """The column types of the first block of the first file, for a one-pass read."""
    text = dict.fromkeys(names, pa.string())
    blocks = parsed_batches(spec, spec.paths[0], text, block_size=min(block_size, FIRST_BLOCK))
    try:
        batch = next(blocks)
    finally:
        blocks.close()
    return block_types(names, batch)


# 256 KiB (~2k taxi rows) type the columns; a bigger sample delays the first batch.
FIRST_BLOCK = 1 << 18


def block_types(names: tuple[str, ...], batch: pa.RecordBatch | None) -> Inference:
    """The column types of one block parsed as text (a one-pass read's first block)."""
    found = Inference(dict.fromkeys(names, UNKNOWN))
    if batch is not None and batch.num_rows:
        widen_all(found, names, batch)
    return found


def widen_all(
    result: Inference, names: tuple[str, ...], batch: pa.RecordBatch
) -> list[pa.Array]:
    """Widen the inferred types with one block; returns its columns, cast where Arrow could."""
    columns = []
    for name, column in zip(names, batch.columns, strict=True):
        current = result.types[name]
        if current != STRING and column.null_count < len(column):
            result.types[name], arrow_ok, cast = widen(current, column)
            if not arrow_ok:
                result.python_columns.add(name)
            columns.append(column if cast is None else cast)
        else:
            columns.append(column)
    return columns


# --- parsing ----------------------------------------------------------------------------------
def parsed_batches(
    spec: InputSpec,
    path: str,
    arrow_types: dict[str, pa.DataType],
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
    count_quotes: bool = False,
    scan: RawScan | None = None,
    conversion_errors: bool = False,
    threads: bool = True,
) -> Generator[pa.RecordBatch, None, None]:
    """One file as record batches of the given Arrow types (empty cell = null); raises
    ``BadInputError`` naming the file and line. ``count_quotes`` (or ``scan``, which also
    notes a ``0x``) detects an unterminated quote, which pyarrow accepts at the end of a file
    and Python's ``csv`` (TFDV) does not. With ``conversion_errors`` a value that does not
    parse as its column's type raises ``Widened`` instead of being bad input. ``threads``:
    pyarrow's read-ahead; off where the consumer keeps both cores busy itself (the local
    engine: read-ahead delayed the first block and competed with the statistics workers).
    """
    options = pyarrow_options(spec.delimiter, spec.column_names, arrow_types, block_size, threads)
    scanning = scan is not None or count_quotes
    beside = ScanBeside(spec, path, wanted=scanning)
    parse = _FileParse(spec, path, conversion_errors)
    with contextlib.ExitStack() as stack:
        yield from parse.batches(beside.open(stack), options, beside)
    if parse.failure is not None:
        raise parse.failure  # outside the except block: no traceback keeps the reader alive
    if parse.widened:
        raise Widened(path)
    quotes = 0
    if scanning:
        found = beside.result()
        if scan is not None:
            scan.quotes, scan.hex = found.quotes, found.hex
        quotes = found.quotes
    if quotes % 2:
        error = diagnose(spec, path)
        if error is not None:
            raise error
    if parse.rows == 0:
        raise BadInputError(f"{path}: no data rows (header only); a batch needs at least one row")


def pyarrow_options(
    delimiter: str,
    column_names: Sequence[str] | None,
    arrow_types: dict[str, pa.DataType],
    block_size: int,
    threads: bool,
) -> dict[str, Any]:
    """``pacsv.open_csv`` keywords: Python ``csv``'s dialect, TFDV's empty cell = missing
    (``column_names`` given: the first line is data). Every pyarrow CSV read uses these."""
    return {
        "read_options": pacsv.ReadOptions(
            block_size=block_size,
            use_threads=threads,
            column_names=list(column_names) if column_names else None,
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, newlines_in_values=True,
            ignore_empty_lines=True,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types=arrow_types,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    }


@dataclass
class _FileParse:
    """pyarrow's streaming parse of one file, and how it ended (rows, failure, widened)."""

    spec: InputSpec
    path: str
    conversion_errors: bool
    rows: int = 0
    failure: BadInputError | None = None
    widened: bool = False

    def batches(
        self, source: Any, options: dict[str, Any], beside: ScanBeside
    ) -> Iterator[pa.RecordBatch]:
        completed = False
        reader = None
        try:
            reader = pacsv.open_csv(source, **options)
            for batch in reader:
                if batch.num_rows:
                    self.rows += batch.num_rows
                    yield batch
                    # Only now: until the first batch is out, everything waits on the parse
                    # (1M taxi rows: the scan beside the first block's parse delayed it 0.1 s).
                    beside.start()
            completed = True
        except (pa.ArrowException, OSError, EOFError) as exc:
            if self.conversion_errors and "conversion error" in str(exc):
                self.widened = True
            else:
                self.failure = locate_error(self.spec, self.path, exc)
        finally:
            # Stop pyarrow's read-ahead now: a reader left to the interpreter's exit (say, via
            # an error's traceback) can abort the process in native code.
            if reader is not None:
                reader.close()
            reader = None
            if not (completed and self.rows):
                beside.abandon()
