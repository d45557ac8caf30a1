# Maillage — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000

.PHONY: run test lint install install-test clean

# The browser tests drive Debian's Chromium (never a browser download: the network is closed).
CHROMIUM := /usr/bin/chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(CHROMIUM)

$(CHROMIUM):
	@echo "Chromium is missing: installing Debian's package (apt-get install chromium)"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "Cannot install Chromium: run 'apt-get install chromium' as root (needed by tests/browser)." >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation
	@test -x $@ || { echo "apt-get ran but $@ is still missing." >&2; exit 1; }

## make run: install, migrate, load demo data on an empty database, serve on 127.0.0.1:$(PORT)
run: install
	$(BIN)/maillage db upgrade
	$(BIN)/maillage demo load
	@echo "Maillage : http://127.0.0.1:$(PORT)  (comptes de démonstration dans README.md)"
	MAILLAGE_SECURE_COOKIES=$${MAILLAGE_SECURE_COOKIES:-false} $(BIN)/maillage run --host 127.0.0.1 --port $(PORT)

## make test: install test tools (Chromium too), lint, run the whole suite (PostgreSQL too if MAILLAGE_TEST_DATABASE_URL is set)
test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
