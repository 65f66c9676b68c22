# The README's two commands: `make run` (embedded default, demo data) and `make test` (PostgreSQL + Redis).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
DEMO_HOUSEHOLDS ?= 600
DEMO_REVIEW_YEAR ?= 2025
DEMO_OPEN_YEAR ?= 2026

.PHONY: run test test-browser lint venv

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Sets up everything on the embedded default (SQLite, eager tasks) and starts the server. The demo is set up once:
# setup_demo records each of its steps (areas, households, reviews, support, reminders, figures) and a second run
# skips them, so it never changes what a user wrote in between.
run: venv
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py setup_demo --households $(DEMO_HOUSEHOLDS) --review-year $(DEMO_REVIEW_YEAR) --open-year $(DEMO_OPEN_YEAR)
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# The whole test suite against PostgreSQL (DATABASE_URL, else 127.0.0.1:5432) and Redis (REDIS_URL, else 127.0.0.1:6379).
# It runs with DEBUG off, as in production, so SECRET_KEY must pass the production check: a fresh random key per run.
test: venv
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/giamngheo}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" \
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	$(PY) -m pytest $(PYTEST_ARGS)

# The real-browser suite (tests/browser): Playwright drives chromium (CHROMIUM_PATH, else /usr/bin/chromium) through
# the officers' flows on a live server; screenshots at 1366x768 go to BROWSER_SCREENSHOTS (else browser-screenshots/);
# BROWSER_VIEWPORT=1920x1080 runs it at that size (screenshots in browser-screenshots-1920/).
test-browser: venv
	$(MAKE) --no-print-directory test PYTEST_ARGS="-m browser tests/browser $(PYTEST_ARGS)"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy  # the strict modules listed in pyproject.toml ([tool.mypy] files)
