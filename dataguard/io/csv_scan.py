"""What pyarrow's CSV parse cannot say: a look at the raw bytes, and the line at fault.

    beside = ScanBeside(spec, path, wanted=True)
    with contextlib.ExitStack() as stack:
        source = beside.open(stack)     # the bytes for pyarrow (gs://: scanned on their way)
        ...                             # the parse; beside.start() once its first block is out
    if beside.result().quotes % 2:      # odd: an unterminated quote somewhere
        error = diagnose(spec, path)    # BadInputError("data.csv: line 3: … unterminated quote?")

pyarrow accepts an unterminated quote at the end of a file, which Python's ``csv`` (so TFDV)
rejects, and reads ``0x1f`` as an integer, which Python's ``int()`` does not: counting the
``"`` and spotting any ``0x`` in the raw bytes catches both at numpy speed, beside the parse (a
second native read of a local file, on the other core; remote bytes are scanned on their way to
pyarrow). pyarrow's errors name no line, so a failed file is re-read with Python's strict
``csv`` module to name the file and line at fault in a one-line ``BadInputError``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv as pycsv
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa

from dataguard.errors import BadInputError
from dataguard.io.sources import InputSpec, is_gzip, is_remote, local_path, one_line, open_binary

# In cache-sized slices, numpy beats ``bytes.count`` and its temporaries stay cheap: the scan
# of 1M taxi rows (127 MB) took 0.35 s as one array per 16 MiB, 0.1 s so.
_SCAN_SLICE = 1 << 18


@dataclass
class RawScan:
    """What a look at the raw bytes found: ``"`` count (odd = unterminated quote), any ``0x``."""

    quotes: int = 0
    hex: bool = False
    stop: bool = False
    _last: bytes = b""

    def add(self, chunk: bytes) -> None:
        data = np.frombuffer(chunk, dtype=np.uint8)
        for start in range(0, len(data), _SCAN_SLICE):
            part = data[start:start + _SCAN_SLICE + 1]  # one byte of overlap for "0x"
            self.quotes += int(np.count_nonzero(part[:_SCAN_SLICE] == 34))  # '"'
            if not self.hex:
                hex_at = part[:-1] == 48  # a '0' …
                hex_at &= (part[1:] | 0x20) == 120  # … before an 'x' or 'X'
                self.hex = bool(hex_at.any())
        if len(data) and not self.hex:
            self.hex = self._last == b"0" and (data[0] | 0x20) == 120
        self._last = chunk[-1:]


class ScanBeside:
    """The raw-byte scan of one file beside pyarrow's parse of it.

    Remote bytes are scanned on their way to pyarrow; a local file is read natively by pyarrow
    and scanned (if ``wanted``) by a second native read on a thread, started once the first
    block is out: until then everything waits on the parse.
    """

    def __init__(self, spec: InputSpec, path: str, *, wanted: bool) -> None:
        self._spec, self._path, self._wanted = spec, path, wanted
        self._found = RawScan()
        self._thread: threading.Thread | None = None

    def open(self, stack: contextlib.ExitStack) -> Any:
        """The byte source for pyarrow, closed with ``stack``."""
        if is_remote(self._path):
            return _ScanningReader(stack.enter_context(open_binary(self._spec, self._path)),
                                   self._found)
        # A native stream: pyarrow's read-ahead threads must never call back into Python
        # (at interpreter exit that aborts the process).
        source = stack.enter_context(open_native(self._spec, self._path))
        if self._wanted:  # scanned meanwhile, on the other core
            self._thread = threading.Thread(
                target=_scan_file, args=(self._spec, self._path, self._found), daemon=True
            )
        return source

    def start(self) -> None:
        """Start the local scan, if any and not yet started."""
        if self._thread is not None and self._thread.ident is None:
            self._thread.start()

    def abandon(self) -> None:
        """The scan is not needed any more; never let it outlive the parse."""
        if self._thread is not None:
            self._found.stop = True
            if self._thread.ident is not None:
                self._thread.join()

    def result(self) -> RawScan:
        """What the scan found, once it has read the whole file."""
        if self._thread is not None:
            self.start()
            self._thread.join()
        return self._found


class _ScanningReader(io.RawIOBase):
    """Pass-through reader scanning the raw bytes on the way (remote files)."""

    def __init__(self, raw: IO[bytes], scan: RawScan) -> None:
        self._raw = raw
        self.scan = scan

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data:
            self.scan.add(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_native(spec: InputSpec, path: str) -> pa.NativeFile:
    """A local file's (decompressed) bytes as a native stream, or ``BadInputError``."""
    try:
        gz = is_gzip(spec, path)
        return pa.input_stream(local_path(path), compression="gzip" if gz else None)
    except OSError as exc:
        raise BadInputError(f"{path}: cannot open: {one_line(exc)}") from None


def _scan_file(spec: InputSpec, path: str, scan: RawScan) -> None:
    """Scan a local file's (decompressed) bytes: one fast native read, page-cache warm."""
    try:
        with open_native(spec, path) as f:
            while not scan.stop and (chunk := f.read(4 << 20)):
                scan.add(chunk)
    except OSError:
        pass  # unreadable: the parse already reported it


def locate_error(spec: InputSpec, path: str, exc: BaseException) -> BadInputError:
    """Turn a pyarrow/IO failure into a one-line error with the line number where we can find it."""
    found = diagnose(spec, path)
    if found is not None:
        return found
    return BadInputError(f"{path}: cannot parse CSV: {one_line(exc)}")


def diagnose(spec: InputSpec, path: str) -> BadInputError | None:
    """Re-read ``path`` with Python's strict ``csv`` module to name the first bad line (slow)."""
    expected: int | None = len(spec.column_names) if spec.column_names else None
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 0
    try:
        with open_binary(spec, path) as raw:

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
        return BadInputError(f"{path}: line {start}: {one_line(exc)} (unterminated quote?)")
    except Exception as exc:  # corrupt gzip and the like
        return BadInputError(f"{path}: cannot read: {one_line(exc)}")
    return None
