"""TFDV's schema inference and validation without ``import tensorflow`` (~0.2 s instead of ~15 s).

``tfdv.validate_statistics`` and ``tfdv.infer_schema`` are thin Python wrappers around TFDV's C++
extension (``pywrap/tensorflow_data_validation_extension``), but ``import
tensorflow_data_validation`` imports TensorFlow and Apache Beam first, which makes every
``dataguard check`` pay ~15 s before judging anything. This module loads that extension on its own
and repeats exactly what the two wrappers do around it (TFDV 1.16: default-slice selection,
environment check, serialization, the legacy flag), so the answers are TFDV's own:

    validate_statistics(stats, schema, environment="TRAINING", baseline=day1)
    infer_schema(stats)

If the extension cannot be loaded on its own (another TFDV layout), both fall back to the public
TFDV functions. ``tests/core/test_tfdv_native.py`` compares the two on the shared data.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import io
import os
import sys
import threading
from typing import Any

from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2, statistics_pb2

from dataguard.core.slices import DEFAULT_SLICE, whole
from dataguard.errors import UsageError

EXTENSION = "tensorflow_data_validation.pywrap.tensorflow_data_validation_extension"
_LOCK = threading.Lock()
_LOADED: list[Any] = []  # [validation module or None] once tried


def native() -> Any | None:
    """TFDV's ``validation`` extension module, or None when it cannot be loaded on its own."""
    with _LOCK:
        if not _LOADED:
            _LOADED.append(_load())
        return _LOADED[0]


def _load() -> Any | None:
    try:
        module = sys.modules.get(EXTENSION)
        if module is None:
            spec = importlib.util.find_spec("tensorflow_data_validation")
            if spec is None or not spec.submodule_search_locations:
                return None
            folder = os.path.join(list(spec.submodule_search_locations)[0], "pywrap")
            found = glob.glob(os.path.join(folder, "tensorflow_data_validation_extension*.so"))
            if len(found) != 1:
                return None
            ext = importlib.util.spec_from_file_location(EXTENSION, found[0])
            if ext is None or ext.loader is None:
                return None
            module = importlib.util.module_from_spec(ext)
            ext.loader.exec_module(module)
            sys.modules[EXTENSION] = module  # a later `import tensorflow_data_validation` reuses it
        validation = module.validation
        if not all(hasattr(validation, f) for f in ("ValidateFeatureStatistics", "InferSchema")):
            return None
        return validation
    except (ImportError, OSError, AttributeError):
        return None


def default_dataset(
    statistics: statistics_pb2.DatasetFeatureStatisticsList,
) -> statistics_pb2.DatasetFeatureStatistics:
    """TFDV's rule: the only dataset, or the default slice among several (``core.slices``)."""
    if len(statistics.datasets) > 1 and not any(d.name == DEFAULT_SLICE for d in
                                                statistics.datasets):
        raise UsageError(
            "statistics: several datasets and no default slice ('All Examples'); TFDV validates "
            "only the default slice"
        )
    return whole(statistics)


def validate_statistics(
    statistics: statistics_pb2.DatasetFeatureStatisticsList,
    schema: schema_pb2.Schema,
    environment: str | None = None,
    baseline: statistics_pb2.DatasetFeatureStatisticsList | None = None,
    serving: statistics_pb2.DatasetFeatureStatisticsList | None = None,
) -> anomalies_pb2.Anomalies:
    """Same answer as ``tfdv.validate_statistics`` (without a custom validation config), whose
    ``previous_statistics`` is our ``baseline`` and ``serving_statistics`` our ``serving``."""
    ext = native()
    if environment is not None and environment not in schema.default_environment:
        raise UsageError(f"schema: Environment {environment} not found in the schema.")
    if ext is None:
        tfdv = import_tfdv()
        return tfdv.validate_statistics(
            statistics, schema, environment=environment,
            previous_statistics=baseline, serving_statistics=serving,
        )

    def serialized(stats: statistics_pb2.DatasetFeatureStatisticsList | None) -> bytes:
        return b"" if stats is None else default_dataset(stats).SerializeToString()

    # The empty FeaturesNeededProto / ValidationConfig TFDV passes serialize to b"".
    raw = ext.ValidateFeatureStatistics(
        serialized(statistics),
        schema.SerializeToString(),
        (environment or "").encode(),
        serialized(baseline),
        serialized(serving),
        b"",  # previous_version_statistics
        b"",  # features_needed
        b"",  # validation_config
        False,  # enable_diff_regions
    )
    result = anomalies_pb2.Anomalies()
    result.ParseFromString(raw)
    return result


def infer_schema(
    statistics: statistics_pb2.DatasetFeatureStatisticsList,
    infer_feature_shape: bool = True,
    max_string_domain_size: int = 100,
) -> schema_pb2.Schema:
    """Same answer as ``tfdv.infer_schema`` with its defaults."""
    ext = native()
    if ext is None:
        tfdv = import_tfdv()
        return tfdv.infer_schema(statistics, infer_feature_shape, max_string_domain_size)
    dataset = statistics_pb2.DatasetFeatureStatistics()
    dataset.CopyFrom(default_dataset(statistics))
    kept = [f for f in dataset.features if f.WhichOneof("stats") is not None]  # common stats
    del dataset.features[:]
    dataset.features.extend(kept)
    raw = ext.InferSchema(dataset.SerializeToString(), max_string_domain_size, infer_feature_shape)
    result = schema_pb2.Schema()
    result.ParseFromString(raw)
    if getattr(result, "generate_legacy_feature_spec", None) is not None:
        result.generate_legacy_feature_spec = False
    return result


def import_tfdv() -> Any:
    """``tensorflow_data_validation`` without its 'Unable to import IPython' note on stderr
    (dataguard never displays in a notebook)."""
    if "tensorflow_data_validation" not in sys.modules:
        with contextlib.redirect_stderr(io.StringIO()):
            import tensorflow_data_validation  # noqa: F401
    return sys.modules["tensorflow_data_validation"]
