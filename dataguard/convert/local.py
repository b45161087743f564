"""The streaming local converter: CSV record batches → sharded (gzip) TFRecord files.

    outputs = write_tfrecords(batches, shard_paths("out/data.tfrecord.gz", 4), gzip=True)
    LocalConverter().csv_to_tfrecord(spec, "out/data.tfrecord.gz", column_types={}, shards=4,
                                     gzip=True)   # CSV in, types inferred: the engine port

Memory is bounded by one record batch. Each batch's records are split into equal contiguous runs,
one per shard, so shards stay balanced whatever the batch size. Files are written under temporary
names next to the final ones and renamed only when every shard is complete; on any error the
temporary files are removed, so a failed conversion never leaves a half-written output behind.
The TFRecord framing (length, masked CRC32C) is ``io.tfrecord.frame_records``: no TensorFlow.
"""

from __future__ import annotations

import gzip as gzip_module
import os
import queue
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa

from dataguard.convert.examples import encode_record_batch, merge_types
from dataguard.errors import ArtifactError, UsageError
from dataguard.io.sources import is_remote
from dataguard.io.tfrecord import frame_records

if TYPE_CHECKING:
    from dataguard.io.sources import InputSpec


class LocalConverter:
    """The local converter behind ``dataguard.engines.Converter``: streaming, in this process."""

    name = "local"
    default_shards = 1

    def require_writable_output(self, output: str) -> None:
        if is_remote(output):
            raise UsageError(f"{output}: the local engine writes local files; use --engine beam")

    def csv_to_tfrecord(
        self,
        spec: InputSpec,
        output: str,
        *,
        column_types: Mapping[str, str],
        shards: int,
        gzip: bool,
    ) -> tuple[list[str], int, dict[str, str]]:
        """Types: ``column_types`` where given, else inferred over the whole input (one pass
        more, skipped when they type every column)."""
        from dataguard.io.csv import infer_column_types, read_header, read_record_batches

        names = read_header(spec, spec.paths[0])
        if all(name in column_types for name in names):
            types = {name: column_types[name] for name in names}
        else:
            types = merge_types(infer_column_types(spec), column_types)
        outputs = shard_paths(output, shards, gzip=gzip)
        folder = os.path.dirname(output)
        if folder and not os.path.isdir(folder):
            os.makedirs(folder, exist_ok=True)
        rows = write_tfrecords(read_record_batches(spec, types), outputs, gzip=gzip)
        return outputs, rows, types


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


def write_tfrecords(
    batches: Iterable[pa.RecordBatch], outputs: list[str], *, gzip: bool = False
) -> int:
    """Encode and write every batch across ``outputs`` (local paths); returns the row count.

    Compression and disk writes run on a second thread (zlib releases the GIL) while this one
    encodes the next batch; the queue between them holds at most two batches.
    """
    temps = [_temp_name(path) for path in outputs]
    handles: list[IO[bytes]] = []
    rows = 0
    writer: _BackgroundWriter | None = None
    try:
        for path in temps:
            folder = os.path.dirname(path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            raw = open(path, "wb")  # noqa: SIM115 - closed in the finally below
            handle: Any = (
                gzip_module.GzipFile(fileobj=raw, mode="wb", compresslevel=6) if gzip else raw
            )
            handles.append(handle)
        writer = _BackgroundWriter(handles)
        for batch in batches:
            records = encode_record_batch(batch)
            rows += len(records)
            for shard, part in enumerate(_split(records, len(handles))):
                if part:
                    writer.write(shard, frame_records(part))
        writer.close()
        _close(handles)
        for temp, final in zip(temps, outputs, strict=True):
            os.replace(temp, final)
    except OSError as exc:
        where = exc.filename or outputs[0]
        raise ArtifactError(f"{where}: cannot write TFRecord: {exc.strerror or exc}") from None
    finally:
        if writer is not None:
            writer.abort()
        _close(handles)
        for temp in temps:
            if os.path.exists(temp):
                os.remove(temp)
    return rows


class _BackgroundWriter:
    """Writes ``(shard, bytes)`` items to their handles on one thread, in order."""

    def __init__(self, handles: list[IO[bytes]]) -> None:
        self._handles = handles
        self._queue: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tfrecord-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._handles[item[0]].write(item[1])
                except BaseException as exc:  # re-raised on the caller's thread
                    self._error = exc

    def write(self, shard: int, data: bytes) -> None:
        self._raise()
        self._queue.put((shard, data))

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def abort(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


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
