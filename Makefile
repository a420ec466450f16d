# The two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app core

.PHONY: run test fuzz bench load screenshots install install-test install-bench assets clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

# Test tools only: test-only plugins (tests/example_plugin, examples/) are never installed here;
# the tests load them from their folders (conftest.py), so `make run` never serves them.
# A test plugin left here by an earlier version of this Makefile is removed.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip uninstall --quiet --yes changing-lives-example-plugin birmingham-resources 2>/dev/null || true
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,prod]'
	touch $@

install-test: $(VENV)/.installed-test

install-bench: $(VENV)/.installed-bench

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Every test on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
test: install-test
	$(BIN)/pytest

# The API fuzzed far longer than in `make test`: many more examples per operation, and more checks.
# FUZZ_EXAMPLES sets how many; on PostgreSQL too when TEST_DATABASE_URL is set.
FUZZ_EXAMPLES ?= 200
fuzz: install-test
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_THOROUGH=1 $(BIN)/pytest tests/test_api_fuzz.py -p no:cacheprovider

# PNGs of every page the browser tests' crawl reaches, at 1280 and 375 px, into screenshots/
# (for reviewing a change by eye; needs Chromium, as the browser tests do).
screenshots: install-test
	rm -rf screenshots
	SCREENSHOTS_DIR=screenshots $(BIN)/pytest tests/browser/test_crawl.py -q -k "sqlite and accessibility" -p no:cacheprovider || true
	@echo "Screenshots are in screenshots/"

# Benchmarks as ratios against baselines of the same run (not part of `make test`; never fails on a figure).
# BENCH_SCALE=small for a quick run; BENCH_DATABASE_URL=postgresql+psycopg://... to measure PostgreSQL.
bench: install-bench
	$(BIN)/python bench/run.py

# Rebuild the vendored NHS.UK frontend under core/static (needs Node and npm).
assets:
	bash scripts/build-assets.sh

clean:
	rm -rf $(VENV) .pytest_cache

# Many people writing to several Trusts through two gunicorn servers and one Redis, for a minute
# (LOAD_SECONDS, LOAD_USERS, LOAD_TRUSTS, LOAD_SERVERS; LOAD_DATABASE_URL=postgresql+psycopg://... for
# PostgreSQL): zero server errors, exact event counts, every chain valid, p50/p99 latency. Not part of `make test`.
load: install-test
	$(BIN)/python bench/load.py
