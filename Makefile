# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install bench bench-sections bench-across bench-burst bench-import lint clean screenshots

run: $(STAMP)
	$(BIN)/incident-tui

# pytest-xdist workers for `make test`: one more than the CPUs (a quarter of the suite
# waits on tmux, PostgreSQL or a child process: 2 CPUs ran it in 3 min 43 s with 3
# workers, 4 min 5 s with 2); `make test TEST_WORKERS=0` runs it in this one process.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

install: $(STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "incident-tui needs Python 3.11 or newer" or 0)'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,web]'
	@touch $(STAMP)

# Issue 18's table (every figure beside its floor, ratio, goal, PASS/MISS), also written
# to benchmarks/results/latest.json; `make bench QUICK=1` for fewer repeats.
QUICK ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/table.py $(if $(QUICK),--quick)

bench-sections: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/app.py

bench-across: $(STAMP)
	$(BIN)/python benchmarks/across.py

bench-burst: $(STAMP)
	$(BIN)/python benchmarks/burst.py

bench-import: $(STAMP)
	$(BIN)/python benchmarks/import_big.py

lint: $(STAMP)
	$(BIN)/ruff check incident_tui tests benchmarks
	$(BIN)/ruff format --check incident_tui tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/vulture

clean:
	rm -rf $(VENV) build dist .pytest_cache

screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py
