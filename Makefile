# Vitrine: `make run` serves it on http://127.0.0.1:8000; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` keeps its secret key in a file of its own (made once, mode 0600) unless
# VITRINE_SECRET_KEY is set; every `vitrine` command on this checkout needs the same.
KEY_FILE ?= var/secret-key

.PHONY: run test lint fuzz bench-ingest services-up services-down clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: export VITRINE_SECRET_KEY_FILE ?= $(KEY_FILE)
run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/vitrine db upgrade
	@echo
	@echo "Vitrine on http://$(HOST):$(PORT)  (SQLite and blobs under ./var/)"
	@echo "Create the first admin token in another terminal with:"
	@echo "    export VITRINE_SECRET_KEY_FILE=$(VITRINE_SECRET_KEY_FILE)"
	@echo "    $(BIN)/vitrine tokens create --role admin --name your-name     (API)"
	@echo "    $(BIN)/vitrine users create --role admin --username your-name  (web UI)"
	@echo
	$(BIN)/vitrine run --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports  # the layers of ARCHITECTURE.md ([tool.importlinter] in pyproject.toml)
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker/compose.yaml

# Debian's Chromium for the browser tests (apt-get when missing; never a downloaded browser).
.PHONY: browser
browser: $(VENV)/.dev-installed
	bash scripts/browser.sh

# ExifTool, the independent reader the rights-in-outputs tests check with (apt-get when missing).
.PHONY: tools
tools:
	bash scripts/tools.sh

# iiif-prezi3 (and the IIIF presentation validator, given a checkout) in var/iiif-presentation.
.PHONY: iiif-presentation
iiif-presentation:
	bash scripts/iiif-presentation-validator.sh

# The IIIF consortium's Image API validator, in a venv of its own (.venv-iiif), for
# tests/http/test_iiif_validator.py; `make test` passes its path as VITRINE_TEST_IIIF_VALIDATOR.
.PHONY: iiif-validator
iiif-validator:
	bash scripts/iiif-validator.sh

# PostgreSQL, the S3 server (Ceph RGW), Redis and a Bluesky PDS are started when nothing
# answers; set VITRINE_TEST_DATABASE_URL / VITRINE_TEST_S3_* / VITRINE_TEST_REDIS_URL /
# VITRINE_TEST_PDS_URL to use your own instead.
test: lint browser tools iiif-presentation
	@set -e; \
	VITRINE_TEST_IIIF_VALIDATOR="$$(bash scripts/iiif-validator.sh | tail -n 1)"; \
	eval "$$(bash scripts/pg-test-server.sh up | grep '^VITRINE_')"; \
	eval "$$(bash scripts/s3-test-server.sh up | grep '^VITRINE_')"; \
	eval "$$(bash scripts/redis-test-server.sh up | grep '^VITRINE_')"; \
	eval "$$(bash scripts/pds-test-server.sh up | grep '^VITRINE_')"; \
	export VITRINE_TEST_REDIS_URL VITRINE_TEST_DATABASE_URL VITRINE_TEST_S3_ENDPOINT VITRINE_TEST_S3_KEY \
	       VITRINE_TEST_S3_SECRET VITRINE_TEST_S3_BUCKET VITRINE_TEST_PDS_URL \
	       VITRINE_TEST_IIIF_VALIDATOR; \
	$(BIN)/pytest $(PYTEST_ARGS)

services-up:
	bash scripts/pg-test-server.sh up
	bash scripts/s3-test-server.sh up
	bash scripts/redis-test-server.sh up
	bash scripts/pds-test-server.sh up

services-down:
	-bash scripts/pds-test-server.sh down
	-bash scripts/redis-test-server.sh down
	-bash scripts/s3-test-server.sh down
	-bash scripts/pg-test-server.sh down

# More examples per API operation than `make test` runs (FUZZ_EXAMPLES, FUZZ_SEED).
FUZZ_EXAMPLES ?= 300
fuzz: $(VENV)/.dev-installed
	VITRINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(if $(FUZZ_SEED),VITRINE_FUZZ_SEED=$(FUZZ_SEED)) \
		$(BIN)/pytest tests/http/test_fuzz.py -k test_the_api_answers $(PYTEST_ARGS)

bench-ingest: $(VENV)/.dev-installed
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .venv-iiif var .pytest_cache .mypy_cache .ruff_cache
