"""Render dashboard pages in a fresh interpreter and fail if TensorFlow or Beam got imported."""

from __future__ import annotations

import subprocess
import sys

from tests.dashboard.conftest import APP

HEAVY = ("tensorflow", "tensorflow_data_validation", "apache_beam", "tfx_bsl")


def assert_pages_stay_light(pages: list[tuple[str | None, dict[str, str]]],
                            after_each: str = "") -> None:
    """Each (page, query parameters) rendered with AppTest in one new process, no exception,
    then none of ``HEAVY`` in ``sys.modules``; ``after_each``: Python run on each page's ``at``."""
    code = f"""
import sys
from streamlit.testing.v1 import AppTest
for page, params in {pages!r}:
    at = AppTest.from_file({str(APP)!r}, default_timeout=60)
    if page:
        at.switch_page(f"views/{{page}}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, (page, at.exception)
    {after_each or "pass"}
heavy = [m for m in {HEAVY!r} if m in sys.modules]
assert not heavy, heavy
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
