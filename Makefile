# `make run` and `make test` bootstrap .venv on a fresh machine (Python 3.11 + make + PyPI).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean venv dist

venv: $(STAMP)

# Re-install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[clerk,server,test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/union-clerk --demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# ruff (rules and reasons in pyproject.toml) over the whole tree; mypy --strict on the packages
# listed under [tool.mypy] (app/rules, app/models, app/protocol, app/files.py).
lint: $(STAMP)
	$(BIN)/ruff check app server tests bench
	$(BIN)/mypy

# Each benchmark prints its figures with a baseline measured in the same run.
BENCHES ?= member_list import notice sync cards server_load superior stats_xlsx
bench: $(STAMP)
	for b in $(BENCHES); do QT_QPA_PLATFORM=offscreen $(BIN)/python bench/$$b.py || exit 1; done

# The installable builds (installer/README.md): the Linux one-folder app and its tar.gz, checked
# by running it with no Python on its path; the Windows setup script compiled by makensis with the
# Linux folder as a stand-in payload. The real Windows setup is built by
# .github/workflows/windows-installer.yml on a Windows runner (same spec, same script).
DIST_VENV := build/dist-venv
dist:
	test -x $(DIST_VENV)/bin/python || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DIST_VENV)/bin/python -m pip install --quiet '.[clerk,dist]'
	bash installer/build.sh $(DIST_VENV)/bin/python

clean:
	rm -rf $(VENV) build dist *.egg-info
