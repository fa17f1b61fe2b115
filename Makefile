# One-command entry points for a fresh clone. Everything installs into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KG     := $(BIN)/kg

.PHONY: demo test lint clean bench bench-full

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## demo: load the bundled demo corpus into ./kg-data, print relations, write demo/graph.{ttl,html}
demo: $(VENV)/.installed
	$(KG) ingest articles demo/corpus
	$(KG) relations
	$(KG) export rdf demo/graph.ttl
	$(KG) export html demo/graph.html

## lint: ruff and mypy
lint: $(VENV)/.installed-test
	$(BIN)/ruff check kg loaders tests benchmarks
	$(BIN)/mypy

## test: install the test dependencies, lint, and run the whole suite
test: lint
	$(BIN)/python -m pytest

## bench: every benchmark at the small size (under 2 minutes), table into docs/benchmarks.md
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py --scale small --write docs/benchmarks.md

## bench-full: every benchmark at the full size (by hand: 1 M awards, 20,000 articles ...)
bench-full: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py --scale full --write docs/benchmarks.md

clean:
	rm -rf $(VENV) kg-data demo/graph.ttl demo/graph.html .pytest_cache .mypy_cache .ruff_cache
