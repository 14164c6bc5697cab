# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-pg install clean-db
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The demo runs as "development": plain-http cookies on loopback, demo accounts allowed.
run: export SANGKIEN_ENV = development
run: $(STAMP)
	$(BIN)/sangkien init-db
	$(BIN)/sangkien demo --if-empty
	$(BIN)/sangkien serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

# The same suite against PostgreSQL (tables are dropped and recreated per test); the browser
# tests drive their own server on SQLite, so they run once, in `make test`.
test-pg: $(STAMP)
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest --ignore=tests/e2e

clean-db:
	rm -f instance/sangkien.db instance/sangkien.db-wal instance/sangkien.db-shm
	rm -rf instance/uploads
