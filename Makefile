# The two set-up commands of the README: `make run` and `make test`. Python 3.10+ is all they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint clean bench bench-quick bench-import

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: install, migrate, load demo data and users (passwords printed), serve at a printed URL (SQLite)
run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  The Customer Service Hub is at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install and run the whole test suite (SQLite unless DATABASE_URL says otherwise)
# The browser tests use Debian's /usr/bin/chromium where it exists (CI installs it), else Playwright's own.
test: $(BIN)/.installed
	@[ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || $(BIN)/python -m playwright install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, and import-linter holding the layers (core < profiles < integrations < systems < hub: pyproject.toml)
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## bench: the benchmark on PostgreSQL (1,000,000 customers; BENCH_ARGS for more options); writes bench/RESULTS.md,
## then the import scenario (100,000 rows matched by email against raw COPY); writes bench/results/import.md
bench: $(BIN)/.installed
	timeout --kill-after=30 10800 $(BIN)/python bench/run.py $(BENCH_ARGS)
	timeout --kill-after=30 1800 $(BIN)/python bench/import_bench.py --rows 100000 --profile

## bench-import: the import scenario alone (about 2 minutes)
bench-import: $(BIN)/.installed
	timeout --kill-after=30 1800 $(BIN)/python bench/import_bench.py --rows 100000 --profile

## bench-quick: the same with 100,000 customers and short rounds (under 5 minutes); writes bench/RESULTS-quick.md
bench-quick: $(BIN)/.installed
	timeout --kill-after=30 900 $(BIN)/python bench/run.py --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
