"""Every page of the dashboard, driven by AppTest against a store the real pipeline filled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, DAY1, DAY2, FilledStore

REPO = APP.parents[2]


def open_page(page: str | None = None, timeout: float = 30, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if page:
        at.switch_page(f"pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.title]
    parts += [m.value for m in at.subheader] + [m.value for m in at.caption]
    parts += [m.value for m in at.info] + [m.value for m in at.warning] + [m.value for m in at.error]
    parts += [m.value for m in at.code] + [m.value for m in at.success]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def test_an_empty_store_shows_how_to_start_instead_of_an_error(empty_env: str) -> None:
    for page in (None, "dataset", "batch", "schemas", "hooks"):
        at = open_page(page)
        assert "dataguard demo" in texts(at), page
        assert not at.error
