# The one entry point. Every target creates .venv when it is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help venv test pytest lint format typecheck generate check-generated demo bench soak emulator docs clean \
	test-versions test-newest mutants

help:
	@echo "make test             lint, type check (mypy, pyright), generated-code drift check and the test suite"
	@echo "make demo             start the emulator, provision the example plan twice, stop the emulator"
	@echo "make docs             build the documentation site into site/ (mkdocs build --strict)"
	@echo "make generate         regenerate generated/, leadexec_async/_surface.py, docs/fields.md from the spec"
	@echo "make check-generated  fail if any of them differs from a fresh generation"
	@echo "make test-versions    the test suite on every claimed Python (3.11, 3.12, 3.13; nox)"
	@echo "make mutants          mutation testing of the rule modules (mutmut; on demand, slow)"
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

# pyenv's interpreters first on PATH, so that nox finds python3.12 and python3.13 (pyenv's shims
# would answer for the global version only).
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PYENV_PATH := $(subst $(eval) ,:,$(strip $(wildcard $(PYENV_ROOT)/versions/3.1[123].*/bin)))
NOX := PATH="$(PYENV_PATH):$$PATH" $(BIN)/nox

test-versions: venv
	$(NOX)

# The newest claimed version only (CI runs `make test` on the oldest, then this).
test-newest: venv
	$(NOX) --sessions tests-3.13

# Mutation testing (docs/mutants.md); the configuration is [tool.mutmut] in pyproject.toml.
# mutmut keeps its results in mutants/ and reuses them; `rm -rf mutants` starts afresh.
# MUTANTS narrows the run to mutant names matching a pattern, e.g.
# `make mutants MUTANTS='leadexec_async._retry*'` (a few minutes) instead of all (about 50).
MUTANTS ?=
mutants: venv
	$(BIN)/mutmut run --max-children 2 $(if $(MUTANTS),'$(MUTANTS)')
	$(BIN)/mutmut results --all true > mutants/results.txt
	$(BIN)/python scripts/mutants_summary.py mutants/results.txt

clean:
	rm -rf $(VENV) build dist site .mypy_cache .ruff_cache .nox mutants
