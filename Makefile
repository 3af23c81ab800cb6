# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install install-dev messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the requirements change.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py compile_translations
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_record
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py compile_translations
	$(BIN)/pytest

# Extract the interface's strings into the catalogues of Spanish, French and Portuguese (needs GNU gettext).
messages: install-dev
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py makemessages --locale es --locale fr --locale pt \
		--ignore ".venv/*" --ignore "tests/*" --ignore "staticfiles/*" --no-obsolete --no-location
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py compile_translations

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The benchmark (README, "Performance: the benchmark"): PostgreSQL datasets of 1,000 and 100,000
# actions, gunicorn with 2 workers, wrk on 127.0.0.1. Writes bench-results/bench.txt and bench.json.
# Extra options through BENCH_ARGS, e.g. make bench BENCH_ARGS=--rebuild
bench: install-dev
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | sort -V | tail -n 1)" main start
	@for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
