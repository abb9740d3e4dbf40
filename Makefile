# One command runs the app (`make run`), one runs the tests (`make test`).
# Django 6.1 needs Python 3.12 or newer (pyenv reads .python-version).
PYTHON ?= $(shell command -v python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test setup lint messages bench load

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# The benchmarks' own packages (locust), beside the development ones.
$(VENV)/.bench-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# The local run is a development server: DEBUG on, so it serves static files itself.
run: export DEBUG ?= 1
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@# The worker runs background tasks (bulk exports) beside the server and stops with it.
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

test: setup
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Refresh the translation catalogues after changing user-facing strings.
messages: setup
	DEBUG=1 $(PY) manage.py makemessages -l nl -l en --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --no-obsolete

bench: setup $(VENV)/.bench-installed
	$(PY) bench/run.py

# 50 consultants and 10 social-team members at once against gunicorn (bench/load.py).
load: setup $(VENV)/.bench-installed
	$(PY) bench/load.py
