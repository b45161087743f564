"""The streaming local converter: CSV record batches → sharded (gzip) TFRecord files.

    outputs = write_tfrecords(batches, shard_paths("out/data.tfrecord.gz", 4), gzip=True)

Memory is bounded by one record batch. Each batch's records are split into equal contiguous runs,
one per shard, so shards stay balanced whatever the batch size. Files are written under temporary
names next to the final ones and renamed only when every shard is complete; on any error the
temporary files are removed, so a failed conversion never leaves a half-written output behind.
The TFRecord framing (length, masked CRC32C) is written here directly: no TensorFlow import.
"""

from __future__ import annotations

import gzip as gzip_module
import os
import struct
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, Any

import pyarrow as pa

from dataguard.convert.examples import encode_record_batch
from dataguard.errors import ArtifactError

_MASK_DELTA = 0xA282EAD8


def shard_paths(output: str, shards: int, *, gzip: bool = False) -> list[str]:
    """``OUTPUT`` for one shard, else ``OUTPUT-0000i-of-0000N[.gz]`` (a trailing .gz stays last)."""
    if shards < 1:
        raise ValueError("shards must be at least 1")
    if shards == 1:
        return [output]
    stem, suffix = (output[:-3], ".gz") if output.endswith(".gz") else (output, "")
    if gzip:
        suffix = ".gz"
    return [f"{stem}-{i:05d}-of-{shards:05d}{suffix}" for i in range(shards)]


def _crc32c() -> Any:
    try:
        import google_crc32c

        return google_crc32c.value
    except ImportError:  # pragma: no cover - Beam's fallback chain (crcmod) is slower but works
        from apache_beam.io.tfrecordio import _default_crc32c_fn

        return _default_crc32c_fn


def frame_records(records: Iterable[bytes], crc: Any = None) -> bytes:
    """TFRecord framing of ``records``: length, masked CRC of length, data, masked CRC of data."""
    crc = crc or _crc32c()

    def masked(data: bytes) -> bytes:
        value = crc(data)
        return struct.pack("<I", (((value >> 15) | (value << 17)) + _MASK_DELTA) & 0xFFFFFFFF)

    parts = []
    for record in records:
        length = struct.pack("<Q", len(record))
        parts += [length, masked(length), record, masked(record)]
    return b"".join(parts)


def write_tfrecords(
    batches: Iterable[pa.RecordBatch], outputs: list[str], *, gzip: bool = False
) -> int:
    """Encode and write every batch across ``outputs`` (local paths); returns the row count."""
    temps = [_temp_name(path) for path in outputs]
    handles: list[IO[bytes]] = []
    crc = _crc32c()
    rows = 0
    try:
        for path in temps:
            folder = os.path.dirname(path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            raw = open(path, "wb")  # noqa: SIM115 - closed in the finally below
            handles.append(
                gzip_module.GzipFile(fileobj=raw, mode="wb", compresslevel=6) if gzip else raw
            )
        for batch in batches:
            records = encode_record_batch(batch)
            rows += len(records)
            for handle, part in zip(handles, _split(records, len(handles)), strict=True):
                if part:
                    handle.write(frame_records(part, crc))
        _close(handles)
        for temp, final in zip(temps, outputs, strict=True):
            os.replace(temp, final)
    except OSError as exc:
        raise ArtifactError(
            f"{exc.filename or outputs[0]}: cannot write TFRecord: {exc.strerror}"
        ) from None
    finally:
        _close(handles)
        for temp in temps:
            if os.path.exists(temp):
                os.remove(temp)
    return rows


def _split(records: list[bytes], parts: int) -> Iterator[list[bytes]]:
    size, extra = divmod(len(records), parts)
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        yield records[start:end]
        start = end


def _temp_name(path: str) -> str:
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.tmp-{uuid.uuid4().hex[:8]}")


def _close(handles: list[IO[bytes]]) -> None:
    for handle in handles:
        if not handle.closed:
            raw = getattr(handle, "fileobj", None)
            handle.close()
            if raw is not None and not raw.closed:
                raw.close()
