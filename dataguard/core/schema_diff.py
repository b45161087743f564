"""What changed between two schema versions, in features rather than in text-proto lines.

    diff = diff_schemas(v1, v2, "v1", "v2")
    diff.added, diff.removed                 # feature names
    diff.changes                             # FeatureChange(feature, aspect, before, after)
    print(diff.to_text())                    # "  ~ fare  type: FLOAT → INT", …

Aspects: type, presence, shape, domain (the values that came and went are named), drift and skew
comparators with their thresholds, environments; schema-wide (feature ``""``): default
environments and dataset constraints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import schema_pb2

from dataguard.core.schemas import comparators, type_name


@dataclass(frozen=True)
class FeatureChange:
    feature: str  # "" for schema-wide changes (environments, dataset constraints)
    aspect: str  # type | presence | shape | domain | drift | skew | environments | constraints
    before: str
    after: str

    def to_dict(self) -> dict[str, str]:
        return {"feature": self.feature, "aspect": self.aspect, "before": self.before,
                "after": self.after}


@dataclass(frozen=True)
class SchemaDiff:
    """What changed from schema ``a`` to schema ``b``, in features."""

    a: str
    b: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changes: tuple[FeatureChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "added": list(self.added),
                "removed": list(self.removed), "changes": [c.to_dict() for c in self.changes]}

    def to_text(self) -> str:
        lines = [f"schema {self.a} → {self.b}"]
        if self.empty:
            return lines[0] + ": no changes"
        lines += [f"  + {name}  (added feature)" for name in self.added]
        lines += [f"  - {name}  (removed feature)" for name in self.removed]
        for c in self.changes:
            where = c.feature or "(schema)"
            lines.append(f"  ~ {where}  {c.aspect}: {c.before} → {c.after}")
        return "\n".join(lines)


def diff_schemas(a: schema_pb2.Schema, b: schema_pb2.Schema, a_name: str = "a",
                 b_name: str = "b") -> SchemaDiff:
    left = {f.name: f for f in a.feature}
    right = {f.name: f for f in b.feature}
    changes: list[FeatureChange] = []
    for name in [n for n in left if n in right]:
        for aspect, describe in _ASPECTS:
            before, after = describe(a, left[name]), describe(b, right[name])
            if aspect == "domain":
                before, after = _domain_delta(a, left[name], b, right[name], before, after)
            if before != after:
                changes.append(FeatureChange(name, aspect, before, after))
    for aspect, describe_schema in (("environments", _schema_envs),
                                    ("constraints", _constraints)):
        before, after = describe_schema(a), describe_schema(b)
        if before != after:
            changes.append(FeatureChange("", aspect, before, after))
    return SchemaDiff(
        a_name,
        b_name,
        added=tuple(n for n in right if n not in left),
        removed=tuple(n for n in left if n not in right),
        changes=tuple(changes),
    )


def _short(message: Any) -> str:
    return text_format.MessageToString(message, as_one_line=True) or "none"


def _presence(_: schema_pb2.Schema, f: schema_pb2.Feature) -> str:
    return _short(f.presence) if f.HasField("presence") else "none"


def _shape(_: schema_pb2.Schema, f: schema_pb2.Feature) -> str:
    if f.HasField("shape"):
        return "shape " + _short(f.shape)
    if f.HasField("value_count"):
        return "value_count " + _short(f.value_count)
    return "none"


def _comparator(comparison: str) -> Callable[[schema_pb2.Schema, schema_pb2.Feature], str]:
    def describe(_: schema_pb2.Schema, f: schema_pb2.Feature) -> str:
        found = comparators(f, comparison)
        return ", ".join(f"{m} {t:g}" for m, t in found.items()) or "none"

    return describe


def _feature_envs(_: schema_pb2.Schema, f: schema_pb2.Feature) -> str:
    parts = []
    if f.in_environment:
        parts.append("in " + ",".join(f.in_environment))
    if f.not_in_environment:
        parts.append("not in " + ",".join(f.not_in_environment))
    return "; ".join(parts) or "all"


def _domain_values(schema: schema_pb2.Schema, f: schema_pb2.Feature) -> list[str] | None:
    if f.HasField("string_domain"):
        return list(f.string_domain.value)
    if f.HasField("domain"):
        for d in schema.string_domain:
            if d.name == f.domain:
                return list(d.value)
    return None


def _domain(schema: schema_pb2.Schema, f: schema_pb2.Feature) -> str:
    values = _domain_values(schema, f)
    if values is not None:
        return f"{len(values)} values"
    domain = f.WhichOneof("domain_info")
    return f"{domain} {_short(getattr(f, domain))}" if domain else "none"


def _domain_delta(a: schema_pb2.Schema, fa: schema_pb2.Feature, b: schema_pb2.Schema,
                  fb: schema_pb2.Feature, before: str, after: str) -> tuple[str, str]:
    """Name the domain values that came and went, not just the counts."""
    va, vb = _domain_values(a, fa), _domain_values(b, fb)
    if va is None or vb is None:
        return before, after
    in_a, in_b = set(va), set(vb)
    gone = [v for v in va if v not in in_b]
    new = [v for v in vb if v not in in_a]
    delta = ", ".join([f"+{v!r}" for v in new] + [f"-{v!r}" for v in gone])
    return before, f"{after} ({delta})" if delta else after


def _schema_envs(schema: schema_pb2.Schema) -> str:
    return ",".join(schema.default_environment) or "none"


def _constraints(schema: schema_pb2.Schema) -> str:
    if not schema.HasField("dataset_constraints"):
        return "none"
    return _short(schema.dataset_constraints)


_ASPECTS = (
    ("type", lambda _s, f: type_name(f)),
    ("presence", _presence),
    ("shape", _shape),
    ("domain", _domain),
    ("drift", _comparator("drift")),
    ("skew", _comparator("skew")),
    ("environments", _feature_envs),
)
