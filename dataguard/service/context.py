"""What every use case needs: resolved settings and an open store, created once per call site."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from dataguard.config import Settings, load_settings
from dataguard.store import Store, open_store


@dataclass
class Context:
    settings: Settings
    read_only: bool = False  # a store that is never written or migrated (check --dry-run)

    @classmethod
    def create(cls, settings: Settings | None = None, *, read_only: bool = False) -> Context:
        return cls(settings or load_settings(), read_only)

    @cached_property
    def store(self) -> Store:
        return open_store(self.settings.store_url, read_only=self.read_only)
