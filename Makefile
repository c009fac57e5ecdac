# The two commands: `make run` (set up and serve) and `make test` (lint + whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run serve bench test install migrate knowledge demo lint audit fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

knowledge: migrate
	$(BIN)/python manage.py load_knowledge

demo: knowledge
	$(BIN)/python manage.py seed_demo

run: demo
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Log in with one of the demo logins printed above."
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production-style server: gunicorn (workers × threads, see clinic/gunicorn_conf.py),
# static files through whitenoise, PostgreSQL with a connection pool. Needs DEBUG=0, SECRET_KEY,
# ALLOWED_HOSTS and DATABASE_URL in the environment (see .env.example and the README).
serve: export DEBUG := $(or $(DEBUG),0)
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn --config clinic/gunicorn_conf.py clinic.wsgi

# Seeds 100,000 patients on PostgreSQL, serves them with `make serve`, drives them with locust
# and writes benchmarks/RESULTS.md (see benchmarks/README.md).
bench: install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive --severity-level high --confidence-level medium clinic evidence patients treatments

# Known vulnerabilities in the installed packages (needs PyPI's or OSV's vulnerability API).
audit: install
	bash .ci/audit

# The API fuzzed against its own schema, longer than CI's run (.ci/fuzz: every check, all four
# phases, real ids, as dermatologist and front desk). FUZZ_EXAMPLES and FUZZ_SEED vary it.
fuzz: install
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),100) bash .ci/fuzz

# On every core (pytest-xdist; a test database per worker); the browser tests share one worker,
# so one server serves them. `$(BIN)/pytest path` runs part of the suite in one process.
test: lint
	$(BIN)/pytest -n auto --dist loadgroup

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis
