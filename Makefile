# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run demo test lint format install install-dev messages clean bench

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

# A demonstration in the embedded SQLite database: the record, synthetic follow-up (once), and two
# accounts whose passwords are printed. Never touches the database DATABASE_URL names.
demo: install
	@test -z "$$DATABASE_URL" || { echo "make demo uses the embedded SQLite database only: unset DATABASE_URL" >&2; exit 2; }
	DEBUG=true $(BIN)/python manage.py compile_translations
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_record
	DEBUG=true $(BIN)/python manage.py create_demo_data --actions 2000 --if-empty
	DEBUG=true $(BIN)/python manage.py create_demo_accounts
	DEBUG=true $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive forum tracker config scripts --exclude '*/migrations/*' --severity-level medium
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py makemigrations --check --dry-run

# The tests run in random order (pytest-randomly prints the seed; `pytest -p randomly --randomly-seed=N`
# repeats one) on parallel workers, one database each; those that stop the database server run after.
PYTEST_WORKERS ?= auto
test: lint
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py compile_translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not serial"
	$(BIN)/pytest -m serial

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
	$(BIN)/python -m scripts.bench $(BENCH_ARGS)

# Backup and restore (README, "Backup and restore"): one file holding the whole follow-up, on SQLite or
# PostgreSQL. make backup FILE=backups/followup.zip; make restore FILE=... (RESTORE_ARGS=--replace over data).
.PHONY: backup restore
backup: install
	@test -n "$(FILE)" || { echo "usage: make backup FILE=backups/followup.zip" >&2; exit 2; }
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py backup "$(FILE)"

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/followup.zip [RESTORE_ARGS=--replace]" >&2; exit 2; }
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py restore "$(FILE)" $(RESTORE_ARGS)
