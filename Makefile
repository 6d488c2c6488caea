# The two commands of the README: `make run` and `make test`. Everything else is set-up they call.
PY := .venv/bin/python
PIP := .venv/bin/pip
export DJANGO_SETTINGS_MODULE ?= salesops.settings.local

.PHONY: run test setup deps assets migrate demo bench check

.venv/.deps-stamp: requirements.txt requirements-dev.txt
	python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

node_modules/.assets-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: .venv/.deps-stamp
assets: node_modules/.assets-stamp

migrate: deps
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages -v0 2>/dev/null || true

demo: migrate
	$(PY) manage.py seed_demo

setup: deps assets demo

## make run: web server on http://127.0.0.1:8000 + Celery worker with embedded beat. Ctrl-C stops all.
run: setup
	.venv/bin/honcho start

## make test: the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite), one pytest-xdist
## process per core (PYTEST_WORKERS=0 runs it in one process; each worker has its own test database: settings/test.py).
## --dist load hands each worker its tests in collection order, so pytest-django's transactional tests (which empty the
## database: the departments the migrations seed are gone after them) stay after the others on every worker.
PYTEST_WORKERS ?= auto
test: deps assets
	DJANGO_SETTINGS_MODULE=salesops.settings.test $(PY) -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --maxprocesses=4 --dist load $(PYTEST_ARGS)

check: deps
	$(PY) manage.py check
	DJANGO_SETTINGS_MODULE=salesops.settings.test $(PY) manage.py makemigrations --check --dry-run

## make bench: benchmarks under bench/ (speed and query-count figures; baseline in each file's docstring)
bench: deps
	DJANGO_SETTINGS_MODULE=salesops.settings.test $(PY) -m pytest -q -s -p no:cacheprovider bench
