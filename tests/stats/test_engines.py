"""``dataguard.engines``: one place turns ``--engine`` into an engine; runner errors come back as
the dataguard errors raised on the workers (``stats.runner_errors``)."""

from __future__ import annotations

import pytest

from dataguard.engines import converter, stats_engine
from dataguard.errors import BadInputError, RunnerError, UsageError
from dataguard.stats.runner_errors import bad_input, map_runner_errors, on_worker


def test_engine_names_become_engines_and_objects_pass_through() -> None:
    local = stats_engine("local")
    assert (local.name, local.remote, local.pipeline_args) == ("local", False, ())
    beam = stats_engine("beam", ["--runner=DataflowRunner", "--project=p"])
    assert beam.name == "beam" and beam.remote
    assert not stats_engine("beam", ["--runner=DirectRunner"]).remote
    assert stats_engine(beam) is beam
    assert (converter("local").default_shards, converter("beam").default_shards) == (1, 0)


@pytest.mark.parametrize(
    ("engine", "args", "message"),
    [
        ("spark", (), "--engine 'spark'"),
        ("local", ("--runner=DataflowRunner",), "need --engine beam"),
    ],
)
def test_a_bad_engine_choice_is_a_usage_error(engine: str, args: tuple[str, ...], message: str):
    for resolve in (stats_engine, converter):
        with pytest.raises(UsageError, match=message):
            resolve(engine, args)


def test_errors_marked_on_a_worker_come_back_as_themselves() -> None:
    marked = repr(bad_input("day1.csv: line 3: it's ragged"))  # repr() escapes the quote
    runner = map_runner_errors("DirectRunner")
    with pytest.raises(BadInputError, match=r"^day1\.csv: line 3: it's ragged$"), runner:
        raise RuntimeError(f"Traceback …\n{marked}")
    runner = map_runner_errors("DirectRunner")
    with pytest.raises(UsageError, match="^no schema$") as raised, runner:
        try:
            with on_worker():
                raise UsageError("no schema")
        except ValueError as exc:
            raise RuntimeError(f"wrapped: {exc}") from None
    assert type(raised.value) is UsageError
    runner = map_runner_errors("DirectRunner")
    with pytest.raises(RunnerError, match="^Beam runner DirectRunner failed: disk full$"), runner:
        raise OSError("disk full\nmore detail")
