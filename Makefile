# Two commands on a fresh clone: `make demo` (report for the seed) and `make test` (the suite).
# Each sets up a local virtualenv (.venv) first; torch is pinned to a CPU build (constraints.txt).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tqcheck-installed
EXTRAS ?= dev,fast,embed,serve,ray
SEED := seeds/000_f567bacb1f41f539.txt

.PHONY: demo test lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tqcheck check $(SEED) --source-lang fr

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache
