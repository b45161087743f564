"""Load TFDV's statistics generator modules without paying for ``import tensorflow``.

    mods = load()                 # ~3.5 s (Beam) instead of ~12 s (TensorFlow + TFDV)
    mods.basic_stats_generator.BasicStatsGenerator(...)

``import tensorflow_data_validation`` runs its package ``__init__``, which imports TensorFlow
(~8-13 s) although the generators never call it: only ``utils/io_util`` does, for file IO that
the local engine does not use. So while the generator modules load, ``tensorflow`` (and pandas,
which only TFDV's slicing functions use) is a lazy stand-in (the real module is imported on
first attribute access) and the package ``__init__`` is skipped; the stand-ins leave
``sys.modules`` afterwards, so a later ``import tensorflow_data_validation`` in the same process
(``dataguard run`` validating) works as usual, reusing the already-loaded submodules. If TFDV is
already imported, this is a plain import.

Beam (``import apache_beam``: ~2.5 s, most of the process start-up) is needed by those modules
only at import time (a coder class, metrics counters, ``beam.PTransform`` annotations), never
by the combiner methods the local engine calls. With ``stub_beam=True`` (local inputs: nothing
else in the process needs Beam meanwhile) ``apache_beam`` is an inert stand-in while they load,
and TFDV's modules loaded that way leave ``sys.modules`` afterwards, so a later real ``import
tensorflow_data_validation`` (or Beam engine) loads fresh copies with the real Beam.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
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


# ``stats_options`` imports ``slicing_util``, which imports pandas (~0.45 CPU-s) for slicing
# functions the generators never call: a lazy stand-in too, real on first use.
_PANDAS = (
    "pandas", "pandas.core", "pandas.core.computation", "pandas.core.computation.expressions"
)


@contextmanager
def _without_tensorflow() -> Iterator[None]:
    placed: list[tuple[str, types.ModuleType]] = []
    if "tensorflow" not in sys.modules:
        placed.append(("tensorflow", _LazyModule("tensorflow")))
    if "pandas" not in sys.modules:
        placed.extend((name, _LazyModule(name)) for name in _PANDAS)
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


_BEAM = "apache_beam"


class _Inert:
    """What a stub Beam attribute is: subclassable, callable, a pass-through decorator."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert(f"{self._name}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and _is_own(args[0]):
            return args[0]  # @beam.ptransform_fn, @beam.typehints.with_input_types(...)
        return _Inert(f"{self._name}()")

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (object,)  # class _ArrowRecordBatchCoder(beam.coders.Coder)

    def __getitem__(self, item: Any) -> Any:
        return self  # beam.PCollection[...] in annotations


def _is_own(value: Any) -> bool:
    module = getattr(value, "__module__", "") or ""
    return isinstance(value, types.FunctionType) or (
        isinstance(value, type) and module.startswith((_TFDV, "tfx_bsl"))
    )


class _StubModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert(f"{self.__name__}.{name}")


class _StubBeamFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``apache_beam`` and every ``apache_beam.*`` as stub modules."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == _BEAM or fullname.startswith(_BEAM + "."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


@contextmanager
def _without_beam() -> Iterator[None]:
    if _BEAM in sys.modules or _TFDV in sys.modules:
        yield  # the real thing is here already: use it
        return
    before = set(sys.modules)
    finder = _StubBeamFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            stubbed = isinstance(module, _StubModule)
            tfdv_code = name.startswith(_TFDV + ".") and not name.endswith("_pb2")
            if stubbed or tfdv_code:  # protos stay: registered once per process
                del sys.modules[name]


def load(*, stub_beam: bool = False) -> types.SimpleNamespace:
    """The TFDV modules the local engine uses (thread-safe; loaded once per process).

    ``stub_beam``: load them without importing Beam (see above); only when nothing else in
    the process may import Beam while they load (the local engine on local files).
    """
    global _LOADED
    with _LOCK:
        if _LOADED is None:
            beam = _without_beam() if stub_beam else contextlib.nullcontext()
            with beam, _without_tensorflow():
                _LOADED = types.SimpleNamespace(
                    **{key: importlib.import_module(name) for key, name in _MODULES.items()}
                )
        return _LOADED


def preload_in_background(*, stub_beam: bool = False) -> threading.Thread:
    """Start loading in a thread, so the imports overlap with reading the input."""
    thread = threading.Thread(
        target=load, kwargs={"stub_beam": stub_beam}, name="dataguard-tfdv-import", daemon=True
    )
    thread.start()
    return thread
