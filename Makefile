# Two commands on a fresh machine (each creates .venv on first use from the pinned lock file):
#   make report   demo waves -> ingest -> notebooks -> findings reports (reports/demo-*/)
#   make test     the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV_VERSION := 0.13.9

.PHONY: report test test-fast lab lock venv benchmarks lint clean

report: $(STAMP)
	$(BIN)/python -m analysis all

test: $(STAMP)
	$(BIN)/python -m pytest

# the quick inner loop: skip notebook execution, report builds and the browser
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lab: $(STAMP)
	$(BIN)/python -m analysis lab

venv: $(STAMP)

$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --compile-bytecode requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (analysis)" >/dev/null
	touch $(STAMP)

# re-resolve the pinned versions after editing pyproject.toml (then update environment.yml)
lock:
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --quiet -o requirements.lock --custom-compile-command "make lock"
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements-dev.lock --custom-compile-command "make lock"

benchmarks: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf data/raw/demo-* data/processed/demo-* reports/demo-*
