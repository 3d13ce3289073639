# citizencloud — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
PY_PATHS := $(wildcard src tests bench)

.DEFAULT_GOAL := help
.PHONY: help run test e2e lint format bench messages clean check-python

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "citizencloud needs Python 3.11 or newer")'

$(STAMP): pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $@

run: $(STAMP) ## Set up and serve the demo city on http://127.0.0.1:8000 (SQLite, one task worker)
	$(BIN)/citizencloud migrate --no-input
	$(BIN)/citizencloud seed_demo
	$(BIN)/citizencloud serve --simulators

test: $(DEV_STAMP) ## Run the whole suite (except the browser tests) on the embedded default
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

e2e: $(DEV_STAMP) ## Run the browser tests in Debian's Chromium (/usr/bin/chromium)
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: $(DEV_STAMP) ## ruff (lint + format check), mypy strict, import-linter contracts
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)
	$(BIN)/mypy src
	$(BIN)/lint-imports

format: $(DEV_STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix $(PY_PATHS)
	$(BIN)/ruff format $(PY_PATHS)

bench: $(DEV_STAMP) ## Run the HTTP baseline benchmark (needs wrk) and update bench/README.md
	bash bench/http_baseline.sh

messages: $(DEV_STAMP) ## Extract and compile the translation catalog (needs GNU gettext)
	cd src/citizencloud && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete --settings=citizencloud.settings
	cd src/citizencloud && ../../$(BIN)/django-admin compilemessages --settings=citizencloud.settings

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
