"""A config file dataguard refuses (issue 11: an unknown top-level key is exit 2 on the command
line) is one error on every dashboard page, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP


@pytest.mark.parametrize("page", [None, "batch", "schemas", "hooks", "dataset"])
def test_a_config_with_a_typo_is_an_error_on_the_page(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, page: str | None
) -> None:
    config = workdir / "dataguard.toml"
    config.write_text('storee = "sqlite:///elsewhere.db"\n')
    monkeypatch.setenv("DATAGUARD_CONFIG", str(config))
    at = AppTest.from_file(str(APP), default_timeout=60)
    if page:
        at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [e.value for e in at.error] == [
        f"Cannot read the configuration: {config}: unknown top-level key 'storee'; "
        "did you mean 'store'?"
    ]
