# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development only: DEBUG on, and the second factor may be skipped for the demo.
DEV_ENV := DEBUG=1 REQUIRE_2FA=0
# Tests run with production settings (DEBUG off) and a throwaway key.
TEST_ENV := SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=0
# Production code paths (DEBUG off) over plain HTTP on this machine.
SERVE_ENV := SECRET_KEY=$${SECRET_KEY:-local-serve-only-not-secret} ALLOWED_HOSTS=$(HOST),localhost \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 \
	BIND=$(HOST):$(PORT)

.PHONY: run serve test lint check messages translations static demo bench bench-export bench-import clean help

help:
	@echo "make run    set up everything and serve the demo on http://$(HOST):$(PORT)/"
	@echo "make test   install test tools, lint, check and run the test suite"
	@echo "make serve  serve under gunicorn, as production does"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Compiled translations are build output, not committed.
translations: $(VENV)/.runtime
	$(PY) -m babel.messages.frontend compile --directory locale --domain django --statistics

static: $(VENV)/.runtime
	$(TEST_ENV) $(MANAGE) collectstatic --noinput --verbosity 0

demo: $(VENV)/.runtime translations
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) load_demo

run: demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(DEV_ENV) $(MANAGE) runserver $(HOST):$(PORT)

serve: demo static
	$(SERVE_ENV) $(BIN)/gunicorn --config gunicorn.conf.py advocacy.wsgi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(VENV)/.dev
	$(TEST_ENV) $(MANAGE) check
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

# Two workers (pytest-xdist), one a core: each gets its own test database.
PYTEST_WORKERS ?= 2

test: $(VENV)/.dev lint check translations static
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Times every search type over HTTP (gunicorn, production settings, 2 workers) on 100,000
# generated services in PostgreSQL (DATABASE_URL, default the bench_100k database) and 10,000
# in a scratch SQLite file, then the export memory benchmark (in its own scratch SQLite file).
# The generated data is cached in those databases. BENCH_ARGS="--quick" (5 tries a search),
# "--rebuild" or "--only sqlite". See docs/performance.md.
bench: $(VENV)/.dev translations static
	$(PY) -m benchmarks $(BENCH_ARGS)
	env -u DATABASE_URL $(PY) -m benchmarks.export_memory
	DATABASE_URL=$(BENCH_IMPORT_DATABASE_URL) $(PY) -m benchmarks.import_export_scale

# Imports and exports at 100,000 services (benchmarks/import_export_scale.py): generates the
# directory, exports it by command and over HTTP (gunicorn), then imports the files (dry run and
# for real) into the emptied database, printing seconds, peak RSS and MB/s. The database is
# EMPTIED: by default its own, bench_import. BENCH_ORGANIZATIONS=10000 for a smaller run.
BENCH_IMPORT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_import

bench-import: $(VENV)/.dev translations static
	DATABASE_URL=$(BENCH_IMPORT_DATABASE_URL) $(PY) -m benchmarks.import_export_scale

# Peak memory of exporting 20,000 and 100,000 services (it should barely grow).
bench-export: $(VENV)/.dev
	env -u DATABASE_URL $(PY) -m benchmarks.export_memory

# For translators: extract strings (needs GNU gettext), then edit locale/*/LC_MESSAGES/django.po.
messages: $(VENV)/.dev
	$(DEV_ENV) $(MANAGE) makemessages --locale es --no-obsolete --ignore ".venv/*" --ignore "staticfiles/*" --ignore "tests/*"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm test-artifacts
