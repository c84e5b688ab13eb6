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
	$(VENV)/bin/ruff format --check autograd

bench: $(VENV)/.demo-deps
	$(PY) benchmarks/run.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.test-deps: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.demo-deps: pyproject.toml | $(VENV)/bin/python
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
