# The two commands of the README: `make up` (set up and run) and `make test`.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: up test test-fast lint install

up: $(STAMP)
	$(VENV)/bin/medcode up

test: $(STAMP)
	$(VENV)/bin/pytest

# The edit loop: everything but real servers, browsers, CLI processes, the API fuzz run and the
# tests that read the whole of MEDCODE_DATA_DIR, on two processes (pytest-xdist). CI runs
# `make test`. Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: each xdist worker
# otherwise compiles every module and rewrites every test's asserts again at each run (~6 s of
# CPU a worker; __pycache__ is ignored by git).
test-fast: $(STAMP)
	env -u MEDCODE_DATA_DIR -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -n 2 -q -p no:cacheprovider \
		-m "not browser and not server and not process and not fuzz and not fulldata" --durations=0 \
		--durations-min=2

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy medcode
	$(VENV)/bin/lint-imports

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@
