# The course's commands. A newcomer needs two: `make lab` and `make test`.
# Both create the virtual environment (.venv) when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)
# Extra JupyterLab options, e.g. make lab LAB_ARGS="--port 9999 --no-browser"
LAB_ARGS ?=
# The course repository's web address, linked from every page of the site:
# make book REPOSITORY=https://github.com/OWNER/NAME
REPOSITORY ?=

.PHONY: lab test unit notebooks book data exercises lint bench clean help

help:
	@echo "make lab        start JupyterLab on the course start page"
	@echo "make test       run the whole test suite (what CI runs)"
	@echo "make book       build the rendered course site into _build/book"
	@echo "make data       regenerate the default data in datasets/"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make bench      run every benchmarks/bench_*.py; each rewrites its section of RESULTS.md"

# Create the venv and install coursekit with everything the course uses.
# uv installs in seconds; when it cannot be had, plain pip does the same work.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0])'
	@if [ -e $(STAMP) ]; then \
		echo "pyproject.toml changed: updating the course's packages in $(VENV) ..."; \
	else \
		echo "Installing the course's packages into $(VENV) (first run only) ..."; \
	fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	@if $(PY) -m pip install -q --disable-pip-version-check "uv>=0.4" 2>/dev/null; then \
		$(PY) -m uv pip install -q --python $(PY) -e ".[test,book]"; \
	else \
		$(PY) -m pip install -q --disable-pip-version-check -e ".[test,book]"; \
	fi
	@touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(LAB_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check coursekit tests benchmarks

unit: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile --doctest-modules coursekit tests

notebooks: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -p no:randomly --nbval \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks solutions

book: $(STAMP)
	$(PY) -m coursekit build book $(if $(REPOSITORY),--repository $(REPOSITORY))

test: lint unit notebooks book

data: $(STAMP)
	$(PY) -m coursekit data generate --out datasets --default

exercises: $(STAMP)
	$(PY) -m coursekit build exercises

bench: $(STAMP)
	set -e; for script in benchmarks/bench_*.py; do $(PY) $$script; done

clean:
	rm -rf _build .pytest_cache
