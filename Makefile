# `make run` and `make test` bootstrap .venv on a fresh machine (Python 3.11 + make + PyPI).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean venv

venv: $(STAMP)

# Re-install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[clerk,server,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/union-clerk --demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# Each benchmark prints its figures with a baseline measured in the same run.
BENCHES ?= member_list import notice sync cards server_load
bench: $(STAMP)
	for b in $(BENCHES); do QT_QPA_PLATFORM=offscreen $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
