# /seen/ — every setup step is here, so a fresh machine needs nothing installed by hand.
# Steps leave stamps in .make/ and are skipped while their inputs are unchanged.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
STAMPS := .make
BUN_VERSION := 1.4.4
PYTEST_ARGS ?=

export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup run dev worker scheduler migrate test test-fast lint format bench screenshots clean

help:
	@echo "make run        set up and start /seen/ on http://localhost:3000 (SQLite in data/, no services needed)"
	@echo "make test       set up, install test tools, run the whole suite"
	@echo "make dev        hot-reloading development server (pages :3000, API :8000)"
	@echo "make worker     standalone job workers on Redis (needs SEEN_REDIS_URL)"
	@echo "make scheduler  standalone scheduler on Redis (needs SEEN_REDIS_URL)"
	@echo "make lint       ruff lint + format check"
	@echo "make bench      benchmarks, JSON under bench/results/"

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: requirements.txt pyproject.toml | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(STAMPS)/dev-deps: $(STAMPS)/venv requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

# Reflex needs bun; it cannot download it here, so it comes from the npm registry.
$(STAMPS)/bun: | $(STAMPS)
	npm install --prefix $(TOOLS) --no-audit --no-fund --save-exact bun@$(BUN_VERSION)
	$(TOOLS)/node_modules/.bin/bun --version
	@touch $@

# Debian packages, installed when missing. aria2 serves `make run` (magnets and torrents need it; without it the
# app falls back to its built-in HTTP engine, so a machine where apt is not ours still runs). The tests also need
# Chromium, opentracker (a local BitTorrent tracker for the torrent tests) and ffmpeg (media for the library tests).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq

$(STAMPS)/aria2: | $(STAMPS)
	@command -v aria2c >/dev/null || { $(APT_INSTALL) aria2 >/dev/null; } || \
		echo "aria2c could not be installed: downloads will use the built-in HTTP engine (no magnets/torrents)"
	@touch $@

$(STAMPS)/apt: | $(STAMPS)
	@if ! command -v chromium >/dev/null || ! command -v aria2c >/dev/null || ! command -v opentracker >/dev/null \
		|| ! command -v ffmpeg >/dev/null; then \
		$(APT_INSTALL) chromium aria2 opentracker ffmpeg >/dev/null; \
	fi
	@touch $@

setup: $(STAMPS)/venv $(STAMPS)/bun

migrate: setup
	$(BIN)/seen migrate

run: setup $(STAMPS)/aria2
	$(BIN)/seen migrate
	$(BIN)/reflex run --env prod

dev: setup
	$(BIN)/seen migrate
	$(BIN)/reflex run

worker: setup
	@test -n "$$SEEN_REDIS_URL" || { echo "SEEN_REDIS_URL is not set: without Redis, jobs run inside the app (make run)"; exit 2; }
	$(BIN)/dramatiq workers.tasks --processes 1 --threads 4

scheduler: setup
	@test -n "$$SEEN_REDIS_URL" || { echo "SEEN_REDIS_URL is not set: without Redis, schedules run inside the app (make run)"; exit 2; }
	$(BIN)/python -m workers.scheduler

test: setup $(STAMPS)/dev-deps $(STAMPS)/apt
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup $(STAMPS)/dev-deps
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: $(STAMPS)/dev-deps
	$(BIN)/ruff check seen workers alembic tests bench rxconfig.py
	$(BIN)/ruff format --check seen workers alembic tests bench rxconfig.py

format: $(STAMPS)/dev-deps
	$(BIN)/ruff check --fix seen workers alembic tests bench rxconfig.py
	$(BIN)/ruff format seen workers alembic tests bench rxconfig.py

bench: setup $(STAMPS)/dev-deps
	$(BIN)/python -m bench.run

screenshots: setup $(STAMPS)/dev-deps $(STAMPS)/apt
	SEEN_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e -k embedded

clean:
	rm -rf $(STAMPS) .web .states tests/.artifacts
