"""Statistics parity: the fields the issues name, compared feature by feature."""

from __future__ import annotations

import math
from typing import Any


def _features(stats: Any) -> dict[str, Any]:
    dataset = stats.datasets[0]
    return {".".join(f.path.step) or f.name: f for f in dataset.features}


def _common(feature: Any) -> Any:
    kind = feature.WhichOneof("stats")
    return getattr(feature, kind).common_stats


def assert_same_statistics(actual: Any, expected: Any, *, rel: float = 1e-6) -> None:
    """num_examples, and per feature: type, missing/non-missing, mean/std/min/max, unique, top."""
    assert len(actual.datasets) == len(expected.datasets) == 1
    assert actual.datasets[0].num_examples == expected.datasets[0].num_examples
    got, want = _features(actual), _features(expected)
    assert sorted(got) == sorted(want)
    for name, w in want.items():
        g = got[name]
        assert g.type == w.type, name
        assert g.WhichOneof("stats") == w.WhichOneof("stats"), name
        gc, wc = _common(g), _common(w)
        assert gc.num_missing == wc.num_missing, name
        assert gc.num_non_missing == wc.num_non_missing, name
        if w.HasField("num_stats"):
            for field in ("mean", "std_dev", "min", "max", "num_zeros"):
                a, b = getattr(g.num_stats, field), getattr(w.num_stats, field)
                assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-6), (name, field, a, b)
        if w.HasField("string_stats"):
            assert g.string_stats.unique == w.string_stats.unique, name
            top_g = [(v.value, v.frequency) for v in g.string_stats.top_values]
            top_w = [(v.value, v.frequency) for v in w.string_stats.top_values]
            assert top_g == top_w, name
