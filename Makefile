# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Two stamps, named after pyproject.toml's checksum: what serving needs (`make run`), and the test
# stack on top of it (`make test`); a changed pyproject.toml installs again.
SUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(SUM)
TEST_STAMP := $(VENV)/.installed-test-$(SUM)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-pg install clean-db bench-load bench-pages bench-import translations help-screens
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cần Python 3.11 trở lên (python3.11 hoặc python3 trong PATH)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Đang cài đặt các gói cần để chạy (lần đầu mất khoảng một phút)…"
	@# pip's and setuptools' notices go to a log, shown only when the installation fails.
	@{ $(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip && \
	   $(BIN)/python -m pip install --quiet --disable-pip-version-check -e . ; } > $(VENV)/install.log 2>&1 \
	   || { cat $(VENV)/install.log; echo "Cài đặt không thành công (chi tiết ở trên, và trong $(VENV)/install.log)."; exit 1; }
	@$(BIN)/pybabel --quiet compile -d $(TRANSLATIONS)
	@rm -f $(VENV)/.installed-* && touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Everything a developer needs: the app and the test stack.
install: $(TEST_STAMP)

# The interface's catalogues; the message ids are the Vietnamese text itself (contest/i18n.py).
TRANSLATIONS := contest/translations
MO := $(TRANSLATIONS)/vi/LC_MESSAGES/messages.mo $(TRANSLATIONS)/en/LC_MESSAGES/messages.mo

# A catalogue edited since it was last compiled is compiled again before the app runs.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(STAMP)
	@$(BIN)/pybabel --quiet compile -l $* -i $< -o $@

# The Vietnamese catalogue repeats its ids, so that every message has a translation of its own.
define VI_IS_THE_IDS
from babel.messages.pofile import read_po, write_po
path = "$(TRANSLATIONS)/vi/LC_MESSAGES/messages.po"
with open(path, "rb") as fh:
    catalog = read_po(fh)
for message in catalog:
    if message.id:
        message.string, message.flags = message.id, message.flags - {"fuzzy"}
with open(path, "wb") as fh:
    write_po(fh, catalog, sort_output=True)
endef
export VI_IS_THE_IDS

# For developers, after adding or changing text: gather the messages of the code and templates,
# merge them into each catalogue, then translate what en/ leaves empty and run it again to compile.
# tests/test_i18n.py fails while a message has no translation.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k lazy_pgettext:1c,2 --no-location \
		--sort-output --project sangkien --version 0.1.0 --msgid-bugs-address "" \
		--header-comment "# Messages of the sangkien interface; the ids are the Vietnamese text (make translations)." \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete \
		--ignore-pot-creation-date
	$(BIN)/python -c "$$VI_IS_THE_IDS"
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics

# The demo runs as "development": plain-http cookies on loopback, demo accounts allowed.
run: export SANGKIEN_ENV = development
run: $(STAMP) $(MO)
	@$(BIN)/sangkien init-db
	@$(BIN)/sangkien demo --if-empty
	@$(BIN)/sangkien serve --host $(HOST) --port $(PORT)

test: $(TEST_STAMP) $(MO)
	$(BIN)/python -m pytest

# The same suite against PostgreSQL (tables are dropped and recreated per test); the browser
# tests drive their own server on SQLite, so they run once, in `make test`.
test-pg: $(TEST_STAMP) $(MO)
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest --ignore=tests/e2e

# Load test (bench/load): 50 judges and 200 readers for 60 s against gunicorn -w 4, on SQLite then
# PostgreSQL (database sangkien_bench, recreated); loopback only. LOAD_ARGS="--db sqlite --seconds 20".
LOAD_ARGS ?=
bench-load: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

# Page weight and server time of each role's main pages on the demo plus 1,000 entries (bench/pages.py):
# a temporary SQLite database, the Flask test client; PAGES_ARGS="--requests 10 --json".
PAGES_ARGS ?=
bench-pages: $(STAMP) $(MO)
	$(BIN)/python bench/pages.py $(PAGES_ARGS)

clean-db:
	rm -f instance/sangkien.db instance/sangkien.db-wal instance/sangkien.db-shm
	rm -rf instance/uploads

# A 200,000-row registry import while a judge saves every second (bench/import.py), with the
# whole file in one transaction as the alternative; IMPORT_ARGS="--rows 20000 --batches 1000".
IMPORT_ARGS ?=
bench-import: $(STAMP)
	$(BIN)/python bench/import.py $(IMPORT_ARGS)

# The screenshots of the in-app guides (contest/help/guides/*.md), taken by Debian's Chromium from a
# fresh demo on a loopback port, into static/help/ as small WebP files (scripts/help_screens.py).
help-screens: $(TEST_STAMP) $(MO)
	$(BIN)/python scripts/help_screens.py
