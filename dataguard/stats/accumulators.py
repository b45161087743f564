"""Statistics accumulators as bytes, without making the worker import TensorFlow.

    data = dumps(acc)          # on the worker that read a split
    acc = loads(data)          # on the worker that merges

TFDV's generator accumulators pickle (its Beam path shuffles them), but plain pickle names
their classes by module, ``tensorflow_data_validation.statistics.generators…``: saving or
loading one imports that package, whose ``__init__`` imports TensorFlow (~8 CPU-seconds per
worker process, more than the statistics of a million rows). Here a TFDV object is saved as
(module, class name, its pickled state) and rebuilt from the modules ``stats.tfdv_modules``
loaded without TensorFlow; everything else pickles as usual.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import sys
from typing import Any

_TFDV = "tensorflow_data_validation"


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if isinstance(obj, type) or not cls.__module__.startswith(_TFDV):
            return NotImplemented
        reduced = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        if not (isinstance(reduced, tuple) and reduced[0] is copyreg.__newobj__):  # type: ignore[attr-defined]
            return NotImplemented  # not an ordinary class instance: plain pickle
        state = reduced[2] if len(reduced) > 2 else None
        return _rebuild, (cls.__module__, cls.__qualname__, tuple(reduced[1][1:]), state)


def _tfdv_class(module: str, qualname: str) -> Any:
    found = sys.modules.get(module)
    if found is None:
        from dataguard.stats import tfdv_modules

        tfdv_modules.load()  # the generator modules and what they import, without TensorFlow
        found = sys.modules.get(module)
    if found is None:  # pragma: no cover - a module the generators do not import
        import importlib

        found = importlib.import_module(module)
    value: Any = found
    for part in qualname.split("."):
        value = getattr(value, part)
    return value


def _rebuild(module: str, qualname: str, args: tuple[Any, ...], state: Any) -> Any:
    cls = _tfdv_class(module, qualname)
    obj = cls.__new__(cls, *args)
    if state is None:
        return obj
    if getattr(cls, "__setstate__", None) is not None:  # the class restores itself
        obj.__setstate__(state)
        return obj
    slots: dict[str, Any] = {}
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state[0], state[1] or {}
    if state:
        obj.__dict__.update(state)
    for name, value in slots.items():
        setattr(obj, name, value)
    return obj


def dumps(acc: Any) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(acc)
    return out.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)
