# schemax developer tasks. Needs only python3 (>= 3.10), java (17+) and, as a fallback for fetching
# Delta's jars, mvn. Everything else is installed into .venv from PyPI / Maven Central.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LOCAL_HOME ?= .schemax-local

VENV_STAMP := $(VENV)/.installed
JARS_STAMP := $(LOCAL_HOME)/.jars-warm

.PHONY: help venv jars test unit integration test-live demo lint imports bench clean distclean

help:
	@echo "make venv    - create $(VENV) and install schemax[local,dev] (editable)"
	@echo "make jars    - fetch and cache Delta Lake's jars, check the local engine, print start times"
	@echo "make test    - unit + integration tests (local Spark + Delta)"
	@echo "make demo    - run the demo (python -m schemax.demo)"
	@echo "make lint    - ruff + mypy + import contracts (lint-imports)"
	@echo "make imports - the import contracts only ([tool.importlinter] in pyproject.toml)"
	@echo "make bench   - run every benchmarks/bench_*.py"
	@echo "make clean   - remove build/test/local-engine artifacts (distclean also removes $(VENV))"

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[local,dev]'
	@touch $@

jars: $(JARS_STAMP)

$(JARS_STAMP): $(VENV_STAMP) src/schemax/local.py
	$(PY) -m schemax.local --warm
	@mkdir -p $(LOCAL_HOME) && touch $@

# One pytest process: the integration tests share one Spark session, so no -n/xdist here. The 25
# slowest tests are listed at the end of each run (where the suite's time goes: issue 12).
test: venv jars
	$(PY) -m pytest -q --durations=25 tests README.md

unit: venv
	$(PY) -m pytest -q tests/unit README.md

integration: venv jars
	$(PY) -m pytest -q tests/integration

# Against a real workspace; without DATABRICKS_HOST and DATABRICKS_WAREHOUSE_ID it skips with one line.
test-live: venv
	$(PY) -m pytest -q tests/databricks

demo: venv jars
	$(PY) -m schemax.demo

lint: venv imports
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/mypy src

# the dependency direction (layers, and no engine import in the pure core): [tool.importlinter]
imports: venv
	$(VENV)/bin/lint-imports

bench: venv jars
	@set -e; for f in benchmarks/bench_*.py; do \
		[ -e "$$f" ] || continue; \
		echo "== $$f"; $(PY) "$$f"; \
	done

clean:
	rm -rf $(LOCAL_HOME) spark-warehouse metastore_db derby.log test-artifacts dist build \
		.pytest_cache .hypothesis .mypy_cache .ruff_cache src/*.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
