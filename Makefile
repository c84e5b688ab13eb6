# `make demo` runs the main job, `make test` the tests. Each one creates/updates .venv,
# installs the package with what it needs, and makes sure Graphviz's `dot` is there.
# `make test TORCH=1` also installs PyTorch (CPU build) as a test oracle.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?=
TORCH_VERSION := 2.13.0

.PHONY: demo test lint bench dot clean

demo: $(VENV)/.demo-deps dot
	$(PY) -m demos all

test: $(VENV)/.test-deps dot $(if $(TORCH),$(VENV)/.torch)
	$(VENV)/bin/ruff check .
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -q

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The benchmarks get their own environment: the package (editable), numpy, micrograd 0.1.0 to
# race against (never a dependency of the package) and, with TORCH=1, pinned PyTorch.
# `make bench BENCH_ARGS="--quick --only W1,W3"` passes options to benchmarks/run.py.
BENCH_VENV := benchmarks/.venv
BENCH_PY   := $(BENCH_VENV)/bin/python
BENCH_ARGS ?=

bench: $(BENCH_VENV)/.bench-deps $(if $(TORCH),$(BENCH_VENV)/.torch)
	$(BENCH_PY) benchmarks/run.py $(BENCH_ARGS)

$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)

$(BENCH_VENV)/.bench-deps: pyproject.toml Makefile | $(BENCH_VENV)/bin/python
	$(BENCH_PY) -m pip install -q -e . numpy micrograd==0.1.0
	touch $@

$(BENCH_VENV)/.torch: | $(BENCH_VENV)/bin/python
	$(BENCH_PY) -m pip install -q torch==$(TORCH_VERSION)
	touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The tests run every demo (matplotlib, tqdm). micrograd 0.1.0 is installed for the tests
# only (nn is checked step by step against it);
# it is never a dependency of the package.
$(VENV)/.test-deps: pyproject.toml Makefile | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test,demo]' micrograd==0.1.0
	touch $@

$(VENV)/.demo-deps: pyproject.toml Makefile | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[demo]'
	touch $@

# PyTorch is a test oracle only, never a dependency of the package.
$(VENV)/.torch: | $(VENV)/bin/python
	$(PY) -m pip install -q torch==$(TORCH_VERSION)
	touch $@

# Graphviz's `dot` renders graphs to SVG. Install it with apt-get when we can.
dot:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Graphviz (dot) with apt-get..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
		|| echo "apt-get could not install graphviz; graph rendering tests will be skipped."; \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
		echo "Installing Graphviz (dot) with sudo apt-get..."; \
		(sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
		|| echo "apt-get could not install graphviz; graph rendering tests will be skipped."; \
	else \
		echo "Graphviz's 'dot' is missing. Install it: macOS 'brew install graphviz'," \
		     "Fedora 'sudo dnf install graphviz', Windows 'winget install graphviz'," \
		     "conda 'conda install -c conda-forge graphviz'. Rendering tests will be skipped."; \
	fi

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .ruff_cache
