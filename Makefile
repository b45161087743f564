# Two commands set up a fresh machine: `make demo` and `make test`. Both create .venv from the lock.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
UV      := $(shell command -v uv 2>/dev/null || echo $(BIN)/uv-bootstrap/bin/uv)
PYTEST_ARGS ?=
JOBS    ?= 2
# The TFX example data next to the checkout (or where this workplace keeps it).
SHARED_DATA ?= $(firstword $(wildcard ../shared/data /work/shared/data))

.PHONY: setup demo test test-fast bench lint lock clean

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (CI, containers) every
# process would compile TensorFlow, Beam and pandas again (import TFDV: 15 s → 5 s).
$(BIN)/dataguard: requirements.lock pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PY) -m pip install --quiet --disable-pip-version-check uv
	uv venv --quiet --allow-existing --python 3.11 $(VENV)
	VIRTUAL_ENV=$(VENV) uv pip install --quiet --compile-bytecode -r requirements.lock
	VIRTUAL_ENV=$(VENV) uv pip install --quiet --no-deps -e .
	@touch $@

setup: $(BIN)/dataguard

demo: setup
	$(BIN)/dataguard demo $(if $(SHARED_DATA),--data $(SHARED_DATA)/taxi)

test: setup
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow" $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/run.py

lint: setup
	$(BIN)/ruff check dataguard dashboards jobs tests benchmarks
	$(BIN)/mypy dataguard
	$(BIN)/lint-imports

# Re-resolve both locks after changing dependencies in pyproject.toml (needs uv):
# requirements.lock (runtime + dev tools: .venv, CI) and requirements-runtime.lock (the same pins
# without the dev extra: the images in deploy/ install only what dataguard needs to run).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_36 -o requirements.lock
	uv pip compile pyproject.toml --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_36 -c requirements.lock -o requirements-runtime.lock

clean:
	rm -rf $(VENV) .dataguard .pytest_cache
