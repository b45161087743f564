"""Hook fixtures: the failed check the hook types and the webhook send (the receivers are shared:
tests/fixtures/receivers.py)."""

from __future__ import annotations

import pytest

from dataguard.core.models import CheckResult, Verdict
from tests.fixtures.receivers import make_result


@pytest.fixture
def failed_check() -> CheckResult:
    return make_result(Verdict.FAIL)
