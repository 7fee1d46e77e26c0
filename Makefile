# Two commands do the whole set-up on a fresh machine: `make run` and `make test`.
PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python

.PHONY: run test bench templates clean

$(PY):
	@$(PYTHON3) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Potrzebny jest Python 3.11 lub nowszy (python3 --version).")'
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

run: $(VENV)/.installed
	@bash tools/install-office.sh
	$(VENV)/bin/docgen demo --if-missing
	$(VENV)/bin/docgen serve --host 127.0.0.1 --port 5000

# installs what the tests use where it can (tools/test-setup.sh: apt output in .venv/apt-install.log)
# and runs them on a local PostgreSQL too; TEST_DATABASE_URL given by the caller wins
test: $(VENV)/.installed-test
	@url=$$(bash tools/test-setup.sh $(VENV)/apt-install.log); \
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$$url}" $(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py

templates: $(VENV)/.installed
	$(PY) tools/build_templates.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
