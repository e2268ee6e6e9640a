# Kuager: two commands on a fresh machine do all set-up.
#   make demo   build the environment and run the main job on the bundled real data
#   make test   build the environment and run the tests (SQLite, then PostgreSQL if one answers)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
KUAGER := $(VENV)/bin/kuager
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: all venv demo test test-sqlite test-postgresql clean

all: demo

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(KUAGER) demo

test: venv test-sqlite test-postgresql

test-sqlite: venv
	$(PY) -m pytest -q

# The storage tests again on PostgreSQL; they skip cleanly when no server answers.
test-postgresql: venv
	DATABASE_URL=$(PG_URL) KUAGER_TEST_BACKEND=postgresql $(PY) -m pytest -q -m storage

clean:
	rm -rf $(VENV) kuager-data build src/*.egg-info
