"""Load TFDV's statistics generator modules without paying for ``import tensorflow``.

    mods = load()                 # ~3.5 s (Beam) instead of ~12 s (TensorFlow + TFDV)
    mods.basic_stats_generator.BasicStatsGenerator(...)

``import tensorflow_data_validation`` runs its package ``__init__``, which imports TensorFlow
(~8-13 s) although the generators never call it: only ``utils/io_util`` does, for file IO that
the local engine does not use. So while the generator modules load, ``tensorflow`` is a lazy
stand-in (the real module is imported on first attribute access) and the package ``__init__`` is
skipped; both stand-ins leave ``sys.modules`` afterwards, so a later ``import
tensorflow_data_validation`` in the same process (``dataguard run`` validating) works as usual,
reusing the already-loaded submodules. If TFDV is already imported, this is a plain import.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_TFDV = "tensorflow_data_validation"
_LOCK = threading.Lock()
_LOADED: types.SimpleNamespace | None = None
_MODULES = {
    "basic_stats_generator": f"{_TFDV}.statistics.generators.basic_stats_generator",
    "stats_options": f"{_TFDV}.statistics.stats_options",
    "top_k_uniques_stats_util": f"{_TFDV}.utils.top_k_uniques_stats_util",
    "stats_util": f"{_TFDV}.utils.stats_util",
    "arrow_util": f"{_TFDV}.arrow.arrow_util",
    "tfdv_types": f"{_TFDV}.types",
    "merge_util": "tfx_bsl.statistics.merge_util",
}


class _LazyModule(types.ModuleType):
    """Stands in for a heavy module at import time; becomes the real one on first use."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        return getattr(real, name)


@contextmanager
def _without_tensorflow() -> Iterator[None]:
    placed: list[tuple[str, types.ModuleType]] = []
    if "tensorflow" not in sys.modules:
        placed.append(("tensorflow", _LazyModule("tensorflow")))
    if _TFDV not in sys.modules:
        spec = importlib.util.find_spec(_TFDV)
        if spec is not None and spec.submodule_search_locations is not None:
            package = types.ModuleType(_TFDV)
            package.__path__ = list(spec.submodule_search_locations)
            package.__spec__ = spec
            placed.append((_TFDV, package))
    for name, module in placed:
        sys.modules[name] = module
    try:
        yield
    finally:
        for name, module in placed:
            if sys.modules.get(name) is module:
                del sys.modules[name]


def load() -> types.SimpleNamespace:
    """The TFDV modules the local engine uses (thread-safe; loaded once per process)."""
    global _LOADED
    with _LOCK:
        if _LOADED is None:
            with _without_tensorflow():
                _LOADED = types.SimpleNamespace(
                    **{key: importlib.import_module(name) for key, name in _MODULES.items()}
                )
        return _LOADED


def preload_in_background() -> threading.Thread:
    """Start loading in a thread, so the imports overlap with reading the input."""
    thread = threading.Thread(target=load, name="dataguard-tfdv-import", daemon=True)
    thread.start()
    return thread
