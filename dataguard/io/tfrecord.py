"""TFRecord files of tf.Example → Arrow record batches, without TensorFlow.

    for batch in read_record_batches(spec):   # gzip or not, many files, local or gs://
        ...                                    # the arrays tfx_bsl's TFXIO gives TFDV

The TFRecord framing (length, masked CRC32C of the length, payload, masked CRC32C of the payload)
is read here and every CRC is checked, so a corrupt or truncated file is a ``BadInputError``
naming the file and the record number; so is a length past what a record can hold (2 GiB,
protobuf's limit), read in slices so a corrupt length never allocates it. Payloads are decoded in
chunks by tfx_bsl's C++ ``ExamplesToRecordBatchDecoder`` — the decoder TFDV's own TFRecord path
uses. Its protobuf parser logs ``[libprotobuf ERROR …]`` lines on stderr (fd 2) for a record it
rejects (invalid UTF-8 in a feature name), before the one-line ``BadInputError``: fd 2 is captured
while it decodes, and what else was written there meanwhile is passed on.
"""

from __future__ import annotations

import os
import struct
import sys
import tempfile
import threading
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import google_crc32c
import pyarrow as pa

from dataguard.errors import BadInputError
from dataguard.io.sources import InputSpec, one_line, open_binary

DEFAULT_BATCH_RECORDS = 16384
_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
_MASK_DELTA = 0xA282EAD8
MAX_RECORD_BYTES = (1 << 31) - 1  # protobuf cannot parse a bigger message
_READ_SLICE = 16 << 20


def masked_crc32c(data: bytes) -> int:
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame_records(records: Iterable[bytes]) -> bytes:
    """TFRecord framing of ``records``: length, masked CRC of length, data, masked CRC of data."""
    length_headers: dict[int, bytes] = {}  # lengths repeat a lot: frame each one once
    parts = []
    for record in records:
        size = len(record)
        header = length_headers.get(size)
        if header is None:
            length = _LENGTH.pack(size)
            header = length_headers[size] = length + _FOOTER.pack(masked_crc32c(length))
        parts += [header, record, _FOOTER.pack(masked_crc32c(record))]
    return b"".join(parts)


def unframe_record(data: bytes) -> bytes | None:
    """The payload if ``data`` is exactly one valid TFRecord record, else None."""
    if len(data) < 16:
        return None
    length, length_crc = _HEADER.unpack_from(data)
    if len(data) != 16 + length or masked_crc32c(data[:8]) != length_crc:
        return None
    payload = data[12 : 12 + length]
    if masked_crc32c(payload) != _FOOTER.unpack_from(data, 12 + length)[0]:
        return None
    return payload


def iter_records(spec: InputSpec, path: str) -> Iterator[bytes]:
    """Yield the payload of every record of one file, checking lengths and CRCs."""
    masked = masked_crc32c
    number = 0
    with open_binary(spec, path) as f:
        read = f.read
        while True:
            number += 1
            try:
                header = read(12)
                if not header:
                    return
                if len(header) < 12:
                    raise _bad(path, number, "truncated record header")
                length, length_crc = _HEADER.unpack(header)
                if masked(header[:8]) != length_crc:
                    raise _bad(path, number, "bad length checksum (not TFRecord, or corrupt)")
                if length > MAX_RECORD_BYTES:
                    raise _bad(path, number, f"length {length} bytes is over the 2 GiB a "
                               "tf.Example can have (corrupt file?)")
                payload = read(length) if length <= _READ_SLICE else read_sliced(read, length)
                footer = read(4)
            except BadInputError:
                raise
            except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
                raise _bad(path, number, f"cannot decompress: {one_line(exc)}") from None
            if len(payload) < length or len(footer) < 4:
                raise _bad(path, number, "truncated record")
            if masked(payload) != _FOOTER.unpack(footer)[0]:
                raise _bad(path, number, "bad data checksum (corrupt record)")
            yield payload


def read_sliced(read: Any, length: int) -> bytes:
    """``length`` bytes or fewer at end of file, read in slices: a truncated file claiming a
    huge record costs what it holds, not what it claims."""
    parts = []
    left = length
    while left > 0:
        part = read(min(left, _READ_SLICE))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_record_batches(
    spec: InputSpec, *, batch_records: int = DEFAULT_BATCH_RECORDS, decode_threads: int = 2
) -> Iterator[pa.RecordBatch]:
    """Stream record batches of ``batch_records`` examples over every file of the spec.

    tf.Example decoding is the costly part (~10 µs an example) and tfx_bsl's decoder releases
    the GIL: chunks are decoded on ``decode_threads`` threads, in order, a few in flight.
    """
    with ThreadPoolExecutor(decode_threads, thread_name_prefix="dataguard-decode") as pool:
        pending: deque[Future[pa.RecordBatch]] = deque()
        try:
            for path, first, chunk in _chunks(spec, batch_records):
                pending.append(pool.submit(_decode_chunk, chunk, path, first))
                if len(pending) > decode_threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _chunks(spec: InputSpec, batch_records: int) -> Iterator[tuple[str, int, list[bytes]]]:
    """(path, number of the chunk's first record, payloads) over every file."""
    for path in spec.paths:
        chunk: list[bytes] = []
        first = 1
        seen = 0
        for payload in iter_records(spec, path):
            chunk.append(payload)
            seen += 1
            if len(chunk) >= batch_records:
                yield path, first, chunk
                first += len(chunk)
                chunk = []
        if chunk:
            yield path, first, chunk
        if seen == 0:
            raise BadInputError(f"{path}: no records (empty TFRecord file)")


_LOCAL = threading.local()


def _decode_chunk(chunk: list[bytes], path: str, first: int) -> pa.RecordBatch:
    decoder = getattr(_LOCAL, "decoder", None)
    if decoder is None:
        from tfx_bsl.coders.example_coder import ExamplesToRecordBatchDecoder

        decoder = _LOCAL.decoder = ExamplesToRecordBatchDecoder()
    return _decode(decoder, chunk, path, first)


def _decode(decoder: object, chunk: list[bytes], path: str, first: int) -> pa.RecordBatch:
    try:
        with protobuf_log_captured():
            return decoder.DecodeBatch(chunk)  # type: ignore[attr-defined]
    except Exception:
        pass
    from tfx_bsl.coders.example_coder import ExamplesToRecordBatchDecoder

    single = ExamplesToRecordBatchDecoder()
    for offset, payload in enumerate(chunk):  # slow path: find the record that does not decode
        try:
            with protobuf_log_captured():
                single.DecodeBatch([payload])
        except Exception as exc:
            raise _bad(path, first + offset, f"not a tf.Example: {one_line(exc)}") from None
    raise BadInputError(
        f"{path}: records {first}-{first + len(chunk) - 1}: features change type between examples"
    )


def _bad(path: str, number: int, what: str) -> BadInputError:
    return BadInputError(f"{path}: record {number}: {what}")


# --- protobuf's C++ log lines -------------------------------------------------------------------
class _Capture:
    """fd 2 redirected to a temporary file while any thread decodes (fd 2 is per process)."""

    lock = threading.Lock()
    depth = 0
    saved: int = -1
    file: Any = None


_PROTOBUF_LOG = b"[libprotobuf "


@contextmanager
def protobuf_log_captured() -> Iterator[None]:
    """Keep protobuf's C++ ``[libprotobuf ERROR …]`` lines off stderr: our error says it in one
    line. Anything else written to fd 2 meanwhile (by any thread) is passed on afterwards."""
    with _Capture.lock:
        if _Capture.depth == 0:
            sys.stderr.flush()
            _Capture.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed on release)
            _Capture.saved = os.dup(2)
            os.dup2(_Capture.file.fileno(), 2)
        _Capture.depth += 1
    try:
        yield
    finally:
        with _Capture.lock:
            _Capture.depth -= 1
            if _Capture.depth == 0:
                _release_stderr()


def _release_stderr() -> None:
    sys.stderr.flush()
    os.dup2(_Capture.saved, 2)
    os.close(_Capture.saved)
    captured, _Capture.file = _Capture.file, None
    captured.seek(0)
    kept = [line for line in captured.read().splitlines(keepends=True)
            if not line.startswith(_PROTOBUF_LOG)]
    captured.close()
    if kept:
        os.write(2, b"".join(kept))
