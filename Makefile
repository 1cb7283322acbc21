# Labbaik: `make demo` runs the platform with its demo season; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint serve bench clean lock

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Labbaik needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/labbaik demo

serve: $(STAMP)
	$(BIN)/labbaik serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Each benchmark measures against its anchor in the same run; results go to bench/results/.
# The ledger's also runs on PostgreSQL when LABBAIK_TEST_POSTGRES_URL names one.
bench: $(STAMP)
	$(BIN)/python bench/registry_import.py
	$(BIN)/python bench/card_verify.py
	$(BIN)/python bench/health_ips.py
	$(BIN)/python bench/ledger.py $(if $(LABBAIK_TEST_POSTGRES_URL),--postgres $(LABBAIK_TEST_POSTGRES_URL))
	$(BIN)/python bench/tafweej_plan.py

clean:
	rm -rf $(VENV) labbaik.db labbaik.db-wal labbaik.db-shm

# Re-pin every dependency (with hashes) after a change to pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock
