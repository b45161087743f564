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

Parsing is pyarrow's streaming reader (multi-threaded, fixed block size) with every column read as
a string; types are decided with vectorised casts, falling back to Python's ``int``/``float`` on
the distinct values of a block only where Arrow's number syntax differs from Python's. Errors are
located afterwards with Python's ``csv`` module, so messages name the file and line.
"""

from __future__ import annotations

import codecs
import csv as pycsv
import io
from collections.abc import Iterator
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dataguard.errors import BadInputError
from dataguard.io.sources import InputSpec, is_gzip, is_remote, local_path

UNKNOWN, INT, FLOAT, STRING = "UNKNOWN", "INT", "FLOAT", "STRING"
_RANK = {UNKNOWN: 0, INT: 1, FLOAT: 2, STRING: 3}
ARROW_TYPES = {
    INT: pa.large_list(pa.int64()),
    FLOAT: pa.large_list(pa.float32()),
    STRING: pa.large_list(pa.large_binary()),
    UNKNOWN: pa.null(),
}
DEFAULT_BLOCK_SIZE = 8 << 20
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


# --- public API -------------------------------------------------------------------------------
def read_header(spec: InputSpec, path: str) -> tuple[str, ...]:
    """The column names of one file: ``spec.column_names`` or its first CSV record."""
    if spec.column_names:
        return spec.column_names
    with _open_binary(spec, path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            row = next(pycsv.reader(text, delimiter=spec.delimiter, strict=True), None)
        except UnicodeDecodeError:
            raise BadInputError(f"{path}: line 1: header is not UTF-8 text") from None
        except (pycsv.Error, OSError, EOFError) as exc:
            raise BadInputError(f"{path}: line 1: cannot read header: {_one_line(exc)}") from None
    if not row or all(not name.strip() for name in row):
        raise BadInputError(f"{path}: empty file (no header line); a CSV batch needs a header")
    return tuple(row)


def infer_column_types(spec: InputSpec) -> dict[str, str]:
    """Column name → "INT" | "FLOAT" | "STRING" ("UNKNOWN" if never present) over all files."""
    names = _common_header(spec)
    types = dict.fromkeys(names, UNKNOWN)
    for path in spec.paths:
        for batch in _string_batches(spec, path, names):
            for name, column in zip(names, batch.columns, strict=True):
                if types[name] != STRING:
                    types[name] = _widen(types[name], column)
    return types


def read_record_batches(
    spec: InputSpec,
    column_types: dict[str, str] | None = None,
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> Iterator[pa.RecordBatch]:
    """Stream TFDV-compatible record batches; infers the column types first when not given."""
    names = _common_header(spec)
    if column_types is None:
        column_types = infer_column_types(spec)
    for path in spec.paths:
        for batch in _string_batches(spec, path, names, block_size=block_size):
            arrays = [
                to_tfdv_array(column, column_types.get(name, STRING), path, name)
                for name, column in zip(names, batch.columns, strict=True)
            ]
            yield pa.RecordBatch.from_arrays(arrays, list(names))


def to_tfdv_array(column: pa.Array, column_type: str, path: str = "", name: str = "") -> pa.Array:
    """One string column (nulls = empty cells) → the list array TFDV's CSV decoder would make."""
    n = len(column)
    if column_type == UNKNOWN:
        return pa.nulls(n)
    valid = column.is_valid()
    values = column.drop_null() if column.null_count else column
    if column_type == STRING:
        flat: pa.Array = values.cast(pa.large_binary())
    elif column_type == INT:
        flat = _cast_python_compatible(values, pa.int64(), int, path, name)
    else:
        flat = _cast_python_compatible(values, pa.float64(), float, path, name).cast(
            pa.float32(), safe=False
        )
    if column.null_count:
        counts = pc.cast(valid, pa.int64()).to_numpy(zero_copy_only=False)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        mask = pc.invert(valid)
        return pa.LargeListArray.from_arrays(pa.array(offsets), flat, mask=mask)
    offsets = np.arange(n + 1, dtype=np.int64)
    return pa.LargeListArray.from_arrays(pa.array(offsets), flat)


# --- type inference ---------------------------------------------------------------------------
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


def _widen(current: str, column: pa.Array) -> str:
    """The type of ``column`` joined with ``current`` (INT → FLOAT → STRING never narrows)."""
    values = column.drop_null() if column.null_count else column
    if len(values) == 0:
        return current
    if _RANK[current] <= _RANK[INT] and _arrow_agrees(values, pa.int64()):
        return INT
    if _RANK[current] <= _RANK[FLOAT] and _arrow_agrees(values, pa.float64()):
        return FLOAT
    found = current
    for value in pc.unique(values).to_pylist():
        kind = infer_value_type(value)
        if _RANK[kind] > _RANK[found]:
            found = kind
            if found == STRING:
                break
    return found


def _arrow_agrees(values: pa.Array, target: pa.DataType) -> bool:
    """True when Arrow casts every value and Python would accept each one the same way."""
    try:
        values.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    # Arrow reads hexadecimal ("0x1f"); Python's int()/float() do not: let Python decide those.
    return not pc.any(pc.match_substring(values, "x", ignore_case=True)).as_py()


def _cast_python_compatible(
    values: pa.Array, target: pa.DataType, convert: Any, path: str, name: str
) -> pa.Array:
    if _arrow_agrees(values, target):
        return values.cast(target)
    try:
        return pa.array([convert(v) for v in values.to_pylist()], type=target)
    except (ValueError, OverflowError):
        raise BadInputError(
            f"{path}: column {name!r}: value does not match the column type inferred over the input"
        ) from None


# --- reading ----------------------------------------------------------------------------------
def _common_header(spec: InputSpec) -> tuple[str, ...]:
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
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise BadInputError(f"{spec.paths[0]}: line 1: duplicate column names {dupes}")
    return names


def _string_batches(
    spec: InputSpec, path: str, names: tuple[str, ...], *, block_size: int = DEFAULT_BLOCK_SIZE
) -> Iterator[pa.RecordBatch]:
    """Every column as (nullable) UTF-8 strings; raises ``BadInputError`` naming file and line."""
    read_options = pacsv.ReadOptions(
        block_size=block_size,
        use_threads=True,
        column_names=list(spec.column_names) if spec.column_names else None,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=spec.delimiter, quote_char='"', double_quote=True, newlines_in_values=True,
        ignore_empty_lines=True,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    rows = 0
    quotes = 0
    with _open_binary(spec, path) as raw:
        counting = _QuoteCounter(raw)
        try:
            reader = pacsv.open_csv(
                counting, read_options=read_options, parse_options=parse_options,
                convert_options=convert_options,
            )
            for batch in reader:
                if batch.num_rows:
                    rows += batch.num_rows
                    yield batch
        except (pa.ArrowInvalid, pa.ArrowException, OSError, EOFError) as exc:
            raise _locate_error(spec, path, exc) from None
        quotes = counting.quotes
    if quotes % 2:
        # pyarrow accepts an unterminated quote at the end of the file; Python's csv does not.
        error = _diagnose(spec, path)
        if error is not None:
            raise error
    if rows == 0:
        raise BadInputError(f"{path}: no data rows (header only); a batch needs at least one row")


class _QuoteCounter(io.RawIOBase):
    """Pass-through reader counting ``"`` bytes (an odd count means an unterminated quote)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.quotes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data:
            self.quotes += data.count(b'"')
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open_binary(spec: InputSpec, path: str) -> IO[bytes]:
    """A binary stream of the file's (decompressed) bytes, local or through Beam FileSystems."""
    gz = is_gzip(spec, path)
    try:
        if is_remote(path):
            from apache_beam.io.filesystems import CompressionTypes, FileSystems

            kind = CompressionTypes.GZIP if gz else CompressionTypes.UNCOMPRESSED
            return FileSystems.open(path, compression_type=kind)
        if gz:
            import gzip

            return gzip.open(local_path(path), "rb")  # type: ignore[return-value]
        return open(local_path(path), "rb", buffering=1 << 20)
    except OSError as exc:
        raise BadInputError(f"{path}: cannot open: {exc.strerror or exc}") from None
    except Exception as exc:
        raise BadInputError(f"{path}: cannot open: {_one_line(exc)}") from None


def _locate_error(spec: InputSpec, path: str, exc: BaseException) -> BadInputError:
    """Turn a pyarrow/IO failure into a one-line error with the line number where we can find it."""
    found = _diagnose(spec, path)
    if found is not None:
        return found
    return BadInputError(f"{path}: cannot parse CSV: {_one_line(exc)}")


def _diagnose(spec: InputSpec, path: str) -> BadInputError | None:
    """Re-read ``path`` with Python's strict ``csv`` module to name the first bad line (slow)."""
    expected: int | None = len(spec.column_names) if spec.column_names else None
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 0
    try:
        with _open_binary(spec, path) as raw:

            def lines() -> Iterator[str]:
                nonlocal line
                for chunk in raw:
                    line += 1
                    try:
                        yield decoder.decode(chunk)
                    except UnicodeDecodeError:
                        msg = f"{path}: line {line}: bytes are not UTF-8 text"
                        raise BadInputError(msg) from None

            reader = pycsv.reader(lines(), delimiter=spec.delimiter, strict=True)
            start = 1
            for row in reader:
                if row and expected is None:
                    expected = len(row)
                elif row and len(row) != expected:
                    return BadInputError(
                        f"{path}: line {start}: expected {expected} fields, found {len(row)}"
                    )
                start = line + 1
    except BadInputError as err:
        return err
    except pycsv.Error as exc:
        return BadInputError(f"{path}: line {start}: {_one_line(exc)} (unterminated quote?)")
    except Exception as exc:  # corrupt gzip and the like
        return BadInputError(f"{path}: cannot read: {_one_line(exc)}")
    return None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
