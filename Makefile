# Two commands set everything up:
#   make demo   the core install only (numpy, scipy, matplotlib), then `equilibria demo`: under a minute
#   make test   the dev extras too (torch, jax, ray, open_spiel, pygambit, ...), then ruff and pytest
# Each install step has its own stamp, so `make demo` then `make test` adds the extras to the same
# venv, and `make test` on a fresh clone does everything it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE_STAMP := $(VENV)/.installed-core
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?= -n 2 --dist loadgroup

.PHONY: demo test lint bench clean install install-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# --no-compile: byte-compiling all of scipy and matplotlib at install time costs more than the
# demo itself; the modules the demo imports are compiled when first imported
$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --no-compile -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(CORE_STAMP) $@

install: $(CORE_STAMP)

install-dev: $(DEV_STAMP)

demo: $(CORE_STAMP)
	$(BIN)/equilibria demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench examples

test: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests

bench: $(DEV_STAMP)
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info
