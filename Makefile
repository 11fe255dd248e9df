# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install the project first; the install is redone only
# when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format install

run: $(INSTALLED)
	$(BIN)/python scripts/run.py

# pytest exit codes: 1 tests failed, 2 interrupted, 3 internal error,
# 4 usage error (REQUIRE_SERVICES=1 with a service down), 5 no tests collected.
test: $(INSTALLED)
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	case $$status in \
	  0) ;; \
	  1) echo "make test: some tests failed (see above)." >&2 ;; \
	  4) echo "make test: pytest refused to start (see the error above)." >&2 ;; \
	  5) echo "make test: no tests were collected; check PYTEST_ARGS." >&2 ;; \
	  *) echo "make test: pytest stopped with exit status $$status." >&2 ;; \
	esac; \
	exit $$status

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(INSTALLED)

$(BIN)/python:
	@test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "Python 3.11 is required: install it, or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# Break each guarantee on purpose (scripts/mutants.py) and check that its tests fail.
.PHONY: mutants
mutants: $(INSTALLED)
	$(BIN)/python scripts/mutants.py $(MUTANTS)
