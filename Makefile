# The Professional Portal's commands. `make demo` and `make test` are the two a newcomer needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
GOVUK := node_modules/govuk-frontend/dist/govuk

.PHONY: help bootstrap assets demo demo-data test test-fast lint format chromium clean bench load audit screenshots

help:
	@echo "make demo   - install everything, load demo data and serve the portal at http://127.0.0.1:$(PORT)"
	@echo "make test   - install everything and run every test, browser tests included"
	@echo "make lint   - ruff check and format check"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/portal.css: node_modules/.installed $(wildcard scss/*.scss)
	mkdir -p static/build
	npx sass --pkg-importer=node --style=compressed --no-source-map scss/portal.scss $@

static/build/govuk/all.bundle.js: node_modules/.installed
	mkdir -p static/build/govuk
	cp $(GOVUK)/all.bundle.js $(GOVUK)/all.bundle.js.map static/build/govuk/

assets: static/build/portal.css static/build/govuk/all.bundle.js

bootstrap: $(VENV)/.installed assets

demo-data: bootstrap
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data
	$(PY) manage.py generate_demo_data --cases 1200 --seed 7 --if-empty

demo: demo-data
	$(PY) manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) scripts/serve-demo

chromium:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

test: bootstrap chromium
	$(VENV)/bin/pytest

# Everything but the browser tests, for a quick loop while coding.
test-fast: bootstrap
	$(VENV)/bin/pytest -m "not browser"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var staticfiles static/build

# Generates 1,000 and 100,000 cases (kept in bench/data for later runs) and measures; see bench/README.md.
bench: bootstrap
	$(PY) bench/run.py

# Many people at once on the production shape (gunicorn, PostgreSQL, Redis, a Celery worker); see bench/README.md.
load: bootstrap
	$(PY) bench/load.py

# The pinned requirements against PyPI's advisories; says which packages it could not audit (offline mirrors).
audit: $(VENV)/.installed
	$(PY) scripts/audit-dependencies

# The README's screenshots of the main pages, taken by the browser tests.
screenshots: bootstrap chromium
	PORTAL_SCREENSHOT_DIR=docs/screenshots \
	PORTAL_SCREENSHOTS_ONLY=professional-task-list,officer-queue,officer-case-view,professional-progress \
	$(VENV)/bin/pytest tests/browser/test_review_journey.py
