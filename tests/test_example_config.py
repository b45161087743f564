"""The example config in the repository is one users copy: it must load and mean what it says."""

from __future__ import annotations

from pathlib import Path

from dataguard.config import load_settings
from dataguard.core.policy import Policy
from dataguard.core.rules import parse_rules
from dataguard.core.schemas import ComparatorConfig
from dataguard.core.slices import SliceConfig
from dataguard.hooks import load_hooks

EXAMPLE = Path(__file__).resolve().parents[1] / "dataguard.example.toml"


def test_example_config_loads_with_its_thresholds_policy_and_hooks() -> None:
    settings = load_settings(config_path=str(EXAMPLE), env={})
    assert settings.store_url.startswith("sqlite:///")
    assert settings.dashboard_url == "http://localhost:8501"

    taxi = ComparatorConfig.from_config(settings.document, "taxi")
    assert taxi.label == "tips"
    assert taxi.threshold("l_infinity", "drift", "payment_type") == 0.01
    assert taxi.threshold("l_infinity", "drift", "company") == 0.05
    assert taxi.threshold("jensen_shannon", "skew", "fare") == 0.2
    assert taxi.threshold("jensen_shannon", "drift", "fare") == 0.1

    assert SliceConfig.from_config(settings.document, "taxi") == SliceConfig(("payment_type",))
    assert not SliceConfig.from_config(settings.document, "penguin")
    assert {r.slice for r in parse_rules(settings.document, "taxi")} == {None, "payment_type_Cash"}
    assert "COMPARATOR_L_INFTY_HIGH" in Policy.from_config(settings.document, "taxi").warn_types
    assert not Policy.from_config(settings.document, "penguin").warn_types

    hooks = {hook.name: hook for hook in load_hooks(settings.document.get("hooks"))}
    assert set(hooks) == {"data-alerts", "oncall", "retrain"}
