"""Fixtures of the fast core tests: the text-proto batches of ``fixtures.py`` and checks of them.

Protos are parsed per test (microseconds; a test may change its copy); the checks are computed
once per session (TFDV's C++ validation, no TensorFlow) and are immutable results.
"""

from __future__ import annotations

import pytest
from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2

from dataguard.core.models import CheckResult
from dataguard.core.validate import Validation, validate
from tests.core import fixtures as fx

Stats = statistics_pb2.DatasetFeatureStatisticsList


@pytest.fixture
def schema() -> schema_pb2.Schema:
    return fx.schema()


@pytest.fixture
def day1() -> Stats:
    return fx.day1()


@pytest.fixture
def day2() -> Stats:
    return fx.day2()


@pytest.fixture
def serving() -> Stats:
    return fx.serving_requests()


@pytest.fixture(scope="session")
def drift() -> Validation:
    """Day 2 checked against day 1: payment_type and fare drifted."""
    return validate(fx.day2(), fx.schema(), baseline=fx.day1())


@pytest.fixture(scope="session")
def skew() -> Validation:
    """Day 1 checked against the serving requests: fare is skewed."""
    return validate(fx.day1(), fx.schema(), serving=fx.serving_requests())


@pytest.fixture(scope="session")
def failed_check() -> CheckResult:
    """What `dataguard check taxi 2026-11-25 --baseline 2026-11-24 --serving …` records."""
    found = validate(fx.day2(), fx.schema(), baseline=fx.day1(), serving=fx.serving_requests())
    return CheckResult(
        dataset="taxi", batch="2026-11-25", verdict=found.verdict, schema_version=3,
        baseline_batch="2026-11-24", serving_batch="requests-2026-11-25", num_examples=100,
        anomalies=found.anomalies, metrics=found.metrics, id=42,
    )
