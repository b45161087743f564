"""Settings: one frozen dataclass, resolved as flag > DATAGUARD_* env > dataguard.toml > default.

The TOML file is data, never executed. Sections other than the top-level keys (``[thresholds]``,
``[policy]``, ``[datasets.<name>]``, ``[[hooks]]``, ``[[rules]]``) are kept in ``document`` and
interpreted by the module that owns the idea (``core.policy``, ``core.schemas``, ``hooks``,
``core.rules``); this module stays small. Custom rules are checked as the file is read (a bad rule
is exit 2 before any command computes or stores anything).

    store = "sqlite:///.dataguard/dataguard.db"
    artifacts = ".dataguard/artifacts"
    schemas_dir = "schemas"
    dashboard_url = "http://localhost:8501"
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataguard.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_STORE_URL = "sqlite:///.dataguard/dataguard.db"
DEFAULT_ARTIFACTS = ".dataguard/artifacts"
DEFAULT_CONFIG = "dataguard.toml"
DEFAULT_SCHEMAS_DIR = "schemas"
# Every top-level key a config file may have; another one is a typo (``storee``) that would
# otherwise fall back to a default in silence. A module that reads a new section adds it here.
TOP_LEVEL_KEYS = frozenset({
    "store", "artifacts", "schemas_dir", "dashboard_url",            # settings
    "thresholds", "policy", "datasets", "hooks", "dashboard",        # sections
    "rules",                                                         # [[rules]]: core.rules
})


@dataclass(frozen=True)
class Settings:
    store_url: str = DEFAULT_STORE_URL
    artifacts: str = DEFAULT_ARTIFACTS
    schemas_dir: str = DEFAULT_SCHEMAS_DIR
    dashboard_url: str | None = None
    config_path: str | None = None
    document: Mapping[str, Any] = field(default_factory=dict)

    def section(self, *keys: str) -> Mapping[str, Any]:
        """A nested config table, ``{}`` when absent: ``section("datasets", "taxi")``."""
        node: Any = self.document
        for key in keys:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}


def load_settings(
    *,
    store_url: str | None = None,
    artifacts: str | None = None,
    config_path: str | None = None,
    schemas_dir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings with the documented precedence; explicit arguments are the CLI flags."""
    env = os.environ if env is None else env
    path = config_path or env.get("DATAGUARD_CONFIG")
    explicit = path is not None
    path = path or DEFAULT_CONFIG
    document: dict[str, Any] = {}
    if Path(path).is_file():
        try:
            document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: not valid TOML: {exc}") from None
    elif explicit:
        raise UsageError(f"{path}: config file not found (from --config or DATAGUARD_CONFIG)")
    _refuse_unknown_keys(path, document)
    _refuse_bad_rules(document)

    def pick(flag: str | None, env_name: str, key: str, default: str) -> str:
        value = flag or env.get(env_name) or document.get(key) or default
        return str(value)

    return Settings(
        store_url=pick(store_url, "DATAGUARD_STORE_URL", "store", DEFAULT_STORE_URL),
        artifacts=pick(artifacts, "DATAGUARD_ARTIFACTS", "artifacts", DEFAULT_ARTIFACTS),
        schemas_dir=pick(schemas_dir, "DATAGUARD_SCHEMAS_DIR", "schemas_dir", DEFAULT_SCHEMAS_DIR),
        dashboard_url=env.get("DATAGUARD_DASHBOARD_URL") or document.get("dashboard_url"),
        config_path=path if Path(path).is_file() else None,
        document=document,
    )


def _refuse_bad_rules(document: Mapping[str, Any]) -> None:
    """Custom rules (``[[rules]]``, ``[[datasets.<name>.rules]]``) well formed: unknown stat or
    op, a value that is not a number, duplicate names… (``core.rules``; features are checked
    against a batch's statistics when a check runs)."""
    from dataguard.core.rules import check_rule_config

    check_rule_config(document)


def _refuse_unknown_keys(path: str, document: Mapping[str, Any]) -> None:
    """``UsageError`` for a top-level key nobody reads, and for a setting that is not text."""
    import difflib

    for key, value in document.items():
        if key not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(key, sorted(TOP_LEVEL_KEYS), n=1)
            hint = f"did you mean {close[0]!r}?" if close else (
                f"known keys: {', '.join(sorted(TOP_LEVEL_KEYS))}"
            )
            raise UsageError(f"{path}: unknown top-level key {key!r}; {hint}")
        if key in ("store", "artifacts", "schemas_dir", "dashboard_url") and not (
            isinstance(value, str) and value
        ):
            raise UsageError(f"{path}: {key!r} must be a non-empty string, got {value!r}")
