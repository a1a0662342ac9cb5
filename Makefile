# Gongkai: local development. `make run` starts everything; `make test` runs the tests.
# Every target installs what it needs into .venv first.

SHELL := /bin/bash
# `make test PYTHON=python3.12 VENV=.venv-3.12` runs the suite on another Python
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
# the locked dependencies, with their hashes (make lock renews them)
LOCK := requirements/test.txt
UV_VERSION := 0.13.8
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ENSURE := bash scripts/ensure-services.sh
PARSER_DIR := tests/asyncapi-parser
PARSER_STAMP := $(PARSER_DIR)/node_modules/.installed
LIGHTHOUSE_DIR := tools/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE_DIR)/node_modules/.installed
# The checkers of deploy/ the tests use: promtool (alert rules, prometheus.yml), amtool
# (alertmanager.yml) and caddy (the proxy's Caddyfile), from Debian's prometheus,
# prometheus-alertmanager and caddy packages, unpacked under var/tools without installing (or
# starting) the servers
DEPLOY_TOOLS := var/tools/prometheus/usr/bin/promtool var/tools/prometheus-alertmanager/usr/bin/amtool \
	var/tools/caddy/usr/bin/caddy
# libfaketime, from Debian's package of that name unpacked the same way: with the run's clock set
# (GONGKAI_FROZEN_AT) every process a cluster test starts is preloaded with it at the run's offset
FAKETIME_LIB := var/tools/libfaketime/usr/lib

# eventlet warns on import that it is deprecated, attributed to the module importing it first:
# nameko's CLI in `nameko run`, nameko.extensions in `python -m services...` (make sample,
# migrate, token, bench). Only those two are filtered; every other warning shows. (The
# warning's own class cannot be named here: Python would have to import eventlet to read it.)
export PYTHONWARNINGS := ignore::Warning:nameko.cli.commands,ignore::Warning:nameko.extensions

PYTEST_ARGS ?=
# make test runs the suite in this many pytest processes side by side (tests/groups.py); 1 = one process
export TEST_GROUPS ?= 3
LOCAL_TEST_DATABASE_URL := postgresql+psycopg2://postgres@127.0.0.1:5432/test

# make token ROLE=reviewer USER=rv-a001 UNIT=A001
ROLE ?= operator
UNIT ?= $(if $(filter operator reviewer member,$(ROLE)),A001,)
# USER taken from the login shell is not a Gongkai user: use it only when given to make
TOKEN_USER = $(if $(filter command line,$(origin USER)),$(USER),demo-$(ROLE))

.DEFAULT_GOAL := help
.PHONY: help venv lock asyncapi-parser lighthouse-tool lighthouse deploy-tools broker migrate sample run run-split run-together test test-durations fuzz bench bench-compare screenshots load fault asyncapi token backup restore rekey audit-archive audit-verify clean

help: ## list the targets
	@echo "Gongkai: make <target>"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## create .venv and install the project with its test extras

# Every third-party package comes from the lock, checked against its hashes; the project itself
# is installed editable with no dependencies of its own (they are all in the lock).
$(STAMP): pyproject.toml $(LOCK)
	@echo "installing Gongkai and its test extras into $(VENV) from $(LOCK) (takes a minute the first time)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

lock: ## renew requirements/*.txt from pyproject.toml with hashes (UPGRADE=1 takes newer releases)
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)-lock/bin/uv pip compile --quiet pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes $(if $(UPGRADE),--upgrade) -o requirements/test.txt
	$(VENV)-lock/bin/uv pip compile --quiet pyproject.toml --universal --python-version 3.11 \
		--generate-hashes -c requirements/test.txt -o requirements/runtime.txt

asyncapi-parser: $(PARSER_STAMP) ## install the pinned @asyncapi/parser the tests check docs/asyncapi.yaml with

# npm ci from the lockfile, again only when it changes; without npm the install is left out and
# the test that needs it fails saying what to install.
$(PARSER_STAMP): $(PARSER_DIR)/package-lock.json $(PARSER_DIR)/package.json
	@if command -v npm >/dev/null; then \
		echo "installing @asyncapi/parser into $(PARSER_DIR)/node_modules (npm ci)"; \
		cd $(PARSER_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the AsyncAPI parser check in tests/common/test_asyncapi.py will fail until Node.js 20 and npm are installed" >&2; fi

lighthouse-tool: $(LIGHTHOUSE_STAMP) ## install the pinned Lighthouse the portal's audit runs (npm ci in tools/lighthouse)

$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE_DIR)/package-lock.json $(LIGHTHOUSE_DIR)/package.json
	@if command -v npm >/dev/null; then \
		echo "installing Lighthouse into $(LIGHTHOUSE_DIR)/node_modules (npm ci)"; \
		cd $(LIGHTHOUSE_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: tests/gateway/pages/test_portal_lighthouse.py will fail until Node.js 20 and npm are installed" >&2; fi

lighthouse: venv broker lighthouse-tool ## Lighthouse (mobile, simulated throttling) on the portal's pages of a sample county; prints every score
	@$(ENSURE) chromium
	$(PY) -m pytest -q -s -p no:cacheprovider tests/gateway/pages/test_portal_lighthouse.py

deploy-tools: $(DEPLOY_TOOLS) ## unpack promtool, amtool and caddy from Debian's packages into var/tools

# var/tools/<package>/usr/bin/<tool>: `apt-get download` the package (updating the lists first
# if it is not found) and unpack it there
var/tools/%:
	@package=$$(echo $* | cut -d/ -f1); \
	if command -v apt-get >/dev/null; then \
		echo "unpacking Debian's $$package into var/tools/$$package"; \
		mkdir -p var/tools && cd var/tools && rm -f $${package}_*.deb && \
		{ apt-get download $$package 2>/dev/null || { apt-get update -qq && apt-get download $$package; }; } && \
		dpkg-deb -x $${package}_*.deb $$package && rm -f $${package}_*.deb; \
	else echo "apt-get not found: tests/test_alerts.py and test_deploy.py fail until promtool, amtool and caddy are on PATH" >&2; fi

broker: ## make sure RabbitMQ (with its management plugin) is running
	@$(ENSURE) rabbitmq

migrate: venv ## apply every service's database migrations
	$(PY) -m services.common.migrate

sample: venv migrate ## load the sample county (121 units), demo accounts, catalogue and plan; safe to repeat
	$(PY) -m services.units.load_sample
	$(PY) -m services.units.demo_accounts
	$(PY) -m services.disclosure.load_sample

run: venv broker migrate sample ## start every service in a process of its own, with a mail sink
	$(PY) deploy/local.py

run-split: run ## the same as make run (one process per service)

run-together: venv broker migrate sample ## the same, all services in one process
	$(PY) deploy/local.py --together

# TEST_DATABASE_URL=sqlite: SQLite only, even with PostgreSQL up
test: venv asyncapi-parser lighthouse-tool deploy-tools $(FAKETIME_LIB) ## run the tests in TEST_GROUPS side by side (PYTEST_ARGS=...), on PostgreSQL too when it is up
	@$(ENSURE) all
	@url="$${TEST_DATABASE_URL:-}"; \
	if [[ -z "$$url" ]] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then url=$(LOCAL_TEST_DATABASE_URL); fi; \
	if [[ "$$url" == sqlite ]]; then url=""; fi; \
	if [[ -n "$$url" ]]; then echo "make test: database tests on SQLite and $$url"; \
	else echo "make test: database tests on SQLite only"; fi; \
	TEST_DATABASE_URL="$$url" $(PY) -m tests.groups $(PYTEST_ARGS)

test-durations: ## keep the test times the last make test measured (var/test-groups/durations.json) as the committed ones make test splits its groups by
	cp var/test-groups/durations.json tests/.test_durations

fuzz: venv ## fuzz the API as every role with a fresh seed (printed), longer than make test does
	@$(ENSURE) all
	@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "make fuzz: seed $$seed (replay with make fuzz FUZZ_SEED=$$seed)"; \
	FUZZ_SEED=$$seed FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} FUZZ_SECONDS=$${FUZZ_SECONDS:-600} \
	$(PY) -m pytest -s -p no:cacheprovider tests/gateway/api/test_api_fuzz.py

bench: venv broker ## run the benchmarks (installs wrk when it can)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	$(PY) -m benchmarks

# make bench-compare BEFORE=../before: the public reads and portal pages of two checkouts, interleaved
bench-compare: venv broker ## the same wrk load on the checkout in BEFORE and this one, interleaved (ROUNDS=5, WRK_SECONDS=5)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	@test -n "$(BEFORE)" || { echo "make bench-compare: BEFORE=<the other checkout's directory>" >&2; exit 2; }
	$(PY) -m benchmarks.compare --before $(BEFORE) --rounds $(or $(ROUNDS),5) --seconds $(or $(WRK_SECONDS),5)

screenshots: venv broker ## every portal and console page at 390x844 and 1280x800 in Chromium, under var/screenshots/ (not committed)
	@$(ENSURE) chromium
	PORTAL_SCREENSHOTS=var/screenshots $(PY) -m pytest -q -p no:cacheprovider tests/gateway/pages/test_portal_browser.py tests/gateway/pages/test_console_browser.py
	@echo "screenshots in var/screenshots/"

load: venv broker ## a mixed load with wrk for 3 minutes, then 3 more during a 3,000-unit import (LOAD_SECONDS=180)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	$(PY) -m benchmarks.load $${LOAD_SECONDS:-180}

fault: venv ## the fault suite: two replicas of everything on PostgreSQL, faults injected with a fixed seed (FAULT_SEED, FAULT_ROUNDS)
	@$(ENSURE) all
	$(PY) -m tests_fault

asyncapi: venv ## regenerate docs/asyncapi.yaml from the event contract
	$(PY) -m services.common.asyncapi

.PHONY: docs
docs: venv ## regenerate the route tables of docs/api.md (gateway/policy.py) and the event catalogue of docs/events.md
	$(PY) scripts/gen_docs.py

token: venv ## print a bearer token (ROLE=operator USER=... UNIT=A001)
	@$(PY) -m gateway.auth --role $(ROLE) --user $(TOKEN_USER) $(if $(UNIT),--unit $(UNIT))

backup: venv ## back up every database and the audit spool into a dated folder under var/backups (TO=folder)
	$(PY) -m services.common.backup create $(if $(TO),--to $(TO))

restore: venv ## restore a county from a backup folder (FROM=folder), checksums checked first; stop the services before
	@test -n "$(FROM)" || { echo "make restore FROM=var/backups/<dated folder>" >&2; exit 2; }
	$(PY) -m services.common.backup restore $(FROM)

rekey: venv ## re-encrypt personal data under the current data key (after adding a key to the key file)
	$(PY) -m services.common.rekey

audit-archive: venv ## seal each month of the audit trail past the 180 days kept online into its file (units runs it hourly too)
	$(PY) -m services.units.audit_archive archive

audit-verify: venv ## check the audit trail's hash chain across the archives and the online entries; exit 1 where it breaks
	$(PY) -m services.units.audit_archive verify

clean: ## remove var/ (databases, mail) and caches; keeps .venv
	rm -rf var .pytest_cache build *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
