# Kuager: two commands on a fresh machine do all set-up.
#   make demo   build the environment and run the main job on the bundled real data
#   make test   build the environment and run the tests (SQLite, then PostgreSQL if one answers)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
KUAGER := $(VENV)/bin/kuager
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: all venv system-deps demo test test-sqlite test-postgresql test-spark clean

all: demo

# Debian packages (fonts for Chinese and Arabic-script names, Pango for PDFs, Chromium for browser
# tests): installed when running as root; otherwise say how (nothing else needs root).
system-deps:
	@if [ "$$(id -u)" = 0 ]; then bash scripts/install-system-deps.sh; \
	else echo "note: run 'sudo bash scripts/install-system-deps.sh' once for fonts, PDF and browser tests"; fi

$(VENV)/.installed: pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(KUAGER) demo

test: venv test-sqlite test-postgresql

test-sqlite: venv
	$(PY) -m pytest -q -m "not spark"

# The storage tests again on PostgreSQL; they skip cleanly when no server answers.
test-postgresql: venv
	DATABASE_URL=$(PG_URL) KUAGER_TEST_BACKEND=postgresql $(PY) -m pytest -q -m storage

# The linkage engine on a local Spark session (pyspark, about 500 MB, and Java 17+): not in
# `make test`, run by CI after it (docs/linkage.md, Spark).
test-spark: venv
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	$(PY) -m pytest -q -m spark tests/linkage/test_spark.py

clean:
	rm -rf $(VENV) kuager-data build src/*.egg-info
