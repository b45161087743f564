"""Input files → chunks (a byte range of a CSV, a whole file), and reading one chunk with pyarrow.

    chunk = Chunk("day1.csv", "csv", start=33_554_432, end=67_108_864, names=("fare", …))
    used, scan = ColumnTypes(), RawScan()
    for batch in speculative_batches(cfg, chunk, used, scan):   # one pass, typed from its start
        ...                                                      # (raises Widened: read exactly)
    found, _ = scan_column_types(cfg, chunk)                     # exact types of the chunk
    for batch in parsed(cfg, chunk, arrow_types(merged, chunk.names)):   # with the batch's

The Beam engine's fast path reads a batch as chunks, one worker each (``stats.beam_fast``).
A big uncompressed CSV is cut into byte ranges at line starts: the reader of ``[start, end)``
reads the lines that *start* in it, so every line is read exactly once (``snap_to_line``).
Planning reads only the header and a few bytes at each cut: the cuts are optimistic. A cut
is safe where no quoted field holds a newline across it, which the workers tell afterwards:
each counts the ``"`` of its own range (``scanned_bytes``), and the cumulative count before a
cut must be even (``unsafe_cut``); a file with an unsafe cut is read again whole, by one
worker (``stats.beam_fast``). Gzip files, TFRecord and small files are one chunk each.

Column types are TFDV's over the whole input (INT → FLOAT → STRING). A chunk is read once,
typed from its first 256 KiB and checked block by block (the local engine's one-pass read,
``speculative_batches``); where a column widens inside it, it is scanned exactly as text
(``scan_column_types``, with ``io.csv_parse.widen_all``). The Beam engine joins the chunks'
types and parses the chunks whose types differ again with the batch's (``parsed``).
pyarrow's errors name no line: on any failure the file is re-read with Python's strict
``csv`` (``stats.beam_read``'s reader), so bad input names the file and line as before.
No Beam import at module level (``FileSystems`` only for remote files).
"""

from __future__ import annotations

import contextlib
import csv as pycsv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv

from dataguard.io.csv import checked_columns, parse_types, speculative_types
from dataguard.io.csv_parse import (
    FIRST_BLOCK,
    Inference,
    Widened,
    block_types,
    header_or_given,
    pyarrow_options,
    widen_all,
)
from dataguard.io.csv_scan import RawScan
from dataguard.io.csv_types import INT, RANK, UNKNOWN
from dataguard.io.sources import is_remote, local_path

_LOG = logging.getLogger(__name__)

CHUNK_BYTES = 32 << 20  # a CSV bigger than two of these is cut into ranges of about this size
_PARSE_BLOCK = 8 << 20  # CSV bytes per parsed block: fewer batches, less per-batch TFDV work
_WINDOW = 1 << 16


@dataclass(frozen=True)
class ReadConfig:
    """How the files of a batch are read (picklable: it travels to the workers)."""

    format: str  # csv | tfrecord | parquet
    delimiter: str = ","
    column_names: tuple[str, ...] | None = None
    compression: str | None = None  # None (guess per file) | gzip | none
    chunk_size: int = CHUNK_BYTES

    def gzip(self, path: str) -> bool:
        if self.compression is not None:
            return self.compression == "gzip"
        return path.lower().endswith((".gz", ".gzip"))


@dataclass(frozen=True)
class Chunk:
    """The part of one file one worker reads: bytes ``[start, end)`` (``end`` None: to the end
    of the file; for gzip, offsets in the decompressed bytes), with the file's column names."""

    path: str
    format: str
    start: int = 0
    end: int | None = None
    names: tuple[str, ...] = ()
    part: int = 0
    parts: int = 1


@dataclass
class ColumnTypes:
    """Pass 1 of one chunk (or merged over all): header, types, Arrow-distrusted columns."""

    names: frozenset[tuple[str, ...]] = frozenset()
    types: dict[str, str] = field(default_factory=dict)
    python_columns: set[str] = field(default_factory=set)

    def fits(self, merged: ColumnTypes) -> bool:
        """Whether a chunk read with these types reads as with the ``merged`` ones: the same
        type, or no value at all (a null column, which TFDV counts as missing either way)."""
        return all(column_type in (UNKNOWN, merged.types.get(name, UNKNOWN))
                   for name, column_type in self.types.items())

    def merge(self, other: ColumnTypes) -> ColumnTypes:
        types = dict(self.types)
        for name, column_type in other.types.items():
            if RANK[column_type] > RANK[types.get(name, UNKNOWN)]:
                types[name] = column_type
        return ColumnTypes(
            self.names | other.names, types, self.python_columns | other.python_columns
        )


# --- opening ------------------------------------------------------------------------------------
def open_stream(cfg: ReadConfig, path: str) -> IO[bytes]:
    """The file's (decompressed) bytes, through Beam's FileSystems (local or gs://)."""
    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems

    compression = CompressionTypes.GZIP if cfg.gzip(path) else CompressionTypes.UNCOMPRESSED
    return FileSystems.open(path, compression_type=compression)  # type: ignore[no-any-return]


def chunk_bytes(cfg: ReadConfig, chunk: Chunk) -> Any:
    """A pyarrow input for the chunk's bytes (in memory for uncompressed files: one chunk's)."""
    if not cfg.gzip(chunk.path):
        if not is_remote(chunk.path):
            # Read, not memory-mapped: mapped pages count in a worker's RSS as long as they stay
            # mapped, a whole file's worth at 10M rows; a read holds one chunk's bytes.
            with pa.OSFile(local_path(chunk.path)) as f:
                end = f.size() if chunk.end is None else chunk.end
                f.seek(chunk.start)
                return pa.BufferReader(f.read_buffer(end - chunk.start))
        with open_stream(cfg, chunk.path) as f:
            f.seek(chunk.start)
            data = f.read() if chunk.end is None else f.read(chunk.end - chunk.start)
        return pa.BufferReader(data)
    if not is_remote(chunk.path):
        stream = pa.input_stream(local_path(chunk.path), compression="gzip")
    else:
        stream = pa.PythonFile(open_stream(cfg, chunk.path), mode="r")
    _skip(stream, chunk.start)
    return stream


def _skip(stream: Any, count: int) -> None:
    while count > 0:
        got = len(stream.read(min(count, 1 << 20)))
        if not got:
            return
        count -= got


# --- planning -----------------------------------------------------------------------------------
def read_header(cfg: ReadConfig, path: str) -> tuple[tuple[str, ...], int]:
    """(column names, byte offset of the first data line), by ``io.csv_parse.header_or_given``.
    Raises ``BadInputError`` (plain) for an empty file, a bad header or duplicate names."""
    from dataguard.errors import BadInputError

    with open_stream(cfg, path) as raw:
        consumed = 0

        def text() -> Iterator[str]:
            nonlocal consumed
            for line in iter(raw.readline, b""):
                encoding = "utf-8" if consumed else "utf-8-sig"  # a BOM is no part of a name
                consumed += len(line)
                try:
                    yield line.decode(encoding)
                except UnicodeDecodeError:
                    raise BadInputError(f"{path}: line 1: not UTF-8 text") from None

        try:
            row = next(pycsv.reader(text(), delimiter=cfg.delimiter, strict=True), None)
        except pycsv.Error as exc:
            raise BadInputError(f"{path}: line 1: cannot read the header: {exc}") from None
    if row is None:
        raise BadInputError(f"{path}: the file is empty (expected a CSV header line)")
    names, is_header = header_or_given(path, row, cfg.column_names)
    return names, consumed if is_header else 0


def plan_csv(cfg: ReadConfig, path: str, size: int) -> list[Chunk]:
    """One file's chunks: byte ranges of about ``cfg.chunk_size`` cut at line starts, or the
    whole file (gzip or small). The cuts are optimistic: ``unsafe_cut`` checks them once the
    ranges are read; only the header and a window at each cut are read here."""
    names, data_start = read_header(cfg, path)
    count = (size - data_start) // max(cfg.chunk_size, 1)
    if cfg.gzip(path) or count < 2:
        return [whole_file(path, names, data_start)]
    step = (size - data_start) / count
    with _random_access(cfg, path) as f:
        cuts = sorted({snap_to_line(f, int(data_start + k * step), size)
                       for k in range(1, count)} - {size})
    bounds = [data_start, *cuts, size]
    return [
        Chunk(path, "csv", a, b, names, part, len(bounds) - 1)
        for part, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]


def whole_file(path: str, names: tuple[str, ...], data_start: int) -> Chunk:
    """The chunk of a CSV read whole, by one worker."""
    return Chunk(path, "csv", data_start, None, names)


def unsafe_cut(parts: list[tuple[Chunk, int]]) -> int | None:
    """The first cut inside a quoted field, given each range of a file with its ``"`` count
    (in order): a cut is at a line start by construction, and outside quotes if the quotes
    before it are even in number. None: every cut is safe."""
    quotes = 0
    for chunk, count in parts[:-1]:
        quotes += count
        if quotes % 2:
            return chunk.end
    return None


@contextlib.contextmanager
def _random_access(cfg: ReadConfig, path: str) -> Iterator[Any]:
    if not is_remote(path):
        with pa.OSFile(local_path(path)) as f:
            yield f
    else:
        with open_stream(cfg, path) as f:
            yield f


def snap_to_line(f: Any, offset: int, size: int) -> int:
    """The first line start at or after ``offset``: a range reader starts there."""
    position = offset - 1  # the byte before: a newline there makes ``offset`` a line start
    while position < size:
        f.seek(position)
        window = bytes(f.read(_WINDOW))
        if not window:
            break
        found = window.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(window)
    return size


# --- reading one chunk --------------------------------------------------------------------------
def _options(
    cfg: ReadConfig, chunk: Chunk, arrow_types: dict[str, Any], block_size: int | None = None
) -> dict[str, Any]:
    """``pacsv.open_csv`` keywords (``io.csv_parse``'s), the header's names given, no
    read-ahead threads (a worker process is one core's work)."""
    return pyarrow_options(cfg.delimiter, chunk.names, arrow_types,
                           block_size or _PARSE_BLOCK, threads=False)


class _Scanning:
    """A pass-through byte source scanning the raw bytes (``"`` count, any ``0x``): gzip."""

    def __init__(self, source: Any, scan: RawScan) -> None:
        self._source = source
        self.scan = scan
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = bytes(self._source.read(size))
        if data:
            self.scan.add(data)
        return data

    def close(self) -> None:
        self.closed = True
        self._source.close()


def scanned_bytes(cfg: ReadConfig, chunk: Chunk) -> tuple[Any, RawScan]:
    """The chunk's bytes for pyarrow and the raw scan of them: done at once (numpy) for bytes
    in memory, on their way to pyarrow for a gzip stream (complete once it is read)."""
    source = chunk_bytes(cfg, chunk)
    scan = RawScan()
    if isinstance(source, pa.BufferReader):
        buffer = source.read_buffer()
        scan.add(memoryview(buffer))  # type: ignore[arg-type]
        return pa.BufferReader(buffer), scan
    return _Scanning(source, scan), scan


def parsed(cfg: ReadConfig, chunk: Chunk, arrow_types: dict[str, Any]) -> Iterator[pa.RecordBatch]:
    """The chunk's rows as record batches of ``arrow_types``; pyarrow's errors pass through."""
    source = chunk_bytes(cfg, chunk)
    reader = pacsv.open_csv(source, **_options(cfg, chunk, arrow_types))
    try:
        for batch in reader:
            if batch.num_rows:
                yield batch
    finally:
        reader.close()
        source.close()


def scan_column_types(cfg: ReadConfig, chunk: Chunk) -> tuple[ColumnTypes, RawScan]:
    """The chunk's exact column types (parsed as text, widened with the local engine's rules)
    and its raw scan; pyarrow's errors pass through (the caller names the line)."""
    text = dict.fromkeys(chunk.names, pa.string())
    found = Inference(dict.fromkeys(chunk.names, UNKNOWN))
    source, scan = scanned_bytes(cfg, chunk)
    reader = pacsv.open_csv(source, **_options(cfg, chunk, text))
    try:
        for batch in reader:
            if batch.num_rows:
                widen_all(found, chunk.names, batch)
    finally:
        reader.close()
    return ColumnTypes(frozenset([chunk.names]), found.types, found.python_columns), scan


def speculative_batches(
    cfg: ReadConfig, chunk: Chunk, used: ColumnTypes, scan: RawScan
) -> Iterator[pa.RecordBatch]:
    """The chunk decoded in one pass, typed from its first 256 KiB (``used`` holds the types,
    columns first seen empty gaining theirs as they come; ``scan`` the raw scan). Raises
    ``Widened`` where a later value needs a wider type (``INT`` meets ``2.5``), a float
    reaches int64's range or a ``0x`` may be hexadecimal: the caller reads the chunk exactly.
    Numbers are trusted to Arrow only where it reads them as Python does (``io.csv``)."""
    from dataguard.io.csv import ParsedBlock

    source, found = scanned_bytes(cfg, chunk)
    in_memory = isinstance(source, pa.BufferReader)
    # Bytes in memory are typed where they are (zero copy); a gzip stream is opened again.
    first = _first_block_types(
        cfg, chunk, pa.BufferReader(source.read_buffer()) if in_memory else None
    )
    if in_memory:
        source.seek(0)
    used.names = frozenset([chunk.names])
    used.types.update(first.types)
    used.python_columns |= first.python_columns
    typed = speculative_types(first)
    if found.hex and INT in first.types.values():
        raise Widened("0x")
    reader = pacsv.open_csv(source, **_options(cfg, chunk, typed))
    try:
        for batch in reader:
            if batch.num_rows:
                columns = checked_columns(chunk.names, batch, typed, used.types)
                yield ParsedBlock(columns, chunk.names, dict(used.types), chunk.path).decode()
    except pa.ArrowInvalid as exc:
        if "conversion error" in str(exc):
            raise Widened(chunk.path) from None
        raise
    finally:
        reader.close()
    if found.hex and INT in used.types.values():
        raise Widened("0x")
    scan.quotes, scan.hex = found.quotes, found.hex


def _first_block_types(cfg: ReadConfig, chunk: Chunk, source: Any = None) -> Inference:
    source = chunk_bytes(cfg, chunk) if source is None else source
    text = dict.fromkeys(chunk.names, pa.string())
    reader = pacsv.open_csv(source, **_options(cfg, chunk, text, FIRST_BLOCK))
    try:
        batch = next(iter(reader), None)
    finally:
        reader.close()
        source.close()
    return block_types(chunk.names, batch)


def arrow_types(found: ColumnTypes, names: tuple[str, ...]) -> dict[str, Any]:
    """Pass 2's parse types (``io.csv.parse_types``)."""
    return parse_types(names, found.types, found.python_columns)
