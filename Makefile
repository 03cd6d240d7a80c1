# The one entry point. Every target creates .venv when it is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help venv test pytest lint format typecheck generate check-generated demo bench soak emulator docs clean

help:
	@echo "make test             lint, type check (mypy, pyright), generated-code drift check and the test suite"
	@echo "make demo             start the emulator, provision the example plan twice, stop the emulator"
	@echo "make docs             build the documentation site into site/ (mkdocs build --strict)"
	@echo "make generate         regenerate generated/, leadexec_async/_surface.py, docs/fields.md from the spec"
	@echo "make check-generated  fail if any of them differs from a fresh generation"
	@echo "make lint | typecheck | format | bench | soak | emulator"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

test: venv lint typecheck check-generated pytest

pytest: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: venv
	$(BIN)/mypy
	$(BIN)/basedpyright

generate: venv
	$(BIN)/python scripts/generate.py

check-generated: venv
	$(BIN)/python scripts/generate.py --check

demo: venv
	$(BIN)/python scripts/demo.py

bench: venv
	$(BIN)/python -m benchmarks

soak: venv
	$(BIN)/python -m pytest -q -m soak -p no:randomly tests

emulator: venv
	$(BIN)/leadexec emulator --host 127.0.0.1 --port 8080

# The documentation site (mkdocs.yml, docs/). tests/test_docs_site.py builds it too, so
# make test fails on a broken link or a public name left out of the reference.
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) build dist site .mypy_cache .ruff_cache
