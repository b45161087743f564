"""A test-only Beam ``FileSystem`` that serves ``gs://bucket/...`` from a local folder.

Registered by the ``fake_gcs`` fixture (tests/stats/conftest.py): while it is active, Beam's own
GCS filesystem answers to another scheme, so ``FileSystems`` resolves ``gs://`` here — the code
under test runs its real gs:// path (through ``apache_beam.io.filesystems``) with no network.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from apache_beam.io.filesystem import FileMetadata, MatchResult
from apache_beam.io.localfilesystem import LocalFileSystem


class LocalBucketFileSystem(LocalFileSystem):
    """``gs://<bucket>/<key>`` ↔ ``<root>/<bucket>/<key>``."""

    active_scheme: ClassVar[str] = "dataguard-test-inactive"
    root: ClassVar[str] = "/nonexistent"

    @classmethod
    def scheme(cls) -> str:
        return cls.active_scheme

    def _local(self, path: str) -> str:
        prefix = f"{self.active_scheme}://"
        return os.path.join(self.root, path[len(prefix):]) if path.startswith(prefix) else path

    def _remote(self, path: str) -> str:
        rel = os.path.relpath(path, self.root)
        return f"{self.active_scheme}://{rel}"

    def join(self, basepath: str, *paths: str) -> str:
        return "/".join([basepath.rstrip("/"), *(p.strip("/") for p in paths)])

    def split(self, path: str) -> tuple[str, str]:
        head, _, tail = path.rstrip("/").rpartition("/")
        return head, tail

    def mkdirs(self, path: str) -> None:
        os.makedirs(self._local(path), exist_ok=True)

    def match(self, patterns: list[str], limits: Any = None) -> list[MatchResult]:
        results = super().match([self._local(p) for p in patterns], limits)
        return [
            MatchResult(pattern, [
                FileMetadata(self._remote(m.path), m.size_in_bytes, m.last_updated_in_seconds)
                for m in result.metadata_list
            ])
            for pattern, result in zip(patterns, results, strict=True)
        ]

    def create(self, path: str, *args: Any, **kwargs: Any) -> Any:
        os.makedirs(os.path.dirname(self._local(path)), exist_ok=True)
        return super().create(self._local(path), *args, **kwargs)

    def open(self, path: str, *args: Any, **kwargs: Any) -> Any:
        return super().open(self._local(path), *args, **kwargs)

    def copy(self, sources: list[str], destinations: list[str]) -> None:
        super().copy([self._local(p) for p in sources], [self._local(p) for p in destinations])

    def rename(self, sources: list[str], destinations: list[str]) -> None:
        super().rename([self._local(p) for p in sources], [self._local(p) for p in destinations])

    def exists(self, path: str) -> bool:
        return super().exists(self._local(path))

    def size(self, path: str) -> int:
        return super().size(self._local(path))

    def last_updated(self, path: str) -> float:
        return super().last_updated(self._local(path))

    def checksum(self, path: str) -> Any:
        return super().checksum(self._local(path))

    def metadata(self, path: str) -> FileMetadata:
        return super().metadata(self._local(path))

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            os.remove(self._local(path))
