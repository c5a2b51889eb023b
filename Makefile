# A newcomer needs two commands:
#   make run    virtual environment, requirements, system packages, migrate, demo data, serve on 127.0.0.1:8000
#   make test   the whole suite on the embedded defaults (SQLite, tasks run in-process)
# Both are safe to repeat: the virtual environment is reused and the requirements are reinstalled only
# when requirements.txt changes.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# The embedded defaults, whatever the shell has exported: SQLite, in-process tasks, email to the console.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND \
	-u CELERY_TASK_ALWAYS_EAGER -u EMAIL_URL -u DJANGO_ENV -u TEST_DATABASE_NAME \
	-u PORTAL_INTEGRATION -u PORTAL_REQUIRE_BROWSER

.DEFAULT_GOAL := help
.PHONY: help run test install system-packages test-browser lint screenshot messages ci clean

help:
	@echo "make run            set everything up, load demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test           run the test suite (SQLite, tasks in-process)"
	@echo "make test-browser   run the browser tests in Debian's chromium (needs: apt-get install chromium)"
	@echo "make lint           ruff check"
	@echo "make screenshot     regenerate docs/screenshot-home.png from the demo data (needs chromium)"
	@echo "make messages       refresh locale/*/django.po from the parents' pages and compile them (needs gettext)"
	@echo "make ci             what CI runs: the suite on SQLite, then on PostgreSQL + Redis + Celery, then browsers"
	@echo "make clean          remove the virtual environment and the local SQLite database"

run: install system-packages
	@echo "==> Migrating the local database (db.sqlite3)"
	@$(EMBEDDED) $(BIN)/python manage.py migrate --noinput -v 0
	@echo "==> Loading the demo data (manage.py seed_demo)"
	@echo
	@$(EMBEDDED) $(BIN)/python manage.py seed_demo
	@echo
	@echo "Serving the portal on http://$(HOST):$(PORT)/ — sign in with one of the demo accounts above. Ctrl-C stops it."
	@echo
	@$(EMBEDDED) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install system-packages
	@echo "==> pytest on the embedded defaults (SQLite, tasks in-process)"
	@$(EMBEDDED) $(BIN)/pytest -m "not browser and not integration" $(PYTEST_ARGS)

test-browser: install system-packages
	@$(EMBEDDED) PORTAL_REQUIRE_BROWSER=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

screenshot: install
	$(EMBEDDED) $(BIN)/python scripts/readme_screenshot.py

# The parents' pages in Welsh, Polish, Romanian, Urdu, Punjabi, Arabic and Bengali. The compiled .mo files are
# committed (a build needs no gettext); tests/test_compiled_messages_match_their_sources.py fails when one is stale.
messages: install
	$(EMBEDDED) $(BIN)/python manage.py makemessages --all --ignore=$(VENV) --ignore=artifacts --no-obsolete
	$(EMBEDDED) $(BIN)/python manage.py compilemessages --ignore=$(VENV)

ci:
	bash .ci/run

install: $(STAMP)

# pip is the last thing `python -m venv` creates, so a venv left half-made (no python3-venv) is made again.
$(BIN)/pip:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "The portal needs Python 3.11 or newer as '$(PYTHON)'. Install it, or run: make run PYTHON=python3.12"; \
		exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		echo "Python's venv module is missing. Install it with:"; \
		echo; echo "    sudo apt-get install -y python3-venv"; echo; exit 1; }
	@echo "==> Creating the virtual environment in $(VENV)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/pip
	@echo "==> Installing requirements.txt into $(VENV) (again only when requirements.txt changes)"
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@touch $@

system-packages:
	@bash scripts/system-packages.sh

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm
